package load_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the lock is held over database/sql

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/models/dbtest"
)

// TestSlowDatabase holds a lock on the responses from another connection
// for four seconds while respondents walk the survey on icare with a
// one-second request deadline: every request is answered (503 at its
// deadline, never a hung connection nor a 500), the pool does not deadlock,
// and once the lock is gone every respondent finishes and every submit
// acknowledged is stored.
func TestSlowDatabase(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		if e.Name == config.EngineMySQL {
			continue // the deadline is icare's; SQLite and PostgreSQL show it
		}
		t.Run(e.Name, func(t *testing.T) {
			dbURL := dbtest.URL(t, e)
			invite := prepare(t, dbURL)
			p := serve(t, dbURL, freeAddr(t), "--request-timeout", "1s")
			// More respondents than PostgreSQL's pool has connections.
			c := startCrowd(t, p.base, invite, 32, 37, &patience{wait: 250 * time.Millisecond, patience: 30 * time.Second})
			c.waitAcks(t, 10, 30*time.Second, p.log.String)

			release := holdLock(t, e.Name, dbURL)
			time.Sleep(4 * time.Second)
			held := c.acks()
			release()
			c.waitAcks(t, held+20, 30*time.Second, p.log.String)
			c.stop()

			c.wantNoServerErrors(t, p.log.String())
			if c.seen[503] == 0 {
				t.Errorf("no request met the lock (no 503): the test proved nothing")
			}
			checkStored(t, dbURL, c.acked)
			t.Logf("%s locked 4 s: %d submits acknowledged in all, %d 503s", e.Name, len(c.acked), c.seen[503])
		})
	}
}

// holdLock takes, from a connection of its own, the lock that stops icare's
// writes to the responses (on SQLite the database's one write lock, on
// PostgreSQL an exclusive lock on the table, which stops its reads too),
// and returns what releases it.
func holdLock(t *testing.T, engine, dbURL string) (release func()) {
	t.Helper()
	driver, dsn, stmt := "pgx", dbURL, "LOCK TABLE responses IN ACCESS EXCLUSIVE MODE"
	if engine == config.EngineSQLite {
		driver, dsn, stmt = "sqlite3", strings.TrimPrefix(dbURL, "sqlite:"), "UPDATE teams SET name = name"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return func() {
		if err := tx.Rollback(); err != nil {
			t.Errorf("release the lock: %v", err)
		}
		db.Close()
	}
}
