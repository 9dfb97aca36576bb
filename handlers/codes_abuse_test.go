package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// Personal codes against what abuses them: two devices racing with one
// code, and filler responses made to see a small team's figures.

// TestRacingDevicesWithOneCodeMakeOneResponse: two browsers start with one
// code at the same moment, then both submit: one response, one submit.
func TestRacingDevicesWithOneCodeMakeOneResponse(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		team, _, codes := codesTeam(t, a, 3, 1)
		browsers := []*client{a.client(), a.client()}
		for _, b := range browsers {
			b.get("/c/" + codes[0])
		}
		race := func(req func(b *client) *http.Request) []*httptest.ResponseRecorder {
			recs := make([]*httptest.ResponseRecorder, len(browsers))
			var wg sync.WaitGroup
			for i, b := range browsers {
				r := req(b)
				wg.Add(1)
				go func() {
					defer wg.Done()
					recs[i] = httptest.NewRecorder()
					a.e.ServeHTTP(recs[i], r)
				}()
			}
			wg.Wait()
			return recs
		}
		for i, rec := range race(func(b *client) *http.Request {
			return b.postRequest("/c/"+codes[0], url.Values{"_csrf": {b.csrf}, "action": {"start"}})
		}) {
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("start %d: got %d", i, rec.Code)
			}
			for _, ck := range rec.Result().Cookies() {
				browsers[i].cookies[ck.Name] = ck
			}
		}
		for _, b := range browsers {
			b.get("/s/comment")
		}
		race(func(b *client) *http.Request {
			return b.postRequest("/s/comment", url.Values{"_csrf": {b.csrf}, "action": {"submit"}})
		})
		round, _ := a.store.CurrentRound(context.Background())
		sub, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusSubmitted)
		open, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusInProgress)
		if sub != 1 || open != 0 {
			t.Errorf("after the race: %d submitted, %d unfinished; want 1 and 0", sub, open)
		}
		_ = team
	})
}

// TestFillerResponsesRevealNothing: the probe's scenario. An insider with
// the open link of a team of two submits five filler responses of known
// answers beside one real colleague and their own; the team has more
// responses than people, so after the close no page, file or result shows
// its scores, and the admin is told.
func TestFillerResponsesRevealNothing(t *testing.T) {
	a := newApp(t)
	a.team("Tiny", "", intp(2))
	a.team("Others", "", intp(40))
	a.openRound("2027 Q1")
	colleague := scoring.Answers{}
	for i := range colleague {
		colleague[i] = uint8(1 + (i*7)%5)
	}
	a.submit("Tiny", "frontline", colleague, "the real one")
	for range 5 {
		a.submit("Tiny", "frontline", pattern(3), "filler")
	}
	for range 6 {
		a.submit("Others", "frontline", pattern(4), "")
	}
	insider := a.client()
	insider.start(t, a.teams["Tiny"])
	insider.get("/s/comment")
	result := wantRedirect(t, insider.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
	a.closeRound()

	if d := doc(t, insider.get(result)); d.Find(`[data-testid="team-shown"]`).Length() != 0 {
		t.Error("the insider's result page shows the team's profile")
	}
	admin := a.viewer("admin", "admin")
	for _, row := range parse(t, a.download("admin", "/export/teams.csv"), ',').rows {
		if row["team"] == "Tiny" && (row["suppressed"] != "true" || row["ideal"] != "" || row["icare_index"] != "") {
			t.Errorf("teams.csv shows the filler team: %v", row)
		}
	}
	tiny := strconv.Itoa(int(a.teams["Tiny"].ID))
	if body := admin.get("/teams/" + tiny).Body.String(); !strings.Contains(body, "more responses than people") {
		t.Error("the team page does not say why the team is hidden")
	}
	if d := doc(t, admin.get("/admin/teams/"+tiny)); d.Find(`[data-testid="filler-warning"]`).Length() != 1 {
		t.Error("the admin is not told about the filler responses")
	}
	if d := doc(t, admin.get("/admin/teams/"+tiny)); d.Find(`[data-testid="link-warning"]`).Length() != 1 {
		t.Error("the admin page does not say what an open link cannot promise")
	}
}
