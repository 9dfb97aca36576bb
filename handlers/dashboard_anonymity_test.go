package handlers_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// anonymityFixture is a closed round with every kind of group the rules
// must hide (k 5, comments from 8), and an open round:
//
//	Tiny    4 respondents: k − 1
//	Tiny2   3 respondents (with Tiny, 7 ≥ k: the organization needs no more)
//	Parent  2 direct respondents, and
//	  Child 8: Parent − Child = 2 < k, so one of them hides
//	Mixed   8 frontline and 3 managers: the managers' cell is under k, and
//	        the frontline cell hides with it (Mixed − frontline = managers)
//	Skippy  10, of whom only 3 answered the ideal statements
//	Chatty  6 with comments: under the comment threshold
//	Big     20
//
// and an open round with 30 responses in Big.
func anonymityFixture(t *testing.T) (*app, map[string]uint) {
	a := newApp(t)
	for _, n := range []string{"Tiny", "Tiny2", "Parent", "Mixed", "Skippy", "Chatty", "Big"} {
		a.team(n, "", nil)
	}
	a.team("Child", "Parent", nil)
	a.openRound("Closed")
	add := func(team, persp string, n int, v uint8, comment string) {
		for range n {
			a.submit(team, persp, pattern(v), comment)
		}
	}
	add("Tiny", "frontline", 4, 5, "a secret from a tiny team")
	add("Tiny2", "frontline", 3, 1, "")
	add("Parent", "frontline", 2, 1, "")
	add("Child", "frontline", 8, 4, "")
	add("Mixed", "frontline", 8, 3, "")
	add("Mixed", "manager", 3, 5, "")
	noIdeal := pattern(4)
	for i := range scoring.ItemsPerKey {
		noIdeal[i] = 0
	}
	for range 7 {
		a.submit("Skippy", "frontline", noIdeal, "")
	}
	add("Skippy", "frontline", 3, 2, "")
	add("Chatty", "frontline", 6, 3, "what six people wrote")
	add("Big", "frontline", 20, 3, "")
	a.closeRound()
	open := a.openRound("Open")
	add("Big", "frontline", 30, 5, "an open round's comment")
	ids := map[string]uint{"open": open.ID}
	for name, tm := range a.teams {
		ids[name] = tm.ID
	}
	a.viewer("admin", models.RoleAdmin)
	return a, ids
}

// noScores fails when sel holds a score.
func noScores(t *testing.T, what string, sel *goquery.Selection) {
	t.Helper()
	if n := sel.Find(`[data-testid="score"], .score, [data-testid="index"]`).Length(); n != 0 {
		t.Errorf("%s: %d scores shown, want none: %s", what, n, text(sel))
	}
}

func TestDashboardHidesEverySmallGroup(t *testing.T) {
	a, ids := anonymityFixture(t)
	row := func(d *goquery.Document, team string) *goquery.Selection {
		return d.Find(`[data-testid="heat-` + uid(ids[team]) + `"]`)
	}
	// The published round is the default.
	heat := page(t, a, "admin", "/dashboard/heatmap")
	for _, team := range []string{"Tiny", "Tiny2"} {
		noScores(t, team+" in the heatmap", row(heat, team))
		if r, _ := row(heat, team).Find(`[data-testid="cell-ideal"]`).Attr("data-reason"); r != "min_group" {
			t.Errorf("%s: reason %q want min_group", team, r)
		}
	}
	if row(heat, "Parent").Find(".score").Length() > 0 && row(heat, "Child").Find(".score").Length() > 0 {
		t.Error("Parent and Child differ by 2: both shown")
	}
	skippy := row(heat, "Skippy")
	if r, _ := skippy.Find(`[data-testid="cell-ideal"]`).Attr("data-reason"); r != "min_group" {
		t.Errorf("Skippy's ideal, answered by 3: reason %q want min_group", r)
	}
	if skippy.Find(`[data-testid="cell-culture"] .score`).Length() != 1 {
		t.Error("Skippy's culture, answered by 10, should show")
	}

	tiny := "team:" + uid(ids["Tiny"])
	d := page(t, a, "admin", "/teams/"+uid(ids["Tiny"]))
	if d.Find(`[data-testid="hidden"]`).Length() != 1 || d.Find(`[data-testid="keys"]`).Length() != 0 {
		t.Error("Tiny's team page shows scores")
	}
	d = page(t, a, "admin", "/dashboard/compare?g="+tiny+"&g=team:"+uid(ids["Big"]))
	noScores(t, "Tiny compared", d.Find(`[data-testid="groups-table"] tbody td:nth-child(2)`))
	if d.Find(`[data-testid="radar-series-1"] .marker`).Length() != 0 {
		t.Error("Tiny's scores are drawn on the radar")
	}
	if strings.Contains(text(d.Find(`[data-testid="diffs"]`)), "clear") {
		t.Error("a difference to hidden Tiny is shown")
	}
	d = page(t, a, "admin", "/dashboard/trend?g="+tiny)
	noScores(t, "Tiny's trend", d.Find(`[data-testid="trend-table"]`))
	d = page(t, a, "admin", "/dashboard/perspectives?g=team:"+uid(ids["Mixed"]))
	managers := d.Find(`[data-testid="groups-table"] tbody td:nth-child(3)`)
	noScores(t, "Mixed's 3 managers", managers)
	// Mixed − its frontline cell would be the 3 managers: the 8 frontline
	// staff hide too, for differencing.
	if r, _ := d.Find(`[data-testid="groups-table"] [data-testid="row-I"] td:nth-child(2)`).Attr("data-reason"); r != "differencing" {
		t.Errorf("Mixed's frontline cell: reason %q want differencing", r)
	}
	for team, why := range map[string]string{"Chatty": "6 < 8", "Tiny": "4 < 5"} {
		d = page(t, a, "admin", "/dashboard/comments?g=team:"+uid(ids[team]))
		if d.Find(`[data-testid="comments-hidden"]`).Length() != 1 || strings.Contains(d.Text(), "secret") || strings.Contains(d.Text(), "six people") {
			t.Errorf("%s's comments (%s) show", team, why)
		}
	}
	// The organization's comments (61 responses) show, but not as a way to
	// read a hidden team's: Tiny's lies within the organization's list
	// only when no shown list would let it be singled out.
	d = page(t, a, "admin", "/dashboard/comments?g=org")
	if d.Find(`[data-testid="comments"] li`).Length() == 0 && d.Find(`[data-testid="comments-hidden"]`).Length() == 0 {
		t.Error("the organization's comments page says nothing")
	}
}

func TestOpenRoundShowsOnlyParticipation(t *testing.T) {
	a, ids := anonymityFixture(t)
	r := "?round=" + uid(ids["open"])
	big := "team:" + uid(ids["Big"])
	for _, target := range []string{
		"/dashboard" + r, "/dashboard/heatmap" + r, "/dashboard/compare" + r + "&g=org&g=" + big,
		"/dashboard/trend" + r + "&g=" + big, "/dashboard/perspectives" + r + "&g=" + big,
		"/dashboard/comments" + r + "&g=" + big, "/teams/" + uid(ids["Big"]) + r,
	} {
		d := page(t, a, "admin", target)
		if d.Find(`[data-testid="round-open"]`).Length() != 1 {
			t.Errorf("%s: the page does not say the round is open", target)
		}
		if strings.HasPrefix(target, "/dashboard/trend") {
			continue // the trend lists closed rounds only
		}
		noScores(t, target, d.Find("main"))
		if strings.Contains(d.Text(), "an open round's comment") {
			t.Errorf("%s: an open round's comment shows", target)
		}
	}
	// Participation is live.
	d := page(t, a, "admin", "/dashboard"+r)
	if got := text(d.Find(`[data-testid="participation-` + uid(ids["Big"]) + `"] td`).First()); got != "30" {
		t.Errorf("Big's responses in the open round: got %q want 30", got)
	}
	// And the files of an open round carry counts only.
	tb := parse(t, a.download("admin", "/export/teams.csv"+r), ',')
	for _, row := range tb.rows {
		if row["suppressed"] != "true" || row["ideal"] != "" || row["icare_index"] != "" {
			t.Errorf("teams.csv of the open round, %s: %v", row["team"], row)
		}
		if row["team"] == "Big" && row["n"] != "30" {
			t.Errorf("Big's n in the open round: got %s want 30", row["n"])
		}
	}
	for _, row := range parse(t, a.download("admin", "/export/organization.csv"+r), ',').rows {
		if row["mean_score"] != "" || row["n"] != "" {
			t.Errorf("organization.csv of the open round: %v", row)
		}
	}
}
