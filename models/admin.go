package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TeamChange is an edit of a team's name, parent and headcount.
type TeamChange struct {
	Name      string
	ParentID  *uint
	Headcount *int
}

// UpdateTeam renames a team, moves it under another parent (never under
// itself or one of its descendants) and sets its headcount.
func (s *Store) UpdateTeam(ctx context.Context, by Actor, id uint, ch TeamChange) (Team, error) {
	name, err := CleanName("team", ch.Name)
	if err != nil {
		return Team{}, err
	}
	if ch.Headcount != nil && *ch.Headcount < 0 {
		return Team{}, fmt.Errorf("headcount %d is negative", *ch.Headcount)
	}
	var t Team
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&t, id).Error; err != nil {
			return err
		}
		if ch.ParentID != nil {
			var all []Team
			if err := tx.Find(&all).Error; err != nil {
				return err
			}
			byID := map[uint]Team{}
			for _, x := range all {
				byID[x.ID] = x
			}
			if _, ok := byID[*ch.ParentID]; !ok {
				return fmt.Errorf("parent team %d: %w", *ch.ParentID, ErrNotFound)
			}
			// Walk up from the new parent; meeting the team itself is a cycle.
			for p, ok, steps := byID[*ch.ParentID], true, 0; ok && steps <= len(all); steps++ {
				if p.ID == id {
					return ErrTeamCycle
				}
				if p.ParentID == nil {
					break
				}
				p, ok = byID[*p.ParentID]
			}
		}
		before := fmt.Sprintf("“%s” parent %s headcount %s", t.Name, fmtUintPtr(t.ParentID), fmtIntPtr(t.Headcount))
		t.Name, t.ParentID, t.Headcount = name, ch.ParentID, ch.Headcount
		if err := tx.Model(&t).Select("name", "parent_id", "headcount", "updated_at").Updates(&t).Error; err != nil {
			return err
		}
		after := fmt.Sprintf("“%s” parent %s headcount %s", t.Name, fmtUintPtr(t.ParentID), fmtIntPtr(t.Headcount))
		return s.audit(tx, by, "team.update", fmt.Sprintf("team %d: %s → %s", id, before, after))
	})
	if err != nil {
		err = translate(err)
		if errors.Is(err, ErrConflict) {
			return Team{}, fmt.Errorf("a team named %q exists already: %w", name, ErrConflict)
		}
		return Team{}, fmt.Errorf("update team %d: %w", id, err)
	}
	return t, nil
}

// ErrTeamCycle is returned when a team would move under itself.
var ErrTeamCycle = errors.New("a team cannot sit under itself or one of its own sub-teams")

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

// CreateRound adds a round in draft, to be opened later.
func (s *Store) CreateRound(ctx context.Context, by Actor, name string) (Round, error) {
	name, err := CleanName("round", name)
	if err != nil {
		return Round{}, err
	}
	r := Round{Name: name, Status: RoundDraft}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "round.create", fmt.Sprintf("round %d “%s”", r.ID, name))
	})
	if err != nil {
		err = translate(err)
		if errors.Is(err, ErrConflict) {
			return Round{}, fmt.Errorf("a round named %q exists already: %w", name, ErrConflict)
		}
		return Round{}, fmt.Errorf("create round %q: %w", name, err)
	}
	return r, nil
}

// SetRoundStatus opens or closes round id. Opening fails with ErrRoundOpen
// while another round is open; a closed round may be reopened.
func (s *Store) SetRoundStatus(ctx context.Context, by Actor, id uint, status string) (Round, error) {
	if status != RoundOpen && status != RoundClosed {
		return Round{}, fmt.Errorf("round status %q: want open or closed", status)
	}
	var r Round
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&r, id).Error; err != nil {
			return err
		}
		if r.Status == status {
			return nil
		}
		now := s.Now()
		updates := map[string]any{"status": status, "updated_at": now}
		if status == RoundOpen {
			var n int64
			if err := tx.Model(&Round{}).Where("status = ? AND id <> ?", RoundOpen, id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return ErrRoundOpen
			}
			updates["open_flag"], updates["opens_at"], updates["closes_at"] = 1, now, nil
		} else {
			updates["open_flag"], updates["closes_at"] = nil, now
		}
		if err := tx.Model(&Round{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.First(&r, id).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "round."+map[string]string{RoundOpen: "open", RoundClosed: "close"}[status], fmt.Sprintf("round %d “%s”", id, r.Name))
	})
	if err != nil {
		return Round{}, fmt.Errorf("set round %d %s: %w", id, status, translate(err))
	}
	return r, nil
}

// Users lists every account with its teams, by e-mail.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var us []User
	if err := s.rdb.WithContext(ctx).Preload("Teams").Order("email").Find(&us).Error; err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// UserByID returns one account with its teams. It reads through the writer,
// so a request sees its own account as the last write left it.
func (s *Store) UserByID(ctx context.Context, id uint) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).Preload("Teams").First(&u, id).Error; err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, translate(err))
	}
	return u, nil
}

// UserChange is an edit of an account's role, teams and status.
type UserChange struct {
	Role    string
	TeamIDs []uint
	Active  bool
}

// UpdateUser changes an account's role, teams and whether it is active. A
// deactivated account's sessions stop working at its next request.
func (s *Store) UpdateUser(ctx context.Context, by Actor, id uint, ch UserChange) (User, error) {
	if ch.Role != RoleAdmin && ch.Role != RoleLeader {
		return User{}, fmt.Errorf("role %q: want admin or leader", ch.Role)
	}
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Preload("Teams").First(&u, id).Error; err != nil {
			return err
		}
		var teams []Team
		if len(ch.TeamIDs) > 0 {
			if err := tx.Find(&teams, ch.TeamIDs).Error; err != nil {
				return err
			}
			if len(teams) != len(uniqueUints(ch.TeamIDs)) {
				return fmt.Errorf("teams %v: %w", ch.TeamIDs, ErrNotFound)
			}
		}
		updates := map[string]any{"role": ch.Role, "active": ch.Active, "updated_at": s.Now()}
		if !ch.Active {
			// Ending every session: reactivating later does not revive them.
			updates["session_epoch"] = gorm.Expr("session_epoch + 1")
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return err
		}
		if err := tx.Model(&u).Association("Teams").Replace(teams); err != nil {
			return err
		}
		u.Role, u.Active, u.Teams = ch.Role, ch.Active, teams
		names := make([]string, len(teams))
		for i, t := range teams {
			names[i] = t.Name
		}
		return s.audit(tx, by, "user.update", fmt.Sprintf("%s: role %s, active %v, teams [%s]", u.Email, ch.Role, ch.Active, strings.Join(names, ", ")))
	})
	if err != nil {
		return User{}, fmt.Errorf("update user %d: %w", id, translate(err))
	}
	return u, nil
}

// PasswordToken is a one-time link to set an account's password, stored as a
// hash; it expires after PasswordTokenLifetime.
type PasswordToken struct {
	ID        uint      `gorm:"primaryKey"`
	UserID    uint      `gorm:"not null;index"`
	User      *User     `gorm:"constraint:OnDelete:CASCADE"`
	TokenHash string    `gorm:"size:64;not null;uniqueIndex:idx_password_tokens_hash"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

// PasswordTokenLifetime is how long a set-password link works.
const PasswordTokenLifetime = 7 * 24 * time.Hour

// ErrTokenExpired is returned for a used or expired set-password link.
var ErrTokenExpired = errors.New("this link has expired or was used already; ask an admin for a new one")

// InviteUser creates an account without a usable password and returns the
// one-time token of its set-password link.
func (s *Store) InviteUser(ctx context.Context, by Actor, email, role string, teamIDs []uint) (User, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, "", err
	}
	if role != RoleAdmin && role != RoleLeader {
		return User{}, "", fmt.Errorf("role %q: want admin or leader", role)
	}
	// A random password nobody knows, hashed: the account cannot sign in
	// until the link sets a real one.
	hash, err := bcrypt.GenerateFromPassword([]byte(NewToken()[:40]), bcrypt.DefaultCost)
	if err != nil {
		return User{}, "", fmt.Errorf("hash: %w", err)
	}
	u := User{Email: e, PasswordHash: string(hash), Role: role, Active: true}
	token := NewToken()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(teamIDs) > 0 {
			if err := tx.Find(&u.Teams, teamIDs).Error; err != nil {
				return err
			}
			if len(u.Teams) != len(uniqueUints(teamIDs)) {
				return fmt.Errorf("teams %v: %w", teamIDs, ErrNotFound)
			}
		}
		if err := tx.Omit("Teams.*").Create(&u).Error; err != nil {
			return err
		}
		pt := PasswordToken{UserID: u.ID, TokenHash: HashToken(token), ExpiresAt: s.Now().Add(PasswordTokenLifetime)}
		if err := tx.Omit(clause.Associations).Create(&pt).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "user.add", fmt.Sprintf("%s as %s", e, role))
	})
	if err != nil {
		err = translate(err)
		if errors.Is(err, ErrConflict) {
			return User{}, "", fmt.Errorf("an account for %s exists already: %w", e, ErrConflict)
		}
		return User{}, "", fmt.Errorf("invite %s: %w", e, err)
	}
	return u, token, nil
}

// NewPasswordLink retires the account's unused set-password links and makes
// a new one, for an invitation that expired or a forgotten password.
func (s *Store) NewPasswordLink(ctx context.Context, by Actor, userID uint) (string, error) {
	token := NewToken()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			return err
		}
		now := s.Now()
		if err := tx.Model(&PasswordToken{}).Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", now).Error; err != nil {
			return err
		}
		pt := PasswordToken{UserID: userID, TokenHash: HashToken(token), ExpiresAt: now.Add(PasswordTokenLifetime)}
		if err := tx.Omit(clause.Associations).Create(&pt).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "user.password_link", u.Email+": new set-password link")
	})
	if err != nil {
		return "", fmt.Errorf("new password link for user %d: %w", userID, translate(err))
	}
	return token, nil
}

// PasswordTokenUser returns the account a valid set-password token is for.
func (s *Store) PasswordTokenUser(ctx context.Context, token string) (User, error) {
	var pt PasswordToken
	err := s.db.WithContext(ctx).Where("token_hash = ?", HashToken(token)).First(&pt).Error
	if err != nil {
		return User{}, fmt.Errorf("password link: %w", translate(err))
	}
	if pt.UsedAt != nil || !s.Now().Before(pt.ExpiresAt) {
		return User{}, ErrTokenExpired
	}
	return s.UserByID(ctx, pt.UserID)
}

// UsePasswordToken sets the password of the token's account, once.
func (s *Store) UsePasswordToken(ctx context.Context, token, password string) (User, error) {
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	var u User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var pt PasswordToken
		if err := tx.Where("token_hash = ?", HashToken(token)).First(&pt).Error; err != nil {
			return err
		}
		now := s.Now()
		res := tx.Model(&PasswordToken{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", pt.ID, now).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrTokenExpired
		}
		if err := tx.First(&u, pt.UserID).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": string(hash), "session_epoch": gorm.Expr("session_epoch + 1")}).Error; err != nil {
			return err
		}
		return s.audit(tx, Actor{ID: &u.ID, Email: u.Email}, "user.password", "set with a one-time link")
	})
	if err != nil {
		return User{}, fmt.Errorf("set password: %w", translate(err))
	}
	return u, nil
}

// ChangePassword sets a new password for an account that knows its current one.
func (s *Store) ChangePassword(ctx context.Context, id uint, current, next string) error {
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return ErrBadCredentials
	}
	if err := CheckPassword(next); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A new password ends every other session of the account.
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": string(hash), "session_epoch": gorm.Expr("session_epoch + 1")}).Error; err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		return s.audit(tx, Actor{ID: &u.ID, Email: u.Email}, "user.password", "changed by the account holder")
	})
}

// ErrBadCredentials is returned for a wrong e-mail or password, without
// saying which.
var ErrBadCredentials = errors.New("the e-mail address or the password is not right")

// dummyHash is compared against when no account matches, so that a sign-in
// takes as long whether or not the e-mail exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("icare timing equaliser"), bcrypt.DefaultCost)

// Authenticate returns the active account with email and password, or
// ErrBadCredentials.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	hash := dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if err != nil || !ok || !u.Active {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

func uniqueUints(ids []uint) map[uint]bool {
	m := make(map[uint]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func fmtUintPtr(p *uint) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func fmtIntPtr(p *int) string {
	if p == nil {
		return "unknown"
	}
	return fmt.Sprint(*p)
}
