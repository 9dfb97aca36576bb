package results

import (
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

func team(id uint, name string, parent uint) models.Team {
	t := models.Team{ID: id, Name: name}
	if parent != 0 {
		t.ParentID = &parent
	}
	return t
}

// agg is n responses answering v everywhere (reverse items 6 − v), so every
// key scores (v − 1)/4 × 100.
func agg(n int, v uint8) scoring.Aggregate {
	var a scoring.Aggregate
	for range n {
		var ans scoring.Answers
		for i := range ans {
			ans[i] = v
			if scoring.ItemReverse(i) {
				ans[i] = 6 - v
			}
		}
		a.Add(ans)
	}
	return a
}

// opts5 are the default rules of a closed round: k 5, comments from 8.
var opts5 = Options{K: 5, KComments: 8, Published: true}

// cellHidden reports whether no score of team id's cell of perspective p
// (the organization's for id 0) shows.
func cellHidden(r *Round, id uint, p string) bool {
	f, err := r.Figures(GroupRef{Team: id, Perspective: p})
	return err != nil || !f.Shown()
}

func cell(teamID uint, persp string, a scoring.Aggregate) models.Cell {
	return models.Cell{TeamID: teamID, Perspective: persp, Agg: a}
}

func TestRollupsAndOrder(t *testing.T) {
	teams := []models.Team{team(1, "Ops", 0), team(2, "Contact", 1), team(3, "Field", 1), team(4, "Sales", 0)}
	cells := []models.Cell{
		cell(1, "manager", agg(5, 5)),    // Ops direct: 5 at 100
		cell(2, "frontline", agg(10, 3)), // Contact: 10 at 50
		cell(3, "frontline", agg(6, 4)),  // Field: 6 at 75
		cell(4, "frontline", agg(8, 2)),  // Sales: 8 at 25
	}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, tm := range r.Teams {
		order = append(order, tm.Name)
	}
	if got := join(order); got != "Ops,Contact,Field,Sales" {
		t.Errorf("hierarchy order: got %s", got)
	}
	ops, _ := r.Team(1)
	// Ops pools 5 + 10 + 6 = 21: mean (5×100 + 10×50 + 6×75)/21 = 1450/21 = 69.047…
	p := ops.Rollup.Profile()
	if ops.N() != 21 || ops.Own.N != 5 {
		t.Errorf("Ops n: rollup %d own %d want 21 and 5", ops.N(), ops.Own.N)
	}
	if got, want := p.Keys[0].Mean.V, 1450.0/21; abs(got-want) > 1e-9 {
		t.Errorf("Ops ideal: got %v want %v", got, want)
	}
	// The organization pools all 29: (1450 + 8×25)/29 = 1650/29.
	if got, want := r.Org.Profile().Keys[0].Mean.V, 1650.0/29; r.Org.N != 29 || abs(got-want) > 1e-9 {
		t.Errorf("org: n %d ideal %v want 29 and %v", r.Org.N, got, want)
	}
	contact, _ := r.Team(2)
	if contact.Depth != 1 || join(contact.Path) != "Ops,Contact" {
		t.Errorf("Contact depth %d path %v", contact.Depth, contact.Path)
	}
	if ops.Perspectives["frontline"].N != 16 || ops.Perspectives["manager"].N != 5 {
		t.Errorf("Ops perspectives: %d frontline, %d manager", ops.Perspectives["frontline"].N, ops.Perspectives["manager"].N)
	}
	for _, tm := range r.Teams {
		if tm.Hidden {
			t.Errorf("%s (n=%d) hidden; every team has at least k", tm.Name, tm.N())
		}
	}
}

func TestSuppressionThroughBuild(t *testing.T) {
	// Ops has 2 direct respondents and children of 6 and 7: Ops − Contact −
	// Field would reveal the 2, so the smaller child (Contact) is hidden.
	teams := []models.Team{team(1, "Ops", 0), team(2, "Contact", 1), team(3, "Field", 1), team(4, "Sales", 0), team(5, "Tiny", 0)}
	cells := []models.Cell{
		cell(1, "frontline", agg(2, 4)),
		cell(2, "frontline", agg(6, 4)),
		cell(3, "frontline", agg(7, 4)),
		cell(4, "frontline", agg(9, 4)),
		cell(5, "frontline", agg(3, 4)),
	}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	hidden := map[string]bool{}
	for _, tm := range r.Teams {
		hidden[tm.Name] = tm.Hidden
	}
	if !hidden["Tiny"] {
		t.Error("Tiny (3 < 5) shown")
	}
	if !hidden["Contact"] || hidden["Field"] || hidden["Ops"] {
		t.Errorf("within Ops: got %v want Contact hidden, Field and Ops shown", hidden)
	}
	// Organization: 27; shown top-level teams Ops (15) and Sales (9) leave
	// Tiny's 3 uncovered: the smallest shown (Sales) is hidden as well.
	if !hidden["Sales"] {
		t.Errorf("org − Ops − Sales would reveal Tiny: got %v", hidden)
	}
	if r.OrgHidden() {
		t.Error("the organization (27) should show")
	}
}

func TestUnknownTeamCellIsAnError(t *testing.T) {
	if _, err := Build([]models.Team{team(1, "A", 0)}, []models.Cell{cell(2, "frontline", agg(1, 3))}, opts5); err == nil {
		t.Error("a cell of an unknown team must be an error")
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestPerspectiveCellsCannotBeSubtracted: teams A, B, C with frontline 5, 2,
// 5 and manager 5, 6, 5. B's frontline cell (2) is hidden; the organization's
// frontline cell (12) minus A's and C's (5 + 5) would give it away, so at
// least one more of those must be hidden too.
func TestPerspectiveCellsCannotBeSubtracted(t *testing.T) {
	teams := []models.Team{team(1, "A", 0), team(2, "B", 0), team(3, "C", 0)}
	cells := []models.Cell{
		cell(1, "frontline", agg(5, 4)), cell(1, "manager", agg(5, 4)),
		cell(2, "frontline", agg(2, 4)), cell(2, "manager", agg(6, 4)),
		cell(3, "frontline", agg(5, 4)), cell(3, "manager", agg(5, 4)),
	}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	if !cellHidden(r, 2, "frontline") {
		t.Fatal("B's frontline cell of 2 is shown")
	}
	shown := func(id uint, p string) int {
		tm, _ := r.Team(id)
		if cellHidden(r, id, p) {
			return -1
		}
		return int(tm.Perspectives[p].N)
	}
	orgFront := -1
	if !cellHidden(r, 0, "frontline") {
		orgFront = int(r.Perspectives["frontline"].N)
	}
	a, c := shown(1, "frontline"), shown(3, "frontline")
	if orgFront >= 0 && a >= 0 && c >= 0 {
		t.Errorf("org frontline %d − A %d − C %d = %d reveals B's hidden cell", orgFront, a, c, orgFront-a-c)
	}
}

// aggSkippingIdeal is n responses answering v everywhere except the five
// ideal items, which are skipped: the ideal key and the index are missing.
func aggSkippingIdeal(n int, v uint8) scoring.Aggregate {
	var a scoring.Aggregate
	for range n {
		var ans scoring.Answers
		for i := scoring.ItemsPerKey; i < scoring.NumItems; i++ {
			ans[i] = v
			if scoring.ItemReverse(i) {
				ans[i] = 6 - v
			}
		}
		a.Add(ans)
	}
	return a
}

// TestAKeyFewAnsweredStaysHidden: in an organization of 15, only 2 answered
// the ideal statements. The organization shows, but its ideal key and its
// index (mean and spread of two people give both scores away) do not.
func TestAKeyFewAnsweredStaysHidden(t *testing.T) {
	teams := []models.Team{team(1, "A", 0)}
	a := agg(2, 2)
	b := aggSkippingIdeal(13, 4)
	cells := []models.Cell{cell(1, "frontline", a), cell(1, "manager", b)}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	p, shown := r.OrgProfile()
	if !shown {
		t.Fatal("an organization of 15 should show")
	}
	if p.Keys[0].Mean.OK || p.Keys[0].SD.OK || p.Keys[0].FavorablePct.OK || p.Items[0].Mean.OK {
		t.Errorf("ideal, answered by 2, is shown: %+v", p.Keys[0])
	}
	if p.Index.Mean.OK {
		t.Errorf("the index of 2 respondents is shown: %+v", p.Index)
	}
	// Culture: 2 at (2−1)/4×100 = 25 and 13 at 75 → (50 + 975)/15 = 68.33….
	if !p.Keys[1].Mean.OK || abs(p.Keys[1].Mean.V-1025.0/15) > 1e-9 {
		t.Errorf("culture, answered by 15: got %+v want %v", p.Keys[1].Mean, 1025.0/15)
	}
	if p.Strongest == 0 || p.Weakest == 0 {
		t.Errorf("strongest/weakest must ignore the hidden key: %d/%d", p.Strongest, p.Weakest)
	}
}

// TestAKeyCannotBeSubtracted: A (10, all answered ideal) shows; B (3) and C
// (2) are hidden. Only one of B's and C's five answered ideal, so the
// organization's ideal mean over 11 minus A's over 10 would give that one
// person's score: one of the two must stay hidden.
func TestAKeyCannotBeSubtracted(t *testing.T) {
	teams := []models.Team{team(1, "A", 0), team(2, "B", 0), team(3, "C", 0)}
	cells := []models.Cell{
		cell(1, "frontline", agg(10, 4)),
		cell(2, "frontline", agg(1, 2)), cell(2, "manager", aggSkippingIdeal(2, 3)),
		cell(3, "frontline", aggSkippingIdeal(2, 3)),
	}
	r, err := Build(teams, cells, opts5)
	if err != nil {
		t.Fatal(err)
	}
	org, orgShown := r.OrgProfile()
	ta, _ := r.Team(1)
	a, aShown := r.TeamProfile(ta)
	if !orgShown || !aShown {
		t.Fatalf("org shown %v, A shown %v; both have at least 10", orgShown, aShown)
	}
	if org.Keys[0].Mean.OK && a.Keys[0].Mean.OK {
		t.Errorf("org ideal (n=%d, %.2f) and A ideal (n=%d, %.2f) are both shown: their difference is one person's score",
			org.Keys[0].N, org.Keys[0].Mean.V, a.Keys[0].N, a.Keys[0].Mean.V)
	}
	if !org.Keys[1].Mean.OK && !a.Keys[1].Mean.OK {
		t.Error("culture, answered by everyone, should show somewhere")
	}
}
