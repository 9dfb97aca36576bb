package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// openPulse has the admin create a pulse round of keys and teams on the
// rounds page and open it.
func openPulse(t *testing.T, a *app, name string, keys []string, teams ...string) models.Round {
	t.Helper()
	admin := a.viewers["admin"]
	admin.get("/admin/rounds")
	form := url.Values{"name": {name}, "keys": keys}
	for _, tm := range teams {
		form.Add("teams", strconv.Itoa(int(a.teams[tm].ID)))
	}
	wantRedirect(t, admin.post("/admin/rounds", form), "/admin/rounds")
	rounds, err := a.store.Rounds(context.Background())
	if err != nil || rounds[0].Name != name {
		t.Fatalf("rounds: %+v, %v", rounds, err)
	}
	admin.get("/admin/rounds")
	wantRedirect(t, admin.post("/admin/rounds/"+strconv.Itoa(int(rounds[0].ID)), url.Values{"status": {"open"}}), "/admin/rounds")
	return rounds[0]
}

// TestPulseRoundAsksOnlyItsKeys: a pulse round of Culture and Empowerment
// for Support walks the perspective, those two pages and the comment; other
// pages are not there; another team's link says it is not asked.
func TestPulseRoundAsksOnlyItsKeys(t *testing.T) {
	a := newApp(t)
	a.team("Support", "", intp(8))
	emea := a.team("Support EMEA", "Support", intp(3))
	billing := a.team("Billing", "", intp(8))
	a.viewer("admin", "admin")
	openPulse(t, a, "2027 pulse", []string{"E", "C"}, "Support")
	// A chosen team brings its sub-teams.
	if d := doc(t, a.client().get("/t/"+emea.InviteToken)); d.Find(`[data-testid="not-asked"]`).Length() != 0 {
		t.Error("a sub-team of a chosen team is not asked")
	}
	if d := doc(t, a.get("admin", "/admin/rounds")); !strings.Contains(d.Find(`[data-testid="pulse"]`).Text(), "Culture of Service, Empowerment · Support, Support EMEA") {
		t.Errorf("the rounds page does not name the pulse round's keys and teams: %q", d.Find(`[data-testid="pulse"]`).Text())
	}

	cl := a.client()
	cl.start(t, a.teams["Support"])
	wantRedirect(t, cl.post("/s/perspective", url.Values{"perspective": {"manager"}, "action": {"next"}}), "/s/C")
	d := doc(t, cl.get("/s/C"))
	if got := strings.TrimSpace(d.Find(`.progress-label`).Text()); got != "Key 1 of 2" {
		t.Errorf("progress: %q want Key 1 of 2", got)
	}
	if rec := cl.get("/s/I"); rec.Code != http.StatusNotFound {
		t.Errorf("a key the round does not ask: %d want 404", rec.Code)
	}
	if rec := cl.post("/s/I", keyForm(0, [5]uint8{5, 5, 5, 5, 5})); rec.Code != http.StatusNotFound || cl.storedResponse(t).Answers().Answered() != 0 {
		t.Errorf("answers to a key the round does not ask: %d, %d stored; want 404, none stored", rec.Code, cl.storedResponse(t).Answers().Answered())
	}
	wantRedirect(t, cl.post("/s/C", keyForm(1, [5]uint8{4, 4, 4, 4, 4})), "/s/E")
	wantRedirect(t, cl.post("/s/E", keyForm(4, [5]uint8{5, 5, 5, 5, 5})), "/s/comment")
	wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {""}, "action": {"back"}}), "/s/E")
	cl.get("/s/comment")
	wantRedirect(t, cl.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
	if r := cl.storedResponse(t); !r.Submitted() || r.Answers().Answered() != 10 {
		t.Errorf("stored: submitted %v, %d answers want 10", r.Submitted(), r.Answers().Answered())
	}

	other := a.client()
	if d := doc(t, other.get("/t/"+billing.InviteToken)); d.Find(`[data-testid="not-asked"]`).Length() != 1 {
		t.Error("another team's link does not say the pulse round does not ask it")
	}
	other.get("/login") // a page with a form, for the CSRF token
	if d := doc(t, other.post("/t/"+billing.InviteToken, url.Values{"action": {"start"}})); d.Find(`[data-testid="not-asked"]`).Length() != 1 {
		t.Error("another team could start")
	}
	round, _ := a.store.CurrentRound(context.Background())
	if n, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusInProgress); n != 0 {
		t.Errorf("unfinished responses: %d want 0", n)
	}
}

// pulseAnswers are pattern(v) on keys and skipped elsewhere.
func pulseAnswers(v uint8, keys ...int) scoring.Answers {
	all, a := pattern(v), scoring.Answers{}
	for _, k := range keys {
		for j := range scoring.ItemsPerKey {
			a[k*scoring.ItemsPerKey+j] = all[k*scoring.ItemsPerKey+j]
		}
	}
	return a
}

// TestPulseRoundScoresItsKeys: a pulse round of Empowerment scores it as a
// full round would, leaves the index out of every page and file, and sits
// beside the full rounds in the trend; a plan made on the full round shows
// the change on Empowerment and none on a key the pulse did not ask.
func TestPulseRoundScoresItsKeys(t *testing.T) {
	a := newApp(t)
	a.team("Support", "", intp(8))
	a.team("Billing", "", intp(8))
	admin := a.viewer("admin", "admin")
	full := a.openRound("2027 Q1")
	for _, v := range []uint8{2, 2, 2, 3, 3, 3} {
		a.submit("Support", "frontline", pattern(v), "")
		a.submit("Billing", "frontline", pattern(4), "")
	}
	a.closeRound()
	// Support plans on Empowerment, Billing on Ideal Service.
	for team, key := range map[string]string{"Support": "E", "Billing": "I"} {
		page := "/teams/" + strconv.Itoa(int(a.teams[team].ID)) + "/plan?round=" + strconv.Itoa(int(full.ID))
		admin.get(page)
		wantRedirect(t, admin.post(page, planForm([]string{key}, "")), "/teams/")
	}
	e, _ := scoring.KeyIndex("E")
	pulse := openPulse(t, a, "2027 pulse", []string{"E"})
	for _, v := range []uint8{4, 4, 4, 5, 5, 5} {
		a.submit("Support", "frontline", pulseAnswers(v, e), "")
		a.submit("Billing", "frontline", pattern(4), "") // answers beyond the pulse's key do not count
	}
	a.closeRound()
	q := "?round=" + strconv.Itoa(int(pulse.ID))

	for _, row := range parse(t, a.download("admin", "/export/teams.csv"+q), ',').rows {
		want := map[string]string{"Support": "87.50", "Billing": "75.00"}[row["team"]]
		if row["empowerment"] != want || row["ideal"] != "" || row["icare_index"] != "" || row["n"] != "6" {
			t.Errorf("teams.csv of the pulse round, %s: empowerment %q (want %s), ideal %q, index %q", row["team"], row["empowerment"], want, row["ideal"], row["icare_index"])
		}
	}
	org := parse(t, a.download("admin", "/export/organization.csv"+q), ',').rows
	if len(org) != 1 || org[0]["key"] != "empowerment" || org[0]["mean_score"] != "81.25" {
		t.Errorf("organization.csv of the pulse round: %v", org)
	}
	tok := makeToken(t, admin, "pulse")
	var ps []profileJSON
	a.apiJSON(t, tok, "/api/v1/rounds/"+strconv.Itoa(int(pulse.ID))+"/profiles", &ps)
	if len(ps) != 1 || len(ps[0].Keys) != 1 || ps[0].Keys[0].Key != "empowerment" || cell(ps[0].Keys[0].Score) != "81.25" || len(ps[0].Items) != 5 {
		t.Errorf("API profile of the pulse round: %+v", ps)
	}
	if rec := a.api(tok, "/api/v1/rounds/"+strconv.Itoa(int(pulse.ID))+"/profiles"); strings.Contains(rec.Body.String(), `"index":{`) {
		t.Error("the API gives a pulse round an index")
	}
	validateAPI(t, a, tok, map[string]int{"/api/v1/rounds/" + strconv.Itoa(int(pulse.ID)) + "/profiles": 200,
		"/api/v1/rounds/" + strconv.Itoa(int(pulse.ID)) + "/teams": 200})

	support := strconv.Itoa(int(a.teams["Support"].ID))
	trend := doc(t, admin.get("/dashboard/trend?g=team:"+support))
	if !strings.Contains(trend.Find(`[data-testid="pulse"]`).Text(), "Empowerment") {
		t.Error("the trend does not mark the pulse round")
	}
	if !strings.Contains(trend.Text(), "not asked in this pulse round") {
		t.Error("the trend does not say which keys the pulse round did not ask")
	}
	// The plan on Empowerment: 37.5 → 87.5, as in TestPlanShowsTheChangeOfItsKeys.
	page := doc(t, admin.get("/teams/"+support+"?round="+strconv.Itoa(int(full.ID))))
	if got := page.Find(`[data-testid="plan-change"]`).Text(); !strings.Contains(got, "up 50.0 points, a real change") || !strings.Contains(got, "2027 pulse") {
		t.Errorf("the plan's change: %q", got)
	}
	page = doc(t, admin.get("/teams/"+strconv.Itoa(int(a.teams["Billing"].ID))+"?round="+strconv.Itoa(int(full.ID))))
	if n := page.Find(`[data-testid="plan-change"]`).Length(); n != 0 || page.Find(`[data-testid="plan-keys"]`).Length() != 1 {
		t.Errorf("a plan on a key the pulse did not ask shows a change (%d), want none yet", n)
	}
}

// TestPulseRoundOfChosenTeamsOnTheDashboard: a pulse round of Empowerment
// for Support says so at the top of every dashboard page, and leaves
// Billing, which it did not ask, off the participation, the heatmap, the
// groups to compare, teams.csv and the API (Billing has no responses to
// show, not too few); with one key scored, no key is called the strongest
// and the weakest.
func TestPulseRoundOfChosenTeamsOnTheDashboard(t *testing.T) {
	a := newApp(t)
	a.team("Support", "", intp(8))
	billing := a.team("Billing", "", intp(8))
	admin := a.viewer("admin", "admin")
	e, _ := scoring.KeyIndex("E")
	pulse := openPulse(t, a, "2027 pulse", []string{"E"}, "Support")
	for _, v := range []uint8{4, 4, 4, 5, 5, 5} {
		a.submit("Support", "frontline", pulseAnswers(v, e), "")
	}
	a.closeRound()
	support := strconv.Itoa(int(a.teams["Support"].ID))
	round := "round=" + strconv.Itoa(int(pulse.ID))
	for _, page := range []string{"/dashboard?" + round, "/dashboard/heatmap?" + round, "/dashboard/compare?g=org&g=team:" + support + "&" + round} {
		rec := admin.get(page)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", page, rec.Code)
		}
		if got := doc(t, rec).Find(`[data-testid="round-pulse"]`).Text(); !strings.Contains(got, "Empowerment") {
			t.Errorf("%s does not say the round is a pulse of Empowerment: %q", page, got)
		}
	}
	other := strconv.Itoa(int(billing.ID))
	overview := doc(t, admin.get("/dashboard?"+round))
	if overview.Find(`[data-testid="participation-`+support+`"]`).Length() != 1 || overview.Find(`[data-testid="participation-`+other+`"]`).Length() != 0 {
		t.Errorf("participation: want Support's row and none for Billing, which was not asked")
	}
	if got := overview.Find(`[data-testid="extremes"]`).Text(); got != "" {
		t.Errorf("one key scored, and yet: %q", got)
	}
	heat := doc(t, admin.get("/dashboard/heatmap?"+round))
	if heat.Find(`[data-testid="heat-`+other+`"]`).Length() != 0 {
		t.Error("the heatmap has a row for Billing, which was not asked")
	}
	if got := strings.TrimSpace(heat.Find(`[data-testid="heat-` + support + `"] [data-testid="cell-empowerment"]`).Text()); !strings.HasPrefix(got, "87.5") {
		t.Errorf("Support's Empowerment on the heatmap: %q want 87.5", got)
	}
	// The files and the API list the same teams as the pages.
	rows := parse(t, a.download("admin", "/export/teams.csv?"+round), ',').rows
	if len(rows) != 1 || rows[0]["team"] != "Support" || rows[0]["empowerment"] != "87.50" {
		t.Errorf("teams.csv of the pulse round: %v; want Support's row alone", rows)
	}
	var ps []profileJSON
	a.apiJSON(t, makeToken(t, admin, "pulse"), "/api/v1/rounds/"+strconv.Itoa(int(pulse.ID))+"/teams", &ps)
	if len(ps) != 1 || ps[0].Label != "Support" {
		t.Errorf("the API's teams of the pulse round: %+v; want Support alone", ps)
	}
	if compare := doc(t, admin.get("/dashboard/compare?"+round)); compare.Find(`option[value="team:`+other+`"]`).Length() != 0 ||
		compare.Find(`option[value="team:`+support+`"]`).Length() == 0 {
		t.Error("compare offers Billing, which the pulse round did not ask, or not Support")
	}

	// A full round afterwards asks, and shows, both teams.
	a.openRound("2027 Q2")
	a.submit("Billing", "frontline", pattern(4), "")
	a.closeRound()
	if d := doc(t, admin.get("/dashboard")); d.Find(`[data-testid="participation-`+other+`"]`).Length() != 1 || d.Find(`[data-testid="round-pulse"]`).Length() != 0 {
		t.Error("the full round's overview lacks Billing, or calls itself a pulse")
	}
}
