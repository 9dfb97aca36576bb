package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
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
