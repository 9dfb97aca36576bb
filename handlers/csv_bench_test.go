package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// The benchmark of responses.csv against the sqlite3 command line lives in
// scripts/bench-export.sh, which builds the harness of
// csv_bench_harness_test.go (build tag exportbench, so go test ./... never
// compiles it) on the seeding helpers of this file.

// benchComments are the comments of seeded responses: plain, and with the
// delimiters, quotes and line breaks that make a CSV writer quote.
var benchComments = []string{
	"More time with customers and fewer handovers between teams.",
	`Stop saying "not my department", please.`,
	"Answer the phone faster, even if only to say when we will call back.",
	"Training on the new system; we lose time on every order.\nAnd the old one is still needed.",
	"=The cafeteria, honestly",
}

// seededResponse is response i of a seeded round, the same on every call.
func seededResponse(i int, teams []uint) (team uint, persp string, at time.Time, a scoring.Answers, comment string) {
	rng := rand.New(rand.NewPCG(uint64(i), 0x1ca4e))
	team = teams[rng.IntN(len(teams))]
	persp = scoring.Perspectives[rng.IntN(len(scoring.Perspectives))]
	at = time.Date(2027, 1, 11, 8, 0, 0, 0, time.UTC).Add(time.Duration(i)*1700*time.Millisecond + 250*time.Millisecond)
	level := 1 + rng.IntN(5)
	for j := range a {
		if rng.IntN(40) == 0 {
			continue // skipped
		}
		a[j] = uint8(min(5, max(1, level+rng.IntN(3)-1)))
	}
	if rng.IntN(10) < 3 {
		comment = benchComments[rng.IntN(len(benchComments))]
	}
	return team, persp, at, a, comment
}

// seedRound builds a SQLite database at path with nTeams teams (a tenth of
// them under a parent), one open round named "2027 Q1" and n submitted
// responses written with plain SQL in one transaction — about 30 s for a
// million. Each row keeps its export cells as Submit would, except every
// forgetEvery-th (none when 0), which is left as a row from before the
// column. The maintained aggregates are not written: the database is for
// responses.csv only. It returns the round and the team ids in order.
func seedRound(tb testing.TB, path string, n, nTeams, forgetEvery int) (models.Round, []uint) {
	tb.Helper()
	ctx := context.Background()
	store, err := models.Open(ctx, "sqlite:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	var ids []uint
	for i := range nTeams {
		nt := models.NewTeam{Name: fmt.Sprintf("Team %04d", i+1)}
		if i%10 != 0 && len(ids) > 0 {
			parent := ids[i/10*10]
			nt.ParentID = &parent
		}
		tm, err := store.CreateTeam(ctx, nt)
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, tm.ID)
	}
	round, err := store.CreateRound(ctx, models.NewRound{Name: "2027 Q1", Open: true})
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	cols := "round_id, team_id, perspective, instrument_version, status, started_at, updated_at, submitted_at, comment, " +
		"resume_token_hash, result_token_hash, export_cells, " + strings.Join(models.AnswerColumnNames[:], ", ")
	stmt, err := tx.Prepare("INSERT INTO responses (" + cols + ") VALUES (" + strings.Repeat("?, ", 11+scoring.NumItems) + "?)")
	if err != nil {
		tb.Fatal(err)
	}
	args := make([]any, 12+scoring.NumItems)
	for i := 1; i <= n; i++ {
		team, persp, at, a, comment := seededResponse(i, ids)
		var cells any = export.StoredResponseCells(persp, scoring.Version, at, a)
		if forgetEvery > 0 && i%forgetEvery == 0 {
			cells = nil
		}
		copy(args, []any{round.ID, team, persp, scoring.Version, models.StatusSubmitted, at, at, at, comment,
			fmt.Sprintf("%064x", i), fmt.Sprintf("r%063x", i), cells})
		for j, v := range a {
			args[12+j] = nil
			if v != 0 {
				args[12+j] = int(v)
			}
		}
		if _, err := stmt.Exec(args...); err != nil {
			tb.Fatalf("insert response %d: %v", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return round, ids
}

// TestResponsesCSVManyBatches exports a round of several batches in which
// some rows have no kept cells, and wants the very bytes that formatting
// every response afresh gives.
func TestResponsesCSVManyBatches(t *testing.T) {
	const n = 2*handlers.ExportBatchForTest + 2345
	path := t.TempDir() + "/icare.db"
	round, teams := seedRound(t, path, n, 25, 997)
	a := newApp(t, atDatabase("sqlite:"+path))
	store := a.store
	a.viewer("admin", models.RoleAdmin)
	got := a.download("admin", "/export/responses.csv?delimiter=semicolon")

	all, err := store.Teams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[uint]models.Placed{}
	for _, tm := range models.Hierarchy(all) {
		byID[tm.ID] = tm
	}
	var want strings.Builder
	w, _ := export.NewWriter(&want, export.Semicolon)
	_ = w.Header(export.ResponseColumns())
	for i := 1; i <= n; i++ {
		team, persp, at, ans, comment := seededResponse(i, teams)
		w.Int(int64(i))
		w.Text(round.Name)
		w.Text(byID[team].Name)
		w.Text(export.TeamPath(byID[team].Path))
		w.ResponseCells(persp, scoring.Version, at, ans)
		w.Text(comment)
		_ = w.EndRow()
	}
	_ = w.Flush()
	if string(got) != want.String() {
		g, wa := string(got), want.String()
		i := 0
		for i < len(g) && i < len(wa) && g[i] == wa[i] {
			i++
		}
		t.Fatalf("export of %d responses differs from fresh formatting at byte %d of %d:\n got %.120q\nwant %.120q", n, i, len(wa), g[i:], wa[i:])
	}
}
