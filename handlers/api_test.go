package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// apiFixture is a closed round with varied answers in two teams (Support
// large enough to show, in two perspectives; Tiny under the minimum), and an
// open round; it returns the closed round.
func apiFixture(a *app) models.Round {
	a.team("Support", "", intp(20))
	a.team("Billing", "", intp(12))
	a.team("Tiny", "", intp(3))
	round := a.openRound("2027 Q1")
	rng := rand.New(rand.NewPCG(7, 11))
	answers := func() scoring.Answers {
		var ans scoring.Answers
		for i := range ans {
			if rng.IntN(12) > 0 {
				ans[i] = uint8(1 + rng.IntN(5))
			}
		}
		return ans
	}
	for i := range 14 {
		persp := "frontline"
		if i%2 == 1 {
			persp = "manager"
		}
		a.submit("Support", persp, answers(), "")
	}
	for range 7 {
		a.submit("Billing", "frontline", answers(), "")
	}
	for range 2 {
		a.submit("Tiny", "frontline", answers(), "")
	}
	a.closeRound()
	a.openRound("2027 Q2")
	a.submit("Support", "frontline", answers(), "")
	return round
}

// makeToken makes an API token on /account/tokens as cl and returns it.
func makeToken(t *testing.T, cl *client, name string) string {
	t.Helper()
	cl.get("/account/tokens")
	rec := cl.post("/account/tokens", url.Values{"name": {name}})
	if rec.Code != http.StatusCreated {
		t.Fatalf("make token: %d", rec.Code)
	}
	tok := strings.TrimSpace(doc(t, rec).Find(`[data-testid="token"]`).Text())
	if !strings.HasPrefix(tok, "icare_") {
		t.Fatalf("token %q", tok)
	}
	return tok
}

// api sends GET target with the token (none when ""), and returns the
// answer.
func (a *app) api(tok, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return a.serve(req)
}

// apiJSON gets target with tok, wants 200 and decodes the body into v.
func (a *app) apiJSON(t *testing.T, tok, target string, v any) {
	t.Helper()
	rec := a.api(tok, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body.String())
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatal(err)
	}
}

type profileJSON struct {
	Group, Label string
	N            int
	Suppressed   bool
	Reason       *string
	Index        struct {
		N            int
		RawScore     *float64 `json:"score"`
		RawSD        *float64 `json:"sd"`
		RawCILow     *float64 `json:"ci_low"`
		RawCIHigh    *float64 `json:"ci_high"`
		Band, Reason *string
	}
	Keys []struct {
		Key          string
		N            int
		Score, SD    *float64
		CILow        *float64 `json:"ci_low"`
		CIHigh       *float64 `json:"ci_high"`
		Favorable    *float64 `json:"favorable_pct"`
		Neutral      *float64 `json:"neutral_pct"`
		Unfavorable  *float64 `json:"unfavorable_pct"`
		Band, Reason *string
	}
	Items []struct {
		Item      string
		N         int
		Mean      *float64
		Favorable *float64 `json:"favorable_pct"`
		Reason    *string
	}
}

// cell is a number as the CSV files write it: 2 decimals, empty for null.
func cell(v *float64) string {
	if v == nil {
		return ""
	}
	s := strconv.FormatFloat(*v, 'f', 2, 64)
	if s == "-0.00" {
		s = "0.00"
	}
	return s
}

// TestAPIProfilesEqualTheFiles: every field of the organization's, a team's
// and a perspective cell's profile equals organization.csv, teams.csv and
// the comparison's CSV of the same round.
func TestAPIProfilesEqualTheFiles(t *testing.T) {
	a := newApp(t)
	round := apiFixture(a)
	admin := a.viewer("admin", "admin")
	tok := makeToken(t, admin, "Power BI")
	support := a.teams["Support"].ID
	cellGroup := "team:" + strconv.Itoa(int(support)) + "/perspective:frontline"
	var ps []profileJSON
	a.apiJSON(t, tok, "/api/v1/rounds/"+strconv.Itoa(int(round.ID))+"/profiles?g=org&g=team:"+strconv.Itoa(int(support))+"&g="+cellGroup, &ps)
	if len(ps) != 3 || ps[0].Group != "org" || ps[1].Label != "Support" || ps[2].Suppressed {
		t.Fatalf("profiles: %+v", ps)
	}
	q := "?round=" + strconv.Itoa(int(round.ID))

	org := parse(t, a.download("admin", "/export/organization.csv"+q), ',')
	if len(org.rows) != 6 {
		t.Fatalf("organization.csv rows: %d", len(org.rows))
	}
	for k, row := range org.rows[:5] {
		key := ps[0].Keys[k]
		got := []string{key.Key, strconv.Itoa(key.N), cell(key.Score), cell(key.SD), cell(key.CILow), cell(key.CIHigh), cell(key.Favorable)}
		want := []string{row["key"], row["n"], row["mean_score"], row["sd"], row["ci_low"], row["ci_high"], row["favorable_pct"]}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("org %s: API %v, organization.csv %v", row["key"], got, want)
		}
	}
	ix := ps[0].Index
	if got, row := []string{strconv.Itoa(ix.N), cell(ix.RawScore), cell(ix.RawSD), cell(ix.RawCILow), cell(ix.RawCIHigh)}, org.rows[5]; strings.Join(got, " ") != strings.Join([]string{row["n"], row["mean_score"], row["sd"], row["ci_low"], row["ci_high"]}, " ") {
		t.Errorf("org index: API %v, organization.csv %v", got, row)
	}

	var team map[string]string
	for _, row := range parse(t, a.download("admin", "/export/teams.csv"+q), ',').rows {
		if row["team"] == "Support" {
			team = row
		}
	}
	p := ps[1]
	if strconv.Itoa(p.N) != team["n"] || strconv.FormatBool(p.Suppressed) != team["suppressed"] || cell(p.Index.RawScore) != team["icare_index"] {
		t.Errorf("Support: API n %d suppressed %v index %s; teams.csv %v", p.N, p.Suppressed, cell(p.Index.RawScore), team)
	}
	for k, slug := range scoring.KeySlugs() {
		if cell(p.Keys[k].Score) != team[slug] || cell(p.Keys[k].Favorable) != team[slug+"_favorable"] {
			t.Errorf("Support %s: API %s / %s, teams.csv %s / %s", slug, cell(p.Keys[k].Score), cell(p.Keys[k].Favorable), team[slug], team[slug+"_favorable"])
		}
	}
	if len(p.Items) != 25 || p.Items[0].Item != "I1" || p.Items[0].Mean == nil {
		t.Errorf("Support items: %+v", p.Items)
	}

	rows := parse(t, a.download("admin", "/dashboard/compare"+q+"&g=org&g="+url.QueryEscape(cellGroup)+"&format=csv"), ',').rows
	for k, key := range ps[2].Keys {
		var row map[string]string
		for _, r := range rows {
			if r["group"] == cellGroup && r["key"] == key.Key {
				row = r
			}
		}
		got := []string{strconv.Itoa(key.N), cell(key.Score), cell(key.CILow), cell(key.CIHigh), cell(key.Favorable), cell(key.Neutral), cell(key.Unfavorable)}
		want := []string{row["key_n"], row["score"], row["ci_low"], row["ci_high"], row["favorable_pct"], row["neutral_pct"], row["unfavorable_pct"]}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("perspective cell key %d: API %v, CSV %v", k, got, want)
		}
	}
}

// TestAPIHidesWhatThePagesHide: a team under the minimum has null numbers
// and min_group; the open round gives round_open; counts show.
func TestAPIHidesWhatThePagesHide(t *testing.T) {
	a := newApp(t)
	closed := apiFixture(a)
	tok := makeToken(t, a.viewer("admin", "admin"), "script")
	var teams []profileJSON
	a.apiJSON(t, tok, "/api/v1/rounds/"+strconv.Itoa(int(closed.ID))+"/teams", &teams)
	if len(teams) != 3 {
		t.Fatalf("teams: %d", len(teams))
	}
	for _, p := range teams {
		if p.Items != nil {
			t.Errorf("%s: the teams route carries no statements", p.Label)
		}
		if p.Label != "Tiny" {
			continue
		}
		if !p.Suppressed || p.Reason == nil || *p.Reason != "min_group" || p.N != 2 || p.Index.RawScore != nil {
			t.Errorf("Tiny: %+v", p)
		}
		for _, k := range p.Keys {
			if k.Score != nil || k.Favorable != nil || k.CILow != nil || k.Band != nil || k.Reason == nil || *k.Reason != "min_group" {
				t.Errorf("Tiny %s: %+v", k.Key, k)
			}
		}
	}
	var rounds []struct {
		ID     uint
		Status string
		N      int
	}
	a.apiJSON(t, tok, "/api/v1/rounds", &rounds)
	if len(rounds) != 2 {
		t.Fatalf("rounds: %+v", rounds)
	}
	var open []profileJSON
	for _, r := range rounds {
		if r.Status == models.RoundOpen {
			a.apiJSON(t, tok, "/api/v1/rounds/"+strconv.Itoa(int(r.ID))+"/profiles", &open)
		}
	}
	if len(open) != 1 || open[0].N != 1 || open[0].Reason == nil || *open[0].Reason != "round_open" || open[0].Keys[0].Score != nil {
		t.Errorf("the open round: %+v", open)
	}
}

// TestAPITokensSeeTheirAccountsTeamsOnly: a leader's token gets 403 for
// another team; revoking the token or deactivating the account ends it at
// once (401); every error is JSON; a token opens no page; no token is
// logged or audited.
func TestAPITokensSeeTheirAccountsTeamsOnly(t *testing.T) {
	var logs bytes.Buffer
	a := newApp(t, logTo(&logs))
	closed := apiFixture(a)
	leader := a.viewer("lead", "leader", "Support")
	tok := makeToken(t, leader, "R script")
	base := "/api/v1/rounds/" + strconv.Itoa(int(closed.ID))
	var teams []profileJSON
	a.apiJSON(t, tok, base+"/teams", &teams)
	if len(teams) != 1 || teams[0].Label != "Support" {
		t.Errorf("a leader's teams: %+v", teams)
	}
	wantJSONError := func(rec *httptest.ResponseRecorder, status int, what string) {
		t.Helper()
		var body struct{ Error string }
		if rec.Code != status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
			json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error == "" {
			t.Errorf("%s: got %d %q %q, want %d with a JSON error", what, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), status)
		}
	}
	wantJSONError(a.api(tok, base+"/profiles?g=team:"+strconv.Itoa(int(a.teams["Billing"].ID))), http.StatusForbidden, "another team")
	wantJSONError(a.api(tok, base+"/profiles?g=nonsense"), http.StatusBadRequest, "a bad group")
	wantJSONError(a.api(tok, "/api/v1/rounds/999/teams"), http.StatusNotFound, "an unknown round")
	wantJSONError(a.api(tok, "/api/v1/nothing"), http.StatusNotFound, "an unknown route")
	wantJSONError(a.api("", "/api/v1/rounds"), http.StatusUnauthorized, "no token")
	wantJSONError(a.api("icare_"+strings.Repeat("x", 43), "/api/v1/rounds"), http.StatusUnauthorized, "a wrong token")
	post := httptest.NewRequest(http.MethodPost, "/api/v1/rounds", nil)
	post.Header.Set("Authorization", "Bearer "+tok)
	if rec := a.serve(post); rec.Code < 400 || rec.Code >= 500 {
		t.Errorf("POST with a token: %d, want a 4xx", rec.Code)
	}
	basic := httptest.NewRequest(http.MethodGet, "/api/v1/instrument", nil)
	basic.Header.Set("Authorization", "Basic dXNlcjpwYXNz") // a proxy's own sign-in
	if rec := a.serve(basic); rec.Code != http.StatusOK {
		t.Errorf("the public instrument behind a Basic-auth proxy: %d want 200", rec.Code)
	}
	page := httptest.NewRequest(http.MethodGet, "/home", nil)
	page.Header.Set("Authorization", "Bearer "+tok)
	if rec := a.serve(page); rec.Code != http.StatusSeeOther {
		t.Errorf("a page with a token: %d, want the sign-in redirect", rec.Code)
	}

	d := doc(t, leader.get("/account/tokens"))
	if d.Find(`[data-testid="tokens"] tbody tr`).Length() != 1 || strings.Contains(d.Text(), tok) || d.Find(`[data-testid="tokens"]`).Text() == "" {
		t.Error("the token list shows its token again, or not the token")
	}
	id, _ := d.Find(`[data-testid="tokens"] tbody tr`).Attr("data-testid")
	wantRedirect(t, leader.post("/account/tokens/"+strings.TrimPrefix(id, "token-")+"/revoke", url.Values{}), "/account/tokens")
	wantJSONError(a.api(tok, "/api/v1/rounds"), http.StatusUnauthorized, "a revoked token")

	second := makeToken(t, leader, "second")
	if rec := a.api(second, "/api/v1/rounds"); rec.Code != http.StatusOK {
		t.Fatalf("a new token: %d", rec.Code)
	}
	u, err := a.store.UserByEmail(context.Background(), "lead@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.UpdateUser(context.Background(), models.CommandLine, u.ID, models.UserChange{Role: u.Role, Active: false, TeamIDs: []uint{a.teams["Support"].ID}}); err != nil {
		t.Fatal(err)
	}
	wantJSONError(a.api(second, "/api/v1/rounds"), http.StatusUnauthorized, "a deactivated account's token")

	events, _ := a.store.AuditEvents(context.Background(), 100)
	for _, secret := range []string{tok, second, strings.TrimPrefix(tok, "icare_")} {
		if strings.Contains(logs.String(), secret) {
			t.Error("a token is in the log")
		}
		for _, ev := range events {
			if strings.Contains(ev.Detail, secret) {
				t.Errorf("a token is in the audit log: %s", ev.Detail)
			}
		}
	}
}

// TestAPIRateLimitPerToken: a burst beyond 60 requests gets 429 with
// Retry-After; another token is not held back.
func TestAPIRateLimitPerToken(t *testing.T) {
	a := newApp(t)
	admin := a.viewer("admin", "admin")
	busy, calm := makeToken(t, admin, "busy"), makeToken(t, admin, "calm")
	limited := 0
	for range 80 {
		if rec := a.api(busy, "/api/v1/rounds"); rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") != "" {
			limited++
		}
	}
	if limited == 0 {
		t.Error("80 requests at once were never limited")
	}
	if rec := a.api(calm, "/api/v1/rounds"); rec.Code != http.StatusOK {
		t.Errorf("another token: %d", rec.Code)
	}
}
