package handlers_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/icare-hr/icare/config"
)

// failFrom sends a failed sign-in for a fresh e-mail (so only the
// per-address limit can bite) through a connection from remote that says
// X-Forwarded-For: xff, and returns the status.
func failFrom(a *app, cl *client, i int, remote, xff string) int {
	form := url.Values{"_csrf": {cl.csrf}, "email": {fmt.Sprintf("nobody%d@example.org", i)}, "password": {"not the password"}}
	req := cl.postRequest("/login", form)
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	return a.serve(req).Code
}

// TestClientAddressThroughTrustedProxy: behind a configured reverse proxy,
// the client's address is the one the proxy names, so the per-address
// sign-in limit counts each client on its own; without the setting, or from
// anyone else, X-Forwarded-For is not believed.
func TestClientAddressThroughTrustedProxy(t *testing.T) {
	const proxy, stranger = "10.1.2.3:4000", "198.51.100.9:4000"
	const limit = 20 // failures per address and window
	cases := []struct {
		name    string
		proxies string
		remote  string
		// others says whether a second client behind the same proxy can
		// still try once the first has used up the limit.
		others bool
	}{
		{"trusted proxy", "10.0.0.0/8", proxy, true},
		{"no proxy configured", "", proxy, false},
		{"not from the proxy", "10.0.0.0/8", stranger, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, withConfig(func(c *config.Config) {
				if tc.proxies != "" {
					_, n, _ := net.ParseCIDR(tc.proxies)
					c.TrustedProxies = []*net.IPNet{n}
				}
			}))
			cl := a.client()
			cl.get("/login")
			for i := range limit {
				if code := failFrom(a, cl, i, tc.remote, "203.0.113.7"); code != http.StatusUnauthorized {
					t.Fatalf("failure %d: got %d want 401", i+1, code)
				}
			}
			if code := failFrom(a, cl, limit, tc.remote, "203.0.113.7"); code != http.StatusTooManyRequests {
				t.Errorf("the same client once more: got %d want 429", code)
			}
			want := http.StatusTooManyRequests
			if tc.others {
				want = http.StatusUnauthorized
			}
			if code := failFrom(a, cl, limit+1, tc.remote, "203.0.113.8"); code != want {
				t.Errorf("another client: got %d want %d", code, want)
			}
		})
	}
}
