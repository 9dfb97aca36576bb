package handlers_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

// TestExportAccessThroughSignIn: signed in for real, a leader gets their own
// teams' rows of teams.csv and never responses.csv; an admin gets both.
func TestExportAccessThroughSignIn(t *testing.T) {
	o := newOrg(t)
	submitN(t, o.a.store, o.teamA, 6)
	submitN(t, o.a.store, o.teamB, 6)
	leader := o.a.signIn(t, "a@example.org")
	if rec := leader.get("/export/responses.csv"); rec.Code != http.StatusForbidden {
		t.Errorf("leader's responses.csv: got %d want 403", rec.Code)
	}
	rec := leader.get("/export/teams.csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("leader's teams.csv: %d", rec.Code)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var teams []string
	for _, r := range rows[1:] {
		teams = append(teams, r[1])
	}
	if got := strings.Join(teams, ","); got != "Team A,Team A1" {
		t.Errorf("leader A's teams.csv rows: got %s want Team A,Team A1", got)
	}
	admin := o.a.signIn(t, "admin@example.org")
	rec = admin.get("/export/responses.csv")
	if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "\r\n") != 13 {
		t.Errorf("admin's responses.csv: got %d with %d lines, want a header and 12 rows", rec.Code, strings.Count(rec.Body.String(), "\r\n"))
	}
	if rec := o.a.client().get("/export/teams.csv"); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous teams.csv: got %d want 401", rec.Code)
	}
}
