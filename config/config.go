// Package config holds icare's typed settings: flags first, ICARE_* environment
// variables as their fallbacks, defaults last, validated once at start.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// The settings' defaults. The anonymity thresholds' defaults and floor
// are the scoring package's, where the rules they feed live.
const (
	DefaultAddr        = ":8080"
	DefaultDatabaseURL = "sqlite:icare.db"
	// DefaultMetricsFrom lets only the machine itself read /metrics.
	DefaultMetricsFrom = "127.0.0.0/8,::1"
	// DefaultRequestTimeout is far beyond any page's time (milliseconds),
	// yet short enough that a person behind a stuck database hears so.
	DefaultRequestTimeout = 15 * time.Second
)

// Config is every setting icare reads at start.
type Config struct {
	// Addr is the listen address of the HTTP server, host:port.
	Addr string
	// DatabaseURL selects the engine: sqlite:PATH, postgres://… or mysql://….
	DatabaseURL string
	// BaseURL is the public address used to build invite and result links.
	BaseURL string
	// MinGroup is k: a group with fewer submitted responses shows no scores.
	MinGroup int
	// MinComments is how many responses a group needs before its comments show.
	MinComments int
	// AdminEmail and AdminPassword create that admin on start when absent.
	AdminEmail    string
	AdminPassword string
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For header names the client (for per-address sign-in
	// limits); empty means the connection's address is the client's.
	TrustedProxies []*net.IPNet
	// MetricsFrom are the networks whose direct requests may read /metrics.
	MetricsFrom []*net.IPNet
	// ShutdownTimeout bounds how long requests in flight may take to finish.
	ShutdownTimeout time.Duration
	// RequestTimeout is every request's deadline but a file export's: one
	// that misses it gets 503.
	RequestTimeout time.Duration
	// Demo fills an empty database with a sample organization.
	Demo bool
}

// Getenv reads one environment variable; os.Getenv in production, a map in tests.
type Getenv func(string) string

// envDefault returns the environment's value for name, or def when unset.
func envDefault(getenv Getenv, name, def string) string {
	if v := strings.TrimSpace(getenv(name)); v != "" {
		return v
	}
	return def
}

// Register declares the shared settings on fs with defaults taken from the
// environment, so that a flag given on the command line wins over ICARE_*.
// The returned function parses the integers and validates the whole.
func Register(fs *flag.FlagSet, getenv Getenv) func() (Config, error) {
	var c Config
	var minGroup, minComments, shutdown, requestTimeout, proxies, metricsFrom string
	fs.StringVar(&c.Addr, "addr", envDefault(getenv, "ICARE_ADDR", DefaultAddr), "listen address, host:port (ICARE_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", envDefault(getenv, "ICARE_DATABASE_URL", DefaultDatabaseURL), "database: sqlite:PATH, postgres://… or mysql://… (ICARE_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", envDefault(getenv, "ICARE_BASE_URL", ""), "public address for invite links, e.g. https://icare.example.org (ICARE_BASE_URL; default http://localhost:PORT)")
	fs.StringVar(&minGroup, "min-group", envDefault(getenv, "ICARE_MIN_GROUP", strconv.Itoa(scoring.DefaultMinGroup)), fmt.Sprintf("minimum group size k before scores show, at least %d (ICARE_MIN_GROUP)", scoring.MinMinGroup))
	fs.StringVar(&minComments, "min-comments", envDefault(getenv, "ICARE_MIN_COMMENTS", strconv.Itoa(scoring.DefaultMinComments)), "responses a group needs before its comments show, at least k (ICARE_MIN_COMMENTS)")
	fs.StringVar(&shutdown, "shutdown-timeout", envDefault(getenv, "ICARE_SHUTDOWN_TIMEOUT", "20s"), "how long requests in flight may run after SIGTERM (ICARE_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&requestTimeout, "request-timeout", envDefault(getenv, "ICARE_REQUEST_TIMEOUT", DefaultRequestTimeout.String()), "deadline of every request but a file export; a page that misses it gets 503 (ICARE_REQUEST_TIMEOUT)")
	fs.StringVar(&proxies, "trusted-proxies", envDefault(getenv, "ICARE_TRUSTED_PROXIES", ""), "comma-separated networks of reverse proxies to trust for X-Forwarded-For, e.g. 10.0.0.0/8 (ICARE_TRUSTED_PROXIES)")
	fs.StringVar(&metricsFrom, "metrics-from", envDefault(getenv, "ICARE_METRICS_FROM", DefaultMetricsFrom), "comma-separated networks that may read /metrics, directly and not through a proxy (ICARE_METRICS_FROM)")
	c.AdminEmail = envDefault(getenv, "ICARE_ADMIN_EMAIL", "")
	c.AdminPassword = getenv("ICARE_ADMIN_PASSWORD")
	return func() (Config, error) {
		var errs []error
		var err error
		if c.MinGroup, err = strconv.Atoi(strings.TrimSpace(minGroup)); err != nil {
			errs = append(errs, fmt.Errorf("min-group %q is not a whole number", minGroup))
		}
		if c.MinComments, err = strconv.Atoi(strings.TrimSpace(minComments)); err != nil {
			errs = append(errs, fmt.Errorf("min-comments %q is not a whole number", minComments))
		}
		if c.ShutdownTimeout, err = time.ParseDuration(strings.TrimSpace(shutdown)); err != nil {
			errs = append(errs, fmt.Errorf("shutdown-timeout %q is not a duration such as 20s", shutdown))
		}
		if c.RequestTimeout, err = time.ParseDuration(strings.TrimSpace(requestTimeout)); err != nil {
			errs = append(errs, fmt.Errorf("request-timeout %q is not a duration such as 15s", requestTimeout))
		}
		if c.TrustedProxies, err = networks("trusted-proxies", proxies); err != nil {
			errs = append(errs, err)
		}
		if c.MetricsFrom, err = networks("metrics-from", metricsFrom); err != nil {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return Config{}, errors.Join(errs...)
		}
		if err := c.Validate(); err != nil {
			return Config{}, err
		}
		return c, nil
	}
}

// networks parses a comma-separated list of networks (a lone address is a
// network of one) for the setting name, reporting every entry that is not
// one.
func networks(name, list string) ([]*net.IPNet, error) {
	var ns []*net.IPNet
	var errs []error
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			p += map[bool]string{true: "/32", false: "/128"}[strings.Contains(p, ".")]
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a network such as 10.0.0.0/8", name, p))
			continue
		}
		ns = append(ns, n)
	}
	return ns, errors.Join(errs...)
}

// Validate checks every setting and reports all problems at once.
func (c *Config) Validate() error {
	var errs []error
	if err := validateAddr(c.Addr); err != nil {
		errs = append(errs, err)
	}
	if _, _, err := SplitDatabaseURL(c.DatabaseURL); err != nil {
		errs = append(errs, err)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base-url %q must be an http:// or https:// address", c.BaseURL))
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	} else {
		c.BaseURL = defaultBaseURL(c.Addr)
	}
	if c.MinGroup < scoring.MinMinGroup {
		errs = append(errs, fmt.Errorf("min-group %d is below the floor of %d", c.MinGroup, scoring.MinMinGroup))
	}
	if c.MinComments < c.MinGroup {
		errs = append(errs, fmt.Errorf("min-comments %d is below min-group %d", c.MinComments, c.MinGroup))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown-timeout must be positive"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("request-timeout must be positive"))
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		errs = append(errs, errors.New("ICARE_ADMIN_EMAIL and ICARE_ADMIN_PASSWORD go together: set both or neither"))
	}
	return errors.Join(errs...)
}

// validateAddr accepts host:port with a port in 1–65535 (or 0 for any free port).
func validateAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("addr %q must be host:port, e.g. :8080", addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("addr %q has a bad port: want 0–65535", addr)
	}
	return nil
}

// defaultBaseURL is where a browser on this machine reaches the server.
func defaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Engines that SplitDatabaseURL recognises.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
	EngineMySQL    = "mysql"
)

// SplitDatabaseURL names the engine of a database URL and returns the DSN its
// driver takes: the path for sqlite:PATH, the URL itself for postgres://, and
// the go-sql-driver form for mysql:// (both user:pass@tcp(host:port)/db and
// user:pass@host:port/db are accepted).
func SplitDatabaseURL(raw string) (engine, dsn string, err error) {
	engine, dsn, err = splitDatabaseURL(raw)
	if err != nil {
		// Error messages end up in logs: never with the password.
		err = errors.New(strings.ReplaceAll(err.Error(), raw, redact(raw)))
	}
	return engine, dsn, err
}

// redact hides the password of a database URL.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return raw
	}
	return scheme + "://" + user + ":xxxxx@" + rest[at+1:]
}

func splitDatabaseURL(raw string) (engine, dsn string, err error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || rest == "" {
		return "", "", fmt.Errorf("database-url %q: want sqlite:PATH, postgres://… or mysql://…", raw)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return "", "", fmt.Errorf("database-url %q: sqlite needs a file path, e.g. sqlite:icare.db", raw)
		}
		return EngineSQLite, path, nil
	case "postgres", "postgresql":
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || !strings.HasPrefix(rest, "//") {
			return "", "", fmt.Errorf("database-url %q: want postgres://user@host:port/dbname", raw)
		}
		return EnginePostgres, raw, nil
	case "mysql", "mariadb":
		if !strings.HasPrefix(rest, "//") {
			return "", "", fmt.Errorf("database-url %q: want mysql://user:pass@tcp(host:port)/dbname", raw)
		}
		dsn, err := mysqlDSN(strings.TrimPrefix(rest, "//"))
		if err != nil {
			return "", "", fmt.Errorf("database-url %q: %w", raw, err)
		}
		return EngineMySQL, dsn, nil
	default:
		return "", "", fmt.Errorf("database-url %q: unknown engine %q; icare speaks sqlite, postgres and mysql", raw, scheme)
	}
}

// mysqlDSN turns user:pass@host:port/db into user:pass@tcp(host:port)/db and
// leaves a DSN that already names its protocol as it is.
func mysqlDSN(s string) (string, error) {
	at := strings.LastIndex(s, "@")
	creds, hostdb := "", s
	if at >= 0 {
		creds, hostdb = s[:at+1], s[at+1:]
	}
	if strings.HasPrefix(hostdb, "tcp(") || strings.HasPrefix(hostdb, "unix(") {
		return s, nil
	}
	host, db, ok := strings.Cut(hostdb, "/")
	if !ok || host == "" || db == "" {
		return "", errors.New("want user:pass@host:port/dbname")
	}
	return creds + "tcp(" + host + ")/" + db, nil
}
