package models_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// TestSubmitSeesItsOwnEarlierTry: a submit whose commit went through but
// whose answer was lost on the way is sent again by retry (or by the person)
// with the same result token; it must succeed without counting the
// response twice, while a submit with another token is refused.
func TestSubmitSeesItsOwnEarlierTry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
		round, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		token := models.NewToken()
		if _, err := s.SubmitWithResult(ctx, st.Response.ID, token); err != nil {
			t.Fatal(err)
		}
		again, err := s.SubmitWithResult(ctx, st.Response.ID, token)
		if err != nil || !again.Submitted() || again.ID != st.Response.ID {
			t.Errorf("the same submit again: %+v, %v; want the submitted response", again, err)
		}
		if _, err := s.SubmitWithResult(ctx, st.Response.ID, models.NewToken()); !errors.Is(err, models.ErrSubmitted) {
			t.Errorf("another submit of it: %v, want ErrSubmitted", err)
		}
		cells, err := s.Cells(ctx, round.ID)
		if err != nil || len(cells) != 1 || cells[0].Agg.N != 1 {
			t.Errorf("aggregate: %+v, %v; want one cell with N=1", cells, err)
		}
	})
}

// TestErrorKindsOfRealFaults provokes each kind of fault from the real
// drivers and checks that it is told apart from a bug.
func TestErrorKindsOfRealFaults(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, what string, err error, kind string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if got := models.ErrorKind(err); got != kind {
			t.Errorf("%s: kind %q, want %q (%v)", what, got, kind, err)
		}
		if !models.Unavailable(err) {
			t.Errorf("%s: not unavailable: %v", what, err)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "faults.db")
	holder := openSQL(t, "sqlite3", path+"?_journal_mode=WAL")
	if _, err := holder.Exec("CREATE TABLE t (v BLOB)"); err != nil {
		t.Fatal(err)
	}

	t.Run("sqlite busy", func(t *testing.T) {
		tx, err := holder.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec("INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		other := openSQL(t, "sqlite3", path+"?_busy_timeout=10")
		_, err = other.Exec("INSERT INTO t VALUES (2)")
		check(t, "a write beside a held write lock", err, models.ErrKindBusy)
	})
	t.Run("sqlite full", func(t *testing.T) {
		small := openSQL(t, "sqlite3", filepath.Join(dir, "small.db"))
		small.SetMaxOpenConns(1)
		if _, err := small.Exec("CREATE TABLE t (v BLOB)"); err != nil {
			t.Fatal(err)
		}
		if _, err := small.Exec("PRAGMA max_page_count = 4"); err != nil {
			t.Fatal(err)
		}
		_, err := small.Exec("INSERT INTO t VALUES (zeroblob(100000))")
		check(t, "a write past the database's size", err, models.ErrKindFull)
	})
	t.Run("deadline", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
		_, err := holder.ExecContext(dctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c")
		check(t, "a statement past its deadline", err, models.ErrKindDeadline)
	})
	t.Run("postgres refused", func(t *testing.T) {
		err := openSQL(t, "pgx", "postgres://postgres@127.0.0.1:1/test?connect_timeout=2").PingContext(ctx)
		check(t, "a PostgreSQL server that is not there", err, models.ErrKindConnection)
	})
	t.Run("mysql refused", func(t *testing.T) {
		err := openSQL(t, "mysql", "root@tcp(127.0.0.1:1)/test?timeout=2s").PingContext(ctx)
		check(t, "a MariaDB server that is not there", err, models.ErrKindConnection)
	})
	for _, e := range dbtest.Engines(t) {
		if e.Name != config.EnginePostgres {
			continue
		}
		t.Run("postgres lock timeout", func(t *testing.T) {
			db := openSQL(t, "pgx", os.Getenv("ICARE_TEST_POSTGRES"))
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec("SELECT pg_advisory_xact_lock(4242)"); err != nil {
				t.Fatal(err)
			}
			other, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer other.Rollback()
			if _, err := other.Exec("SET LOCAL lock_timeout = '20ms'"); err != nil {
				t.Fatal(err)
			}
			_, err = other.Exec("SELECT pg_advisory_xact_lock(4242)")
			check(t, "a lock held by another transaction", err, models.ErrKindBusy)
		})
	}
}

func openSQL(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
