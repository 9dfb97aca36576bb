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
	codes, _, err := s.GenerateCodes(ctx, models.NewCodes{TeamID: team.ID, Count: n})
	if err != nil {
		t.Fatal(err)
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
// holds the code or its hash, and nothing links the response to a code row;
// the spent code is only a count in its round's tally.
func TestNothingLinksASubmittedResponseToItsCode(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		_, _, codes := codeSetup(t, s, 3)
		st, err := s.StartWithCode(ctx, codes[0])
		if err != nil {
			t.Fatal(err)
		}
		p := models.Progress{Items: []int{0}}
		p.Answers[0] = 4
		if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, st.Response.ID); err != nil {
			t.Fatal(err)
		}
		columns, rows, err := s.TablesForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows["personal_codes"]) != 2 || len(rows["responses"]) != 1 {
			t.Fatalf("rows: %d codes, %d responses", len(rows["personal_codes"]), len(rows["responses"]))
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
		codesNow, _ := s.TeamCodes(ctx, team.ID, round.ID)
		if spent, err := s.SpentCodes(ctx, team.ID, round.ID); len(codesNow) != 0 || spent != 1 || err != nil {
			t.Errorf("the code after the submit: rows %+v, %d spent, %v; want no row and 1 spent", codesNow, spent, err)
		}
		teams, err := s.TeamsForRound(ctx, round.ID)
		if err != nil || len(teams) != 1 || teams[0].Headcount == nil || *teams[0].Headcount != 1 {
			t.Errorf("the round's headcount of a codes team: %+v, %v want the 1 code issued", teams, err)
		}
	})
}
