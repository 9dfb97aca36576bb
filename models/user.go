package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Roles.
const (
	RoleAdmin  = "admin"
	RoleLeader = "leader"
)

// MinPasswordLength is the shortest password an account may have.
const MinPasswordLength = 10

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

// NewUser is what it takes to create an account.
type NewUser struct {
	Email    string
	Password string
	Role     string
	TeamIDs  []uint
	// By is who adds the account, for the audit log (the command line when
	// empty).
	By Actor
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

// CheckPassword states the password rule: at least MinPasswordLength
// characters and at most 72 bytes (bcrypt's limit).
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return fmt.Errorf("the password needs at least %d characters", MinPasswordLength)
	}
	if len(pw) > 72 {
		return errors.New("the password is longer than 72 bytes")
	}
	return nil
}

// CreateUser adds an account with a bcrypt hash of its password.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	email, err := NormalizeEmail(nu.Email)
	if err != nil {
		return User{}, err
	}
	if nu.Role != RoleAdmin && nu.Role != RoleLeader {
		return User{}, fmt.Errorf("role %q: want admin or leader", nu.Role)
	}
	if err := CheckPassword(nu.Password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u := User{Email: email, PasswordHash: string(hash), Role: nu.Role, Active: true}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(nu.TeamIDs) > 0 {
			if err := tx.Find(&u.Teams, nu.TeamIDs).Error; err != nil {
				return err
			}
			if len(u.Teams) != len(nu.TeamIDs) {
				return fmt.Errorf("teams %v: %w", nu.TeamIDs, ErrNotFound)
			}
		}
		if err := tx.Omit("Teams.*").Create(&u).Error; err != nil {
			return err
		}
		return s.audit(tx, actorOr(nu.By), "user.add", fmt.Sprintf("%s as %s", email, nu.Role))
	})
	if err != nil {
		err = translate(err)
		if errors.Is(err, ErrConflict) {
			return User{}, fmt.Errorf("an account for %s exists already: %w", email, ErrConflict)
		}
		return User{}, fmt.Errorf("create user %s: %w", email, err)
	}
	return u, nil
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
	if _, err := s.CreateUser(ctx, NewUser{Email: email, Password: password, Role: RoleAdmin}); err != nil {
		if errors.Is(err, ErrConflict) {
			return false, nil // created meanwhile by another replica
		}
		return false, err
	}
	return true, nil
}
