package models_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// TestMigrationsApplyOnceAcrossProcesses starts two processes against one
// empty database at the same moment, as two replicas deploying together
// would. Both must come up, the migrations must be recorded once each, and
// the schema must work.
func TestMigrationsApplyOnceAcrossProcesses(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url := dbtest.URL(t, e)
			// Far enough ahead for both processes to be up and connected.
			at := time.Now().Add(1500 * time.Millisecond)
			var procs [2]*exec.Cmd
			var outs [2]bytes.Buffer
			for i := range procs {
				cmd := exec.Command(os.Args[0])
				cmd.Env = append(os.Environ(), "ICARE_MIGRATE_URL="+url, "ICARE_MIGRATE_AT="+strconv.FormatInt(at.UnixNano(), 10))
				cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				procs[i] = cmd
			}
			for i, cmd := range procs {
				if err := cmd.Wait(); err != nil {
					t.Errorf("process %d: %v\n%s", i+1, err, outs[i].String())
				}
			}
			ctx := context.Background()
			s, err := models.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			applied, err := s.AppliedMigrationsForTest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != models.MigrationsForTest() {
				t.Errorf("schema_migrations: got %v want each of the %d migrations once", applied, models.MigrationsForTest())
			}
			for i, v := range applied {
				if v != i+1 {
					t.Errorf("migration %d recorded as %d", i+1, v)
				}
			}
			if _, err := s.CreateTeam(ctx, models.NewTeam{Name: "After the race"}); err != nil {
				t.Errorf("the migrated schema does not work: %v", err)
			}
		})
	}
}

// TestMain runs the tests, or, when TestMigrationsApplyOnceAcrossProcesses
// started this binary as one of its replicas, that replica: connect, wait
// for the agreed moment, migrate, and exit.
func TestMain(m *testing.M) {
	if url := os.Getenv("ICARE_MIGRATE_URL"); url != "" {
		if err := migrateReplica(url, os.Getenv("ICARE_MIGRATE_AT")); err != nil {
			fmt.Fprintln(os.Stderr, "replica:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// migrateReplica is one replica starting at the moment at (Unix
// nanoseconds) on the database at url.
func migrateReplica(url, at string) error {
	ns, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := models.Open(ctx, url)
	if err != nil {
		return err
	}
	defer s.Close()
	time.Sleep(time.Until(time.Unix(0, ns)))
	return s.Migrate(ctx)
}

// TestMigrationOneOverAnOlderSchema: a database made by an icare from
// before numbered migrations (GORM's AutoMigrate over the models, gormstore's
// own sessions table) holds the tables of migration 1 and no record of it.
// Migrating finds them in place, keeps their rows and records the
// migration; a second start applies nothing.
func TestMigrationOneOverAnOlderSchema(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := models.Open(ctx, dbtest.URL(t, e))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.MigrateAsBeforeForTest(ctx); err != nil {
				t.Fatalf("the older schema: %v", err)
			}
			team, err := s.CreateTeam(ctx, models.NewTeam{Name: "Kept"})
			if err != nil {
				t.Fatal(err)
			}
			// A response nobody finished in a round that closed before
			// closing removed them: migration 3 removes it.
			old, err := s.CreateRound(ctx, models.NewRound{Name: "Old", Open: true})
			if err != nil {
				t.Fatal(err)
			}
			unfinished, err := s.StartResponse(ctx, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.ExecForTest(ctx, "UPDATE rounds SET status = ?, open_flag = NULL WHERE id = ?", models.RoundClosed, old.ID); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := s.Migrate(ctx); err != nil {
					t.Fatalf("migrate over the older schema: %v", err)
				}
			}
			if applied, _ := s.AppliedMigrationsForTest(ctx); len(applied) != models.MigrationsForTest() {
				t.Errorf("schema_migrations: got %v", applied)
			}
			if got, err := s.Team(ctx, team.ID); err != nil || got.Name != "Kept" {
				t.Errorf("the older rows: got %+v, %v", got, err)
			}
			if _, err := s.ResponseByResumeToken(ctx, unfinished.ResumeToken); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("an unfinished response of a closed round after the migrations: %v, want ErrNotFound", err)
			}
			if _, found, err := s.Sessions().Find("a-session-token-made-before-the-migrations"); err != nil || !found {
				t.Errorf("the older session: found %v, %v", found, err)
			}
		})
	}
}
