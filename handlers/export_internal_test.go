package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

// These tests are internal because sign-in is not on this branch: a
// test-only middleware puts the viewer named in a request header on the
// request, where sign-in will put the signed-in one, and the route table's
// access middleware runs as it does in production.

// viewerHeader names the test viewer of a request.
const viewerHeader = "X-Test-Viewer"

// exportApp is a server over a fresh database with named test viewers.
type exportApp struct {
	t       *testing.T
	store   *models.Store
	e       *echo.Echo
	teams   map[string]models.Team
	viewers map[string]*Viewer
}

// ticking is a clock that moves 1.25 s at every reading, away from whole
// seconds (MySQL rounds fractions to its column's precision).
func ticking() models.Option {
	var mu sync.Mutex
	t := time.Date(2027, 1, 15, 9, 0, 0, 250_000_000, time.UTC)
	return models.WithNow(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(1250 * time.Millisecond)
		return t
	})
}

func newExportApp(t *testing.T, e dbtest.Engine) *exportApp {
	t.Helper()
	return newExportAppOver(t, dbtest.Open(t, e, ticking()), nil)
}

// newExportAppOver serves store, or wrap (which may stand in for some of
// its methods) when given.
func newExportAppOver(t *testing.T, store *models.Store, wrap Store) *exportApp {
	t.Helper()
	a := &exportApp{t: t, store: store, teams: map[string]models.Team{}, viewers: map[string]*Viewer{}}
	if wrap == nil {
		wrap = store
	}
	cfg := config.Config{Addr: ":0", DatabaseURL: "sqlite:x", BaseURL: "http://icare.test", MinGroup: 5, MinComments: 8}
	a.e = New(wrap, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if v := a.viewers[c.Request().Header.Get(viewerHeader)]; v != nil {
				setViewer(c, v)
			}
			return next(c)
		}
	})
	return a
}

// forEngines runs f on a fresh export app of every engine available.
func forEngines(t *testing.T, f func(t *testing.T, a *exportApp)) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { f(t, newExportApp(t, e)) })
	}
}

// team creates a team under parent ("" for a top-level team).
func (a *exportApp) team(name, parent string, headcount *int) models.Team {
	a.t.Helper()
	nt := models.NewTeam{Name: name, Headcount: headcount}
	if parent != "" {
		id := a.teams[parent].ID
		nt.ParentID = &id
	}
	tm, err := a.store.CreateTeam(context.Background(), nt)
	if err != nil {
		a.t.Fatalf("create team %q: %v", name, err)
	}
	a.teams[name] = tm
	return tm
}

// signIn makes a viewer named name: an admin, or a leader of the given teams.
func (a *exportApp) signIn(name, role string, teams ...string) {
	a.t.Helper()
	all, err := a.store.Teams(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	u := models.User{ID: uint(len(a.viewers) + 1), Email: name + "@example.org", Role: role}
	for _, n := range teams {
		u.Teams = append(u.Teams, a.teams[n])
	}
	a.viewers[name] = NewViewer(u, all)
}

func (a *exportApp) openRound(name string) models.Round {
	a.t.Helper()
	r, err := a.store.CreateRound(context.Background(), models.NewRound{Name: name, Open: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

func (a *exportApp) closeRound() {
	a.t.Helper()
	r, err := a.store.CurrentRound(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.store.CloseRound(context.Background(), models.CommandLine, r.ID); err != nil {
		a.t.Fatal(err)
	}
}

// submit stores one submitted response in the open round.
func (a *exportApp) submit(team, persp string, ans scoring.Answers, comment string) models.Response {
	a.t.Helper()
	ctx := context.Background()
	st, err := a.store.StartResponse(ctx, a.teams[team].ID)
	if err != nil {
		a.t.Fatal(err)
	}
	p := models.Progress{Answers: ans, Perspective: &persp, Comment: &comment}
	for i := range scoring.NumItems {
		p.Items = append(p.Items, i)
	}
	if _, err := a.store.SaveProgress(ctx, st.Response.ID, p); err != nil {
		a.t.Fatal(err)
	}
	r, err := a.store.Submit(ctx, st.Response.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// get sends a GET as viewer ("" for nobody signed in).
func (a *exportApp) get(viewer, target string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if viewer != "" {
		req.Header.Set(viewerHeader, viewer)
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

// download gets a CSV file as viewer, wants 200 and returns its body.
func (a *exportApp) download(viewer, target string) []byte {
	a.t.Helper()
	rec := a.get(viewer, target)
	if rec.Code != http.StatusOK {
		a.t.Fatalf("GET %s as %q: got %d want 200; body: %.300s", target, viewer, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		a.t.Errorf("GET %s: Content-Type %q want text/csv; charset=utf-8", target, ct)
	}
	return rec.Body.Bytes()
}

// table is a parsed CSV file: its header and its rows by column name.
type table struct {
	header []string
	rows   []map[string]string
}

// parse reads a CSV file with encoding/csv, as an analyst's tool would.
func parse(t *testing.T, body []byte, comma rune) table {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v\n%s", err, body)
	}
	if len(recs) == 0 {
		t.Fatal("parse csv: no header row")
	}
	tb := table{header: recs[0]}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range tb.header {
			row[h] = rec[i]
		}
		tb.rows = append(tb.rows, row)
	}
	return tb
}

// pattern answers v everywhere, with each reverse-keyed item answered 6 − v
// so that every item scores v: each key then scores (v − 1) / 4 × 100.
func pattern(v uint8) scoring.Answers {
	var a scoring.Answers
	for i := range a {
		a[i] = v
		if scoring.ItemReverse(i) {
			a[i] = 6 - v
		}
	}
	return a
}

func intp(n int) *int { return &n }

func TestExportAccess(t *testing.T) {
	a := newExportApp(t, dbtest.SQLite)
	a.team("Ops", "", nil)
	a.team("Contact", "Ops", nil)
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	a.signIn("admin", models.RoleAdmin)
	a.signIn("lead", models.RoleLeader, "Ops")
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
	a := newExportApp(t, dbtest.SQLite)
	a.signIn("admin", models.RoleAdmin)
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
	a := newExportApp(t, dbtest.SQLite)
	a.team("Sales", "", nil)
	a.signIn("admin", models.RoleAdmin)
	first := a.openRound("Été 2027 / Q1")
	a.submit("Sales", "frontline", pattern(4), "")
	a.closeRound()
	for _, f := range []string{"responses", "teams", "organization", "codebook"} {
		rec := a.get("admin", "/export/"+f+".csv")
		want := `attachment; filename="icare-` + f + `-ete-2027-q1.csv"`
		if got := rec.Header().Get("Content-Disposition"); rec.Code != http.StatusOK || got != want {
			t.Errorf("%s.csv: got %d %q want 200 %q", f, rec.Code, got, want)
		}
		if got := rec.Header().Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("%s.csv Cache-Control: got %q want private, no-store", f, got)
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
	if rows := parse(t, a.download("admin", "/export/teams.csv?round="+itoa(first.ID)), ',').rows; len(rows) != 1 || rows[0]["n"] != "1" {
		t.Errorf("teams.csv?round=%d: got %v want Sales with n 1", first.ID, rows)
	}
	if got := a.get("admin", "/export/teams.csv?round="+itoa(second.ID)).Header().Get("Content-Disposition"); got != `attachment; filename="icare-teams-2027-q2.csv"` {
		t.Errorf("file name of round 2027 Q2: got %q", got)
	}
}

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func TestSlugify(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2027 Q1", "2027-q1"},
		{"Été 2027 / Q1", "ete-2027-q1"},
		{"  --Q1--  ", "q1"},
		{"Zoë's \"pulse\" <survey>; rm -rf /", "zoe-s-pulse-survey-rm-rf"},
		{"Привет", ""},
		{"ｆｕｌｌ２０２７", "full2027"},
		{strings.Repeat("ab ", 40), strings.Repeat("ab-", 19) + "ab"},
		{strings.Repeat("abc ", 40), strings.Repeat("abc-", 14) + "abc"},
	} {
		if got := slugify(tc.in); got != tc.want {
			t.Errorf("slugify(%q): got %q want %q", tc.in, got, tc.want)
		}
	}
	r := models.Round{ID: 7, Name: "Привет"}
	if got := (exportOptions{round: &r}).fileName("teams"); got != "icare-teams-round-7.csv" {
		t.Errorf("file name of a round with no ASCII letters: got %q want icare-teams-round-7.csv", got)
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
	store := dbtest.Open(t, dbtest.SQLite)
	a := newExportAppOver(t, store, brokenExports{store})
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	a.signIn("admin", models.RoleAdmin)
	srv := httptest.NewServer(a.e)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/export/responses.csv", nil)
	req.Header.Set(viewerHeader, "admin")
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
	store := dbtest.Open(t, dbtest.SQLite)
	a := newExportAppOver(t, store, deadlineCheck{store})
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	a.submit("Sales", "frontline", pattern(3), "")
	a.signIn("admin", models.RoleAdmin)
	if rows := parse(t, a.download("admin", "/export/responses.csv"), ',').rows; len(rows) != 1 {
		t.Errorf("rows: got %d want 1", len(rows))
	}
}
