package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
)

func TestExportAccess(t *testing.T) {
	a := newApp(t, ticking())
	a.team("Ops", "", nil)
	a.team("Contact", "Ops", nil)
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	a.viewer("admin", models.RoleAdmin)
	a.viewer("lead", models.RoleLeader, "Ops")
	files := []string{"responses", "teams", "organization", "codebook"}
	for _, f := range files {
		if rec := a.get("", "/export/"+f+".csv"); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s.csv with nobody signed in: got %d want 401", f, rec.Code)
		}
		if rec := a.get("admin", "/export/"+f+".csv"); rec.Code != http.StatusOK {
			t.Errorf("%s.csv as admin: got %d want 200", f, rec.Code)
		}
	}
	if rec := a.get("lead", "/export/responses.csv"); rec.Code != http.StatusForbidden {
		t.Errorf("responses.csv as a leader: got %d want 403", rec.Code)
	}
	for _, f := range files[1:] {
		if rec := a.get("lead", "/export/"+f+".csv"); rec.Code != http.StatusOK {
			t.Errorf("%s.csv as a leader: got %d want 200", f, rec.Code)
		}
	}
	var got []string
	for _, row := range parse(t, a.download("lead", "/export/teams.csv"), ',').rows {
		got = append(got, row["team"])
	}
	if strings.Join(got, ",") != "Ops,Contact" {
		t.Errorf("teams.csv rows of the leader of Ops: got %v want [Ops Contact] (not Sales)", got)
	}
}

func TestExportBadInputIsAClearAnswer(t *testing.T) {
	a := newApp(t, ticking())
	a.viewer("admin", models.RoleAdmin)
	for _, f := range []string{"responses", "teams", "organization"} {
		rec := a.get("admin", "/export/"+f+".csv")
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "No survey round has been opened yet") {
			t.Errorf("%s.csv with no rounds: got %d %.200q want 404 saying no round exists", f, rec.Code, rec.Body.String())
		}
	}
	rec := a.get("admin", "/export/codebook.csv")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Disposition") != `attachment; filename="icare-codebook.csv"` {
		t.Errorf("codebook.csv with no rounds: got %d %q want 200 named icare-codebook.csv", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	a.openRound("2027 Q1")
	for _, tc := range []struct {
		query  string
		status int
		says   string
	}{
		{"round=abc", http.StatusBadRequest, "by its number"},
		{"round=-1", http.StatusBadRequest, "by its number"},
		{"round=1.5", http.StatusBadRequest, "by its number"},
		{"round=99999999999999", http.StatusBadRequest, "by its number"},
		{"round=9999", http.StatusNotFound, "There is no survey round 9999."},
		{"round=0", http.StatusNotFound, "There is no survey round 0."},
		{"delimiter=tab", http.StatusBadRequest, "comma or semicolon"},
		{"bom=yes", http.StatusBadRequest, "bom must be 1"},
	} {
		for _, f := range []string{"responses", "teams", "organization", "codebook"} {
			rec := a.get("admin", "/export/"+f+".csv?"+tc.query)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.says) {
				t.Errorf("%s.csv?%s: got %d %.200q want %d saying %q", f, tc.query, rec.Code, rec.Body.String(), tc.status, tc.says)
			}
		}
	}
}

func TestExportFileNamesAndDefaultRound(t *testing.T) {
	a := newApp(t, ticking())
	a.team("Sales", "", nil)
	a.viewer("admin", models.RoleAdmin)
	first := a.openRound("Été 2027 / Q1")
	a.submit("Sales", "frontline", pattern(4), "")
	a.closeRound()
	for _, f := range []string{"responses", "teams", "organization", "codebook"} {
		rec := a.get("admin", "/export/"+f+".csv")
		want := `attachment; filename="icare-` + f + `-ete-2027-q1.csv"`
		if got := rec.Header().Get("Content-Disposition"); rec.Code != http.StatusOK || got != want {
			t.Errorf("%s.csv: got %d %q want 200 %q", f, rec.Code, got, want)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s.csv Cache-Control: got %q want no-store", f, got)
		}
	}
	// The only round is closed: it is the default. Then an open one wins.
	if rows := parse(t, a.download("admin", "/export/responses.csv"), ',').rows; len(rows) != 1 || rows[0]["round"] != "Été 2027 / Q1" {
		t.Errorf("default round with none open: got %v want the closed round's one row", rows)
	}
	second := a.openRound("2027 Q2")
	if rows := parse(t, a.download("admin", "/export/responses.csv"), ',').rows; len(rows) != 0 {
		t.Errorf("default round with one open: got %d rows want the open round's 0", len(rows))
	}
	if rows := parse(t, a.download("admin", "/export/teams.csv?round="+strconv.FormatUint(uint64(first.ID), 10)), ',').rows; len(rows) != 1 || rows[0]["n"] != "1" {
		t.Errorf("teams.csv?round=%d: got %v want Sales with n 1", first.ID, rows)
	}
	if got := a.get("admin", "/export/teams.csv?round="+strconv.FormatUint(uint64(second.ID), 10)).Header().Get("Content-Disposition"); got != `attachment; filename="icare-teams-2027-q2.csv"` {
		t.Errorf("file name of round 2027 Q2: got %q", got)
	}
}

// brokenExports fails to read responses, as a database that goes away
// in the middle of a download would.
type brokenExports struct{ *models.Store }

func (brokenExports) ExportResponses(context.Context, uint, uint64, int, func(*models.ExportRow) error) (bool, error) {
	return false, errors.New("disk unreadable")
}

// TestInterruptedDownloadIsNotAFile: when reading fails after the header row
// went out, the client sees a broken download, not a file that looks
// complete.
func TestInterruptedDownloadIsNotAFile(t *testing.T) {
	a := newApp(t, ticking(), wrapStore(func(s *models.Store) handlers.Store { return brokenExports{s} }))
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	a.viewer("admin", models.RoleAdmin)
	srv := httptest.NewServer(a.e)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/export/responses.csv", nil)
	a.viewers["admin"].addCookies(req)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("response_id,")) {
		t.Fatalf("got %d %q want 200 and the header row first", resp.StatusCode, body)
	}
	if err == nil {
		t.Errorf("the download ended cleanly after the database failed; want a broken transfer")
	}
}

// deadlineCheck refuses to read when the request carries a deadline.
type deadlineCheck struct{ *models.Store }

func (d deadlineCheck) ExportResponses(ctx context.Context, round uint, after uint64, limit int, fn func(*models.ExportRow) error) (bool, error) {
	if dl, ok := ctx.Deadline(); ok {
		return false, errors.New("the export would be cut off at " + dl.String())
	}
	return d.Store.ExportResponses(ctx, round, after, limit, fn)
}

// TestExportIsNotCutAfter30Seconds: the request timeout of every other page
// does not apply to a download, which may stream for minutes.
func TestExportIsNotCutAfter30Seconds(t *testing.T) {
	a := newApp(t, ticking(), wrapStore(func(s *models.Store) handlers.Store { return deadlineCheck{s} }))
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	a.submit("Sales", "frontline", pattern(3), "")
	a.viewer("admin", models.RoleAdmin)
	if rows := parse(t, a.download("admin", "/export/responses.csv"), ',').rows; len(rows) != 1 {
		t.Errorf("rows: got %d want 1", len(rows))
	}
}

// TestExportAccessThroughSignIn: signed in for real, a leader gets their own
// teams' rows of teams.csv and never responses.csv; an admin gets both.
func TestExportAccessThroughSignIn(t *testing.T) {
	o := newOrg(t)
	submitN(t, o.a.store, o.teamA, 6)
	submitN(t, o.a.store, o.teamB, 6)
	leader := o.a.signIn("a@example.org")
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
	admin := o.a.signIn("admin@example.org")
	rec = admin.get("/export/responses.csv")
	if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "\r\n") != 13 {
		t.Errorf("admin's responses.csv: got %d with %d lines, want a header and 12 rows", rec.Code, strings.Count(rec.Body.String(), "\r\n"))
	}
	if rec := o.a.client().get("/export/teams.csv"); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous teams.csv: got %d want 401", rec.Code)
	}
}
