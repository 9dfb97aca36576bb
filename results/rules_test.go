package results

import (
	"reflect"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

func withHeadcount(t models.Team, n int) models.Team { t.Headcount = &n; return t }

// TestOpenRoundShowsParticipationOnly: while the round is open every group
// keeps its counts and no score, with the reason round_open.
func TestOpenRoundShowsParticipationOnly(t *testing.T) {
	teams := []models.Team{team(1, "A", 0), team(2, "B", 0)}
	cells := []models.Cell{cell(1, "frontline", agg(20, 4)), cell(2, "manager", agg(9, 3))}
	r, err := Build(teams, cells, Options{K: 5, KComments: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []GroupRef{Org, TeamGroup(1), TeamGroup(2), {Perspective: "frontline"}, {Team: 1, Perspective: "frontline"}} {
		f, _ := r.Figures(g)
		if f.Reason != RoundOpen || f.CommentsReason != RoundOpen || f.Profile.Keys[0].Mean.OK || f.Profile.Index.Mean.OK {
			t.Errorf("%s: got reason %q, ideal %+v want round_open and no score", g, f.Reason, f.Profile.Keys[0].Mean)
		}
	}
	if f, _ := r.Figures(TeamGroup(1)); f.N != 20 || f.Profile.Keys[0].N != 20 {
		t.Errorf("participation: got n %d, ideal n %d want 20 and 20", f.N, f.Profile.Keys[0].N)
	}
	if !r.OrgHidden() {
		t.Error("the organization's scores show in an open round")
	}
}

// TestFillerTeamShowsNothingAndCannotBeWorkedOut: team F has a headcount of
// 2 and 6 responses (filler through an open link). It shows no score, with
// min_group, although 6 ≥ k; and since the organization minus the other
// top team would be F's total, one of those hides too.
func TestFillerTeamShowsNothingAndCannotBeWorkedOut(t *testing.T) {
	teams := []models.Team{team(1, "Big", 0), withHeadcount(team(2, "F", 0), 2)}
	cells := []models.Cell{cell(1, "frontline", agg(20, 4)), cell(2, "frontline", agg(6, 2))}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := r.Figures(TeamGroup(2))
	if f.Reason != MinGroup {
		t.Errorf("filler team: got reason %q want min_group", f.Reason)
	}
	org, _ := r.Figures(Org)
	big, _ := r.Figures(TeamGroup(1))
	if org.Shown() && big.Shown() {
		t.Error("organization − Big gives away the filler team's total; one of them must hide")
	}
	if org.Shown() == big.Shown() {
		t.Errorf("only one of the two need hide: org %q, Big %q", org.Reason, big.Reason)
	}
}

// TestReasons: Tiny (3) hides for min_group; within Ops, Contact hides for
// differencing (Ops − Field would give the 2 direct respondents).
func TestReasons(t *testing.T) {
	teams := []models.Team{team(1, "Ops", 0), team(2, "Contact", 1), team(3, "Field", 1), team(4, "Sales", 0), team(5, "Tiny", 0)}
	cells := []models.Cell{
		cell(1, "frontline", agg(2, 4)), cell(2, "frontline", agg(6, 4)), cell(3, "frontline", agg(7, 4)),
		cell(4, "frontline", agg(9, 4)), cell(5, "frontline", agg(3, 4)),
	}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[uint]Reason{1: Shown, 2: Differencing, 3: Shown, 4: Differencing, 5: MinGroup} {
		if f, _ := r.Figures(TeamGroup(id)); f.Reason != want {
			t.Errorf("team %d: got %q want %q", id, f.Reason, want)
		}
	}
	if _, err := r.Figures(TeamGroup(99)); err == nil {
		t.Error("a group of no team: want an error")
	}
	// A cell nobody answered in holds no scores.
	if f, _ := r.Figures(GroupRef{Team: 1, Perspective: "manager"}); f.Reason != MinGroup || f.N != 0 {
		t.Errorf("an empty cell: got %q, n %d", f.Reason, f.N)
	}
}

// TestCommentsCountTheirOwnThreshold: with comments from 8, a team of 6
// shows its scores but not its comments; the organization of 20 shows both,
// unless the other team's comments would then be the organization's minus
// A's: here A (14) and B (6) are both shown for scores, B's comments hide
// (6 < 8), so A's comment list must hide too, or the organization's.
func TestCommentsCountTheirOwnThreshold(t *testing.T) {
	teams := []models.Team{team(1, "A", 0), team(2, "B", 0)}
	cells := []models.Cell{cell(1, "frontline", agg(14, 4)), cell(2, "frontline", agg(6, 3))}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Figures(TeamGroup(2))
	if !b.Shown() || b.CommentsReason != MinGroup {
		t.Errorf("B: got scores %q, comments %q want shown and min_group", b.Reason, b.CommentsReason)
	}
	a, _ := r.Figures(TeamGroup(1))
	org, _ := r.Figures(Org)
	if a.CommentsReason == Shown && org.CommentsReason == Shown {
		t.Error("the organization's comments minus A's are B's: both lists shown")
	}
}

// TestRestoreKeepsThePublishedDecisions: a round restored from what its
// publication kept shows exactly the figures the built one does.
func TestRestoreKeepsThePublishedDecisions(t *testing.T) {
	teams := []models.Team{team(1, "Ops", 0), team(2, "Contact", 1), team(3, "Field", 1), team(4, "Sales", 0), team(5, "Tiny", 0)}
	cells := []models.Cell{
		cell(1, "frontline", agg(2, 4)), cell(2, "frontline", agg(6, 4)), cell(2, "manager", aggSkippingIdeal(5, 3)),
		cell(3, "frontline", agg(7, 4)), cell(4, "frontline", agg(9, 4)), cell(5, "frontline", agg(3, 4)),
	}
	built, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	restored, err := Restore(teams, cells, opts5, built.Hidden())
	if err != nil {
		t.Fatal(err)
	}
	groups := []GroupRef{Org}
	for _, tm := range built.Teams {
		groups = append(groups, TeamGroup(tm.ID))
		for _, p := range scoring.Perspectives {
			groups = append(groups, GroupRef{tm.ID, p})
		}
	}
	for _, g := range groups {
		a, _ := built.Figures(g)
		b, _ := restored.Figures(g)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: built %+v\nrestored %+v", g, a.Reason, b.Reason)
		}
	}
	if _, err := Restore(teams, cells, opts5, Hidden{"no such measure": nil}); err == nil {
		t.Error("a publication with an unknown measure: want an error")
	}
}

func TestGroupRefs(t *testing.T) {
	for _, s := range []string{"org", "team:7", "perspective:frontline", "team:12/perspective:senior_leader"} {
		g, err := ParseGroup(s)
		if err != nil || g.String() != s {
			t.Errorf("ParseGroup(%q): got %v, %v", s, g, err)
		}
	}
	for _, s := range []string{"", "team:", "team:0", "team:07", "team:x", "team:1/", "team:1/perspective:boss", "perspective:", "org/perspective:manager", "Team:1"} {
		if _, err := ParseGroup(s); err == nil {
			t.Errorf("ParseGroup(%q): want an error", s)
		}
	}
}
