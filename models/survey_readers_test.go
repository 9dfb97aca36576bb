package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// TestSurveyReadsHaveReadersOfTheirOwn: on SQLite, a page of the survey
// reads on readers of its own, so leaders' exports holding every other
// reader do not keep it waiting; and when its own are all busy, its wait
// ends with the request's deadline, as a 503's cause, not later.
func TestSurveyReadsHaveReadersOfTheirOwn(t *testing.T) {
	s := dbtest.Open(t, dbtest.SQLite)
	ctx := context.Background()
	team, err := s.CreateTeam(ctx, models.NewTeam{Name: "Front desk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRound(ctx, models.NewRound{Name: "Spring", Open: true}); err != nil {
		t.Fatal(err)
	}
	st, err := s.StartResponse(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}

	release, err := s.HoldReadersForTest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held, cancel := context.WithTimeout(ctx, 5*time.Second)
	got, err := s.ResponseForStep(held, st.ResumeToken, models.AllKeys)
	cancel()
	release()
	if err != nil || got.ID != st.Response.ID || got.TeamName != "Front desk" {
		t.Fatalf("with the readers held: got %+v, %v; want response %d of Front desk", got, err, st.Response.ID)
	}

	open := s.FillSurveyGateForTest()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err = s.ResponseForStep(short, st.ResumeToken, models.AllKeys)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !models.Unavailable(err) {
		t.Errorf("with every survey reader busy: got %v, want the deadline (unavailable)", err)
	}
	open()
	if got, err := s.ResponseForStep(ctx, st.ResumeToken, models.AllKeys); err != nil || got.ID != st.Response.ID {
		t.Errorf("once a survey reader is free: got %+v, %v", got, err)
	}
}
