package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

func TestResponseRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, err := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartResponse(ctx, team.ID); !errors.Is(err, models.ErrNoOpenRound) {
			t.Errorf("start with no open round: got %v want ErrNoOpenRound", err)
		}
		round, err := s.CreateRound(ctx, models.NewRound{Name: "2027 Q1", Open: true})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		if st.Response.Status != models.StatusInProgress || st.Response.RoundID != round.ID {
			t.Errorf("started: got %+v", st.Response)
		}
		// Page 1 (I): answers 5,4,_,2,1; the perspective on the way.
		persp := "manager"
		p1 := models.Progress{Items: []int{0, 1, 2, 3, 4}, Perspective: &persp}
		p1.Answers[0], p1.Answers[1], p1.Answers[3], p1.Answers[4] = 5, 4, 2, 1
		if err := s.SaveProgress(ctx, st.Response.ID, p1); err != nil {
			t.Fatalf("save I: %v", err)
		}
		// Page 2 (C) all 3s, then page 1 again changes I1 to 3.
		p2 := models.Progress{Items: []int{5, 6, 7, 8, 9}}
		for i := 5; i < 10; i++ {
			p2.Answers[i] = 3
		}
		if err := s.SaveProgress(ctx, st.Response.ID, p2); err != nil {
			t.Fatalf("save C: %v", err)
		}
		p1b := models.Progress{Items: []int{0}}
		p1b.Answers[0] = 3
		if err := s.SaveProgress(ctx, st.Response.ID, p1b); err != nil {
			t.Fatalf("save I again: %v", err)
		}
		comment := "Zoë says: \"fewer handovers\", please —\nthanks"
		if err := s.SaveProgress(ctx, st.Response.ID, models.Progress{Comment: &comment}); err != nil {
			t.Fatalf("save comment: %v", err)
		}

		bad := models.Progress{Items: []int{10}}
		bad.Answers[10] = 6
		if err := s.SaveProgress(ctx, st.Response.ID, bad); err == nil {
			t.Error("answer 6 was accepted")
		}

		got, err := s.ResponseByResumeToken(ctx, st.ResumeToken)
		if err != nil {
			t.Fatalf("by resume token: %v", err)
		}
		want := scoring.Answers{3, 4, 0, 2, 1, 3, 3, 3, 3, 3}
		if got.Answers() != want {
			t.Errorf("answers: got %v want %v", got.Answers(), want)
		}
		if got.Perspective != "manager" || got.Comment != comment || got.InstrumentVersion != scoring.Version {
			t.Errorf("got perspective %q comment %q version %q", got.Perspective, got.Comment, got.InstrumentVersion)
		}
		if got.ResumeTokenHash == st.ResumeToken || got.ResumeTokenHash != models.HashToken(st.ResumeToken) {
			t.Error("the resume token must be stored only as its hash")
		}
		if _, err := s.ResponseByResumeToken(ctx, "not-a-token"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown token: got %v want ErrNotFound", err)
		}

		resultToken := models.NewToken()
		sub, err := s.SubmitWithResult(ctx, st.Response.ID, resultToken)
		if err != nil || !sub.Submitted() || sub.SubmittedAt == nil {
			t.Fatalf("submit: got %+v, %v", sub, err)
		}
		if _, err := s.Submit(ctx, st.Response.ID); !errors.Is(err, models.ErrSubmitted) {
			t.Errorf("second submit: got %v want ErrSubmitted", err)
		}
		if err := s.SaveProgress(ctx, st.Response.ID, p1b); !errors.Is(err, models.ErrSubmitted) {
			t.Errorf("save after submit: got %v want ErrSubmitted", err)
		}
		byResult, err := s.ResponseByResultToken(ctx, resultToken)
		if err != nil || byResult.ID != st.Response.ID || byResult.Answers() != want {
			t.Errorf("by result token: got %+v, %v", byResult, err)
		}
		n, err := s.CountResponses(ctx, round.ID, models.StatusSubmitted)
		if err != nil || n != 1 {
			t.Errorf("submitted count: got %d, %v want 1", n, err)
		}
	})
}

// TestCloseRemovesUnfinishedResponses: closing a round removes the
// responses nobody submitted (they can never be submitted now, and starts
// must not pile up), keeps the submitted ones, and says so in the audit log.
func TestCloseRemovesUnfinishedResponses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
		round, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
		if err != nil {
			t.Fatal(err)
		}
		var started []models.Started
		for range 3 {
			st, err := s.StartResponse(ctx, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			started = append(started, st)
		}
		p := models.Progress{Items: []int{0}}
		p.Answers[0] = 4
		if err := s.SaveProgress(ctx, started[0].Response.ID, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, started[2].Response.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CloseRound(ctx, models.CommandLine, round.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, started[0].Response.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("submit after close: got %v want ErrNotFound", err)
		}
		for _, st := range started[:2] {
			if _, err := s.ResponseByResumeToken(ctx, st.ResumeToken); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("unfinished response %d after the close: %v, want ErrNotFound", st.Response.ID, err)
			}
		}
		if got, err := s.ResponseByID(ctx, started[2].Response.ID); err != nil || !got.Submitted() {
			t.Errorf("the submitted response after the close: %+v, %v", got, err)
		}
		events, err := s.AuditEvents(ctx, 1)
		if err != nil || len(events) != 1 || !strings.Contains(events[0].Detail, "2 unfinished responses removed") {
			t.Errorf("audit of the close: %+v, %v", events, err)
		}
	})
}

// TestSignInAttemptsForgetTheOldOnes: each attempt forgets the attempts from
// before the window, so failed sign-ins cannot grow the table for ever.
func TestSignInAttemptsForgetTheOldOnes(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
			s := dbtest.Open(t, e, models.WithNow(func() time.Time { return now }))
			ctx := context.Background()
			for i := range 30 {
				if _, err := s.RecordSignInAttempt(ctx, now.Add(-15*time.Minute), "ip:192.0.2.1", "email:x"+strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			counts, err := s.SignInFailures(ctx, now.Add(-15*time.Minute), "ip:192.0.2.1", "email:x3", "email:nobody")
			if err != nil || counts["ip:192.0.2.1"] != 30 || counts["email:x3"] != 1 || len(counts) != 2 {
				t.Errorf("counts: %v, %v", counts, err)
			}
			now = now.Add(16 * time.Minute)
			ids, err := s.RecordSignInAttempt(ctx, now.Add(-15*time.Minute), "ip:192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if n, err := s.SignInRowsForTest(ctx); err != nil || n != 1 {
				t.Errorf("rows after the window: %d, %v want 1", n, err)
			}
			if err := s.ForgetSignInAttempts(ctx, ids); err != nil {
				t.Fatal(err)
			}
			if n, err := s.SignInRowsForTest(ctx); err != nil || n != 0 {
				t.Errorf("rows after taking the attempt back: %d, %v want 0", n, err)
			}
		})
	}
}

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

// TestSubmitByResumeToken: the comment page's Submit finds its response by
// the resume token inside the transaction: an unknown token submits
// nothing, the right one submits that response with its last page, a
// second call with the same result token (a second click) succeeds as
// already submitted, and any other is refused.
func TestSubmitByResumeToken(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
		if _, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true}); err != nil {
			t.Fatal(err)
		}
		other, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		comment := "by token"
		last := models.Progress{Items: []int{24}, Comment: &comment}
		last.Answers[24] = 2
		for _, tok := range []string{models.NewToken(), "not a token"} {
			if _, _, err := s.SaveAndSubmitByResumeToken(ctx, tok, last, models.NewToken()); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("unknown resume token %q: got %v want ErrNotFound", tok, err)
			}
		}
		result := models.NewToken()
		sub, already, err := s.SaveAndSubmitByResumeToken(ctx, st.ResumeToken, last, result)
		if err != nil || sub.ID != st.Response.ID || !sub.Submitted() || already {
			t.Fatalf("submit by token: %+v, already %v, %v; want response %d submitted now", sub, already, err, st.Response.ID)
		}
		got, err := s.ResponseByResultToken(ctx, result)
		if err != nil || got.ID != st.Response.ID || got.Comment != comment || got.Answers()[24] != 2 {
			t.Errorf("stored: %+v, %v", got, err)
		}
		if again, already, err := s.SaveAndSubmitByResumeToken(ctx, st.ResumeToken, last, result); err != nil || again.ID != st.Response.ID || !already {
			t.Errorf("the same submit again: %+v, already %v, %v; want its response, already submitted", again, already, err)
		}
		if _, _, err := s.SaveAndSubmitByResumeToken(ctx, st.ResumeToken, last, models.NewToken()); !errors.Is(err, models.ErrSubmitted) {
			t.Errorf("another submit: got %v want ErrSubmitted", err)
		}
		if o, err := s.ResponseByID(ctx, other.Response.ID); err != nil || o.Submitted() {
			t.Errorf("the other response: %+v, %v; want it in progress", o, err)
		}
	})
}

// TestResponseForStepReadsTheAnswersAsked: a key page's read brings that
// key's saved answers and no others; AllKeys brings every one; both bring
// the team's name and the round's keys.
func TestResponseForStepReadsTheAnswersAsked(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Night shift"})
		if _, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true, Keys: []int{0, 2}}); err != nil {
			t.Fatal(err)
		}
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		var p models.Progress
		var saved scoring.Answers
		for _, i := range []int{0, 4, 10, 14} { // I1, I5, A1, A5
			p.Items = append(p.Items, i)
			p.Answers[i], saved[i] = uint8(1+i%5), uint8(1+i%5)
		}
		if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
			t.Fatal(err)
		}
		for _, key := range []int{models.AllKeys, 0, 1, 2} {
			want := saved
			if key != models.AllKeys {
				want = scoring.Answers{}
				copy(want[key*scoring.ItemsPerKey:(key+1)*scoring.ItemsPerKey], saved[key*scoring.ItemsPerKey:])
			}
			u, err := s.ResponseForStep(ctx, st.ResumeToken, key)
			if err != nil || u.ID != st.Response.ID || u.Answers() != want || u.TeamName != "Night shift" || u.RoundKeys != "I,A" {
				t.Errorf("key %d: got %v %q %q, %v; want answers %v of Night shift, keys I,A", key, u.Answers(), u.TeamName, u.RoundKeys, err, want)
			}
		}
		if _, err := s.ResponseForStep(ctx, st.ResumeToken, scoring.NumKeys); err == nil {
			t.Error("a key past the last was read")
		}
	})
}

// TestSaveProgressByResumeToken: a page is saved by the resume token alone
// and comes back with its round's keys; answers to a key the round does not
// ask, a submitted response, an unknown token and a closed round's deleted
// response match nothing (ErrNotSaved) and change nothing.
func TestSaveProgressByResumeToken(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Night shift"})
		round, err := s.CreateRound(ctx, models.NewRound{Name: "Pulse", Open: true, Keys: []int{1, 4}})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		page := func(k int, v uint8) models.Progress {
			var p models.Progress
			for j := range scoring.ItemsPerKey {
				i := k*scoring.ItemsPerKey + j
				p.Items, p.Answers[i] = append(p.Items, i), v
			}
			return p
		}
		persp := "manager"
		for _, p := range []models.Progress{{Perspective: &persp}, page(1, 4), page(4, 2)} {
			if keys, err := s.SaveProgressByResumeToken(ctx, st.ResumeToken, p); err != nil || keys != "C,E" {
				t.Fatalf("save %v: got keys %q, %v; want C,E", p.Items, keys, err)
			}
		}
		r, _ := s.ResponseByID(ctx, st.Response.ID)
		if a := r.Answers(); r.Perspective != "manager" || a[5] != 4 || a[9] != 4 || a[20] != 2 || a.Answered() != 10 {
			t.Errorf("stored: %s, %v; want manager, C all 4, E all 2", r.Perspective, a)
		}
		notAsked := page(0, 5)
		notAsked.Items, notAsked.Answers[5] = append(notAsked.Items, 5), 1 // and one of C, which it asks
		if _, err := s.SaveProgressByResumeToken(ctx, st.ResumeToken, notAsked); !errors.Is(err, models.ErrNotSaved) {
			t.Errorf("answers to a key the round does not ask: got %v want ErrNotSaved", err)
		}
		for _, tok := range []string{models.NewToken(), "not a token"} {
			if _, err := s.SaveProgressByResumeToken(ctx, tok, page(1, 1)); !errors.Is(err, models.ErrNotSaved) {
				t.Errorf("unknown resume token %q: got %v want ErrNotSaved", tok, err)
			}
		}
		if _, err := s.SaveProgressByResumeToken(ctx, st.ResumeToken, models.Progress{Items: []int{99}}); err == nil || errors.Is(err, models.ErrNotSaved) {
			t.Errorf("an item past the last: got %v want a validation error", err)
		}
		if _, err := s.Submit(ctx, st.Response.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveProgressByResumeToken(ctx, st.ResumeToken, page(1, 1)); !errors.Is(err, models.ErrNotSaved) {
			t.Errorf("a submitted response: got %v want ErrNotSaved", err)
		}
		if got, _ := s.ResponseByID(ctx, st.Response.ID); got.Answers() != r.Answers() {
			t.Errorf("refused saves changed the answers: %v want %v", got.Answers(), r.Answers())
		}

		open, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CloseRound(ctx, models.CommandLine, round.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveProgressByResumeToken(ctx, open.ResumeToken, page(1, 3)); !errors.Is(err, models.ErrNotSaved) {
			t.Errorf("a response of a closed round: got %v want ErrNotSaved", err)
		}
	})
}

// TestSaveProgressKnowsTheKeysItsReplicaRead: a save answers with the keys
// its response's round asks as the start or a page's read on the same
// replica found them, without reading them again; a replica that has read
// neither reads them from the database. (The test changes a round's keys
// in the database behind the replicas' backs, which nothing in icare does,
// to see where each answer came from.)
func TestSaveProgressKnowsTheKeysItsReplicaRead(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			u := dbtest.URL(t, e)
			one, two, three := dbtest.OpenURL(t, u), dbtest.OpenURL(t, u), dbtest.OpenURL(t, u)
			team, _ := one.CreateTeam(ctx, models.NewTeam{Name: "Night shift"})
			round, err := one.CreateRound(ctx, models.NewRound{Name: "Pulse", Open: true, Keys: []int{1, 4}})
			if err != nil {
				t.Fatal(err)
			}
			st, err := one.StartResponse(ctx, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := three.ResponseForStep(ctx, st.ResumeToken, 1); err != nil {
				t.Fatal(err)
			}
			if err := one.SetRoundKeysForTest(ctx, round.ID, "A,C,E"); err != nil {
				t.Fatal(err)
			}
			// Each save gives other answers: MariaDB counts a row that an
			// UPDATE leaves as it was as not matched.
			page := func(v uint8) models.Progress {
				var p models.Progress
				for j := range scoring.ItemsPerKey {
					i := 4*scoring.ItemsPerKey + j
					p.Items, p.Answers[i] = append(p.Items, i), v
				}
				return p
			}
			for i, c := range []struct {
				name string
				s    *models.Store
				want string
			}{
				{"the replica that started it", one, "C,E"},
				{"a replica that read a page of it", three, "C,E"},
				{"a replica that knew nothing of it", two, "A,C,E"},
			} {
				if keys, err := c.s.SaveProgressByResumeToken(ctx, st.ResumeToken, page(uint8(1+i))); err != nil || keys != c.want {
					t.Errorf("%s: got keys %q, %v; want %q", c.name, keys, err, c.want)
				}
			}
			if r, _ := two.ResponseByID(ctx, st.Response.ID); r.Answers()[20] != 3 {
				t.Errorf("the saves stored %v; want E answered 3, by the last", r.Answers())
			}
		})
	}
}
