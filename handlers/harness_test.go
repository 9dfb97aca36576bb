package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

// The one test harness of the handlers: a server over a fresh database,
// with browser-like clients that sign in for real (a POST to /login, the
// session cookie, the CSRF token of the last page), so every request runs
// the whole middleware chain and the route table's access rules.

// testPassword is every test account's password.
const testPassword = "a long test password"

// app is a test server over a fresh database.
type app struct {
	t     testing.TB
	e     *echo.Echo
	store *models.Store
	cfg   config.Config

	mu   sync.Mutex
	now  time.Time     // zero: the real clock
	tick time.Duration // when set, every reading of the clock moves it on

	// teams by name, and signed-in clients by the name they were made with.
	teams   map[string]models.Team
	viewers map[string]*client
}

// appOption adjusts a test server as it is made.
type appOption func(*appSetup)

type appSetup struct {
	engine dbtest.Engine
	url    string
	wrap   func(*models.Store) handlers.Store
	cfg    func(*config.Config)
	tick   bool
	log    io.Writer
}

// onEngine serves a database of engine e instead of SQLite.
func onEngine(e dbtest.Engine) appOption { return func(s *appSetup) { s.engine = e } }

// atDatabase serves the database at url (migrating it) instead of a fresh one.
func atDatabase(url string) appOption { return func(s *appSetup) { s.url = url } }

// wrapStore serves wrap(store), which may stand in for some of its methods.
func wrapStore(wrap func(*models.Store) handlers.Store) appOption {
	return func(s *appSetup) { s.wrap = wrap }
}

// withConfig changes the settings the server is made with.
func withConfig(f func(*config.Config)) appOption { return func(s *appSetup) { s.cfg = f } }

// ticking makes the clock start at a fixed time and move 1.25 s at every
// reading, away from whole seconds (MariaDB rounds fractions to its
// column's precision), so that every stored time is distinct.
func ticking() appOption { return func(s *appSetup) { s.tick = true } }

// logTo sends the server's JSON log to w, as icare writes it in production.
func logTo(w io.Writer) appOption { return func(s *appSetup) { s.log = w } }

func newApp(t testing.TB, opts ...appOption) *app {
	t.Helper()
	setup := appSetup{engine: dbtest.SQLite}
	for _, o := range opts {
		o(&setup)
	}
	a := &app{t: t, teams: map[string]models.Team{}, viewers: map[string]*client{}}
	if setup.tick {
		a.now, a.tick = time.Date(2027, 1, 15, 9, 0, 0, 250_000_000, time.UTC), 1250*time.Millisecond
	}
	// The lowest bcrypt cost keeps the many sign-ins of the tests quick;
	// the production cost is models' default.
	storeOpts := []models.Option{models.WithNow(a.clock), models.WithPasswordCost(bcrypt.MinCost)}
	if setup.url == "" {
		a.store = dbtest.Open(t, setup.engine, storeOpts...)
	} else {
		a.store = dbtest.OpenURL(t, setup.url, storeOpts...)
	}
	a.cfg = config.Config{Addr: ":0", DatabaseURL: "sqlite:x", BaseURL: "http://icare.test",
		MinGroup: scoring.DefaultMinGroup, MinComments: scoring.DefaultMinComments, MetricsFrom: nets(t, "127.0.0.0/8", "::1/128")}
	if setup.cfg != nil {
		setup.cfg(&a.cfg)
	}
	var store handlers.Store = a.store
	if setup.wrap != nil {
		store = setup.wrap(a.store)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if setup.log != nil {
		log = slog.New(slog.NewJSONHandler(setup.log, nil))
	}
	a.e = handlers.New(store, a.cfg, log)
	return a
}

// forEngines runs f on a fresh test server of every engine available, with
// the ticking clock, so that stored times compare alike on every engine.
func forEngines(t *testing.T, f func(t *testing.T, a *app), opts ...appOption) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { f(t, newApp(t, append(opts, onEngine(e), ticking())...)) })
	}
}

// clock is the one clock of the store and the handlers.
func (a *app) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.now.IsZero() {
		return time.Now()
	}
	now := a.now
	a.now = a.now.Add(a.tick)
	return now
}

// setNow fixes the clock at now.
func (a *app) setNow(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = now
}

// request sends a request through the whole middleware chain, with no
// cookies; hdr holds header names and values in turn.
func (a *app) request(method, target string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return a.serve(req)
}

// serve sends a prepared request through the whole middleware chain.
func (a *app) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

// account creates the account email with testPassword: an admin, or a
// leader of the named teams.
func (a *app) account(email, role string, teams ...string) models.User {
	a.t.Helper()
	nu := models.NewUser{Email: email, Password: testPassword, Role: role}
	for _, n := range teams {
		nu.TeamIDs = append(nu.TeamIDs, a.teams[n].ID)
	}
	u, _, err := a.store.CreateUser(context.Background(), nu)
	if err != nil {
		a.t.Fatalf("create account %s: %v", email, err)
	}
	return u
}

// signIn returns a client signed in as email, through the sign-in form.
func (a *app) signIn(email string) *client {
	a.t.Helper()
	cl := a.client()
	cl.get("/login")
	wantRedirect(a.t, cl.post("/login", url.Values{"email": {email}, "password": {testPassword}}), "/home")
	// As a browser follows the redirect: the page carries the CSRF token
	// the sign-in gave.
	cl.get("/home")
	return cl
}

// viewer makes an account named name (an admin, or a leader of the named
// teams), signs it in and keeps its client for get and download.
func (a *app) viewer(name, role string, teams ...string) *client {
	a.t.Helper()
	email := name + "@example.org"
	a.account(email, role, teams...)
	a.viewers[name] = a.signIn(email)
	return a.viewers[name]
}

// get sends a GET as the viewer named viewer ("" for nobody signed in).
func (a *app) get(viewer, target string) *httptest.ResponseRecorder {
	a.t.Helper()
	if viewer == "" {
		return a.client().get(target)
	}
	cl, ok := a.viewers[viewer]
	if !ok {
		a.t.Fatalf("no viewer %q: make it with viewer()", viewer)
	}
	return cl.get(target)
}

// download gets a CSV file as viewer, wants 200 and returns its body.
func (a *app) download(viewer, target string) []byte {
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

// team creates a team under parent ("" for a top-level team).
func (a *app) team(name, parent string, headcount *int) models.Team {
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

// openRound creates a round and opens it.
func (a *app) openRound(name string) models.Round {
	a.t.Helper()
	r, err := a.store.CreateRound(context.Background(), models.NewRound{Name: name, Open: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// closeRound closes the open round.
func (a *app) closeRound() {
	a.t.Helper()
	r, err := a.store.CurrentRound(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.store.CloseRound(context.Background(), models.CommandLine, r.ID); err != nil {
		a.t.Fatal(err)
	}
}

// submit stores one submitted response of the named team in the open round.
func (a *app) submit(team, persp string, ans scoring.Answers, comment string) models.Response {
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
	if err := a.store.SaveProgress(ctx, st.Response.ID, p); err != nil {
		a.t.Fatal(err)
	}
	r, err := a.store.Submit(ctx, st.Response.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
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

func doc(t testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

// table is a parsed CSV file: its header and its rows by column name.
type table struct {
	header []string
	rows   []map[string]string
}

// parse reads a CSV file with encoding/csv, as an analyst's tool would.
func parse(t testing.TB, body []byte, comma rune) table {
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
