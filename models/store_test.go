package models_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// forEachEngine runs f on a fresh database of every engine available.
func forEachEngine(t *testing.T, f func(t *testing.T, s *models.Store)) {
	for _, e := range dbtest.Engines(t) {
		// The lowest bcrypt cost keeps the tests that make accounts quick.
		t.Run(e.Name, func(t *testing.T) { f(t, dbtest.Open(t, e, models.WithPasswordCost(bcrypt.MinCost))) })
	}
}

func TestTeamsAndRounds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		hc := 12
		parent, err := s.CreateTeam(ctx, models.NewTeam{Name: "Customer Operations", Headcount: &hc})
		if err != nil {
			t.Fatalf("create parent: %v", err)
		}
		child, err := s.CreateTeam(ctx, models.NewTeam{Name: "  Contact Centre – Zoë's  ", ParentID: &parent.ID})
		if err != nil {
			t.Fatalf("create child: %v", err)
		}
		if child.Name != "Contact Centre – Zoë's" {
			t.Errorf("name: got %q want trimmed %q", child.Name, "Contact Centre – Zoë's")
		}
		if len(child.InviteToken) < 43 || child.InviteToken == parent.InviteToken {
			t.Errorf("invite tokens: got %q and %q, want two distinct 256-bit tokens", parent.InviteToken, child.InviteToken)
		}
		if _, err := s.CreateTeam(ctx, models.NewTeam{Name: "Customer Operations"}); !errors.Is(err, models.ErrConflict) {
			t.Errorf("duplicate team name: got %v want ErrConflict", err)
		}
		missing := uint(9999)
		if _, err := s.CreateTeam(ctx, models.NewTeam{Name: "Orphan", ParentID: &missing}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown parent: got %v want ErrNotFound", err)
		}

		got, err := s.TeamByInviteToken(ctx, child.InviteToken)
		if err != nil || got.ID != child.ID || got.ParentID == nil || *got.ParentID != parent.ID {
			t.Errorf("team by invite: got %+v, %v want child under parent", got, err)
		}
		teams, err := s.Teams(ctx)
		if err != nil || len(teams) != 2 {
			t.Fatalf("teams: got %d, %v want 2", len(teams), err)
		}
		if got := *teams[1].Headcount; teams[1].Name != "Customer Operations" || got != 12 {
			t.Errorf("headcount: got %s %d want Customer Operations 12", teams[1].Name, got)
		}

		if _, err := s.CurrentRound(ctx); !errors.Is(err, models.ErrNoOpenRound) {
			t.Errorf("current round on empty db: got %v want ErrNoOpenRound", err)
		}
		r1, err := s.CreateRound(ctx, models.NewRound{Name: "2027 Q1", Open: true})
		if err != nil {
			t.Fatalf("open round: %v", err)
		}
		if _, err := s.CreateRound(ctx, models.NewRound{Name: "2027 Q2", Open: true}); !errors.Is(err, models.ErrRoundOpen) {
			t.Errorf("second open round: got %v want ErrRoundOpen", err)
		}
		rounds, _ := s.Rounds(ctx)
		if len(rounds) != 1 {
			t.Errorf("a round refused at opening was kept as a draft: %+v", rounds)
		}
		cur, err := s.CurrentRound(ctx)
		if err != nil || cur.ID != r1.ID || cur.Status != models.RoundOpen {
			t.Errorf("current round: got %+v, %v want %d open", cur, err, r1.ID)
		}
		closed, err := s.CloseRound(ctx, models.CommandLine, r1.ID)
		if err != nil || closed.ID != r1.ID || closed.Status != models.RoundClosed || closed.ClosesAt == nil {
			t.Fatalf("close: got %+v, %v", closed, err)
		}
		stored, _ := s.Round(ctx, r1.ID)
		if _, err := s.CloseRound(ctx, models.CommandLine, r1.ID); err != nil {
			t.Errorf("closing a closed round again: %v", err)
		}
		if again, _ := s.Round(ctx, r1.ID); again.ClosesAt == nil || !again.ClosesAt.Equal(*stored.ClosesAt) {
			t.Errorf("closing a closed round again: got %v want it unchanged at %v", again.ClosesAt, stored.ClosesAt)
		}
		if _, err := s.CreateRound(ctx, models.NewRound{Name: "2027 Q1", Open: true}); !errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrRoundOpen) {
			t.Errorf("reused round name: got %v want ErrConflict", err)
		}

		// The admin pages' way: a draft first, opened later.
		draft, err := s.CreateRound(ctx, models.NewRound{Name: "2027 Q2"})
		if err != nil || draft.Status != models.RoundDraft || draft.OpensAt != nil {
			t.Fatalf("draft: got %+v, %v", draft, err)
		}
		if _, err := s.CloseRound(ctx, models.CommandLine, draft.ID); !errors.Is(err, models.ErrRoundNotOpen) {
			t.Errorf("closing a draft: got %v want ErrRoundNotOpen", err)
		}
		r2, err := s.OpenRound(ctx, models.CommandLine, draft.ID)
		if err != nil || r2.Status != models.RoundOpen || r2.OpensAt == nil {
			t.Fatalf("open the draft: got %+v, %v", r2, err)
		}
		if d, err := s.DefaultRound(ctx); err != nil || d.ID != r2.ID {
			t.Errorf("default round: got %+v, %v want open %d", d, err, r2.ID)
		}
		if _, err := s.OpenRound(ctx, models.CommandLine, r1.ID); !errors.Is(err, models.ErrRoundFinal) {
			t.Errorf("reopening a closed round: got %v want ErrRoundFinal", err)
		}
		if _, err := s.OpenRound(ctx, models.CommandLine, 9999); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("open an unknown round: got %v want ErrNotFound", err)
		}
		// The one audit log names every step.
		evs, _ := s.AuditEvents(ctx, 100)
		var actions []string
		for i := len(evs) - 1; i >= 0; i-- {
			actions = append(actions, evs[i].Action)
		}
		want := "team.create team.create round.create round.open round.close round.create round.open"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit: got %s want %s", got, want)
		}
	})
}

// TestOneOpenRoundInTheSchema checks that the database itself refuses a second
// open round, even when the Store's own check is bypassed.
func TestOneOpenRoundInTheSchema(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.CreateRound(ctx, models.NewRound{Name: "A", Open: true}); err != nil {
			t.Fatal(err)
		}
		one := int16(1)
		err := s.RawCreateForTest(ctx, &models.Round{Name: "B", Status: models.RoundOpen, OpenFlag: &one})
		if err == nil {
			t.Fatal("a second open round was stored; want the unique index to refuse it")
		}
		err = s.RawCreateForTest(ctx, &models.Round{Name: "C", Status: models.RoundOpen})
		if err == nil {
			t.Fatal("an open round without the flag was stored; want the check to refuse it")
		}
	})
}

func TestUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		team, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
		// A team named twice counts once, from the command line and the
		// admin pages alike.
		u, link, err := s.CreateUser(ctx, models.NewUser{Email: " Leader@Example.org ", Password: "correct horse battery", Role: models.RoleLeader, TeamIDs: []uint{team.ID, team.ID}})
		if err != nil || link != "" {
			t.Fatalf("create user: %v (link %q, want none with a password)", err, link)
		}
		if u.Email != "leader@example.org" || u.PasswordHash == "correct horse battery" || len(u.PasswordHash) < 50 {
			t.Errorf("user: got email %q hash %q", u.Email, u.PasswordHash)
		}
		got, err := s.UserByEmail(ctx, "LEADER@example.org")
		if err != nil || len(got.Teams) != 1 || got.Teams[0].ID != team.ID {
			t.Errorf("by email: got %+v, %v want one team", got, err)
		}
		for _, bad := range []models.NewUser{
			{Email: "not-an-address", Password: "long enough pw", Role: models.RoleAdmin},
			{Email: "a@example.org", Password: "short", Role: models.RoleAdmin},
			{Email: "a@example.org", Password: "long enough pw", Role: "owner"},
			{Email: "leader@example.org", Password: "long enough pw", Role: models.RoleAdmin},
		} {
			if _, _, err := s.CreateUser(ctx, bad); err == nil {
				t.Errorf("create %+v: want an error", bad)
			}
		}
		if _, _, err := s.CreateUser(ctx, models.NewUser{Email: "c@example.org", Role: models.RoleLeader, TeamIDs: []uint{team.ID, 9999}}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown team: got %v want ErrNotFound", err)
		}
		// Without a password: an invitation, whose link sets the first one.
		invited, token, err := s.CreateUser(ctx, models.NewUser{Email: "new@example.org", Role: models.RoleLeader, TeamIDs: []uint{team.ID, team.ID}})
		if err != nil || token == "" || len(invited.Teams) != 1 {
			t.Fatalf("invite: got %+v, %q, %v", invited, token, err)
		}
		if _, err := s.Authenticate(ctx, "new@example.org", ""); !errors.Is(err, models.ErrBadCredentials) {
			t.Errorf("an invited account signed in before setting a password: %v", err)
		}
		if _, err := s.UsePasswordToken(ctx, token, "my first password"); err != nil {
			t.Fatalf("set password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "new@example.org", "my first password"); err != nil {
			t.Errorf("sign in with the password the link set: %v", err)
		}
		created, err := s.EnsureAdmin(ctx, "admin@example.org", "an admin password")
		if err != nil || !created {
			t.Errorf("ensure admin: got %v, %v want created", created, err)
		}
		created, err = s.EnsureAdmin(ctx, "admin@example.org", "an admin password")
		if err != nil || created {
			t.Errorf("ensure admin twice: got %v, %v want not created", created, err)
		}
	})
}

func TestDemoSeedsOnceOnEmptyDatabase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		password, err := s.SeedDemo(ctx)
		if err != nil || password == "" {
			t.Fatalf("seed: got %q, %v", password, err)
		}
		if _, err := s.Authenticate(ctx, models.DemoEmail, password); err != nil {
			t.Errorf("demo login: %v", err)
		}
		teams, _ := s.Teams(ctx)
		rounds, _ := s.Rounds(ctx)
		if len(teams) < 5 || len(rounds) != 3 {
			t.Fatalf("demo: got %d teams and %d rounds, want ≥5 and 3", len(teams), len(rounds))
		}
		// The loop of a plan and a pulse round: the plan is made on the
		// first round, the pulse round asks its key.
		if !rounds[1].Pulse() || rounds[1].Keys != "E" || rounds[1].Status != models.RoundClosed {
			t.Errorf("demo pulse round: %+v", rounds[1])
		}
		if plans, err := s.Plans(ctx); err != nil || len(plans) != 1 || plans[0].RoundID != rounds[2].ID || plans[0].FocusKeys != "E" {
			t.Errorf("demo plan: %+v, %v", plans, err)
		}
		var children int
		for _, tm := range teams {
			if tm.ParentID != nil {
				children++
			}
		}
		if children == 0 {
			t.Error("demo has no child teams")
		}
		var submitted int64
		for _, r := range rounds {
			n, err := s.CountResponses(ctx, r.ID, models.StatusSubmitted)
			if err != nil {
				t.Fatal(err)
			}
			submitted += n
		}
		if submitted < 200 {
			t.Errorf("demo submitted responses: got %d want a few hundred", submitted)
		}
		again, err := s.SeedDemo(ctx)
		if err != nil || again != "" {
			t.Errorf("second seed: got %v, %v want no seeding", again, err)
		}
		teams2, _ := s.Teams(ctx)
		if len(teams2) != len(teams) {
			t.Errorf("teams after second seed: got %d want %d", len(teams2), len(teams))
		}
	})
}

func TestBackupWhileOpen(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t, dbtest.SQLite)
	if _, err := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, path); err != nil {
		t.Fatalf("backup: %v", err)
	}
	cp, err := models.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	teams, err := cp.Teams(ctx)
	if err != nil || len(teams) != 1 || teams[0].Name != "Sales" {
		t.Errorf("backup holds %+v, %v want the one team", teams, err)
	}
}

func TestInjectedClock(t *testing.T) {
	fixed := time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC)
	s := dbtest.Open(t, dbtest.SQLite, models.WithNow(func() time.Time { return fixed }))
	r, err := s.CreateRound(context.Background(), models.NewRound{Name: "R", Open: true})
	if err != nil || r.OpensAt == nil || !r.OpensAt.Equal(fixed) {
		t.Errorf("opens at: got %v, %v want %v", r.OpensAt, err, fixed)
	}
}

func TestBrokenTokensAndNamesNeverReachTheDatabase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for _, tok := range []string{"", "\x00", "\xff\xfe", strings.Repeat("\x00", 43)} {
			if _, err := s.TeamByInviteToken(ctx, tok); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("token %q: got %v want ErrNotFound", tok, err)
			}
			if _, err := s.ResponseByResumeToken(ctx, tok); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("resume %q: got %v want ErrNotFound", tok, err)
			}
		}
		for _, name := range []string{"a\x00b", "bad \xff", "tab\tname"} {
			if _, err := s.CreateTeam(ctx, models.NewTeam{Name: name}); err == nil || errors.Is(err, models.ErrConflict) {
				t.Errorf("team name %q: got %v want a validation error", name, err)
			}
		}
		// Full UTF-8 is stored and read back intact.
		name := "Zoë's Кол-центр 🙂"
		team, err := s.CreateTeam(ctx, models.NewTeam{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Team(ctx, team.ID)
		if err != nil || got.Name != name {
			t.Errorf("name round trip: got %q, %v", got.Name, err)
		}
	})
}
