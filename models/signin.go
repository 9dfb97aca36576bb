package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// KnownPlacePrefix starts the bucket of a place (an account and an address)
// where the account has signed in: such rows are kept for as long as the
// caller of RememberSignInPlace says, not for one window.
const KnownPlacePrefix = "known:"

// RecordSignInAttempt counts one attempt against each bucket and returns the
// rows' ids, so that the attempt can be taken back. It first forgets every
// attempt from before keepSince, in a statement of its own (so that two
// attempts never wait on each other's range locks): the table never holds
// more than one window of attempts.
func (s *Store) RecordSignInAttempt(ctx context.Context, keepSince time.Time, buckets ...string) ([]uint64, error) {
	now := s.Now()
	db := s.db.WithContext(ctx)
	if err := db.Where("at < ? AND bucket NOT LIKE ?", keepSince, KnownPlacePrefix+"%").Delete(&SignInFailure{}).Error; err != nil {
		return nil, fmt.Errorf("forget old sign-in attempts: %w", err)
	}
	rows := make([]SignInFailure, 0, len(buckets))
	for _, b := range buckets {
		rows = append(rows, SignInFailure{Bucket: truncateRunes(b, 300), At: now})
	}
	if err := db.Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("record sign-in attempt: %w", err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// RememberSignInPlace records that bucket (a KnownPlacePrefix bucket) has
// signed in now, and forgets every place not seen since forgetBefore.
func (s *Store) RememberSignInPlace(ctx context.Context, bucket string, forgetBefore time.Time) error {
	bucket = truncateRunes(bucket, 300)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("bucket = ? OR (bucket LIKE ? AND at < ?)", bucket, KnownPlacePrefix+"%", forgetBefore).Delete(&SignInFailure{}).Error; err != nil {
			return err
		}
		return tx.Create(&SignInFailure{Bucket: bucket, At: s.Now()}).Error
	})
	if err != nil {
		return fmt.Errorf("remember sign-in place: %w", err)
	}
	return nil
}

// SignInFailures counts the rows of each bucket since the given time; a
// bucket with none is missing from the map. Each bucket is counted by an
// equality test of its own, so that a database whose collation takes
// "Admin" and "ádmin" for "admin" counts them together rather than apart.
func (s *Store) SignInFailures(ctx context.Context, since time.Time, buckets ...string) (map[string]int64, error) {
	keys := make([]string, len(buckets))
	var sel strings.Builder
	args := make([]any, 0, len(buckets))
	for i, b := range buckets {
		keys[i] = truncateRunes(b, 300)
		if i > 0 {
			sel.WriteString(", ")
		}
		fmt.Fprintf(&sel, "COALESCE(SUM(CASE WHEN bucket = ? THEN 1 ELSE 0 END), 0) AS c%d", i)
		args = append(args, keys[i])
	}
	counts := make([]int64, len(buckets))
	dest := make([]any, len(buckets))
	for i := range counts {
		dest[i] = &counts[i]
	}
	err := s.db.WithContext(ctx).Model(&SignInFailure{}).Select(sel.String(), args...).
		Where("bucket IN ? AND at > ?", keys, since).Row().Scan(dest...)
	if err != nil {
		return nil, fmt.Errorf("count sign-in failures: %w", err)
	}
	out := make(map[string]int64, len(buckets))
	for i, b := range buckets {
		if counts[i] > 0 {
			out[b] = counts[i]
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
