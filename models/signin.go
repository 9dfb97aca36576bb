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

// RecordSignInFailure counts one failure against each key.
func (s *Store) RecordSignInFailure(ctx context.Context, keys ...string) error {
	now := s.Now()
	rows := make([]SignInFailure, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, SignInFailure{Bucket: truncateRunes(k, 300), At: now})
	}
	if err := s.db.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("record sign-in failure: %w", err)
	}
	return nil
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

// ClearSignInFailures forgets the failures of key (after a good sign-in) and
// every failure older than before.
func (s *Store) ClearSignInFailures(ctx context.Context, key string, before time.Time) error {
	err := s.db.WithContext(ctx).Where("bucket = ? OR at < ?", truncateRunes(key, 300), before).Delete(&SignInFailure{}).Error
	if err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
