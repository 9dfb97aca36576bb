package handlers_test

import (
	"context"
	"fmt"
	"net/http"
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
	down := &atomic.Bool{}
	a := newApp(t, ticking(), wrapStore(func(s *models.Store) handlers.Store { return stumblingStore{s, down} }))
	return a, down
}

func TestSaveWhileTheDatabaseIsDownKeepsThePage(t *testing.T) {
	a, down := stumbling(t)
	team := a.survey()
	cl := a.client()
	cl.start(t, team)
	cl.get("/s/perspective")
	wantRedirect(t, cl.post("/s/perspective", url.Values{"perspective": {"frontline"}, "action": {"next"}}), "/s/I")
	cl.get("/s/I")

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

func TestPasswordsAreNeverSentBackInA503(t *testing.T) {
	a, down := stumbling(t)
	a.account("lee@example.org", models.RoleLeader)
	cl := a.client()
	cl.get("/login")
	down.Store(true) // the sign-in's session cannot be read
	rec := cl.post("/login", url.Values{"email": {"lee@example.org"}, "password": {testPassword}})
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("sign-in while down: %d, want 503", rec.Code)
	}
	if strings.Contains(rec.Body.String(), testPassword) || doc(t, rec).Find(`form[data-testid="resend"]`).Length() != 0 {
		t.Errorf("the 503 page of a sign-in carries the form back:\n%s", rec.Body)
	}
}

func TestSignedInPagesAnswer503NotA500(t *testing.T) {
	a, down := stumbling(t)
	admin := a.viewer("ada", models.RoleAdmin)
	down.Store(true)
	for _, path := range []string{"/home", "/admin/teams"} {
		if rec := admin.get(path); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("GET %s while down: %d, Retry-After %q; want 503", path, rec.Code, rec.Header().Get("Retry-After"))
		} else if !strings.Contains(doc(t, rec).Find(`[data-testid="unavailable"]`).Text(), "Try again in a moment") {
			t.Errorf("GET %s: the page does not say to try again", path)
		}
	}
}
