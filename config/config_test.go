package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	finish := Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return finish()
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:icare.db" || c.MinGroup != 5 || c.MinComments != 8 {
		t.Errorf("defaults: got %+v", c)
	}
	if c.BaseURL != "http://localhost:8080" {
		t.Errorf("base url: got %q want http://localhost:8080", c.BaseURL)
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	env := map[string]string{"ICARE_ADDR": ":9000", "ICARE_MIN_GROUP": "7", "ICARE_MIN_COMMENTS": "10", "ICARE_BASE_URL": "https://icare.example.org/"}
	c, err := load(t, env, "--addr", "127.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.MinGroup != 7 || c.MinComments != 10 || c.BaseURL != "https://icare.example.org" {
		t.Errorf("got %+v", c)
	}
}

func TestBadSettingsSayWhatIsWrong(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad port", nil, []string{"--addr", ":99999"}, "bad port"},
		{"port not a number", map[string]string{"ICARE_ADDR": ":http-alt"}, nil, "bad port"},
		{"no port", nil, []string{"--addr", "localhost"}, "must be host:port"},
		{"unknown engine", map[string]string{"ICARE_DATABASE_URL": "oracle://db/icare"}, nil, `unknown engine "oracle"`},
		{"bad url", nil, []string{"--database-url", "icare.db"}, "want sqlite:PATH"},
		{"sqlite without path", nil, []string{"--database-url", "sqlite:"}, "want sqlite:PATH"},
		{"postgres without host", nil, []string{"--database-url", "postgres:icare"}, "postgres://"},
		{"mysql without db", nil, []string{"--database-url", "mysql://root@localhost"}, "host:port/dbname"},
		{"k below floor", map[string]string{"ICARE_MIN_GROUP": "2"}, nil, "below the floor of 3"},
		{"k not a number", map[string]string{"ICARE_MIN_GROUP": "five"}, nil, "not a whole number"},
		{"comments below k", map[string]string{"ICARE_MIN_COMMENTS": "4"}, nil, "below min-group"},
		{"base url without scheme", map[string]string{"ICARE_BASE_URL": "icare.example.org"}, nil, "http:// or https://"},
		{"bad proxy", map[string]string{"ICARE_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, nil, "is not a network"},
		{"admin email without password", map[string]string{"ICARE_ADMIN_EMAIL": "a@example.org"}, nil, "go together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.env, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v want an error containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n\t") {
				t.Errorf("error looks like a trace: %q", err)
			}
		})
	}
}

func TestSplitDatabaseURL(t *testing.T) {
	cases := []struct{ in, engine, dsn string }{
		{"sqlite:icare.db", "sqlite", "icare.db"},
		{"sqlite:///var/lib/icare/icare.db", "sqlite", "/var/lib/icare/icare.db"},
		{"postgres://postgres@127.0.0.1:5432/test", "postgres", "postgres://postgres@127.0.0.1:5432/test"},
		{"postgresql://u:p@db/icare?sslmode=disable", "postgres", "postgresql://u:p@db/icare?sslmode=disable"},
		{"mysql://root@tcp(127.0.0.1:3306)/test", "mysql", "root@tcp(127.0.0.1:3306)/test"},
		{"mysql://icare:secret@db.internal:3306/icare", "mysql", "icare:secret@tcp(db.internal:3306)/icare"},
	}
	for _, tc := range cases {
		engine, dsn, err := SplitDatabaseURL(tc.in)
		if err != nil || engine != tc.engine || dsn != tc.dsn {
			t.Errorf("%s: got %s %s %v want %s %s", tc.in, engine, dsn, err, tc.engine, tc.dsn)
		}
	}
}

func TestDatabaseURLErrorsHideThePassword(t *testing.T) {
	for _, raw := range []string{"postgres://icare:S3cretPW@/icare", "mysql://icare:S3cretPW@db.internal"} {
		_, _, err := SplitDatabaseURL(raw)
		if err == nil || strings.Contains(err.Error(), "S3cretPW") || !strings.Contains(err.Error(), "icare:xxxxx@") {
			t.Errorf("%s: got %v want an error with the password hidden", raw, err)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := load(t, map[string]string{"ICARE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7"})
	if err != nil || len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.168.1.7/32" {
		t.Errorf("got %v, %v", c.TrustedProxies, err)
	}
}
