package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/alexedwards/scs/gormstore"

	"github.com/icare-hr/icare/config"
)

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

// AppliedMigrationsForTest lists the versions schema_migrations records, in
// the order they were recorded.
func (s *Store) AppliedMigrationsForTest(ctx context.Context) ([]int, error) {
	var vs []int
	err := s.db.WithContext(ctx).Model(&schemaMigration{}).Order("applied_at, version").Pluck("version", &vs).Error
	return vs, err
}

// ForgetMigrationsForTest empties schema_migrations, as in a database made
// by icare before migrations were numbered.
func (s *Store) ForgetMigrationsForTest(ctx context.Context) error {
	return s.db.WithContext(ctx).Exec("DELETE FROM schema_migrations").Error
}

// MigrationsForTest is the number of migrations this icare knows.
func MigrationsForTest() int { return len(migrations) }

// CellNForTest reads the n column of one maintained aggregate with plain SQL.
func (s *Store) CellNForTest(ctx context.Context, roundID, teamID uint, perspective string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&CellAggregate{}).
		Where("round_id = ? AND team_id = ? AND perspective = ?", roundID, teamID, perspective).Pluck("n", &n).Error
	return n, err
}

// SetCellNForTest overwrites the n column of a round's aggregates.
func (s *Store) SetCellNForTest(ctx context.Context, roundID uint, n int64) error {
	return s.db.WithContext(ctx).Model(&CellAggregate{}).Where("round_id = ?", roundID).Update("n", n).Error
}

// MigrateAsBeforeForTest makes the schema the way icare did before its
// migrations were numbered: GORM's AutoMigrate over the models, and the
// sessions table of gormstore's own AutoMigrate.
func (s *Store) MigrateAsBeforeForTest(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if s.engine == config.EngineMySQL {
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := db.AutoMigrate(&Team{}, &Round{}, &User{}, &Response{}, &CellAggregate{},
		&AuditEvent{}, &SignInFailure{}, &PasswordToken{}); err != nil {
		return err
	}
	sessions, err := gormstore.NewWithCleanupInterval(s.db.WithContext(ctx), 0)
	if err != nil {
		return err
	}
	return sessions.Commit("a-session-token-made-before-the-migrations", []byte("x"), s.Now().Add(time.Hour))
}

// ForgetPublicationForTest deletes a round's publication, as for a round
// closed before publications were kept.
func (s *Store) ForgetPublicationForTest(ctx context.Context, roundID uint) error {
	return s.db.WithContext(ctx).Delete(&Publication{}, roundID).Error
}

// ExecForTest runs one statement, for a state the API cannot make.
func (s *Store) ExecForTest(ctx context.Context, sql string, args ...any) error {
	return s.db.WithContext(ctx).Exec(sql, args...).Error
}

// SetRoundKeysForTest overwrites a round's Keys, which nothing else
// changes after the round is made, so that a test can tell where a reader
// of them looked.
func (s *Store) SetRoundKeysForTest(ctx context.Context, roundID uint, keys string) error {
	return s.db.WithContext(ctx).Model(&Round{}).Where("id = ?", roundID).Update("keys", keys).Error
}

// SignInRowsForTest counts every stored sign-in attempt.
func (s *Store) SignInRowsForTest(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&SignInFailure{}).Count(&n).Error
	return n, err
}

// TablesForTest reads every table: its columns, and every row as column →
// value.
func (s *Store) TablesForTest(ctx context.Context) (map[string][]string, map[string][]map[string]any, error) {
	db := s.db.WithContext(ctx)
	names, err := db.Migrator().GetTables()
	if err != nil {
		return nil, nil, err
	}
	columns, rows := map[string][]string{}, map[string][]map[string]any{}
	for _, name := range names {
		cols, err := db.Migrator().ColumnTypes(name)
		if err != nil {
			return nil, nil, fmt.Errorf("columns of %s: %w", name, err)
		}
		for _, c := range cols {
			columns[name] = append(columns[name], c.Name())
		}
		var rs []map[string]any
		if err := db.Table(name).Find(&rs).Error; err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", name, err)
		}
		rows[name] = rs
	}
	return columns, rows, nil
}

// HoldReadersForTest takes every connection of SQLite's pool of readers, as
// long exports would, until release is called.
func (s *Store) HoldReadersForTest(ctx context.Context) (release func(), err error) {
	db, err := s.rdb.DB()
	if err != nil {
		return nil, err
	}
	var conns []*sql.Conn
	release = func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for range db.Stats().MaxOpenConnections {
		c, err := db.Conn(ctx)
		if err != nil {
			release()
			return nil, err
		}
		conns = append(conns, c)
	}
	return release, nil
}

// FillSurveyGateForTest lets no survey read through SQLite's gate until
// release is called, as if every survey reader were busy.
func (s *Store) FillSurveyGateForTest() (release func()) {
	for range cap(s.reads.gate) {
		s.reads.gate <- struct{}{}
	}
	return func() {
		for range cap(s.reads.gate) {
			<-s.reads.gate
		}
	}
}
