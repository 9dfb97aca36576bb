package models

import (
	"context"
	"fmt"

	"github.com/alexedwards/scs/gormstore"

	"github.com/icare-hr/icare/config"
)

// Migrate brings the schema up to date; it is the one migration entry point
// and runs at every start. GORM's AutoMigrate only adds (tables, columns,
// indexes, constraints), never drops, so it is safe to run on every replica.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if s.engine == config.EngineMySQL {
		// Tables in full UTF-8 whatever the database's default character
		// set: MariaDB before 11.6 defaults to latin1.
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	err := db.AutoMigrate(&Team{}, &Round{}, &User{}, &Response{}, &CellAggregate{},
		&AuditEvent{}, &SignInFailure{}, &PasswordToken{})
	if err != nil {
		return fmt.Errorf("migrate %s schema: %w", s.engine, err)
	}
	if s.sessions == nil {
		// gormstore creates its sessions table and removes expired sessions
		// every five minutes.
		if s.sessions, err = gormstore.New(db.WithContext(context.WithoutCancel(ctx))); err != nil {
			return fmt.Errorf("migrate %s sessions: %w", s.engine, err)
		}
	}
	return nil
}

// IsEmpty reports whether the database holds no teams, rounds or responses:
// the condition for filling it with demo data.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	for _, m := range []any{&Team{}, &Round{}, &Response{}} {
		var n int64
		if err := s.rdb.WithContext(ctx).Model(m).Limit(1).Count(&n).Error; err != nil {
			return false, fmt.Errorf("check empty database: %w", err)
		}
		if n > 0 {
			return false, nil
		}
	}
	return true, nil
}

// Backup writes a consistent copy of a SQLite database to path while the
// server keeps serving (VACUUM INTO reads one snapshot). Other engines have
// their own tools (pg_dump, mariadb-dump).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.engine != config.EngineSQLite {
		return fmt.Errorf("backup: icare backs up SQLite only; use pg_dump or mariadb-dump for %s", s.engine)
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
