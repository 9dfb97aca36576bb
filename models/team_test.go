package models

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestHierarchy(t *testing.T) {
	id := func(n uint) *uint { return &n }
	teams := []Team{
		{ID: 1, Name: "Sales"},
		{ID: 2, Name: "Ops"},
		{ID: 3, Name: "Zulu desk", ParentID: id(2)},
		{ID: 4, Name: "Alpha desk", ParentID: id(2)},
		{ID: 5, Name: "Night shift", ParentID: id(4)},
		{ID: 6, Name: "Orphan", ParentID: id(99)}, // its parent is not listed
		{ID: 7, Name: "Loop A", ParentID: id(8)},  // a cycle, as bad data might hold
		{ID: 8, Name: "Loop B", ParentID: id(7)},
	}
	var got []string
	for _, p := range Hierarchy(teams) {
		got = append(got, strings.Repeat("  ", p.Depth)+strings.Join(p.Path, " / "))
	}
	want := []string{
		"Ops", "  Ops / Alpha desk", "    Ops / Alpha desk / Night shift", "  Ops / Zulu desk",
		"Orphan", "Sales",
		"Loop A", "  Loop A / Loop B",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hierarchy:\n got %q\nwant %q", got, want)
	}
}

func TestWellFormedToken(t *testing.T) {
	good := NewToken()
	for _, tc := range []struct {
		tok  string
		want bool
	}{
		{good, true},
		{good[:42], false},
		{good + "A", false},
		{strings.Repeat("A", 42) + "=", false},
		{strings.Repeat("A", 42) + "\x00", false},
		{strings.Repeat("é", 21) + "A", false},
		{"", false},
	} {
		if got := wellFormedToken(tc.tok); got != tc.want {
			t.Errorf("wellFormedToken(%q): got %v want %v", tc.tok, got, tc.want)
		}
	}
}

// TestMalformedTokensAreNotLookedUp: a token that NewToken cannot have made
// never reaches the database, on any engine. With the database closed, a
// malformed token is still simply not found, while a well-formed one shows
// that a query would have run.
func TestMalformedTokensAreNotLookedUp(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "icare.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	lookups := map[string]func(string) error{
		"invite":       func(tok string) error { _, err := s.TeamByInviteToken(ctx, tok); return err },
		"resume":       func(tok string) error { _, err := s.ResponseByResumeToken(ctx, tok); return err },
		"result":       func(tok string) error { _, err := s.ResponseByResultToken(ctx, tok); return err },
		"set password": func(tok string) error { _, err := s.PasswordTokenUser(ctx, tok); return err },
		"use password": func(tok string) error { _, err := s.UsePasswordToken(ctx, tok, "a good new password"); return err },
	}
	for name, lookup := range lookups {
		for _, bad := range []string{"", "\x00", "\xff\xfe", strings.Repeat("\x00", 43), NewToken()[:42], NewToken() + "x"} {
			if err := lookup(bad); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s %q: got %v want ErrNotFound without a query", name, bad, err)
			}
		}
		if err := lookup(NewToken()); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a well-formed token on a closed database: got %v want the query's error", name, err)
		}
	}
}
