package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// MaxNameLength bounds team and round names, in characters.
const MaxNameLength = 120

// Team is a group of respondents. A team may sit under a parent team; its
// invite token is the unguessable part of the link /t/{token}.
type Team struct {
	ID          uint       `gorm:"primaryKey"`
	Name        string     `gorm:"size:120;not null;uniqueIndex:idx_teams_name"`
	ParentID    *uint      `gorm:"index"`
	Parent      *Team      `gorm:"constraint:OnDelete:RESTRICT"`
	Headcount   *int       `gorm:"check:chk_teams_headcount,headcount >= 0"`
	InviteToken string     `gorm:"size:64;not null;uniqueIndex:idx_teams_invite_token"`
	ArchivedAt  *time.Time `gorm:""`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NewTeam is what it takes to create a team.
type NewTeam struct {
	Name      string
	ParentID  *uint
	Headcount *int
	// By is who creates the team, for the audit log (the command line when
	// empty).
	By Actor
}

// NewToken returns 256 random bits, URL-safe: for invite links, resume and
// result links.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return base64.RawURLEncoding.EncodeToString(b)
}

// wellFormedToken reports whether s could be a token of NewToken: 43
// URL-safe base64 characters. Anything else is not looked up at all.
func wellFormedToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// CleanName trims a name and checks it is non-empty and not too long.
func CleanName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", fmt.Errorf("%s name is empty", what)
	case utf8.RuneCountInString(name) > MaxNameLength:
		return "", fmt.Errorf("%s name is longer than %d characters", what, MaxNameLength)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return "", fmt.Errorf("%s name holds characters that are not text", what)
	}
	return name, nil
}

// CreateTeam adds a team with a fresh invite token.
func (s *Store) CreateTeam(ctx context.Context, nt NewTeam) (Team, error) {
	name, err := CleanName("team", nt.Name)
	if err != nil {
		return Team{}, err
	}
	if nt.Headcount != nil && *nt.Headcount < 0 {
		return Team{}, fmt.Errorf("team %q: headcount %d is negative", name, *nt.Headcount)
	}
	t := Team{Name: name, ParentID: nt.ParentID, Headcount: nt.Headcount, InviteToken: NewToken()}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if t.ParentID != nil {
			var parent Team
			if err := tx.First(&parent, *t.ParentID).Error; err != nil {
				return fmt.Errorf("parent team %d: %w", *t.ParentID, translate(err))
			}
		}
		if err := tx.Create(&t).Error; err != nil {
			return translate(err)
		}
		return s.audit(tx, actorOr(nt.By), "team.create", fmt.Sprintf("team %d “%s”", t.ID, name))
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return Team{}, fmt.Errorf("a team named %q exists already: %w", name, ErrConflict)
		}
		return Team{}, fmt.Errorf("create team %q: %w", name, err)
	}
	return t, nil
}

// Teams lists every team, archived ones too, ordered by name.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	var ts []Team
	if err := s.rdb.WithContext(ctx).Order("name").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return ts, nil
}

// Team returns one team by id.
func (s *Store) Team(ctx context.Context, id uint) (Team, error) {
	var t Team
	if err := s.rdb.WithContext(ctx).First(&t, id).Error; err != nil {
		return Team{}, fmt.Errorf("team %d: %w", id, translate(err))
	}
	return t, nil
}

// TeamByName returns one team by its exact name.
func (s *Store) TeamByName(ctx context.Context, name string) (Team, error) {
	var t Team
	if err := s.rdb.WithContext(ctx).Where("name = ?", strings.TrimSpace(name)).First(&t).Error; err != nil {
		return Team{}, fmt.Errorf("team %q: %w", name, translate(err))
	}
	return t, nil
}

// TeamByInviteToken returns the active team whose invite link carries token;
// an archived team's link no longer works.
func (s *Store) TeamByInviteToken(ctx context.Context, token string) (Team, error) {
	var t Team
	if !wellFormedToken(token) {
		return Team{}, fmt.Errorf("team by invite: %w", ErrNotFound)
	}
	err := s.rdb.WithContext(ctx).Where("invite_token = ? AND archived_at IS NULL", token).First(&t).Error
	if err != nil {
		return Team{}, fmt.Errorf("team by invite: %w", translate(err))
	}
	return t, nil
}

// TeamPath returns the chain of names from the top team down to the team
// with id, as PRODUCT.md §7's team_path wants it, given all teams by id.
func TeamPath(byID map[uint]Team, id uint) []string {
	var path []string
	seen := map[uint]bool{}
	for cur, ok := byID[id]; ok && !seen[cur.ID]; {
		seen[cur.ID] = true
		path = append([]string{cur.Name}, path...)
		if cur.ParentID == nil {
			break
		}
		cur, ok = byID[*cur.ParentID]
	}
	return path
}
