package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
)

// org is a small organization with two teams, their leaders and an admin.
type org struct {
	a                *app
	teamA, teamB     models.Team
	subA             models.Team
	leaderA, leaderB models.User
	admin            models.User
	round            models.Round
}

func newOrg(t *testing.T) *org {
	t.Helper()
	a := newApp(t)
	ctx := context.Background()
	o := &org{a: a}
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	o.teamA, err = a.store.CreateTeam(ctx, models.NewTeam{Name: "Team A"})
	must(err)
	o.subA, err = a.store.CreateTeam(ctx, models.NewTeam{Name: "Team A1", ParentID: &o.teamA.ID})
	must(err)
	o.teamB, err = a.store.CreateTeam(ctx, models.NewTeam{Name: "Team B"})
	must(err)
	o.leaderA, _, err = a.store.CreateUser(ctx, models.NewUser{Email: "a@example.org", Password: testPassword, Role: models.RoleLeader, TeamIDs: []uint{o.teamA.ID}})
	must(err)
	o.leaderB, _, err = a.store.CreateUser(ctx, models.NewUser{Email: "b@example.org", Password: testPassword, Role: models.RoleLeader, TeamIDs: []uint{o.teamB.ID}})
	must(err)
	o.admin, _, err = a.store.CreateUser(ctx, models.NewUser{Email: "admin@example.org", Password: testPassword, Role: models.RoleAdmin})
	must(err)
	o.round, err = a.store.CreateRound(ctx, models.NewRound{Name: "2027 Q1", Open: true})
	must(err)
	return o
}

func TestAccessMatrix(t *testing.T) {
	o := newOrg(t)
	roles := map[string]*client{
		"anonymous": o.a.client(),
		"leader A":  o.a.signIn("a@example.org"),
		"leader B":  o.a.signIn("b@example.org"),
		"admin":     o.a.signIn("admin@example.org"),
	}
	roles["anonymous"].get("/login") // for a CSRF token
	params := func(path string) string {
		r := strings.NewReplacer(":token", o.teamA.InviteToken, ":step", "I", "*", "css/app.css")
		path = r.Replace(path)
		switch {
		case strings.HasPrefix(path, "/admin/users/"):
			return strings.Replace(path, ":id", strconv.Itoa(int(o.leaderA.ID)), 1)
		case strings.HasPrefix(path, "/admin/rounds/"):
			return strings.Replace(path, ":id", strconv.Itoa(int(o.round.ID)), 1)
		}
		return strings.Replace(path, ":id", strconv.Itoa(int(o.teamA.ID)), 1)
	}
	seen := 0
	for _, rt := range o.a.e.Routes() {
		if rt.Name == "" || strings.HasSuffix(rt.Name, "func1") || rt.Path == "/*" || rt.Path == "/logout" {
			continue // echo's own not-found routes; sign-out is tested on its own
		}
		seen++
		for _, role := range []string{"anonymous", "leader A", "leader B", "admin"} {
			cl := roles[role]
			path := params(rt.Path)
			var code int
			var loc string
			if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
				rec := cl.send(httptest.NewRequest(rt.Method, path, nil))
				code, loc = rec.Code, rec.Header().Get("Location")
			} else {
				rec := cl.post(path, url.Values{})
				code, loc = rec.Code, rec.Header().Get("Location")
			}
			refused := code == http.StatusUnauthorized || code == http.StatusForbidden || strings.HasPrefix(loc, "/login?next=")
			var want bool // want refused?
			switch rt.Name {
			case "public", "respondent":
				// A public route may answer 401 of its own (a wrong password
				// at /login); the access rules never refuse it.
				refused = code == http.StatusForbidden || strings.HasPrefix(loc, "/login?next=")
				want = false
			case "leader":
				want = role == "anonymous"
				// A team's own page is for those who see the team (team
				// A and its sub-team for leader A): leader B gets 403.
				if strings.HasPrefix(rt.Path, "/teams/:id") {
					want = role == "anonymous" || role == "leader B"
				}
			case "admin":
				want = role != "admin"
			case "internal":
				want = true // the test's requests come from 192.0.2.1

			default:
				t.Fatalf("%s %s has no access level (%q)", rt.Method, rt.Path, rt.Name)
			}
			if refused != want {
				t.Errorf("%s %s as %s: got %d (→%q), want refused=%v", rt.Method, path, role, code, loc, want)
			}
			if code >= 500 {
				t.Errorf("%s %s as %s: %d", rt.Method, path, role, code)
			}
		}
	}
	if seen < 30 {
		t.Errorf("only %d routes in the matrix; is the route table read?", seen)
	}
}

func TestLeaderSeesOnlyTheirTeams(t *testing.T) {
	o := newOrg(t)
	body := o.a.signIn("a@example.org").get("/home").Body.String()
	if !strings.Contains(body, "Team A") || !strings.Contains(body, "Team A1") || strings.Contains(body, "Team B") {
		t.Errorf("leader A's home should list Team A and its sub-team only")
	}
	body = o.a.signIn("admin@example.org").get("/home").Body.String()
	if !strings.Contains(body, "Team B") || !strings.Contains(body, "Team A1") {
		t.Error("the admin's home should list every team")
	}
}

func TestSessionIDChangesAtSignIn(t *testing.T) {
	o := newOrg(t)
	cl := o.a.client()
	cl.get("/login")
	// A session exists before signing in (say, planted by an attacker).
	cl.cookies["icare_session"] = &http.Cookie{Name: "icare_session", Value: "planted-session-id-0123456789abcdefghijklm"}
	wantRedirect(t, cl.post("/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}}), "/home")
	got := cl.cookies["icare_session"]
	if got == nil || got.Value == "planted-session-id-0123456789abcdefghijklm" {
		t.Fatal("the session id must change at sign-in")
	}
	if !got.HttpOnly || got.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie: HttpOnly=%v SameSite=%v", got.HttpOnly, got.SameSite)
	}
	if cl.get("/home").Code != http.StatusOK {
		t.Error("the renewed session does not work")
	}
	// Sign out: the session no longer works.
	old := *got
	cl.get("/home")
	wantRedirect(t, cl.post("/logout", url.Values{}), "/login")
	replay := o.a.client()
	replay.cookies["icare_session"] = &old
	if rec := replay.get("/home"); rec.Code != http.StatusSeeOther {
		t.Errorf("a signed-out session still works: %d", rec.Code)
	}
}

func TestSignInFailuresAreRateLimited(t *testing.T) {
	o := newOrg(t)
	now := time.Now()
	o.a.setNow(now)
	cl := o.a.client()
	cl.get("/login")
	for i := range 5 {
		rec := cl.post("/login", url.Values{"email": {"a@example.org"}, "password": {"wrong password " + strconv.Itoa(i)}})
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "e-mail address or the password is not right") {
			t.Fatalf("failure %d: got %d", i+1, rec.Code)
		}
	}
	// The sixth try is refused even with the right password.
	rec := cl.post("/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}})
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Too many failed sign-ins") {
		t.Fatalf("after 5 failures: got %d want 429", rec.Code)
	}
	// An unknown address gets the same message as a wrong password.
	other := o.a.client()
	other.get("/login")
	rec = other.post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"whatever it is"}})
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "e-mail address or the password is not right") {
		t.Errorf("unknown e-mail: got %d", rec.Code)
	}
	// Fifteen minutes later the account can sign in again.
	o.a.setNow(now.Add(16 * time.Minute))
	wantRedirect(t, cl.post("/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}}), "/home")
}

func TestDeactivatedUserLosesSession(t *testing.T) {
	o := newOrg(t)
	leader := o.a.signIn("a@example.org")
	if leader.get("/home").Code != http.StatusOK {
		t.Fatal("leader cannot see home")
	}
	admin := o.a.signIn("admin@example.org")
	admin.get("/admin/users/" + strconv.Itoa(int(o.leaderA.ID)))
	form := url.Values{"role": {"leader"}, "teams": {strconv.Itoa(int(o.teamA.ID))}}
	wantRedirect(t, admin.post("/admin/users/"+strconv.Itoa(int(o.leaderA.ID)), form), "/admin/users/")
	if rec := leader.get("/home"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Errorf("a deactivated leader's session still works: %d", rec.Code)
	}
	fresh := o.a.client()
	fresh.get("/login")
	if rec := fresh.post("/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("a deactivated account signed in: %d", rec.Code)
	}
}

func TestPasswordsAreHashedAndChangeable(t *testing.T) {
	o := newOrg(t)
	u, err := o.a.store.UserByID(context.Background(), o.leaderA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash == testPassword || strings.Contains(u.PasswordHash, testPassword) || !strings.HasPrefix(u.PasswordHash, "$2") {
		t.Errorf("stored hash %q is not a bcrypt hash of the password", u.PasswordHash)
	}
	cl := o.a.signIn("a@example.org")
	cl.get("/account/password")
	rec := cl.post("/account/password", url.Values{"current": {"not it at all"}, "new": {"a brand new password"}, "confirm": {"a brand new password"}})
	if rec.Code != http.StatusUnprocessableEntity || doc(t, rec).Find("#current-error").Length() != 1 {
		t.Errorf("wrong current password: got %d", rec.Code)
	}
	rec = cl.post("/account/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}, "confirm": {"a different one!!"}})
	if rec.Code != http.StatusUnprocessableEntity || doc(t, rec).Find("#confirm-error").Length() != 1 {
		t.Errorf("mismatched confirmation: got %d", rec.Code)
	}
	rec = cl.post("/account/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}, "confirm": {"a brand new password"}})
	if rec.Code != http.StatusOK || doc(t, rec).Find(`[data-testid="done"]`).Length() != 1 {
		t.Fatalf("change password: got %d", rec.Code)
	}
	fresh := o.a.client()
	fresh.get("/login")
	wantRedirect(t, fresh.post("/login", url.Values{"email": {"a@example.org"}, "password": {"a brand new password"}}), "/home")
}

func TestInvitedUserSetsPasswordOnce(t *testing.T) {
	o := newOrg(t)
	admin := o.a.signIn("admin@example.org")
	admin.get("/admin/users")
	form := url.Values{"email": {"New.Leader@Example.org"}, "role": {"leader"}, "teams": {strconv.Itoa(int(o.teamB.ID))}}
	wantRedirect(t, admin.post("/admin/users", form), "/admin/users")
	link := strings.TrimSpace(doc(t, admin.get("/admin/users")).Find(`[data-testid="invite"] .copy-link`).Text())
	path := strings.TrimPrefix(link, "http://icare.test")
	if !strings.HasPrefix(path, "/set-password/") {
		t.Fatalf("invite link: %q", link)
	}
	if strings.Contains(admin.get("/admin/users").Body.String(), path) {
		t.Error("the one-time link must be shown only once")
	}
	newcomer := o.a.client()
	if rec := newcomer.get(path); rec.Code != http.StatusOK {
		t.Fatalf("set-password page: %d", rec.Code)
	}
	wantRedirect(t, newcomer.post(path, url.Values{"new": {"my own password!"}, "confirm": {"my own password!"}}), "/login")
	newcomer.get("/login")
	wantRedirect(t, newcomer.post("/login", url.Values{"email": {"new.leader@example.org"}, "password": {"my own password!"}}), "/home")
	if rec := o.a.client().get(path); rec.Code != http.StatusNotFound {
		t.Errorf("a used link: got %d want 404", rec.Code)
	}
	audit := admin.get("/admin/audit").Body.String()
	if !strings.Contains(audit, "user.add") || !strings.Contains(audit, "new.leader@example.org") {
		t.Error("adding an account left no audit row")
	}
}

func TestAdminCSRFRefusedChangesNothing(t *testing.T) {
	o := newOrg(t)
	admin := o.a.signIn("admin@example.org")
	admin.get("/admin/teams")
	for _, tok := range []string{"", "wrong"} {
		rec := admin.post("/admin/teams", url.Values{"_csrf": {tok}, "name": {"Sneaky"}})
		if rec.Code != http.StatusForbidden {
			t.Errorf("csrf %q: got %d want 403", tok, rec.Code)
		}
	}
	if _, err := o.a.store.TeamByName(context.Background(), "Sneaky"); err == nil {
		t.Error("a team was created by a refused request")
	}
}

func TestTeamAndRoundRules(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	admin := o.a.signIn("admin@example.org")
	admin.get("/admin/teams")
	id := strconv.Itoa(int(o.teamA.ID))
	// A team cannot move under its own sub-team.
	rec := admin.post("/admin/teams/"+id, url.Values{"name": {"Team A"}, "parent_id": {strconv.Itoa(int(o.subA.ID))}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(doc(t, rec).Find("#parent_id-error").Text(), "cannot sit under itself") {
		t.Errorf("cycle: got %d", rec.Code)
	}
	rec = admin.post("/admin/teams", url.Values{"name": {"Team B"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(doc(t, rec).Find("#name-error").Text(), "exists already") {
		t.Errorf("duplicate name: got %d", rec.Code)
	}
	rec = admin.post("/admin/teams", url.Values{"name": {"Team C"}, "headcount": {"-3"}})
	if rec.Code != http.StatusUnprocessableEntity || doc(t, rec).Find("#headcount-error").Length() != 1 {
		t.Errorf("negative headcount: got %d", rec.Code)
	}

	// Archiving keeps past results: submit 5 responses, archive, and the
	// team's count is still there while its link stops working.
	submitN(t, o.a.store, o.teamB, 5)
	wantRedirect(t, admin.post("/admin/teams/"+strconv.Itoa(int(o.teamB.ID))+"/archive", url.Values{"archived": {"true"}}), "/admin/teams/")
	if rec := o.a.client().get("/t/" + o.teamB.InviteToken); rec.Code != http.StatusNotFound {
		t.Errorf("an archived team's link: got %d want 404", rec.Code)
	}
	cells, _ := o.a.store.Cells(ctx, o.round.ID)
	if len(cells) != 1 || cells[0].Agg.N != 5 {
		t.Errorf("results after archiving: %+v", cells)
	}
	if !strings.Contains(admin.get("/home").Body.String(), "Team B") {
		t.Error("an archived team's past results vanished from home")
	}

	// One open round at a time.
	admin.get("/admin/rounds")
	wantRedirect(t, admin.post("/admin/rounds", url.Values{"name": {"2027 Q2"}}), "/admin/rounds")
	rounds, _ := o.a.store.Rounds(ctx)
	var q2 models.Round
	for _, r := range rounds {
		if r.Name == "2027 Q2" {
			q2 = r
		}
	}
	if q2.Status != models.RoundDraft {
		t.Fatalf("new round: %+v", q2)
	}
	rec = admin.post("/admin/rounds/"+strconv.Itoa(int(q2.ID)), url.Values{"status": {"open"}})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Another round is open") {
		t.Errorf("second open round: got %d", rec.Code)
	}
	wantRedirect(t, admin.post("/admin/rounds/"+strconv.Itoa(int(o.round.ID)), url.Values{"status": {"closed"}}), "/admin/rounds")
	// Closing is final: the page offers no Open for a closed round, and a
	// forged request is refused.
	if d := doc(t, admin.get("/admin/rounds")); d.Find(`[data-testid="round-`+strconv.Itoa(int(o.round.ID))+`"] button[value="open"]`).Length() != 0 {
		t.Error("a closed round is offered to open again")
	}
	rec = admin.post("/admin/rounds/"+strconv.Itoa(int(o.round.ID)), url.Values{"status": {"open"}})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "A closed round stays closed") {
		t.Errorf("reopening a closed round: got %d", rec.Code)
	}
	if r, _ := o.a.store.Round(ctx, o.round.ID); r.Status != models.RoundClosed {
		t.Errorf("the refused reopening changed the round: %s", r.Status)
	}
	wantRedirect(t, admin.post("/admin/rounds/"+strconv.Itoa(int(q2.ID)), url.Values{"status": {"open"}}), "/admin/rounds")
	cur, err := o.a.store.CurrentRound(ctx)
	if err != nil || cur.ID != q2.ID {
		t.Errorf("open round: got %+v, %v", cur, err)
	}
}

func TestNamesAreEscapedEverywhere(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	nasty := `<script>alert("x")</script> "Zoë" & 'Ünïcödé' 🙂`
	team, err := o.a.store.CreateTeam(ctx, models.NewTeam{Name: nasty, ParentID: &o.teamA.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.a.store.CreateUser(ctx, models.NewUser{Email: "x@example.org", Password: testPassword, Role: models.RoleLeader, TeamIDs: []uint{team.ID}}); err != nil {
		t.Fatal(err)
	}
	admin := o.a.signIn("admin@example.org")
	anon := o.a.client()
	pages := map[string]*client{
		"/home": admin, "/admin/teams": admin, "/admin/teams/" + strconv.Itoa(int(team.ID)): admin,
		"/admin/users": admin, "/admin/audit": admin, "/t/" + team.InviteToken: anon,
	}
	for path, cl := range pages {
		rec := cl.get(path)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d", path, rec.Code)
			continue
		}
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s: the name is not escaped", path)
		}
		if !strings.Contains(doc(t, rec).Text(), nasty) {
			t.Errorf("%s: the name does not survive escaping intact", path)
		}
	}
}
