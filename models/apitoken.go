package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// APIToken is a personal token for the read-only JSON API: it acts as its
// account, sees what the account sees, and ends when it is revoked (its row
// is deleted) or the account is deactivated. Only the token's SHA-256 hash
// is stored: a token is 256 random bits, so a fast hash is as safe as a slow
// one, and no copy of the database opens the API.
type APIToken struct {
	ID         uint   `gorm:"primaryKey"`
	UserID     uint   `gorm:"not null;index"`
	User       *User  `gorm:"constraint:OnDelete:CASCADE"`
	Name       string `gorm:"size:120;not null"`
	TokenHash  string `gorm:"size:64;not null;uniqueIndex:idx_api_tokens_hash"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// apiTokenPrefix marks icare's tokens, so that secret scanners and people
// can tell them apart.
const apiTokenPrefix = "icare_"

// lastUseStep is how stale LastUsedAt may be: a token used many times a
// minute writes its time once a minute.
const lastUseStep = time.Minute

// ErrBadAPIToken is returned for a token that is unknown, revoked, or whose
// account is deactivated.
var ErrBadAPIToken = errors.New("the API token is not valid")

// CreateAPIToken makes a token named name for account userID and returns it
// in clear, the only time it is seen.
func (s *Store) CreateAPIToken(ctx context.Context, userID uint, name string) (string, APIToken, error) {
	name, err := CleanName("token", name)
	if err != nil {
		return "", APIToken{}, err
	}
	token := apiTokenPrefix + NewToken()
	t := APIToken{UserID: userID, Name: name, TokenHash: HashToken(token), CreatedAt: s.Now()}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			return err
		}
		if err := tx.Omit("User").Create(&t).Error; err != nil {
			return err
		}
		return s.audit(tx, Actor{ID: &u.ID, Email: u.Email}, "token.create", fmt.Sprintf("%s: API token %d “%s”", u.Email, t.ID, name))
	})
	if err != nil {
		return "", APIToken{}, fmt.Errorf("create API token: %w", translate(err))
	}
	return token, t, nil
}

// APITokens lists an account's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID uint) ([]APIToken, error) {
	return list[APIToken](ctx, s.rdb.Where("user_id = ?", userID).Order("id DESC"), "API tokens")
}

// RevokeAPIToken deletes token id of account userID: it stops working at
// once. A token of another account is ErrNotFound.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id uint) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t APIToken
		if err := tx.Where("id = ? AND user_id = ?", id, userID).First(&t).Error; err != nil {
			return err
		}
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			return err
		}
		if err := tx.Delete(&t).Error; err != nil {
			return err
		}
		return s.audit(tx, Actor{ID: &u.ID, Email: u.Email}, "token.revoke", fmt.Sprintf("%s: API token %d “%s”", u.Email, t.ID, t.Name))
	})
	if err != nil {
		return fmt.Errorf("revoke API token %d: %w", id, translate(err))
	}
	return nil
}

// UserByAPIToken returns the active account of token and the token's row,
// noting its use; anything else is ErrBadAPIToken.
func (s *Store) UserByAPIToken(ctx context.Context, token string) (User, APIToken, error) {
	raw, ok := strings.CutPrefix(token, apiTokenPrefix)
	if !ok || !wellFormedToken(raw) {
		return User{}, APIToken{}, ErrBadAPIToken
	}
	var t APIToken
	err := s.db.WithContext(ctx).Where("token_hash = ?", HashToken(token)).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, APIToken{}, ErrBadAPIToken
	}
	if err != nil {
		return User{}, APIToken{}, fmt.Errorf("read API token: %w", err)
	}
	u, err := s.UserByID(ctx, t.UserID)
	if errors.Is(err, ErrNotFound) || err == nil && !u.Active {
		return User{}, APIToken{}, ErrBadAPIToken
	}
	if err != nil {
		return User{}, APIToken{}, err
	}
	now := s.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUseStep {
		if err := s.db.WithContext(ctx).Model(&t).Update("last_used_at", now).Error; err != nil {
			return User{}, APIToken{}, fmt.Errorf("note use of API token %d: %w", t.ID, err)
		}
		t.LastUsedAt = &now
	}
	return u, t, nil
}
