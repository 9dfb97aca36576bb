package models

import (
	"context"
	"fmt"
	"time"
)

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
