package models_test

import (
	"context"
	"errors"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

// The survey by its resume token: the pages' reads, the saves and the
// submit that find their response by the token alone.

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
