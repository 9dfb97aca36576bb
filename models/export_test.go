package models

import "context"

// RawCreateForTest inserts v with no checks of the Store's own, so tests can
// prove that the schema's constraints hold by themselves.
func (s *Store) RawCreateForTest(ctx context.Context, v any) error {
	return s.db.WithContext(ctx).Create(v).Error
}
