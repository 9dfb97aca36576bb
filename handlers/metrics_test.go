package handlers_test

import (
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/scoring"
)

// scrape reads /metrics as a Prometheus server on the machine would.
func scrape(t *testing.T, a *app, from string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = from
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return a.serve(req)
}

func TestMetricsCountTheSurveyWithoutNamingAnyone(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	cl := a.client()
	cl.start(t, team)
	wantRedirect(t, cl.post("/s/perspective", url.Values{"perspective": {"manager"}, "action": {"next"}}), "/s/I")
	for k, id := range scoring.KeyIDs() {
		cl.get("/s/" + id)
		wantRedirect(t, cl.post("/s/"+id, keyForm(k, [5]uint8{4, 4, 3, 5, 2})), "/s/")
	}
	cl.get("/s/comment")
	clicked := maps.Clone(cl.cookies)
	result := wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {""}, "action": {"submit"}}), "/r/")
	// A second click on Submit, sent before the first one's answer came:
	// the same result, and the survey counts once.
	cl.cookies = clicked
	if again := wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {""}, "action": {"submit"}}), "/r/"); again != result {
		t.Errorf("the second click went to %s, want the result %s", again, result)
	}
	cl.get(result)

	rec := scrape(t, a, "127.0.0.1:40000")
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics from loopback: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"icare_surveys_submitted_total 1\n",
		`icare_http_requests_total{method="POST",route="/s/:step",status="303"} 8` + "\n",
		`icare_http_requests_total{method="GET",route="/r/:token",status="200"} 1` + "\n",
		`icare_http_request_duration_seconds_count{method="GET",route="/t/:token"} 1` + "\n",
		`icare_database_errors_total{kind="busy"} 0` + "\n",
		`go_sql_open_connections{db_name="writer"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// No label carries a token, a team or anything of a response.
	labels := regexp.MustCompile(`\{[^}]*\}`).FindAllString(body, -1)
	for _, l := range labels {
		for _, secret := range []string{team.InviteToken, team.Name, strings.TrimPrefix(result, "/r/"), "manager"} {
			if strings.Contains(l, secret) {
				t.Errorf("a label names %q: %s", secret, l)
			}
		}
	}
}

func TestMetricsOnlyForTheMonitoringAddresses(t *testing.T) {
	a := newApp(t)
	for _, c := range []struct {
		name string
		from string
		hdr  []string
		want int
	}{
		{"loopback", "127.0.0.1:5000", nil, http.StatusOK},
		{"loopback v6", "[::1]:5000", nil, http.StatusOK},
		{"another machine", "192.0.2.7:5000", nil, http.StatusForbidden},
		{"a visitor through a proxy on the machine", "127.0.0.1:5000", []string{"X-Forwarded-For", "198.51.100.4"}, http.StatusForbidden},
		{"a visitor through a proxy (Forwarded)", "127.0.0.1:5000", []string{"Forwarded", "for=198.51.100.4"}, http.StatusForbidden},
	} {
		rec := scrape(t, a, c.from, c.hdr...)
		if rec.Code != c.want {
			t.Errorf("%s: got %d want %d", c.name, rec.Code, c.want)
		}
		if c.want != http.StatusOK && strings.Contains(rec.Body.String(), "icare_http_requests_total") {
			t.Errorf("%s: the refusal shows the metrics", c.name)
		}
	}
	// The setting widens it.
	b := newApp(t, withConfig(func(c *config.Config) { c.MetricsFrom = nets(t, "10.0.0.0/8") }))
	if rec := scrape(t, b, "10.1.2.3:5000"); rec.Code != http.StatusOK {
		t.Errorf("from a metrics-from network: %d", rec.Code)
	}
	if rec := scrape(t, b, "127.0.0.1:5000"); rec.Code != http.StatusForbidden {
		t.Errorf("loopback outside the setting: %d", rec.Code)
	}
	// A trusted proxy on the machine that adds no header is refused too.
	c := newApp(t, withConfig(func(c *config.Config) { c.TrustedProxies = nets(t, "127.0.0.1/32") }))
	if rec := scrape(t, c, "127.0.0.1:5000"); rec.Code != http.StatusForbidden {
		t.Errorf("from a trusted proxy without headers: %d", rec.Code)
	}
}

func nets(t testing.TB, cidrs ...string) []*net.IPNet {
	t.Helper()
	var ns []*net.IPNet
	for _, c := range cidrs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		ns = append(ns, n)
	}
	return ns
}
