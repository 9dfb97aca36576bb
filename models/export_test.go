package models

import "context"

// RawCreateForTest inserts v with no checks of the Store's own, so tests can
// prove that the schema's constraints hold by themselves.
func (s *Store) RawCreateForTest(ctx context.Context, v any) error {
	return s.db.WithContext(ctx).Create(v).Error
}

// ForgetExportCellsForTest clears the cells kept at submit, as in rows
// submitted before the column existed, so tests can reach the export's
// fallback.
func (s *Store) ForgetExportCellsForTest(ctx context.Context) error {
	return s.db.WithContext(ctx).Exec("UPDATE responses SET export_cells = NULL").Error
}
