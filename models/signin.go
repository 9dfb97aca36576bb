package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// ErrBadCredentials is returned for a wrong e-mail or password, without
// saying which.
var ErrBadCredentials = errors.New("the e-mail address or the password is not right")

// Authenticate returns the active account with email and password, or
// ErrBadCredentials.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	s.dummyHashOnce.Do(func() {
		// GenerateFromPassword fails only for a bad cost, which
		// WithPasswordCost's caller chose; the comparison then fails too.
		s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("icare timing equaliser"), s.passwordCost)
	})
	hash := s.dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if err != nil || !ok || !u.Active {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// SignInFailure is one failed sign-in, kept for rate limiting in the database
// so that every replica sees the same counts. Bucket is "email:ADDRESS" or
// "ip:ADDRESS".
type SignInFailure struct {
	ID     uint64    `gorm:"primaryKey"`
	Bucket string    `gorm:"size:300;not null;index:idx_signin_bucket_at,priority:1"`
	At     time.Time `gorm:"not null;index:idx_signin_bucket_at,priority:2"`
}

// RecordSignInAttempt counts one attempt against each bucket, before the
// password is checked, and returns the rows' ids so that a good sign-in can
// take them back.
func (s *Store) RecordSignInAttempt(ctx context.Context, buckets ...string) ([]uint64, error) {
	now := s.Now()
	rows := make([]SignInFailure, 0, len(buckets))
	for _, b := range buckets {
		rows = append(rows, SignInFailure{Bucket: truncateRunes(b, 300), At: now})
	}
	if err := s.db.WithContext(ctx).Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("record sign-in attempt: %w", err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// SignInFailures counts the failures of key since the given time.
func (s *Store) SignInFailures(ctx context.Context, key string, since time.Time) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&SignInFailure{}).Where("bucket = ? AND at > ?", truncateRunes(key, 300), since).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count sign-in failures: %w", err)
	}
	return n, nil
}

// ForgetSignInAttempts takes back the attempts ids of a good sign-in, forgets
// the earlier failures of bucket (the account) and every row older than
// before.
func (s *Store) ForgetSignInAttempts(ctx context.Context, ids []uint64, bucket string, before time.Time) error {
	err := s.db.WithContext(ctx).Where("id IN ? OR bucket = ? OR at < ?", ids, truncateRunes(bucket, 300), before).Delete(&SignInFailure{}).Error
	if err != nil {
		return fmt.Errorf("forget sign-in attempts: %w", err)
	}
	return nil
}
