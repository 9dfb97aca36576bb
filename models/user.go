package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Roles.
const (
	RoleAdmin  = "admin"
	RoleLeader = "leader"
)

// User is a leader's or an admin's account. Respondents have none.
type User struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"size:254;not null;uniqueIndex:idx_users_email"`
	PasswordHash string `gorm:"size:255;not null"`
	Role         string `gorm:"size:16;not null;check:chk_users_role,role IN ('admin','leader')"`
	Active       bool   `gorm:"not null;default:true"`
	// SessionEpoch grows when the password changes or the account is
	// deactivated; a session made under an older epoch no longer works.
	SessionEpoch int64  `gorm:"not null;default:0"`
	Teams        []Team `gorm:"many2many:user_teams;constraint:OnDelete:CASCADE"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NewUser is what it takes to add an account.
type NewUser struct {
	Email   string
	Role    string
	TeamIDs []uint
	// Password is the account's first password. When it is empty the
	// account gets none that anyone knows, and CreateUser returns the token
	// of a one-time link that sets it.
	Password string
	// By is who adds the account, for the audit log (the command line when
	// empty).
	By Actor
}

// UserChange is an edit of an account's role, teams and status.
type UserChange struct {
	Role    string
	TeamIDs []uint
	Active  bool
}

// NormalizeEmail trims and lower-cases an address and checks its form.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || utf8.RuneCountInString(e) > 254 {
		return "", fmt.Errorf("%q is not an e-mail address", email)
	}
	return e, nil
}

func checkRole(role string) error {
	if role != RoleAdmin && role != RoleLeader {
		return fmt.Errorf("role %q: want admin or leader", role)
	}
	return nil
}

// CreateUser adds an account: with its password, or, when nu.Password is
// empty, with none that anyone knows and a one-time set-password link whose
// token it returns (an invitation). The admin pages and the command line
// both come here. A team named twice counts once.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, string, error) {
	email, err := NormalizeEmail(nu.Email)
	if err != nil {
		return User{}, "", err
	}
	if err := checkRole(nu.Role); err != nil {
		return User{}, "", err
	}
	password, token := nu.Password, ""
	if password == "" {
		// A random password nobody knows: the account cannot sign in until
		// the link sets a real one.
		password, token = NewToken()[:40], NewToken()
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return User{}, "", err
	}
	u := User{Email: email, PasswordHash: hash, Role: nu.Role, Active: true}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		teams, err := teamsByID(tx, nu.TeamIDs)
		if err != nil {
			return err
		}
		u.Teams = teams
		if err := tx.Omit("Teams.*").Create(&u).Error; err != nil {
			return translate(err)
		}
		if token != "" {
			if err := s.addPasswordToken(tx, u.ID, token); err != nil {
				return err
			}
		}
		return s.audit(tx, actorOr(nu.By), "user.add", fmt.Sprintf("%s as %s", email, nu.Role))
	})
	if errors.Is(err, ErrConflict) {
		err = fmt.Errorf("an account for %s exists already: %w", email, ErrConflict)
	}
	if err != nil {
		return User{}, "", fmt.Errorf("create user %s: %w", email, err)
	}
	return u, token, nil
}

// teamsByID loads the teams of ids, each once however often it is named;
// an id of no team is ErrNotFound.
func teamsByID(tx *gorm.DB, ids []uint) ([]Team, error) {
	unique := make([]uint, 0, len(ids))
	seen := make(map[uint]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	if len(unique) == 0 {
		return nil, nil
	}
	var teams []Team
	if err := tx.Find(&teams, unique).Error; err != nil {
		return nil, err
	}
	if len(teams) != len(unique) {
		return nil, fmt.Errorf("teams %v: %w", unique, ErrNotFound)
	}
	return teams, nil
}

// UpdateUser changes an account's role, teams and whether it is active. A
// deactivated account's sessions stop working at its next request.
func (s *Store) UpdateUser(ctx context.Context, by Actor, id uint, ch UserChange) (User, error) {
	if err := checkRole(ch.Role); err != nil {
		return User{}, err
	}
	var u User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Preload("Teams").First(&u, id).Error; err != nil {
			return err
		}
		teams, err := teamsByID(tx, ch.TeamIDs)
		if err != nil {
			return err
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

// Users lists every account with its teams, by e-mail.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	return list[User](ctx, s.rdb.Preload("Teams").Order("email"), "users")
}

// UserByID returns one account with its teams. It reads through the writer,
// so a request sees its own account as the last write left it.
func (s *Store) UserByID(ctx context.Context, id uint) (User, error) {
	return byID[User](ctx, s.db.Preload("Teams"), "user", id)
}

// UserByEmail returns one account by e-mail address.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	e := strings.ToLower(strings.TrimSpace(email))
	if err := s.rdb.WithContext(ctx).Preload("Teams").Where("email = ?", e).First(&u).Error; err != nil {
		return User{}, fmt.Errorf("user %s: %w", e, translate(err))
	}
	return u, nil
}

// EnsureAdmin creates an admin with email and password unless an account
// with that e-mail exists; it reports whether it created one.
func (s *Store) EnsureAdmin(ctx context.Context, email, password string) (bool, error) {
	_, err := s.UserByEmail(ctx, email)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	if password == "" {
		return false, errors.New("the admin's password is empty")
	}
	if _, _, err := s.CreateUser(ctx, NewUser{Email: email, Password: password, Role: RoleAdmin}); err != nil {
		if errors.Is(err, ErrConflict) {
			return false, nil // created meanwhile by another replica
		}
		return false, err
	}
	return true, nil
}
