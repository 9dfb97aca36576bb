package load_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/load"
	"github.com/icare-hr/icare/models/dbtest"
)

// TestTwoReplicasShareOneDatabase: two icare processes on two ports over
// one PostgreSQL (and one MariaDB) database, as behind a load balancer
// without sticky sessions. Respondents whose requests alternate between them
// finish; a resume link made on one opens on the other; a session made on
// one works on the other; the sign-in limit counts failures on both; and
// both show the same dashboard.
func TestTwoReplicasShareOneDatabase(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		if e.Name == "sqlite" {
			continue // one machine, one process: replicas need a server database
		}
		t.Run(e.Name, func(t *testing.T) {
			dbURL := dbtest.URL(t, e)
			invite := prepare(t, dbURL)
			a, b := serve(t, dbURL, freeAddr(t)), serve(t, dbURL, freeAddr(t))
			ua, _ := url.Parse(a.base)
			ub, _ := url.Parse(b.base)
			ctx := within(t, 2*time.Minute)

			// Respondents alternate request by request.
			for i := range 6 {
				r := rand.New(rand.NewPCG(11, uint64(i)))
				c := load.NewClient(ua, r)
				c.Spread(ua, ub)
				if _, err := c.Walk(ctx, a.base+invite, r); err != nil {
					t.Fatalf("a walk spread over both replicas: %v", err)
				}
				c.Close()
			}

			// A resume link shown by one replica opens on the other.
			phone := newBrowser(t, "")
			phone.get(a.base+invite, http.StatusOK)
			phone.post(a.base+invite, url.Values{"action": {"start"}}, http.StatusSeeOther)
			page := phone.get(a.base+"/s/perspective", http.StatusOK)
			resume := regexp.MustCompile(`/resume/[A-Za-z0-9_-]+`).FindString(page)
			if resume == "" {
				t.Fatal("the perspective page shows no resume link")
			}
			laptop := newBrowser(t, "")
			laptop.get(b.base+resume, http.StatusSeeOther)
			if got := laptop.location; got != "/s/perspective" {
				t.Errorf("the resume link on the other replica leads to %q", got)
			}

			// Sign-in failures count on both: five wrong passwords spread
			// over the two from one place, and the sixth try from there is
			// refused on either, even with the right password.
			guesser := newBrowser(t, "127.0.0.66")
			for i := range 5 {
				base := []string{a.base, b.base}[i%2]
				guesser.get(base+"/login", http.StatusOK)
				guesser.post(base+"/login", url.Values{"email": {adminEmail}, "password": {fmt.Sprintf("wrong %d", i)}}, http.StatusUnauthorized)
			}
			guesser.get(b.base+"/login", http.StatusOK)
			guesser.post(b.base+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}}, http.StatusTooManyRequests)

			// A session made on one replica is good on the other.
			leader := newBrowser(t, "127.0.1.1")
			leader.get(a.base+"/login", http.StatusOK)
			leader.post(a.base+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}}, http.StatusSeeOther)
			leader.get(b.base+"/home", http.StatusOK)

			// Both show the same dashboard of the closed round.
			icare(t, dbURL, "round", "close")
			da := leader.get(a.base+"/dashboard", http.StatusOK)
			db := leader.get(b.base+"/dashboard", http.StatusOK)
			if !strings.Contains(da, `data-testid="participation"`) || da != db {
				t.Errorf("the replicas' dashboards differ or show no participation:\n%s\n---\n%s", excerpt(da), excerpt(db))
			}
		})
	}
}

func excerpt(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}

// browser is a person's browser for the pages around the survey: cookies,
// the CSRF token of the last page, no redirect following.
type browser struct {
	t        *testing.T
	http     *http.Client
	csrf     string
	location string
}

// newBrowser is a browser whose connections come from the loopback
// address from (127.0.0.1 when "").
func newBrowser(t *testing.T, from string) *browser {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	return &browser{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request, want int) string {
	b.t.Helper()
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if res.StatusCode != want {
		b.t.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, want, excerpt(string(body)))
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	b.location = res.Header.Get("Location")
	return string(body)
}

func (b *browser) get(u string, want int) string {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req, want)
}

func (b *browser) post(u string, form url.Values, want int) string {
	b.t.Helper()
	form.Set("_csrf", b.csrf)
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, want)
}
