// Package dbtest opens fresh, throw-away icare databases for tests: a SQLite
// file in the test's temporary folder always, and a new database on the
// PostgreSQL and MariaDB servers named by ICARE_TEST_POSTGRES and
// ICARE_TEST_MYSQL when they are set. Each test gets its own database, dropped
// when it ends, so runs never see each other's rows.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver for creating test databases
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for creating test databases

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
)

// Engine is one database engine a test can run on.
type Engine struct {
	Name string
	// base is the server's DSN (empty for SQLite).
	base string
}

// SQLite is the engine every machine has: a file in the test's folder.
var SQLite = Engine{Name: config.EngineSQLite}

// Engines lists SQLite and every server whose DSN is set. A server without a
// DSN is reported with t.Log so the omission is visible; in CI (CI=true) a
// missing DSN fails the test, because CI must prove every engine.
func Engines(t testing.TB) []Engine {
	engines := []Engine{SQLite}
	for _, e := range []struct{ name, env string }{{config.EnginePostgres, "ICARE_TEST_POSTGRES"}, {config.EngineMySQL, "ICARE_TEST_MYSQL"}} {
		dsn := os.Getenv(e.env)
		if dsn == "" {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not set: CI must test on %s", e.env, e.name)
			}
			t.Logf("skipping %s: set %s to test on it", e.name, e.env)
			continue
		}
		engines = append(engines, Engine{Name: e.name, base: dsn})
	}
	return engines
}

// Server is engine name (postgres or mysql) on the server at dsn, written
// as ICARE_TEST_POSTGRES or ICARE_TEST_MYSQL would be: for tests that run
// a server of their own.
func Server(name, dsn string) Engine { return Engine{Name: name, base: dsn} }

// Open returns a migrated Store on a fresh database of engine e. It
// publishes closing rounds under the default thresholds unless opts set
// another publisher.
func Open(t testing.TB, e Engine, opts ...models.Option) *models.Store {
	t.Helper()
	return OpenURL(t, URL(t, e), opts...)
}

// OpenURL is Open on the database at url: another replica's Store, when
// url is one a Store uses already.
func OpenURL(t testing.TB, url string, opts ...models.Option) *models.Store {
	t.Helper()
	ctx := context.Background()
	opts = append([]models.Option{DefaultPublisher()}, opts...)
	engine, _, _ := strings.Cut(url, ":") // the rest may hold a password
	s, err := models.Open(ctx, url, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return s
}

// DefaultPublisher publishes rounds under the default minimum group size
// and comment threshold.
func DefaultPublisher() models.Option {
	return models.WithPublisher(results.Publisher(scoring.DefaultMinGroup, scoring.DefaultMinComments))
}

// URL returns a database URL for a fresh database of engine e, without
// opening it: for tests of commands that open the database themselves.
func URL(t testing.TB, e Engine) string {
	t.Helper()
	switch e.Name {
	case config.EngineSQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "icare.db")
	case config.EnginePostgres:
		return createPostgres(t, e.base)
	case config.EngineMySQL:
		return createMySQL(t, e.base)
	}
	t.Fatalf("unknown engine %q", e.Name)
	return ""
}

func dbName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "icare_t_" + hex.EncodeToString(b)
}

// createDatabase makes a database named name on the server at dsn (driver
// names the database/sql driver) with create and drops it with drop when
// the test ends.
func createDatabase(t testing.TB, driver, dsn, create, drop string) {
	t.Helper()
	admin, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("%s: %v", driver, err)
	}
	defer admin.Close()
	if _, err := admin.Exec(create); err != nil {
		t.Fatalf("%s: %s: %v", driver, create, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open(driver, dsn)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, drop); err != nil {
			t.Logf("%s: %s: %v", driver, drop, err)
		}
	})
}

func createPostgres(t testing.TB, base string) string {
	t.Helper()
	name := dbName()
	createDatabase(t, "pgx", base, "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres dsn: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func createMySQL(t testing.TB, base string) string {
	t.Helper()
	base = strings.TrimPrefix(base, "mysql://")
	name := dbName()
	createDatabase(t, "mysql", base, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", "DROP DATABASE IF EXISTS "+name)
	slash := strings.LastIndex(base, "/")
	if slash < 0 {
		t.Fatalf("mysql dsn %q has no /dbname", base)
	}
	rest := base[slash+1:]
	params := ""
	if q := strings.Index(rest, "?"); q >= 0 {
		params = rest[q:]
	}
	return "mysql://" + base[:slash+1] + name + params
}
