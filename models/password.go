package models

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MinPasswordLength is the shortest password an account may have.
const MinPasswordLength = 10

// PasswordTokenLifetime is how long a set-password link works.
const PasswordTokenLifetime = 7 * 24 * time.Hour

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

// Errors of passwords and sign-in.
var (
	// ErrTokenExpired is returned for a used or expired set-password link.
	ErrTokenExpired = errors.New("this link has expired or was used already; ask an admin for a new one")
)

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

// hashPassword checks pw against the rule and returns its bcrypt hash.
func (s *Store) hashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), s.passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// addPasswordToken stores the hash of a new set-password token of account
// userID inside tx.
func (s *Store) addPasswordToken(tx *gorm.DB, userID uint, token string) error {
	pt := PasswordToken{UserID: userID, TokenHash: HashToken(token), ExpiresAt: s.Now().Add(PasswordTokenLifetime)}
	if err := tx.Omit(clause.Associations).Create(&pt).Error; err != nil {
		return fmt.Errorf("store set-password link: %w", err)
	}
	return nil
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
		if err := tx.Model(&PasswordToken{}).Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", s.Now()).Error; err != nil {
			return err
		}
		if err := s.addPasswordToken(tx, userID, token); err != nil {
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
	if !wellFormedToken(token) {
		return User{}, fmt.Errorf("password link: %w", ErrNotFound)
	}
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
	if !wellFormedToken(token) {
		return User{}, fmt.Errorf("set password: %w", ErrNotFound)
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return User{}, err
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
		return s.setPassword(tx, u, hash, "set with a one-time link")
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
	hash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.setPassword(tx, u, hash, "changed by the account holder")
	})
	if err != nil {
		return fmt.Errorf("change password of user %d: %w", id, err)
	}
	return nil
}

// setPassword stores a new password hash for u inside tx. A new password
// ends every other session of the account.
func (s *Store) setPassword(tx *gorm.DB, u User, hash, how string) error {
	err := tx.Model(&User{}).Where("id = ?", u.ID).
		Updates(map[string]any{"password_hash": hash, "session_epoch": gorm.Expr("session_epoch + 1")}).Error
	if err != nil {
		return err
	}
	return s.audit(tx, Actor{ID: &u.ID, Email: u.Email}, "user.password", how)
}
