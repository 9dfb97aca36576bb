package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
)

// TestSecretsStayOutOfTheLogs: a whole survey and a password reset, with a
// few mistyped links, leave no invite, resume, result or set-password token
// in the request log or the audit log.
func TestSecretsStayOutOfTheLogs(t *testing.T) {
	var logs bytes.Buffer
	a := newApp(t, logTo(&logs))
	team := a.survey()
	cl := a.client()
	cl.start(t, team)
	link := strings.TrimSpace(doc(t, cl.get("/s/perspective")).Find(`[data-testid="resume-link"]`).Text())
	resume := link[strings.LastIndex(link, "/")+1:]
	cl.get("/s/comment")
	result := strings.TrimPrefix(wantRedirect(t, cl.post("/s/comment", url.Values{"action": {"submit"}}), "/r/"), "/r/")
	cl.get("/r/" + result)
	cl.get("/resume/" + resume)
	cl.get("/R/" + result + "/extra")        // mistyped: not found, the token logged all the same
	cl.get("/login?next=/r/" + result)       // a path in the query
	cl.get("/home?token=" + resume + "&x=1") // a secret query value

	admin := a.viewer("admin", "admin")
	user := a.account("new@example.org", "leader")
	admin.get("/admin/users/" + strconv.Itoa(int(user.ID)))
	admin.post("/admin/users/"+strconv.Itoa(int(user.ID))+"/password-link", url.Values{})
	text := doc(t, admin.get("/admin/users/"+strconv.Itoa(int(user.ID)))).Find(`[data-testid="password-link"]`).Text()
	i := strings.Index(text, "/set-password/")
	if i < 0 {
		t.Fatalf("no set-password link on the page: %q", text)
	}
	setPassword := strings.Fields(text[i+len("/set-password/"):])[0]
	owner := a.client()
	owner.get("/set-password/" + setPassword)
	wantRedirect(t, owner.post("/set-password/"+setPassword, url.Values{"new": {"a brand new password"}, "confirm": {"a brand new password"}}), "/")

	events, err := a.store.AuditEvents(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var audit strings.Builder
	for _, ev := range events {
		audit.WriteString(ev.Action + " " + ev.Detail + "\n")
	}
	for name, secret := range map[string]string{"invite": team.InviteToken, "resume": resume, "result": result, "set-password": setPassword} {
		if len(secret) < 20 {
			t.Fatalf("%s token %q: the test did not find it", name, secret)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the %s token is in the request log", name)
		}
		if strings.Contains(audit.String(), secret) {
			t.Errorf("the %s token is in the audit log", name)
		}
	}
	for _, want := range []string{`"uri":"/t/[redacted]"`, `"uri":"/r/[redacted]"`, `"uri":"/resume/[redacted]"`,
		`"uri":"/set-password/[redacted]"`, `"uri":"/R/[redacted]"`, `"uri":"/home?token=[redacted]&x=1"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}

// TestStartFloodIsBounded: one address may start 100 responses at once and
// about one a second after that; past it 429, no row; another address is
// not affected; and the rows nobody finished go when the round closes.
func TestStartFloodIsBounded(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	flood := a.client()
	flood.addr = "198.51.100.20:4000"
	flood.get("/t/" + team.InviteToken)
	started, refused := 0, 0
	begin := time.Now()
	for range 130 {
		rec := flood.post("/t/"+team.InviteToken, url.Values{"action": {"start"}})
		switch rec.Code {
		case http.StatusSeeOther:
			started++
		case http.StatusTooManyRequests:
			refused++
			if rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "wait a few seconds") {
				t.Fatalf("429 without Retry-After or a reason: %q", rec.Body.String())
			}
		default:
			t.Fatalf("start: got %d", rec.Code)
		}
	}
	// One start a second comes back while the loop runs.
	if most := 100 + int(time.Since(begin).Seconds()) + 1; started < 100 || started > most || refused == 0 {
		t.Errorf("from one address: %d started, %d refused; want 100 to %d, then 429", started, refused, most)
	}
	round, err := a.store.CurrentRound(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusInProgress); n != int64(started) {
		t.Errorf("unfinished rows: %d want %d (a refused start makes none)", n, started)
	}
	office := a.client()
	office.addr = "203.0.113.30:4000"
	office.start(t, team)
	if _, err := a.store.CloseRound(context.Background(), models.CommandLine, round.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusInProgress); n != 0 {
		t.Errorf("unfinished rows after the close: %d want 0", n)
	}
}

// TestSharedDeviceShowsNothingOfTheLastRespondent: on one browser, the next
// person who opens the team link after a submit is offered a fresh start and
// nothing of the previous answers or result; while answers are unfinished
// they are warned whose they may be.
func TestSharedDeviceShowsNothingOfTheLastRespondent(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	kiosk := a.client()
	kiosk.start(t, team)
	for _, ck := range kiosk.cookies {
		if strings.HasSuffix(ck.Name, "icare_resume") || strings.HasSuffix(ck.Name, "icare_device") {
			if ck.MaxAge <= 0 || ck.MaxAge > 12*3600 {
				t.Errorf("cookie %s lives %d s, want at most 12 hours", ck.Name, ck.MaxAge)
			}
		}
	}
	kiosk.get("/s/I")
	wantRedirect(t, kiosk.post("/s/I", keyForm(0, [5]uint8{5, 5, 5, 5, 5})), "/s/C")

	// Unfinished: the next person is told, and can start apart.
	d := doc(t, kiosk.get("/t/"+team.InviteToken))
	if d.Find(`[data-testid="started-here"]`).Length() != 1 || d.Find(`button[value="new"]`).Length() != 1 {
		t.Error("unfinished answers on the device: want the warning and a way to start apart")
	}
	first := kiosk.resume
	kiosk.get("/s/comment")
	result := wantRedirect(t, kiosk.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
	if kiosk.cookies["icare_resume"] != nil || kiosk.cookies["icare_device"] != nil {
		t.Errorf("cookies kept after the submit: %v", kiosk.cookies)
	}

	// The next person.
	rec := kiosk.get("/t/" + team.InviteToken)
	body := rec.Body.String()
	if strings.Contains(body, result) || strings.Contains(body, "/r/") || doc(t, rec).Find(`[data-testid="started-here"]`).Length() != 0 {
		t.Error("the welcome page after a submit shows the previous respondent's result or answers")
	}
	if doc(t, rec).Find(`button[value="start"]`).Length() != 1 {
		t.Error("the welcome page after a submit does not offer a fresh start")
	}
	kiosk.start(t, team)
	if kiosk.resume == first {
		t.Fatal("the next person continues the previous response")
	}
	if n := doc(t, kiosk.get("/s/I")).Find(`input[type=radio]:checked[value="5"]`).Length(); n != 0 {
		t.Errorf("the next person's page I shows %d of the previous answers", n)
	}
}

// TestPrivatePagesAreNeitherCachedNorIndexed: every page that shows answers,
// results, secret links or accounts is sent with no-store and noindex; only
// static files may be cached.
func TestPrivatePagesAreNeitherCachedNorIndexed(t *testing.T) {
	o := newOrg(t)
	admin := o.a.signIn("admin@example.org")
	admin.get("/admin/users/" + strconv.Itoa(int(o.leaderA.ID)))
	admin.post("/admin/users/"+strconv.Itoa(int(o.leaderA.ID))+"/password-link", url.Values{})
	respondent := o.a.client()
	respondent.start(t, o.teamA)
	link := strings.TrimPrefix(strings.TrimSpace(doc(t, respondent.get("/s/perspective")).Find(`[data-testid="resume-link"]`).Text()), "http://icare.test")
	respondent.get("/s/comment")
	result := wantRedirect(t, respondent.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
	other := o.a.client()
	other.start(t, o.teamA)

	for _, c := range []struct {
		who  *client
		path string
	}{
		{other, "/s/perspective"}, {other, "/s/I"}, {other, "/s/comment"}, {respondent, result}, {o.a.client(), link},
		{o.a.client(), "/t/" + o.teamA.InviteToken}, {admin, "/admin/users/" + strconv.Itoa(int(o.leaderA.ID))},
		{admin, "/admin/users"}, {admin, "/admin/teams/" + strconv.Itoa(int(o.teamA.ID))}, {admin, "/account/password"},
		{admin, "/home"}, {admin, "/dashboard"}, {admin, "/export/teams.csv"}, {o.a.client(), "/login"},
	} {
		rec := c.who.get(c.path)
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q want no-store", c.path, got)
		}
		if got := rec.Header().Get("X-Robots-Tag"); !strings.Contains(got, "noindex") {
			t.Errorf("%s: X-Robots-Tag %q want noindex", c.path, got)
		}
	}
	if got := o.a.client().get("/static/css/app.css").Header().Get("Cache-Control"); !strings.HasPrefix(got, "public") {
		t.Errorf("static files: Cache-Control %q", got)
	}
	if rec := o.a.client().get("/robots.txt"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Disallow: /") {
		t.Errorf("robots.txt: %d %q", rec.Code, rec.Body.String())
	}
}

// TestHeadAnswersEveryGetRoute: over a real connection, HEAD on every GET
// route gives the GET's status and headers without a body, under the same
// access rules.
func TestHeadAnswersEveryGetRoute(t *testing.T) {
	o := newOrg(t)
	admin := o.a.signIn("admin@example.org")
	srv := httptest.NewServer(o.a.e)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fill := strings.NewReplacer(":token", o.teamA.InviteToken, ":step", "I", "*", "css/app.css", ":id", strconv.Itoa(int(o.teamA.ID)))
	seen := 0
	for _, rt := range o.a.e.Routes() {
		if rt.Method != http.MethodGet || rt.Path == "/*" || strings.HasPrefix(rt.Path, "/admin/users/") || strings.HasPrefix(rt.Path, "/admin/rounds/") {
			continue
		}
		seen++
		path := fill.Replace(rt.Path)
		codes := map[string]int{}
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, srv.URL+path, nil)
			admin.addCookies(req)
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			codes[method] = res.StatusCode
			if method == http.MethodHead && len(body) != 0 {
				t.Errorf("HEAD %s: a body of %d bytes", path, len(body))
			}
		}
		if codes[http.MethodHead] != codes[http.MethodGet] {
			t.Errorf("%s: HEAD %d, GET %d", path, codes[http.MethodHead], codes[http.MethodGet])
		}
		// The survey's own links answer 404 here (no response, no such
		// code on this client), as they do for GET; every other page
		// answers.
		secret := strings.Contains(rt.Path, ":token") || strings.Contains(rt.Path, ":step")
		if codes[http.MethodHead] >= 400 && !(secret && rt.Path != "/t/:token") {
			t.Errorf("HEAD %s: %d", path, codes[http.MethodHead])
		}
	}
	if seen < 20 {
		t.Errorf("only %d GET routes tried", seen)
	}
	res, err := http.Head(srv.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("HEAD /healthz without an account: %v %v", res, err)
	}
}

// TestProtocolGaps: an oversized chunked body gets 413, not a CSRF refusal;
// the CSRF token counts only from the body; /static/ lists nothing.
func TestProtocolGaps(t *testing.T) {
	a := newApp(t)
	a.account("admin@example.org", "admin")
	cl := a.client()
	cl.get("/login")
	form := url.Values{"_csrf": {cl.csrf}, "email": {"admin@example.org"}, "password": {testPassword + strings.Repeat("x", 100_000)}}
	req := cl.postRequest("/login", form)
	req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
	req.Body = io.NopCloser(struct{ io.Reader }{strings.NewReader(form.Encode())})
	if rec := a.serve(req); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized chunked body: got %d want 413", rec.Code)
	}

	login := url.Values{"email": {"admin@example.org"}, "password": {testPassword}}
	req = cl.postRequest("/login?_csrf="+url.QueryEscape(cl.csrf), login)
	if rec := a.serve(req); rec.Code != http.StatusForbidden {
		t.Errorf("CSRF token in the query string: got %d want 403", rec.Code)
	}
	wantRedirect(t, cl.post("/login", login), "/home")

	for _, path := range []string{"/static/", "/static/css/", "/static/css", "/static/../go.mod"} {
		if rec := a.client().get(path); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "<pre>") {
			t.Errorf("%s: got %d, want 404 and no listing", path, rec.Code)
		}
	}
}
