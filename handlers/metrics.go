package handlers

import (
	"database/sql"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/icare-hr/icare/models"
)

// metrics are what /metrics tells a Prometheus server. No label names a
// team, a round, a perspective or anything of a request but its route
// pattern: the times of a small team's submits would undo its anonymity.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	submitted prometheus.Counter
	dbErrors  *prometheus.CounterVec
	retries   *prometheus.CounterVec
}

func newMetrics(store Store) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "icare_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "icare_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		submitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "icare_surveys_submitted_total", Help: "Responses submitted.",
		}),
		dbErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "icare_database_errors_total", Help: "Requests that failed on a database error, by kind (busy, connection, deadline, disk_full, other).",
		}, []string{"kind"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "icare_database_retries_total", Help: "Database operations tried again, by the kind of error that made them (busy, connection) and outcome (succeeded, gave_up).",
		}, []string{"kind", "outcome"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.submitted, m.dbErrors, m.retries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if p, ok := store.(pools); ok {
		for name, db := range p.Pools() {
			// go_sql_* metrics: connections open, in use and idle, and
			// the waits for one.
			m.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
		}
	}
	if r, ok := store.(retries); ok {
		r.ObserveRetries(m.retried)
	}
	for _, kind := range []string{models.ErrKindBusy, models.ErrKindConnection, models.ErrKindDeadline, models.ErrKindFull, models.ErrKindOther} {
		m.dbErrors.WithLabelValues(kind) // every kind shows, at 0 until it happens
	}
	return m
}

// retried counts an operation tried again after an error of kind.
func (m *metrics) retried(kind string, succeeded bool) {
	m.retries.WithLabelValues(kind, map[bool]string{true: "succeeded", false: "gave_up"}[succeeded]).Inc()
}

// pools is what a store with database/sql pools offers (*models.Store does;
// the tests' fakes need not).
type pools interface{ Pools() map[string]*sql.DB }

// retries is what a store that tries operations again offers.
type retries interface {
	ObserveRetries(func(kind string, succeeded bool))
}

// knownMethods are the methods a label may name; any other is "OTHER", so
// that made-up methods cannot grow the metrics without end.
var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true,
	http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true}

// observe counts one answered request.
func (m *metrics) observe(route, method string, status int, took time.Duration) {
	if !knownMethods[method] {
		method = "OTHER"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// serveMetrics is GET /metrics (Access Internal).
func (s *Server) serveMetrics(c echo.Context) error {
	promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

// internal reports whether a request may use an Internal route: it comes
// straight from an address in the metrics-from setting, and not through a
// proxy, since a reverse proxy on the same machine would make any
// visitor's request come from loopback: neither from a trusted proxy nor
// with a forwarding header. (A proxy on the machine that forwards without
// those headers and is not listed in trusted-proxies cannot be told from a
// local scraper: the README says to keep /metrics out of its routes.)
func (s *Server) internal(r *http.Request) bool {
	for _, h := range []string{echo.HeaderXForwardedFor, echo.HeaderXRealIP, "Forwarded"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		return false
	}
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(ip) {
			return false
		}
	}
	for _, n := range s.cfg.MetricsFrom {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
