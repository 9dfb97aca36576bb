package models

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

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
