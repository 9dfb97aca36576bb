package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Team is a group of respondents. A team may sit under a parent team; its
// invite token is the unguessable part of the link /t/{token}.
type Team struct {
	ID          uint   `gorm:"primaryKey"`
	Name        string `gorm:"size:120;not null;uniqueIndex:idx_teams_name"`
	ParentID    *uint  `gorm:"index"`
	Parent      *Team  `gorm:"constraint:OnDelete:RESTRICT"`
	Headcount   *int   `gorm:"check:chk_teams_headcount,headcount >= 0"`
	InviteToken string `gorm:"size:64;not null;uniqueIndex:idx_teams_invite_token"`
	// Access is AccessLink or AccessCodes: how members reach the survey.
	Access     string     `gorm:"size:8;not null;default:link"`
	ArchivedAt *time.Time `gorm:""`
	CreatedAt  time.Time
	UpdatedAt  time.Time
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

// TeamChange is an edit of a team's name, parent and headcount.
type TeamChange struct {
	Name      string
	ParentID  *uint
	Headcount *int
}

// ErrTeamCycle is returned when a team would move under itself.
var ErrTeamCycle = errors.New("a team cannot sit under itself or one of its own sub-teams")

// checkTeam cleans a team's name and checks its headcount: the rules of
// creating and of editing a team.
func checkTeam(name string, headcount *int) (string, error) {
	name, err := CleanName("team", name)
	if err != nil {
		return "", err
	}
	if headcount != nil && *headcount < 0 {
		return "", fmt.Errorf("team %q: headcount %d is negative", name, *headcount)
	}
	return name, nil
}

// teamNameTaken turns the unique index's refusal into a sentence.
func teamNameTaken(name string, err error) error {
	if errors.Is(err, ErrConflict) {
		return fmt.Errorf("a team named %q exists already: %w", name, ErrConflict)
	}
	return err
}

// CreateTeam adds a team with a fresh invite token: for the admin pages and
// the command line alike.
func (s *Store) CreateTeam(ctx context.Context, nt NewTeam) (Team, error) {
	name, err := checkTeam(nt.Name, nt.Headcount)
	if err != nil {
		return Team{}, err
	}
	t := Team{Name: name, ParentID: nt.ParentID, Headcount: nt.Headcount, InviteToken: NewToken(), Access: AccessLink}
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
		return Team{}, fmt.Errorf("create team %q: %w", name, teamNameTaken(name, err))
	}
	return t, nil
}

// UpdateTeam renames a team, moves it under another parent (never under
// itself or one of its descendants) and sets its headcount.
func (s *Store) UpdateTeam(ctx context.Context, by Actor, id uint, ch TeamChange) (Team, error) {
	name, err := checkTeam(ch.Name, ch.Headcount)
	if err != nil {
		return Team{}, err
	}
	var t Team
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&t, id).Error; err != nil {
			return err
		}
		if ch.ParentID != nil {
			if err := checkParent(tx, id, *ch.ParentID); err != nil {
				return err
			}
		}
		before := describeTeam(t)
		t.Name, t.ParentID, t.Headcount = name, ch.ParentID, ch.Headcount
		if err := tx.Model(&t).Select("name", "parent_id", "headcount", "updated_at").Updates(&t).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "team.update", fmt.Sprintf("team %d: %s → %s", id, before, describeTeam(t)))
	})
	if err != nil {
		return Team{}, fmt.Errorf("update team %d: %w", id, teamNameTaken(name, translate(err)))
	}
	return t, nil
}

// checkParent checks that team id may move under parent: the parent exists
// and is neither the team nor one of its descendants.
func checkParent(tx *gorm.DB, id, parent uint) error {
	var all []Team
	if err := tx.Find(&all).Error; err != nil {
		return err
	}
	byID := make(map[uint]Team, len(all))
	for _, x := range all {
		byID[x.ID] = x
	}
	p, ok := byID[parent]
	if !ok {
		return fmt.Errorf("parent team %d: %w", parent, ErrNotFound)
	}
	// Walk up from the new parent; meeting the team itself is a cycle.
	for steps := 0; ok && steps <= len(all); steps++ {
		if p.ID == id {
			return ErrTeamCycle
		}
		if p.ParentID == nil {
			break
		}
		p, ok = byID[*p.ParentID]
	}
	return nil
}

// describeTeam is a team's editable fields as the audit log shows them.
func describeTeam(t Team) string {
	parent, headcount := "none", "unknown"
	if t.ParentID != nil {
		parent = fmt.Sprint(*t.ParentID)
	}
	if t.Headcount != nil {
		headcount = fmt.Sprint(*t.Headcount)
	}
	return fmt.Sprintf("“%s” parent %s headcount %s", t.Name, parent, headcount)
}

// ArchiveTeam archives (or restores) a team. An archived team's link stops
// working; its past responses and results stay.
func (s *Store) ArchiveTeam(ctx context.Context, by Actor, id uint, archived bool) (Team, error) {
	var t Team
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&t, id).Error; err != nil {
			return err
		}
		var at *time.Time
		action := "team.restore"
		if archived {
			now := s.Now()
			at, action = &now, "team.archive"
		}
		if err := tx.Model(&t).Update("archived_at", at).Error; err != nil {
			return err
		}
		t.ArchivedAt = at
		return s.audit(tx, by, action, fmt.Sprintf("team %d “%s”", id, t.Name))
	})
	if err != nil {
		return Team{}, fmt.Errorf("archive team %d: %w", id, translate(err))
	}
	return t, nil
}

// RegenerateInvite gives a team a new invite token; the old link stops
// working at once.
func (s *Store) RegenerateInvite(ctx context.Context, by Actor, id uint) (Team, error) {
	var t Team
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&t, id).Error; err != nil {
			return err
		}
		t.InviteToken = NewToken()
		if err := tx.Model(&t).Update("invite_token", t.InviteToken).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "team.invite", fmt.Sprintf("team %d “%s”: new invite link", id, t.Name))
	})
	if err != nil {
		return Team{}, fmt.Errorf("new invite for team %d: %w", id, translate(err))
	}
	return t, nil
}

// Teams lists every team, archived ones too, ordered by name.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	return list[Team](ctx, s.rdb.Order("name"), "teams")
}

// Team returns one team by id.
func (s *Store) Team(ctx context.Context, id uint) (Team, error) {
	var t Team
	if err := s.readByID(ctx, "team", "teams", teamColumns, id, t.fields()...); err != nil {
		return Team{}, err
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
	err := s.readRow(ctx, "SELECT "+teamColumns+" FROM teams WHERE invite_token = ? AND archived_at IS NULL", []any{token}, t.fields()...)
	if err != nil {
		return Team{}, fmt.Errorf("team by invite: %w", translate(err))
	}
	return t, nil
}

// Placed is a team at its place in the hierarchy.
type Placed struct {
	Team
	// Path is the chain of names from the top team down to this one.
	Path []string
	// Depth is 0 for a top-level team.
	Depth int
}

// Hierarchy orders teams as every list of teams shows them: each parent
// before its children, siblings by name, each with its path of names from
// the top team down (the CSV files' team_path). A team whose parent is not
// among teams counts as top-level. As a guard against bad data, teams that
// no top-level team reaches (a cycle and what hangs below it) are placed
// last, each from the first of them by name, so every team is listed once.
func Hierarchy(teams []Team) []Placed {
	listed := make(map[uint]bool, len(teams))
	for _, t := range teams {
		listed[t.ID] = true
	}
	children := map[uint][]Team{}
	var tops []Team
	for _, t := range teams {
		if t.ParentID != nil && listed[*t.ParentID] {
			children[*t.ParentID] = append(children[*t.ParentID], t)
		} else {
			tops = append(tops, t)
		}
	}
	out := make([]Placed, 0, len(teams))
	done := make(map[uint]bool, len(teams))
	var walk func(ts []Team, depth int, path []string)
	walk = func(ts []Team, depth int, path []string) {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
		for _, t := range ts {
			if done[t.ID] {
				continue
			}
			done[t.ID] = true
			p := append(append(make([]string, 0, len(path)+1), path...), t.Name)
			out = append(out, Placed{Team: t, Path: p, Depth: depth})
			walk(children[t.ID], depth+1, p)
		}
	}
	walk(tops, 0, nil)
	if len(out) < len(teams) {
		var rest []Team
		for _, t := range teams {
			if !done[t.ID] {
				rest = append(rest, t)
			}
		}
		walk(rest, 0, nil)
	}
	return out
}
