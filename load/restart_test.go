package load_test

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/models/dbtest"
)

// TestDatabaseRestartUnderLoad restarts a private PostgreSQL and MariaDB
// server for three seconds while respondents walk the survey, patient with
// 503s as people are: no request gets a 500, every submit acknowledged is
// stored intact, and icare serves again by itself within seconds of the
// server's return, without a restart of its own.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	for _, engine := range []struct {
		name    string
		private func(*testing.T) *dbServer
	}{{"postgres", privatePostgres}, {"mysql", privateMariaDB}} {
		t.Run(engine.name, func(t *testing.T) {
			srv := engine.private(t)
			dbURL := dbtest.URL(t, srv.Engine)
			invite := prepare(t, dbURL)
			p := serve(t, dbURL, freeAddr(t))
			c := startCrowd(t, p.base, invite, 8, 17, &patience{wait: 250 * time.Millisecond, patience: 30 * time.Second})
			c.waitAcks(t, 20, 30*time.Second, p.log.String)

			srv.stop(t)
			down := time.Now()
			if ready := get(t, p.base+"/readyz"); ready != http.StatusServiceUnavailable {
				t.Errorf("/readyz answers %d while the database is down, want 503", ready)
			}
			if health := get(t, p.base+"/healthz"); health != http.StatusOK {
				t.Errorf("/healthz answers %d while the database is down, want 200", health)
			}
			time.Sleep(3*time.Second - time.Since(down))
			srv.start(t)
			back, before := time.Now(), c.acks()
			c.waitAcks(t, before+20, 30*time.Second, p.log.String)
			returned := time.Since(back)
			c.stop()

			c.wantNoServerErrors(t, p.log.String())
			if ready := get(t, p.base+"/readyz"); ready != http.StatusOK {
				// Not ready lasts a Retry-After after the last 503.
				time.Sleep(6 * time.Second)
				if ready = get(t, p.base+"/readyz"); ready != http.StatusOK {
					t.Errorf("/readyz answers %d after the restart", ready)
				}
			}
			checkStored(t, dbURL, c.acked)
			m := scrape(t, p.base)
			t.Logf("%s down 3 s: %d submits acknowledged, 20 more within %s of its return; 503s %g, retries that succeeded %g, gave up %g, 500s %d",
				srv.Name, len(c.acked), returned.Round(time.Millisecond), m.sum("icare_http_requests_total", `status="503"`),
				m.sum("icare_database_retries_total", `outcome="succeeded"`), m.sum("icare_database_retries_total", `outcome="gave_up"`), c.seen[500])
		})
	}
}

// get fetches url and returns its status.
func get(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// samples are the lines of a /metrics page, each with its value.
type samples map[string]float64

// scrape reads icare's /metrics (the test runs on loopback, which may).
func scrape(t *testing.T, base string) samples {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	m := samples{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.LastIndexByte(line, ' '); i > 0 && !strings.HasPrefix(line, "#") {
			if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
				m[line[:i]] = v
			}
		}
	}
	return m
}

// sum adds the samples of metric whose labels contain label.
func (m samples) sum(metric, label string) float64 {
	var total float64
	for k, v := range m {
		if strings.HasPrefix(k, metric+"{") && strings.Contains(k, label) {
			total += v
		}
	}
	return total
}
