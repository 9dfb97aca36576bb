package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// The submit: one row however it races, and the maintained aggregates it
// folds into kept equal to a recomputation.

// TestConcurrentSubmitsMakeOneRow: two final submits of one response at once
// (a double click) leave one submitted response and one count in the
// aggregate.
func TestConcurrentSubmitsMakeOneRow(t *testing.T) {
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
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = s.Submit(ctx, st.Response.ID) }()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, models.ErrSubmitted):
				t.Errorf("a losing submit: got %v want ErrSubmitted", err)
			}
		}
		if won != 1 {
			t.Errorf("winning submits: got %d want 1", won)
		}
		cells, err := s.Cells(ctx, round.ID)
		if err != nil || len(cells) != 1 || cells[0].Agg.N != 1 {
			t.Errorf("aggregate: got %+v, %v want one cell with N=1", cells, err)
		}
	})
}

// TestMaintainedAggregatesMatchRecomputation submits responses over two
// teams and perspectives and checks that the cells kept up to date on submit
// equal a fresh computation from the stored answers.
func TestMaintainedAggregatesMatchRecomputation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		a, _ := s.CreateTeam(ctx, models.NewTeam{Name: "A"})
		b, _ := s.CreateTeam(ctx, models.NewTeam{Name: "B"})
		round, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
		if err != nil {
			t.Fatal(err)
		}
		perspectives := []string{"frontline", "manager", "frontline", "unspecified"}
		for i := range 12 {
			team := a
			if i%3 == 0 {
				team = b
			}
			st, err := s.StartResponse(ctx, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			persp := perspectives[i%len(perspectives)]
			p := models.Progress{Perspective: &persp}
			for j := range scoring.NumItems {
				p.Items = append(p.Items, j)
				if (i+j)%7 != 0 {
					p.Answers[j] = uint8(1 + (i*j+i)%5)
				}
			}
			if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Submit(ctx, st.Response.ID); err != nil {
				t.Fatal(err)
			}
		}
		kept, err := s.Cells(ctx, round.ID)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := s.RecomputeCells(ctx, round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != len(fresh) {
			t.Fatalf("cells: kept %d, recomputed %d", len(kept), len(fresh))
		}
		index := map[[2]any]scoring.Aggregate{}
		for _, c := range fresh {
			index[[2]any{c.TeamID, c.Perspective}] = c.Agg
		}
		total := 0
		for _, c := range kept {
			want, ok := index[[2]any{c.TeamID, c.Perspective}]
			if !ok {
				t.Errorf("cell team %d %s kept but not recomputed", c.TeamID, c.Perspective)
				continue
			}
			if got := c.Agg.Counters(); !equalInts(got, want.Counters()) {
				t.Errorf("cell team %d %s: kept %v want %v", c.TeamID, c.Perspective, got, want.Counters())
			}
			// The n column, read with plain SQL, counts the same responses.
			if n, err := s.CellNForTest(ctx, round.ID, c.TeamID, c.Perspective); err != nil || n != want.N {
				t.Errorf("cell team %d %s: n column %d, %v want %d", c.TeamID, c.Perspective, n, err, want.N)
			}
			total += int(c.Agg.N)
		}
		if total != 12 {
			t.Errorf("responses over cells: got %d want 12", total)
		}
		// An aggregate whose n disagrees with its counters is refused, not
		// shown.
		if err := s.SetCellNForTest(ctx, round.ID, 99); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cells(ctx, round.ID); !errors.Is(err, models.ErrBadAggregate) {
			t.Errorf("cells with a wrong n: got %v want ErrBadAggregate", err)
		}
		// The repair: rebuilt from the responses, the aggregates are whole.
		if n, err := s.RebuildCells(ctx, round.ID); err != nil || n != 12 {
			t.Fatalf("rebuild: got %d, %v want 12 responses", n, err)
		}
		rebuilt, err := s.Cells(ctx, round.ID)
		if err != nil || len(rebuilt) != len(fresh) {
			t.Fatalf("cells after the rebuild: %d, %v", len(rebuilt), err)
		}
		for _, c := range rebuilt {
			if want := index[[2]any{c.TeamID, c.Perspective}]; !equalInts(c.Agg.Counters(), want.Counters()) {
				t.Errorf("rebuilt cell team %d %s differs from the recomputation", c.TeamID, c.Perspective)
			}
		}
	})
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSaveRacingSubmitKeepsTheAggregateTrue: a step saved while the same
// response is submitted either lands before the submit and counts, or is
// refused; the maintained aggregate always equals the stored answers.
func TestSaveRacingSubmitKeepsTheAggregateTrue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Race"})
		round, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			st, err := s.StartResponse(ctx, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			p := models.Progress{Items: []int{0, 1, 2, 3, 4}}
			for j := range 5 {
				p.Answers[j] = uint8(1 + (i+j)%5)
			}
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); _ = s.SaveProgress(ctx, st.Response.ID, p) }()
			go func() { defer wg.Done(); _, _ = s.Submit(ctx, st.Response.ID) }()
			wg.Wait()
		}
		kept, err := s.Cells(ctx, round.ID)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := s.RecomputeCells(ctx, round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != 1 || len(fresh) != 1 || !equalInts(kept[0].Agg.Counters(), fresh[0].Agg.Counters()) {
			t.Errorf("aggregate drifted from the answers: kept %+v, recomputed %+v", kept, fresh)
		}
	})
}

// TestSaveAndSubmitStoresTheLastStepWithTheSubmit: the last page's answers
// and comment are stored and counted by the submit's one transaction; a
// last page with a bad answer submits nothing.
func TestSaveAndSubmitStoresTheLastStepWithTheSubmit(t *testing.T) {
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
		perspective := "frontline"
		first := models.Progress{Items: []int{0, 1}, Perspective: &perspective}
		first.Answers[0], first.Answers[1] = 3, 4
		if err := s.SaveProgress(ctx, st.Response.ID, first); err != nil {
			t.Fatal(err)
		}
		bad := models.Progress{Items: []int{5}}
		bad.Answers[5] = 6
		if _, err := s.SaveAndSubmit(ctx, st.Response.ID, bad, models.NewToken()); err == nil {
			t.Error("a last page with answer 6 was submitted")
		}
		comment := "last words"
		last := models.Progress{Items: []int{1, 5}, Comment: &comment}
		last.Answers[5] = 5 // and item 1 skipped after all
		sub, err := s.SaveAndSubmit(ctx, st.Response.ID, last, models.NewToken())
		if err != nil || !sub.Submitted() {
			t.Fatalf("save and submit: %+v, %v", sub, err)
		}
		got, err := s.ResponseByID(ctx, st.Response.ID)
		want := scoring.Answers{3, 0, 0, 0, 0, 5}
		if err != nil || got.Answers() != want || got.Comment != comment || got.Perspective != perspective || !got.Submitted() {
			t.Errorf("stored: answers %v comment %q perspective %q status %s, %v; want %v, %q, %q, submitted",
				got.Answers(), got.Comment, got.Perspective, got.Status, err, want, comment, perspective)
		}
		if n, err := s.CellNForTest(ctx, round.ID, team.ID, perspective); n != 1 || err != nil {
			t.Errorf("its cell counts %d, %v; want 1", n, err)
		}
	})
}
