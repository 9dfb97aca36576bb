package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestParallelGuessesStayUnderTheLimit: twenty wrong passwords sent at once
// get at most five real checks; the rest are refused by the limit.
func TestParallelGuessesStayUnderTheLimit(t *testing.T) {
	o := newOrg(t)
	cl := o.a.client()
	cl.get("/login")
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		req := cl.postRequest("/login", url.Values{"_csrf": {cl.csrf}, "email": {"a@example.org"}, "password": {"guess " + strconv.Itoa(i)}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			o.a.e.ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	checked := 0
	for _, c := range codes {
		switch c {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	if checked > 5 {
		t.Errorf("%d passwords were checked; the limit is 5", checked)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	o := newOrg(t)
	laptop := o.a.signIn("a@example.org")
	phone := o.a.signIn("a@example.org")
	laptop.get("/account/password")
	rec := laptop.post("/account/password", url.Values{"current": {testPassword}, "new": {"another long password"}, "confirm": {"another long password"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("change password: %d", rec.Code)
	}
	if laptop.get("/home").Code != http.StatusOK {
		t.Error("the session that changed the password was signed out")
	}
	if rec := phone.get("/home"); rec.Code != http.StatusSeeOther {
		t.Errorf("the other session still works after a password change: %d", rec.Code)
	}
}

// TestResumeLinkDoesNotOpenAnotherDevicesResult: whoever holds a resume link
// (say, the person who started the response and sent the link) cannot read
// the result of answers submitted on another device.
func TestResumeLinkDoesNotOpenAnotherDevicesResult(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	respondent := a.client()
	respondent.start(t, team)
	link := strings.TrimPrefix(strings.TrimSpace(doc(t, respondent.get("/s/perspective")).Find(`[data-testid="resume-link"]`).Text()), "http://icare.test")
	respondent.get("/s/comment")
	result := wantRedirect(t, respondent.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")

	snoop := a.client()
	rec := snoop.get(link)
	if rec.Code != http.StatusGone || strings.Contains(rec.Header().Get("Location"), "/r/") {
		t.Errorf("resume link after submit on another device: got %d to %q want 410", rec.Code, rec.Header().Get("Location"))
	}
	if rec := snoop.get("/s/I"); rec.Code != http.StatusNotFound {
		t.Errorf("a step on the other device: got %d want 404", rec.Code)
	}
	// The submitting device has forgotten the response (it may be shared):
	// the resume link gives it no result either; the result link does.
	if rec := respondent.get(link); rec.Code != http.StatusGone {
		t.Errorf("resume link on the submitting device: got %d to %q want 410", rec.Code, rec.Header().Get("Location"))
	}
	if respondent.get(result).Code != http.StatusOK {
		t.Error("the result link does not open")
	}
}

func TestNULAndBrokenTextAreRefusedCleanly(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	cl := a.client()
	for _, path := range []string{"/t/%00", "/t/%FF", "/resume/%00", "/r/%00", "/set-password/%00"} {
		if rec := cl.get(path); rec.Code != http.StatusNotFound {
			t.Errorf("%s: got %d want 404", path, rec.Code)
		}
	}
	cl.start(t, team)
	cl.get("/s/comment")
	rec := cl.post("/s/comment", url.Values{"comment": {"a\x00b"}, "action": {"submit"}})
	if rec.Code != http.StatusUnprocessableEntity || doc(t, rec).Find("#comment-error").Length() != 1 {
		t.Errorf("comment with NUL: got %d want 422", rec.Code)
	}
	login := a.client()
	login.get("/login")
	if rec := login.post("/login", url.Values{"email": {"a\x00@example.org\xff"}, "password": {"x"}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("e-mail with NUL: got %d want 401", rec.Code)
	}
	if r := cl.storedResponse(t); r.Submitted() {
		t.Error("the response was submitted with a refused comment")
	}
}

func TestAdminMakesANewPasswordLink(t *testing.T) {
	o := newOrg(t)
	admin := o.a.signIn("admin@example.org")
	page := "/admin/users/" + strconv.Itoa(int(o.leaderB.ID))
	admin.get(page)
	wantRedirect(t, admin.post(page+"/password-link", url.Values{}), page)
	link := strings.TrimSpace(doc(t, admin.get(page)).Find(`[data-testid="password-link"] .copy-link`).Text())
	path := strings.TrimPrefix(link, "http://icare.test")
	if !strings.HasPrefix(path, "/set-password/") {
		t.Fatalf("no link shown: %q", link)
	}
	b := o.a.client()
	b.get(path)
	wantRedirect(t, b.post(path, url.Values{"new": {"forgot it, new one"}, "confirm": {"forgot it, new one"}}), "/login")
	b.get("/login")
	wantRedirect(t, b.post("/login", url.Values{"email": {"b@example.org"}, "password": {"forgot it, new one"}}), "/home")
}
