package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/icare-hr/icare/models"
)

// The dashboard's figures, worked out by hand.
//
// Round "2027 Q1" (closed), everyone frontline, every key alike:
//
//	Alpha  5 × pattern 5 (100) + 5 × pattern 3 (50): mean 75, SD √(10·25²/9) = 26.352,
//	       95% CI 75 ∓ t(0.975, 9) 2.262157 × 26.352/√10 = 75 ∓ 18.851 → 56.1 to 93.9
//	Beta   10 × pattern 2 (25): mean 25, SD 0, CI 25 to 25
//	Gamma  5 × pattern 4 (75) + 5 × pattern 2 (25): mean 50
//	Org    30: mean 1500/30 = 50, SD √(25000/29) = 29.361,
//	       CI 50 ∓ t(0.975, 29) 2.045230 × 29.361/√30 = 50 ∓ 10.964 → 39.0 to 61.0
//
// Alpha's interval lies above 50: marked ▲ +25.0; Beta's below: ▼ −25.0;
// Gamma's holds 50: 0.0, unmarked. Beta − Alpha = −50 with Welch's
// se = √(694.44/10 + 0) = 8.3333 on 9 df: −50 ∓ 18.851 → −68.9 to −31.1.
//
// Round "2027 Q2" (closed): Alpha alone, 5 frontline at 100 and 5 managers
// at 50: the organization's index 75.0; the perception gap of every key
// 50.0, frontline highest, managers lowest.
func dashboardFixture(t *testing.T) (*app, map[string]uint) {
	a := newApp(t)
	a.team("Alpha", "", intp(12))
	a.team("Beta", "", intp(10))
	a.team("Gamma", "", nil)
	a.openRound("2027 Q1")
	for range 5 {
		a.submit("Alpha", "frontline", pattern(5), "")
		a.submit("Alpha", "frontline", pattern(3), "")
		a.submit("Gamma", "frontline", pattern(4), "")
		a.submit("Gamma", "frontline", pattern(2), "")
	}
	for range 10 {
		a.submit("Beta", "frontline", pattern(2), "")
	}
	a.closeRound()
	q2 := a.openRound("2027 Q2")
	for range 5 {
		a.submit("Alpha", "frontline", pattern(5), "Make the handover one person's job.")
		a.submit("Alpha", "manager", pattern(3), "Fewer meetings, more customers.")
	}
	a.closeRound()
	q1, _ := a.store.Rounds(t.Context())
	ids := map[string]uint{"q2": q2.ID}
	for _, r := range q1 {
		if r.Name == "2027 Q1" {
			ids["q1"] = r.ID
		}
	}
	for name, tm := range a.teams {
		ids[name] = tm.ID
	}
	a.viewer("admin", models.RoleAdmin)
	a.viewer("alpha", models.RoleLeader, "Alpha")
	return a, ids
}

func page(t *testing.T, a *app, viewer, target string) *goquery.Document {
	t.Helper()
	rec := a.get(viewer, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s as %s: got %d; %.300s", target, viewer, rec.Code, rec.Body.String())
	}
	return doc(t, rec)
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func TestOverviewKeyWithItsInterval(t *testing.T) {
	a, ids := dashboardFixture(t)
	d := page(t, a, "admin", "/dashboard?round="+uid(ids["q1"]))
	row := d.Find(`[data-testid="keys"] [data-testid="key-I"]`)
	if got := text(row.Find(`[data-testid="score"]`)); got != "50.0" {
		t.Errorf("organization ideal: got %q want 50.0", got)
	}
	if got := text(row.Find(`[data-testid="ci"]`)); got != "39.0 to 61.0" {
		t.Errorf("organization ideal CI: got %q want 39.0 to 61.0", got)
	}
	if got := text(row.Find(`[data-testid="favorable"]`)); got != "33.3 %" {
		// Favorable: the 5 at 100 answer 5 and the 5 at 75 answer 4 on
		// every item, 10 of 30 respondents: 33.3 %.
		t.Errorf("organization ideal favorable: got %q want 33.3 %%", got)
	}
	if got := text(d.Find(`[data-testid="index"]`)); got != "50.0" {
		t.Errorf("index: got %q want 50.0", got)
	}
	if d.Find(`svg[data-testid="org-chart"] [data-testid="org-chart-bar-I-ci"]`).Length() != 1 {
		t.Error("the key chart has no interval whisker for ideal")
	}
	// The default is the latest closed round, Q2.
	if got := text(page(t, a, "admin", "/dashboard").Find(`[data-testid="round"]`)); !strings.HasPrefix(got, "2027 Q2") {
		t.Errorf("default round: got %q want 2027 Q2", got)
	}
}

func TestHeatmapMarksOnlyClearDifferences(t *testing.T) {
	a, ids := dashboardFixture(t)
	d := page(t, a, "admin", "/dashboard/heatmap?round="+uid(ids["q1"]))
	cell := func(team, col string) *goquery.Selection {
		return d.Find(`[data-testid="heat-` + uid(ids[team]) + `"] [data-testid="cell-` + col + `"]`)
	}
	for _, tc := range []struct {
		team, score, diff, mark, words string
	}{
		{"Alpha", "75.0", "+25.0", "1", "above the organization"},
		{"Beta", "25.0", "-25.0", "-1", "below the organization"},
		{"Gamma", "50.0", "0.0", "0", ""},
	} {
		c := cell(tc.team, "ideal")
		if got := text(c.Find(".score")); got != tc.score {
			t.Errorf("%s ideal: got %q want %s", tc.team, got, tc.score)
		}
		if got := text(c.Find(".diff")); got != tc.diff {
			t.Errorf("%s difference: got %q want %s", tc.team, got, tc.diff)
		}
		if m, _ := c.Attr("data-mark"); m != tc.mark || text(c.Find(".visually-hidden")) != tc.words {
			t.Errorf("%s mark: got %s %q want %s %q", tc.team, m, text(c.Find(".visually-hidden")), tc.mark, tc.words)
		}
	}
	// Sorted by ideal, highest first; the link then offers lowest first.
	d = page(t, a, "admin", "/dashboard/heatmap?round="+uid(ids["q1"])+"&sort=ideal&dir=desc")
	var order []string
	d.Find(`[data-testid^="heat-"] th a`).Each(func(_ int, s *goquery.Selection) { order = append(order, s.Text()) })
	if strings.Join(order, ",") != "Alpha,Gamma,Beta" {
		t.Errorf("sorted by ideal: got %v want Alpha, Gamma, Beta", order)
	}
	if href, _ := d.Find(`[data-testid="sort-ideal"]`).Attr("href"); !strings.Contains(href, "dir=asc") {
		t.Errorf("the sorted column's link: got %s want dir=asc", href)
	}
	if rec := a.get("admin", "/dashboard/heatmap?sort=height"); rec.Code != http.StatusBadRequest {
		t.Errorf("sort by an unknown column: got %d want 400", rec.Code)
	}
}

func TestCompareDifferenceWithWelchInterval(t *testing.T) {
	a, ids := dashboardFixture(t)
	d := page(t, a, "admin", "/dashboard/compare?round="+uid(ids["q1"])+"&g=team:"+uid(ids["Alpha"])+"&g=team:"+uid(ids["Beta"]))
	got := text(d.Find(`[data-testid="diff-1-0"]`))
	if got != "-50.0 (-68.9 to -31.1) a clear difference" {
		t.Errorf("Beta − Alpha on ideal: got %q want -50.0 (-68.9 to -31.1) a clear difference", got)
	}
	// The CSV behind the page holds the same numbers, at 2 decimals.
	href, _ := d.Find(`[data-testid="csv-behind"]`).Attr("href")
	rows := parse(t, a.download("admin", href), ',').rows
	var beta map[string]string
	for _, r := range rows {
		if r["group"] == "team:"+uid(ids["Beta"]) && r["key"] == "ideal" {
			beta = r
		}
	}
	if beta["score"] != "25.00" || beta["diff_to_first"] != "-50.00" || beta["diff_ci_low"] != "-68.85" || beta["diff_ci_high"] != "-31.15" {
		t.Errorf("compare CSV, Beta ideal: got %v", beta)
	}
	if len(rows) != 12 {
		t.Errorf("compare CSV: %d rows want 2 groups × (5 keys + index)", len(rows))
	}
	if d.Find(`svg[data-testid="radar"] [data-testid="radar-series-2"] .marker`).Length() != 5 {
		t.Error("the radar lacks Beta's five markers")
	}
	if n := d.Find(`[data-testid="items"] tbody tr`).Length(); n != 25 {
		t.Errorf("statements: got %d rows want 25", n)
	}
	if d := page(t, a, "admin", "/dashboard/compare?g=org"); d.Find(`[data-testid="problem"]`).Length() != 1 {
		t.Error("one group: the page should ask for a second")
	}
	if rec := a.get("admin", "/dashboard/compare?g=org&g=org&g=org&g=org&g=org&g=org&g=org"); rec.Code != http.StatusBadRequest {
		t.Errorf("seven groups: got %d want 400", rec.Code)
	}
	if rec := a.get("admin", "/dashboard/compare?g=team:x"); rec.Code != http.StatusBadRequest {
		t.Errorf("a malformed group: got %d want 400", rec.Code)
	}
	if rec := a.get("admin", "/dashboard/compare?g=org&g=team:999"); rec.Code != http.StatusNotFound {
		t.Errorf("a group of no team: got %d want 404", rec.Code)
	}
}

func TestTrendAndPerspectiveGap(t *testing.T) {
	a, ids := dashboardFixture(t)
	d := page(t, a, "admin", "/dashboard/trend?g=org")
	if got := text(d.Find(`[data-testid="trend-` + uid(ids["q1"]) + `"] [data-testid="index"]`)); !strings.HasPrefix(got, "50.0") {
		t.Errorf("trend, Q1 index: got %q want 50.0", got)
	}
	if got := text(d.Find(`[data-testid="trend-` + uid(ids["q2"]) + `"] [data-testid="index"]`)); !strings.HasPrefix(got, "75.0") {
		t.Errorf("trend, Q2 index: got %q want 75.0", got)
	}
	// Beta answered in Q1 only: Q2 leaves a gap.
	d = page(t, a, "admin", "/dashboard/trend?g=team:"+uid(ids["Beta"]))
	if d.Find(`[data-testid="trend-`+uid(ids["q2"])+`"] [data-testid="index"]`).Length() != 0 {
		t.Error("Beta's Q2 has no responses yet shows an index")
	}
	d = page(t, a, "admin", "/dashboard/perspectives?round="+uid(ids["q2"])+"&g=org")
	if got := text(d.Find(`[data-testid="gap-I"]`)); got != "Ideal Service: 50.0 points (Frontline service provider highest, Manager lowest)" {
		t.Errorf("perception gap of ideal: got %q", got)
	}
}

func TestCommentsShowOnlyFromTheThreshold(t *testing.T) {
	a, ids := dashboardFixture(t)
	d := page(t, a, "admin", "/dashboard/comments?round="+uid(ids["q2"])+"&g=team:"+uid(ids["Alpha"]))
	if got := d.Find(`[data-testid="comments"] li`).Length(); got != 10 {
		t.Errorf("Alpha's 10 comments: got %d", got)
	}
	// The managers' cell has 5 responses: under 8, no comments.
	d = page(t, a, "admin", "/dashboard/comments?round="+uid(ids["q2"])+"&g=team:"+uid(ids["Alpha"])+"/perspective:manager")
	if d.Find(`[data-testid="comments-hidden"]`).Length() != 1 || strings.Contains(d.Text(), "Fewer meetings") {
		t.Error("the managers' 5 comments show under the threshold of 8")
	}
}

func TestLeadersSeeOnlyTheirTeamsOnEveryView(t *testing.T) {
	a, ids := dashboardFixture(t)
	beta := "team:" + uid(ids["Beta"])
	for _, target := range []string{
		"/dashboard/compare?g=org&g=" + beta, "/dashboard/trend?g=" + beta, "/dashboard/perspectives?g=" + beta,
		"/dashboard/comments?g=" + beta, "/dashboard/compare?g=" + beta + "/perspective:frontline&g=org", "/teams/" + uid(ids["Beta"]),
	} {
		if rec := a.get("alpha", target); rec.Code != http.StatusForbidden {
			t.Errorf("%s as the leader of Alpha: got %d want 403", target, rec.Code)
		}
		if rec := a.get("admin", target); rec.Code != http.StatusOK {
			t.Errorf("%s as an admin: got %d want 200", target, rec.Code)
		}
	}
	if d := page(t, a, "alpha", "/dashboard?round="+uid(ids["q1"])); d.Find(`[data-testid="participation-`+uid(ids["Beta"])+`"]`).Length() != 0 {
		t.Error("the leader of Alpha's overview lists Beta's participation")
	}
	d := page(t, a, "alpha", "/dashboard/heatmap?round="+uid(ids["q1"]))
	if d.Find(`[data-testid="heat-`+uid(ids["Beta"])+`"]`).Length() != 0 || d.Find(`[data-testid="heat-`+uid(ids["Alpha"])+`"]`).Length() != 1 {
		t.Error("the leader of Alpha's heatmap: want Alpha's row only")
	}
}

func uid(id uint) string { return strconv.FormatUint(uint64(id), 10) }
