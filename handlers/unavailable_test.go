package handlers_test

import (
	"context"
	"database/sql/driver"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/alexedwards/scs/v2"

	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// stumblingStore is a store whose database refuses connections while down
// is set, as during a restart: for the survey's save, a team's creation,
// the teams' list and the sign-in sessions. (load/ restarts real servers;
// here each page's answer is looked at closely.)
type stumblingStore struct {
	*models.Store
	down *atomic.Bool
	// blips, while above 0, is how many more reads of the teams' list (or
	// of the round of codes, with blipCodes) fail before the database is
	// back.
	blips     *atomic.Int32
	blipCodes *atomic.Bool
}

// blip reports whether the read named codes (or not) fails this time.
func (s stumblingStore) blip(codes bool) error {
	if s.blipCodes.Load() == codes && s.blips.Add(-1) >= 0 {
		return driver.ErrBadConn
	}
	return nil
}

func (s stumblingStore) CodeRound(ctx context.Context) (models.Round, error) {
	if err := s.blip(true); err != nil {
		return models.Round{}, fmt.Errorf("code round: %w", err)
	}
	return s.Store.CodeRound(ctx)
}

func (s stumblingStore) refused(what string) error {
	if s.down.Load() {
		return fmt.Errorf("%s: dial tcp 127.0.0.1:5432: %w", what, syscall.ECONNREFUSED)
	}
	return nil
}

func (s stumblingStore) SaveProgress(ctx context.Context, id uint64, p models.Progress) error {
	if err := s.refused("save progress"); err != nil {
		return err
	}
	return s.Store.SaveProgress(ctx, id, p)
}

func (s stumblingStore) SaveProgressByResumeToken(ctx context.Context, tok string, p models.Progress) (string, error) {
	if err := s.refused("save progress"); err != nil {
		return "", err
	}
	return s.Store.SaveProgressByResumeToken(ctx, tok, p)
}

func (s stumblingStore) SaveAndSubmitByResumeToken(ctx context.Context, tok string, p models.Progress, resultToken string) (models.Response, bool, error) {
	if err := s.refused("submit"); err != nil {
		return models.Response{}, false, err
	}
	return s.Store.SaveAndSubmitByResumeToken(ctx, tok, p, resultToken)
}

func (s stumblingStore) CreateTeam(ctx context.Context, nt models.NewTeam) (models.Team, error) {
	if err := s.refused("create team"); err != nil {
		return models.Team{}, err
	}
	return s.Store.CreateTeam(ctx, nt)
}

func (s stumblingStore) Teams(ctx context.Context) ([]models.Team, error) {
	if err := s.refused("teams"); err != nil {
		return nil, err
	}
	if err := s.blip(false); err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return s.Store.Teams(ctx)
}

func (s stumblingStore) Sessions() scs.Store { return stumblingSessions{s.Store.Sessions(), s} }

type stumblingSessions struct {
	scs.Store
	s stumblingStore
}

func (ss stumblingSessions) Find(token string) ([]byte, bool, error) {
	if err := ss.s.refused("find session"); err != nil {
		return nil, false, err
	}
	return ss.Store.Find(token)
}

func (ss stumblingSessions) Commit(token string, b []byte, expiry time.Time) error {
	if err := ss.s.refused("save session"); err != nil {
		return err
	}
	return ss.Store.Commit(token, b, expiry)
}

func stumbling(t *testing.T) (*app, *atomic.Bool) {
	a, down, _, _ := blipping(t)
	return a, down
}

func blipping(t *testing.T) (*app, *atomic.Bool, *atomic.Int32, *atomic.Bool) {
	down, blips, codes := &atomic.Bool{}, &atomic.Int32{}, &atomic.Bool{}
	a := newApp(t, ticking(), wrapStore(func(s *models.Store) handlers.Store { return stumblingStore{s, down, blips, codes} }))
	return a, down, blips, codes
}

func TestPagesRideThroughABriefOutage(t *testing.T) {
	a, _, blips, codes := blipping(t)
	admin := a.viewer("ada", models.RoleAdmin)
	blips.Store(2) // the teams' list fails twice, as in the first moments of a restart
	if rec := admin.get("/admin/teams"); rec.Code != http.StatusOK {
		t.Fatalf("GET /admin/teams through a brief outage: %d, want 200 after retrying", rec.Code)
	}
	m := a.client()
	m.addr = "127.0.0.1:5555"
	if body := m.get("/metrics").Body.String(); !strings.Contains(body, `icare_database_retries_total{kind="connection",outcome="succeeded"} 1`) {
		t.Errorf("the retry is not counted:\n%s", body)
	}
	// A retried page still shows its one-time message, though the failed
	// try had taken it out of the session.
	admin.get("/admin/teams")
	at := wantRedirect(t, admin.post("/admin/teams", url.Values{"name": {"Day Shift"}}), "/admin/teams/")
	codes.Store(true)
	blips.Store(1)
	if rec := admin.get(at); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Team Day Shift added.") {
		t.Errorf("GET %s after a try that failed past its message: %d, message shown %v", at, rec.Code, strings.Contains(rec.Body.String(), "Day Shift added"))
	}
	codes.Store(false)

	// A form is never sent twice by icare, even when a second try would
	// work: the person sends it again.
	admin.get("/admin/teams")
	blips.Store(1)
	wantOne503(t, "POST /admin/teams through a brief outage", admin.post("/admin/teams", url.Values{"name": {"Night Shift"}}))
	if n, err := a.store.Teams(context.Background()); err != nil || len(n) != 1 {
		t.Errorf("teams after a POST that met the outage: %v, %v; want only Day Shift", n, err)
	}
}

func TestSaveWhileTheDatabaseIsDownKeepsThePage(t *testing.T) {
	a, down := stumbling(t)
	cl, _ := atPageI(t, a)

	down.Store(true)
	form := keyForm(0, [5]uint8{5, 4, 3, 2, 1})
	rec := cl.post("/s/I", form)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" {
		t.Fatalf("a save while the database is down: %d, Retry-After %q; want 503 and 5", rec.Code, rec.Header().Get("Retry-After"))
	}
	d := doc(t, rec)
	if msg := d.Find(`[data-testid="problems"]`).Text(); !strings.Contains(msg, "Everything saved before is kept") {
		t.Errorf("the page does not say the answers are kept: %q", msg)
	}
	for j, want := range []string{"5", "4", "3", "2", "1"} {
		if v, _ := d.Find(`input[name="` + scoring.ItemID(j) + `"]:checked`).Attr("value"); v != want {
			t.Errorf("%s: the page shows %q checked, the person chose %s", scoring.ItemID(j), v, want)
		}
	}
	if got := cl.storedResponse(t); got.Perspective != "frontline" || got.Answers().Answered() != 0 {
		t.Errorf("stored while down: perspective %q, %d answers", got.Perspective, got.Answers().Answered())
	}
	if rec := a.get("", "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz right after a 503: %d, want 503", rec.Code)
	}
	if rec := a.get("", "/healthz"); rec.Code != http.StatusOK {
		t.Errorf("/healthz while the database stumbles: %d, want 200", rec.Code)
	}

	// Back, the same page sent again saves.
	down.Store(false)
	wantRedirect(t, cl.post("/s/I", form), "/s/C")
	if got := cl.storedResponse(t).Answers(); got[0] != 5 || got[4] != 1 {
		t.Errorf("after the database came back: %v", got[:5])
	}
	a.setNow(a.clock().Add(6 * time.Second))
	if rec := a.get("", "/readyz"); rec.Code != http.StatusOK {
		t.Errorf("/readyz a Retry-After later: %d, want 200", rec.Code)
	}
}

// TestSubmitWhileTheDatabaseIsDownKeepsTheComment: the comment page's
// Submit meeting the database away comes back as the comment page, with
// what was typed and a word that nothing was lost; sent again once the
// database is back, it submits.
func TestSubmitWhileTheDatabaseIsDownKeepsTheComment(t *testing.T) {
	a, down := stumbling(t)
	cl, _ := atPageI(t, a)
	cl.get("/s/comment")
	down.Store(true)
	form := url.Values{"comment": {"More hands at nine."}, "action": {"submit"}}
	rec := cl.post("/s/comment", form)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("a submit while the database is down: %d, want 503", rec.Code)
	}
	d := doc(t, rec)
	if got := d.Find("textarea[name=comment]").Text(); got != "More hands at nine." {
		t.Errorf("the page lost what was typed: %q", got)
	}
	if msg := d.Find(`[data-testid="problems"]`).Text(); !strings.Contains(msg, "send it again") {
		t.Errorf("the page does not ask to send it again: %q", msg)
	}
	if got := cl.storedResponse(t); got.Submitted() {
		t.Error("the response was submitted while the database was down")
	}
	down.Store(false)
	wantRedirect(t, cl.post("/s/comment", form), "/r/")
}

func TestFormWhileTheDatabaseIsDownCanBeSentAgain(t *testing.T) {
	a, down := stumbling(t)
	admin := a.viewer("ada", models.RoleAdmin)
	admin.get("/admin/teams")
	down.Store(true)
	rec := admin.post("/admin/teams", url.Values{"name": {"Night Shift"}})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create a team while down: %d, Retry-After %q, Cache-Control %q", rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("Cache-Control"))
	}
	d := doc(t, rec)
	resend := d.Find(`form[data-testid="resend"]`)
	if action, _ := resend.Attr("action"); action != "/admin/teams" {
		t.Fatalf("the 503 page has no form to send again (action %q):\n%s", action, rec.Body)
	}
	again := url.Values{}
	resend.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		value, _ := in.Attr("value")
		again.Add(name, value)
	})
	if again.Get("name") != "Night Shift" || again.Get("_csrf") == "" {
		t.Fatalf("the form to send again holds %v", again)
	}
	down.Store(false)
	if rec := admin.post("/admin/teams", again); rec.Code != http.StatusSeeOther {
		t.Fatalf("sent again: %d\n%s", rec.Code, rec.Body)
	}
	teams, err := a.store.Teams(context.Background())
	if err != nil || len(teams) != 1 || teams[0].Name != "Night Shift" {
		t.Errorf("teams after sending again: %v, %v", teams, err)
	}
}

func TestSecretsAreNeverSentBackInA503(t *testing.T) {
	a, down := stumbling(t)
	a.account("lee@example.org", models.RoleLeader)
	cl := a.client()
	cl.get("/login")
	down.Store(true) // the sign-in's session cannot be saved
	rec := cl.post("/login", url.Values{"email": {"lee@example.org"}, "password": {testPassword}})
	wantOne503(t, "sign-in", rec)
	if strings.Contains(rec.Body.String(), testPassword) || doc(t, rec).Find(`form[data-testid="resend"]`).Length() != 0 {
		t.Errorf("the 503 page of a sign-in carries the form back:\n%s", rec.Body)
	}

	down.Store(false)
	lee := a.signIn("lee@example.org")
	lee.get("/account/password")
	down.Store(true)
	rec = lee.post("/account/password", url.Values{"current": {testPassword}, "new": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	wantOne503(t, "new password", rec)
	if strings.Contains(rec.Body.String(), "passphrase") || strings.Contains(rec.Body.String(), testPassword) {
		t.Errorf("the 503 page of a new password carries a password back:\n%s", rec.Body)
	}
}

// wantOne503 checks that rec is one whole 503 page (not two pages written
// one after the other) with Retry-After.
func wantOne503(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("%s while down: %d, Retry-After %q; want 503", what, rec.Code, rec.Header().Get("Retry-After"))
	}
	if n := strings.Count(strings.ToLower(rec.Body.String()), "<!doctype html>"); n != 1 {
		t.Errorf("%s: the answer holds %d pages, want one", what, n)
	}
}

func TestSignedInPagesAnswer503NotA500(t *testing.T) {
	a, down := stumbling(t)
	admin := a.viewer("ada", models.RoleAdmin)
	down.Store(true)
	for _, path := range []string{"/home", "/admin/teams"} {
		rec := admin.get(path)
		wantOne503(t, "GET "+path, rec)
		if !strings.Contains(doc(t, rec).Find(`[data-testid="unavailable"]`).Text(), "Try again in a moment") {
			t.Errorf("GET %s: the page does not say to try again", path)
		}
	}
}

// awayStore is a database gone for the survey's pages: the save by resume
// token and the page's read both find no connection.
type awayStore struct {
	*models.Store
	away *atomic.Bool
}

func (s awayStore) SaveProgressByResumeToken(ctx context.Context, tok string, p models.Progress) (string, error) {
	if s.away.Load() {
		return "", fmt.Errorf("save progress: dial tcp 127.0.0.1:5432: %w", syscall.ECONNREFUSED)
	}
	return s.Store.SaveProgressByResumeToken(ctx, tok, p)
}

func (s awayStore) ResponseForStep(ctx context.Context, tok string, key int) (models.Unfinished, error) {
	if s.away.Load() {
		return models.Unfinished{}, fmt.Errorf("response by token: dial tcp 127.0.0.1:5432: %w", syscall.ECONNREFUSED)
	}
	return s.Store.ResponseForStep(ctx, tok, key)
}

// TestSaveAndReadBothFailingAnswer503: a key page sent while neither the
// save nor the page's read reaches the database is one 503 page, and
// nothing is stored.
func TestSaveAndReadBothFailingAnswer503(t *testing.T) {
	away := &atomic.Bool{}
	a := newApp(t, ticking(), wrapStore(func(s *models.Store) handlers.Store { return awayStore{s, away} }))
	cl, _ := atPageI(t, a)
	away.Store(true)
	wantOne503(t, "a key page", cl.post("/s/I", keyForm(0, [5]uint8{5, 4, 3, 2, 1})))
	if got := cl.storedResponse(t).Answers().Answered(); got != 0 {
		t.Errorf("stored while away: %d answers, want 0", got)
	}
}
