package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/icare-hr/icare/models"
)

func TestNormalizeCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"K7QM-4T2P-XW9H-3NCF", "K7QM-4T2P-XW9H-3NCF", true},
		{"k7qm4t2pxw9h3ncf", "K7QM-4T2P-XW9H-3NCF", true},
		{" K7QM 4T2P XW9H 3NCF ", "K7QM-4T2P-XW9H-3NCF", true},
		{"K7QM-4T2P-XW9H-3NC", "", false},   // one sign short
		{"K7QM-4T2P-XW9H-3NCF2", "", false}, // one too many
		{"K7QM-4T2P-XW9H-3NC0", "", false},  // no 0 in a code
		{"K7QM-4T2P-XW9H-3NCI", "", false},  // no I
		{"K7QM-4T2P-XW9H-3NCÉ", "", false},  // not ASCII
		{"K7QM/4T2P/XW9H/3NCF", "", false},  // not a separator
		{"", "", false},
	} {
		got, ok := models.NormalizeCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeCode(%q): %q %v want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// codeSetup is a team on codes with an open round and n codes.
func codeSetup(t *testing.T, s *models.Store, n int) (models.Team, models.Round, []string) {
	t.Helper()
	ctx := context.Background()
	hc := n
	team, err := s.CreateTeam(ctx, models.NewTeam{Name: "Claims", Headcount: &hc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTeamAccess(ctx, models.CommandLine, team.ID, models.AccessCodes); err != nil {
		t.Fatal(err)
	}
	round, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
	if err != nil {
		t.Fatal(err)
	}
	batch, _, err := s.GenerateCodes(ctx, models.NewCodes{TeamID: team.ID, Count: n})
	if err != nil {
		t.Fatal(err)
	}
	codes := batch.Codes()
	if len(codes) != n || batch.Made != n {
		t.Fatalf("a batch of %d codes holds %d (made %d)", n, len(codes), batch.Made)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if norm, ok := models.NormalizeCode(c); !ok || norm != c || seen[c] {
			t.Fatalf("generated code %q: not a well-formed, new code", c)
		}
		seen[c] = true
	}
	return team, round, codes
}

// TestNothingLinksASubmittedResponseToItsCode reads the whole schema and
// every row after a code's response is submitted: no column of any table
// holds the code or its hash, but for the batch it was printed from, which
// is as it was before the code was used; nothing links the response to a
// code row; the spent code is only a count in its round's tally.
func TestNothingLinksASubmittedResponseToItsCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		_, _, codes := codeSetup(t, s, 3)
		_, before, err := s.TablesForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.StartWithCode(ctx, codes[0])
		if err != nil {
			t.Fatal(err)
		}
		p := models.Progress{Items: []int{0}}
		p.Answers[0] = 4
		// As the survey's last page submits: by the resume token.
		if _, _, err := s.SaveAndSubmitByResumeToken(ctx, st.ResumeToken, p, models.NewToken()); err != nil {
			t.Fatal(err)
		}
		columns, rows, err := s.TablesForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows["personal_codes"]) != 2 || len(rows["responses"]) != 1 {
			t.Fatalf("rows: %d codes, %d responses", len(rows["personal_codes"]), len(rows["responses"]))
		}
		if got, want := fmt.Sprint(rows["code_batches"]), fmt.Sprint(before["code_batches"]); got != want || len(rows["code_batches"]) != 1 {
			t.Errorf("the code's batch changed when it was used:\n%s\nwas\n%s", got, want)
		}
		for _, col := range columns["responses"] {
			if strings.Contains(col, "code") {
				t.Errorf("responses has a column %q", col)
			}
		}
		for _, col := range columns["personal_codes"] {
			if strings.Contains(col, "_at") || strings.Contains(col, "time") {
				t.Errorf("personal_codes keeps a time: %q", col)
			}
		}
		hash := models.HashToken(codes[0])
		responseID := fmt.Sprint(st.Response.ID)
		spent := ""
		for table, rs := range rows {
			for _, row := range rs {
				for col, v := range row {
					text := fmt.Sprintf("%s", v)
					if table == "code_batches" && col == "list" {
						continue // checked against the batch as made, above
					}
					if strings.Contains(text, codes[0]) || strings.Contains(text, strings.ReplaceAll(codes[0], "-", "")) {
						t.Errorf("%s.%s holds the spent code", table, col)
					}
					if text == hash && table != "personal_codes" {
						t.Errorf("%s.%s holds the code's hash", table, col)
					}
				}
				if table == "personal_codes" && fmt.Sprintf("%s", row["code_hash"]) == hash {
					t.Errorf("the spent code's row is still there: %v", row)
				}
				if table == "code_tallies" {
					spent += fmt.Sprint(row["spent"])
				}
				if table == "personal_codes" && row["response_id"] != nil && fmt.Sprint(row["response_id"]) == responseID {
					t.Errorf("a code row still names the response: %v", row)
				}
			}
		}
		if spent != "1" {
			t.Errorf("the round's tally of spent codes: %q want 1", spent)
		}
		if _, err := s.StartWithCode(ctx, codes[0]); !errors.Is(err, models.ErrCodeUnknown) {
			t.Errorf("the spent code again: %v want ErrCodeUnknown", err)
		}
	})
}

// TestRacingStartsWithOneCodeMakeOneResponse: eight devices starting with
// one code at once get one response among them, and of two submits of it
// one wins.
func TestRacingStartsWithOneCodeMakeOneResponse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, round, codes := codeSetup(t, s, 1)
		ids := make([]uint64, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := s.StartWithCode(ctx, codes[0])
				ids[i], errs[i] = st.Response.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("start %d: response %d, %v; want response %d", i, ids[i], errs[i], ids[0])
			}
		}
		if n, _ := s.CountResponses(ctx, round.ID, models.StatusInProgress); n != 1 {
			t.Errorf("responses after the race: %d want 1", n)
		}
		var wins, lost int
		var mu sync.Mutex
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Submit(ctx, ids[0])
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, models.ErrSubmitted):
					lost++
				default:
					t.Errorf("submit: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || lost != 1 {
			t.Errorf("two submits: %d won, %d refused", wins, lost)
		}
		if counts, err := s.CodeCounts(ctx, team.ID, round.ID); counts != (models.CodeCounts{Spent: 1}) || err != nil {
			t.Errorf("the code after the submit: %+v, %v; want only 1 spent", counts, err)
		}
		teams, err := s.TeamsForRound(ctx, round.ID)
		if err != nil || len(teams) != 1 || teams[0].Headcount == nil || *teams[0].Headcount != 1 {
			t.Errorf("the round's headcount of a codes team: %+v, %v want the 1 code issued", teams, err)
		}
	})
}

// TestWithdrawingCodes: a named code is withdrawn whether or not it has
// started (its unfinished answers go), and leaves its batch's list; a spent
// or unknown code is not told apart; a withdrawn batch keeps its started
// codes working; replacing ends every batch and makes one anew.
func TestWithdrawingCodes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, round, codes := codeSetup(t, s, 6)
		started, err := s.StartWithCode(ctx, codes[0])
		if err != nil {
			t.Fatal(err)
		}
		spent, err := s.StartWithCode(ctx, codes[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, spent.Response.ID); err != nil {
			t.Fatal(err)
		}
		n, err := s.WithdrawCodes(ctx, models.CommandLine, team.ID, round.ID, []string{codes[0], codes[1], codes[2], "K7QM-4T2P-XW9H-3NCF"})
		if err != nil || n != 2 {
			t.Fatalf("withdraw a started, a spent, an unused and an unknown code: %d withdrawn, %v; want 2", n, err)
		}
		if _, err := s.ResponseByResumeToken(ctx, started.ResumeToken); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("the withdrawn code's unfinished response: %v, want it gone", err)
		}
		for _, c := range codes[:3:3] {
			if _, err := s.StartWithCode(ctx, c); err == nil {
				t.Errorf("code %s still starts a response", c)
			}
		}
		batches, err := s.CodeBatches(ctx, team.ID, round.ID)
		if err != nil || len(batches) != 1 {
			t.Fatalf("batches: %+v, %v", batches, err)
		}
		// The spent code stays on its slips: taking it off would tell
		// that it was used.
		if got, want := strings.Join(batches[0].Codes(), " "), strings.Join([]string{codes[1], codes[3], codes[4], codes[5]}, " "); got != want {
			t.Errorf("the batch after withdrawing by name: %s want %s", got, want)
		}

		// A second batch: one of its codes starts, then the batch is
		// withdrawn; the started code still resumes.
		more, _, err := s.GenerateCodes(ctx, models.NewCodes{TeamID: team.ID, Count: 2, BeyondHeadcount: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartWithCode(ctx, more.Codes()[0]); err != nil {
			t.Fatal(err)
		}
		if n, err := s.WithdrawBatch(ctx, models.CommandLine, team.ID, more.ID); err != nil || n != 1 {
			t.Errorf("withdraw the second batch: %d, %v; want 1 code withdrawn", n, err)
		}
		if _, err := s.StartWithCode(ctx, more.Codes()[0]); err != nil {
			t.Errorf("the started code of a withdrawn batch: %v", err)
		}
		if _, err := s.StartWithCode(ctx, more.Codes()[1]); !errors.Is(err, models.ErrCodeRevoked) {
			t.Errorf("the unused code of a withdrawn batch: %v want ErrCodeRevoked", err)
		}
		if _, err := s.WithdrawBatch(ctx, models.CommandLine, team.ID, more.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("withdraw it again: %v want ErrNotFound", err)
		}

		fresh, n64, err := s.ReplaceCodes(ctx, models.CommandLine, team.ID, round.ID)
		if err != nil || n64 != 3 || len(fresh.Codes()) != 3 {
			t.Fatalf("replace: %d replaced, batch %+v, %v; want the 3 unused codes", n64, fresh, err)
		}
		if batches, _ := s.CodeBatches(ctx, team.ID, round.ID); len(batches) != 1 || batches[0].ID != fresh.ID {
			t.Errorf("printable batches after replacing: %+v want only the new one", batches)
		}
		want := models.CodeCounts{Unused: 3, Started: 1, Spent: 1, Withdrawn: 6}
		if got, err := s.CodeCounts(ctx, team.ID, round.ID); got != want || err != nil {
			t.Errorf("counts: %+v, %v want %+v", got, err, want)
		}
		if _, err := s.CloseRound(ctx, models.CommandLine, round.ID); err != nil {
			t.Fatal(err)
		}
		if batches, _ := s.CodeBatches(ctx, team.ID, round.ID); len(batches) != 0 {
			t.Errorf("printable batches after the close: %d want none", len(batches))
		}
	})
}

// TestMigrationMovesClearCodesIntoBatches: codes kept in clear in
// personal_codes.code, as before batches, move into one batch per team and
// round and keep working; the column goes.
func TestMigrationMovesClearCodesIntoBatches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, round, _ := codeSetup(t, s, 1)
		const old = "K7QM-4T2P-XW9H-3NCF"
		for _, q := range []string{
			"DELETE FROM schema_migrations WHERE version = 8",
			"ALTER TABLE personal_codes ADD COLUMN code VARCHAR(19)",
		} {
			if err := s.ExecForTest(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ExecForTest(ctx, "INSERT INTO personal_codes (team_id, round_id, code_hash, code, status) VALUES (?, ?, ?, ?, ?)",
			team.ID, round.ID, models.HashToken(old), old, models.CodeUnspent); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migration 8 again: %v", err)
		}
		batches, err := s.CodeBatches(ctx, team.ID, round.ID)
		if err != nil || len(batches) != 2 || strings.Join(batches[1].Codes(), " ") != old {
			t.Fatalf("batches after the migration: %+v, %v; want the old code in a batch of its own", batches, err)
		}
		columns, _, err := s.TablesForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range columns["personal_codes"] {
			if c == "code" {
				t.Error("personal_codes.code is still there")
			}
		}
		if _, err := s.StartWithCode(ctx, old); err != nil {
			t.Errorf("the moved code: %v", err)
		}
		if _, err := s.WithdrawBatch(ctx, models.CommandLine, team.ID, batches[1].ID); err != nil {
			t.Errorf("withdraw the moved batch: %v", err)
		}
	})
}
