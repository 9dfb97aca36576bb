package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/config"
)

// failAs sends one sign-in with a wrong password for email from cl's
// address and returns the status.
func failAs(t *testing.T, cl *client, email string, i int) int {
	t.Helper()
	return cl.post("/login", url.Values{"email": {email}, "password": {fmt.Sprintf("guess number %d", i)}}).Code
}

// from is a client connecting from addr, with a CSRF token.
func (a *app) from(addr string) *client {
	cl := a.client()
	cl.addr = addr
	cl.get("/login")
	return cl
}

// TestStrangerCannotLockTheOwnerOut: a stranger's 30 failures on the admin's
// account from one address are stopped after 5, are not counted once
// refused, and do not stop the admin signing in from another address.
func TestStrangerCannotLockTheOwnerOut(t *testing.T) {
	o := newOrg(t)
	stranger := o.a.from("198.51.100.7:5000")
	for i := range 30 {
		want := http.StatusUnauthorized
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if code := failAs(t, stranger, "admin@example.org", i); code != want {
			t.Fatalf("stranger's try %d: got %d want %d", i+1, code, want)
		}
	}
	// The right password from the stranger's address is refused too: that
	// pair is what guesses.
	if rec := stranger.post("/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the right password from the guessing address: got %d want 429", rec.Code)
	} else if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Refused tries were never written: the account counts 5 failures.
	counts, err := o.a.store.SignInFailures(context.Background(), time.Now().Add(-time.Hour), "email:admin@example.org")
	if err != nil || counts["email:admin@example.org"] != 5 {
		t.Errorf("failures stored for the account: %v, %v want 5", counts, err)
	}
	owner := o.a.from("203.0.113.5:6000")
	wantRedirect(t, owner.post("/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}}), "/home")
}

// TestDistributedGuessingIsStopped: guesses spread over many networks meet
// the per-account limit (50), which does not stop the owner at a place they
// signed in at before; one network counts as one place (10); an IPv6
// client counts by its /64, so its neighbours' addresses buy nothing.
func TestDistributedGuessingIsStopped(t *testing.T) {
	o := newOrg(t)
	// The owner has signed in from home before.
	home := o.a.from("203.0.113.9:5000")
	wantRedirect(t, home.post("/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}}), "/home")
	for n := range 10 {
		cl := o.a.from(fmt.Sprintf("198.51.%d.7:5000", n+10))
		for i := range 5 {
			if code := failAs(t, cl, "a@example.org", i); code != http.StatusUnauthorized {
				t.Fatalf("address %d try %d: got %d want 401", n, i+1, code)
			}
		}
	}
	late := o.a.from("192.0.2.200:5000")
	if code := failAs(t, late, "a@example.org", 0); code != http.StatusTooManyRequests {
		t.Errorf("the 51st failure on one account: got %d want 429", code)
	}
	// The owner from a place they signed in at before is not locked out;
	// another account is not touched by any of it.
	home = o.a.from("203.0.113.9:5001")
	wantRedirect(t, home.post("/login", url.Values{"email": {"a@example.org"}, "password": {testPassword}}), "/home")
	wantRedirect(t, late.post("/login", url.Values{"email": {"b@example.org"}, "password": {testPassword}}), "/home")

	// Many addresses of one IPv4 /24 count as one network: 10 failures.
	for i := range 11 {
		want := http.StatusUnauthorized
		if i == 10 {
			want = http.StatusTooManyRequests
		}
		if code := failAs(t, o.a.from(fmt.Sprintf("192.0.2.%d:5000", i+1)), "admin@example.org", i); code != want {
			t.Errorf("failure %d from one /24: got %d want %d", i+1, code, want)
		}
	}

	// One IPv6 /64: five failures from one address, the sixth from its
	// neighbour is refused; another /64 is not.
	if code := failAs(t, o.a.from("[2001:db8:1:2::1]:5000"), "b@example.org", 0); code != http.StatusUnauthorized {
		t.Fatalf("IPv6 first failure: got %d", code)
	}
	v6 := o.a.from("[2001:db8:1:2::2]:5000")
	for i := 1; i < 5; i++ {
		failAs(t, v6, "b@example.org", i)
	}
	if code := failAs(t, o.a.from("[2001:db8:1:2:ffff::9]:5000"), "b@example.org", 5); code != http.StatusTooManyRequests {
		t.Errorf("a neighbour in the same /64: got %d want 429", code)
	}
	if code := failAs(t, o.a.from("[2001:db8:1:3::1]:5000"), "b@example.org", 6); code != http.StatusUnauthorized {
		t.Errorf("another /64: got %d want 401", code)
	}
}

// TestCookiesOverHTTPS: served over https, every cookie carries the
// __Host- prefix (Secure, path /, no domain), the answer carries HSTS, and
// the CSRF token changes at sign-in, so a token from before stops working.
func TestCookiesOverHTTPS(t *testing.T) {
	a := newApp(t, withConfig(func(c *config.Config) { c.BaseURL = "https://icare.example.org" }))
	a.account("admin@example.org", "admin")
	cl := a.client()
	rec := cl.get("/login")
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS over https: %q", got)
	}
	before := cl.csrf
	rec = cl.post("/login", url.Values{"email": {"admin@example.org"}, "password": {testPassword}})
	wantRedirect(t, rec, "/home")
	names := map[string]bool{}
	for _, ck := range rec.Result().Cookies() {
		names[ck.Name] = true
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s: secure=%v path=%q domain=%q, want __Host-, Secure, path / and no domain", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	}
	if !names["__Host-icare_session"] || !names["__Host-icare_csrf"] {
		t.Errorf("cookies set at sign-in: %v, want the session and a new CSRF token", names)
	}
	cl.get("/home")
	if cl.csrf == before || cl.csrf == "" {
		t.Error("the CSRF token did not change at sign-in")
	}
	if rec := cl.post("/logout", url.Values{"_csrf": {before}}); rec.Code != http.StatusForbidden {
		t.Errorf("a POST with the token from before sign-in: got %d want 403", rec.Code)
	}
	cl.start(t, a.survey())
	for _, name := range []string{"__Host-icare_resume", "__Host-icare_device"} {
		if ck := cl.cookies[name]; ck == nil || !ck.Secure {
			t.Errorf("survey cookie %s: %+v", name, ck)
		}
	}

	plain := newApp(t).client()
	rec = plain.get("/login")
	if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over http: %q", got)
	}
	if plain.cookies["icare_csrf"] == nil {
		t.Errorf("over http the cookies keep their plain names: %v", plain.cookies)
	}
}
