package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
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

// SignInFailure is one sign-in attempt, kept for rate limiting in the
// database so that every replica sees the same counts. Bucket names what it
// counts against (the handlers' policy decides: an account, an address, or
// the pair). An attempt is recorded before its password is checked and taken
// back when it succeeds or is refused, so the rows that stay are failures.
type SignInFailure struct {
	ID     uint64    `gorm:"primaryKey"`
	Bucket string    `gorm:"size:300;not null;index:idx_signin_bucket_at,priority:1"`
	At     time.Time `gorm:"not null;index:idx_signin_bucket_at,priority:2;index:idx_signin_at"`
}

// RecordSignInAttempt counts one attempt against each bucket and returns the
// rows' ids, so that the attempt can be taken back. It first forgets every
// attempt from before keepSince: the table never holds more than one window
// of attempts.
func (s *Store) RecordSignInAttempt(ctx context.Context, keepSince time.Time, buckets ...string) ([]uint64, error) {
	now := s.Now()
	rows := make([]SignInFailure, 0, len(buckets))
	for _, b := range buckets {
		rows = append(rows, SignInFailure{Bucket: truncateRunes(b, 300), At: now})
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("at < ?", keepSince).Delete(&SignInFailure{}).Error; err != nil {
			return err
		}
		return tx.Create(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("record sign-in attempt: %w", err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// SignInFailures counts the attempts of each bucket since the given time;
// a bucket with none is missing from the map.
func (s *Store) SignInFailures(ctx context.Context, since time.Time, buckets ...string) (map[string]int64, error) {
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		keys[i] = truncateRunes(b, 300)
	}
	var rows []struct {
		Bucket string
		N      int64
	}
	err := s.db.WithContext(ctx).Model(&SignInFailure{}).Select("bucket, COUNT(*) AS n").
		Where("bucket IN ? AND at > ?", keys, since).Group("bucket").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count sign-in failures: %w", err)
	}
	counts := make(map[string]int64, len(rows))
	for _, r := range rows {
		counts[r.Bucket] = r.N
	}
	out := make(map[string]int64, len(buckets))
	for i, b := range buckets {
		if n, ok := counts[keys[i]]; ok {
			out[b] = n
		}
	}
	return out, nil
}

// ForgetSignInAttempts takes back the attempt ids, and forgets every earlier
// failure of the given buckets (those a good sign-in clears).
func (s *Store) ForgetSignInAttempts(ctx context.Context, ids []uint64, buckets ...string) error {
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		keys[i] = truncateRunes(b, 300)
	}
	q := s.db.WithContext(ctx).Where("id IN ?", ids)
	if len(keys) > 0 {
		q = q.Or("bucket IN ?", keys)
	}
	if err := q.Delete(&SignInFailure{}).Error; err != nil {
		return fmt.Errorf("forget sign-in attempts: %w", err)
	}
	return nil
}
