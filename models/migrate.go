package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"gorm.io/gorm"

	"github.com/icare-hr/icare/config"
)

// A migration is one numbered change of the schema. Migrate applies each
// once, in order, and records it in schema_migrations, all under a lock that
// several replicas starting at the same moment take in turn: the first
// applies what is missing, the others find nothing left to do.
//
// A migration never changes once it has been released, and it never uses
// the models of this package, which move on: it declares the tables as they
// are at its version (see migrateInitial). A new table, column or index is a
// new migration at the end of the list. On MariaDB every DDL statement
// commits at once, so a migration must be safe to run again after it failed
// half-way; GORM's AutoMigrate and HasColumn/HasIndex guards make it so.
type migration struct {
	version int
	name    string
	up      func(s *Store, tx *gorm.DB) error
}

// migrations is the schema's history, oldest first; versions count up from 1.
var migrations = []migration{
	{1, "initial schema: teams, rounds, users, responses, aggregates, audit, sign-in limits, sessions", migrateInitial},
	{2, "publications of closed rounds; aggregates that count neutral answers and who answered each key", migratePublications},
	{3, "no unfinished responses in closed rounds; sign-in attempts indexed by time for their cleanup", migrateBoundedRows},
	{4, "personal codes: a team's access (open link or codes) and the codes table", migratePersonalCodes},
	{5, "personal API tokens; a tally of spent personal codes per team and round", migrateAPITokens},
	{6, "action plans and their habits", migratePlans},
	{7, "pulse rounds: the keys and teams a round asks", migratePulseRounds},
	{8, "personal codes made in batches that keep their slips as made; personal_codes.code goes", migrateCodeBatches},
}

// schemaMigration is one applied migration.
type schemaMigration struct {
	Version   int       `gorm:"primaryKey;autoIncrement:false"`
	Name      string    `gorm:"size:200;not null"`
	AppliedAt time.Time `gorm:"not null"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// migrationLock names the lock on PostgreSQL (an advisory lock key) and on
// MariaDB (a GET_LOCK name). SQLite needs no name: the writer's IMMEDIATE
// transaction holds the database's one write lock.
const (
	migrationLockKey  = 0x1ca7e_0001
	migrationLockName = "icare.migrate"
	// migrationLockWait bounds how long a replica waits for another's
	// migrations on MariaDB.
	migrationLockWait = 5 * time.Minute
)

// Migrate brings the schema up to date under the migration lock, then sets
// up the database-backed sessions. It is the one migration entry point and
// runs at every start; with nothing to apply it costs one small query.
func (s *Store) Migrate(ctx context.Context) error {
	err := s.withMigrationLock(ctx, func(db *gorm.DB) error {
		if s.engine == config.EngineMySQL {
			// Tables in full UTF-8 whatever the database's default character
			// set: MariaDB before 11.6 defaults to latin1.
			db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").
				Session(&gorm.Session{})
		}
		return s.applyMigrations(db)
	})
	if err != nil {
		return fmt.Errorf("migrate %s schema: %w", s.engine, err)
	}
	if s.sessions == nil {
		// gormstore removes expired sessions every five minutes. It checks
		// its table with AutoMigrate, which finds it made by migration 1
		// and changes nothing.
		if s.sessions, err = gormstore.New(s.db.WithContext(context.WithoutCancel(ctx))); err != nil {
			return fmt.Errorf("migrate %s sessions: %w", s.engine, err)
		}
	}
	return nil
}

// applyMigrations applies, through db (which holds the lock), every
// migration not yet recorded.
func (s *Store) applyMigrations(db *gorm.DB) error {
	if err := db.AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	var applied []int
	if err := db.Model(&schemaMigration{}).Pluck("version", &applied).Error; err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range migrations {
		if done[m.version] {
			continue
		}
		if err := m.up(s, db); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		rec := schemaMigration{Version: m.version, Name: m.name, AppliedAt: s.Now()}
		if err := db.Create(&rec).Error; err != nil {
			return fmt.Errorf("record migration %d: %w", m.version, err)
		}
	}
	return nil
}

// withMigrationLock runs fn while this process holds the migration lock:
// a transaction holding an advisory lock on PostgreSQL (whose DDL is
// transactional, so a failed migration leaves nothing behind), a
// connection holding GET_LOCK on MariaDB, and the writer's IMMEDIATE
// transaction on SQLite (transactional DDL too).
func (s *Store) withMigrationLock(ctx context.Context, fn func(db *gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	switch s.engine {
	case config.EnginePostgres:
		return db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
				return fmt.Errorf("take the migration lock: %w", err)
			}
			return fn(tx)
		})
	case config.EngineMySQL:
		return db.Connection(func(pinned *gorm.DB) (err error) {
			// A session, so that each statement on the pinned connection
			// starts afresh instead of adding to the last one.
			conn := pinned.Session(&gorm.Session{})
			var got *int
			wait := int(migrationLockWait.Seconds())
			if err := conn.Raw("SELECT GET_LOCK(?, ?)", migrationLockName, wait).Scan(&got).Error; err != nil {
				return fmt.Errorf("take the migration lock: %w", err)
			}
			if got == nil || *got != 1 {
				return fmt.Errorf("take the migration lock: another icare held it for %s", migrationLockWait)
			}
			defer func() {
				// A lock left behind ends with the connection anyway.
				if rerr := conn.Exec("SELECT RELEASE_LOCK(?)", migrationLockName).Error; rerr != nil {
					err = errors.Join(err, fmt.Errorf("release the migration lock: %w", rerr))
				}
			}()
			return fn(conn)
		})
	default:
		// BEGIN IMMEDIATE waits for another process's write lock only as
		// long as the busy timeout (5 s); a replica migrating a large
		// database may hold it longer, so the others try again, in turn,
		// for as long as on MariaDB. A busy BEGIN applied nothing.
		deadline := time.Now().Add(migrationLockWait)
		for {
			err := db.Transaction(fn)
			if err == nil || !sqliteBusy(err) || time.Now().After(deadline) {
				return err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("wait for the migration lock: %w", ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// migrateInitial is migration 1: the schema as icare made it with GORM's
// AutoMigrate before migrations were numbered. Its tables are declared here,
// frozen, so that it makes the same schema however the models change later;
// on a database made by an older icare it finds every table in place and
// changes nothing. The answer columns are the one shared declaration:
// AnswerColumns is instrument v1's layout, fixed for good (a later
// instrument adds columns in a migration of its own).
func migrateInitial(_ *Store, tx *gorm.DB) error {
	type Team struct {
		ID          uint       `gorm:"primaryKey"`
		Name        string     `gorm:"size:120;not null;uniqueIndex:idx_teams_name"`
		ParentID    *uint      `gorm:"index"`
		Parent      *Team      `gorm:"constraint:OnDelete:RESTRICT"`
		Headcount   *int       `gorm:"check:chk_teams_headcount,headcount >= 0"`
		InviteToken string     `gorm:"size:64;not null;uniqueIndex:idx_teams_invite_token"`
		ArchivedAt  *time.Time `gorm:""`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type Round struct {
		ID        uint       `gorm:"primaryKey"`
		Name      string     `gorm:"size:120;not null;uniqueIndex:idx_rounds_name"`
		Status    string     `gorm:"size:16;not null;default:draft;check:chk_rounds_status,status IN ('draft','open','closed')"`
		OpenFlag  *int16     `gorm:"uniqueIndex:idx_rounds_one_open;check:chk_rounds_open_flag,(status = 'open' AND open_flag IS NOT NULL AND open_flag = 1) OR (status <> 'open' AND open_flag IS NULL)"`
		OpensAt   *time.Time `gorm:""`
		ClosesAt  *time.Time `gorm:""`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type User struct {
		ID           uint   `gorm:"primaryKey"`
		Email        string `gorm:"size:254;not null;uniqueIndex:idx_users_email"`
		PasswordHash string `gorm:"size:255;not null"`
		Role         string `gorm:"size:16;not null;check:chk_users_role,role IN ('admin','leader')"`
		Active       bool   `gorm:"not null;default:true"`
		SessionEpoch int64  `gorm:"not null;default:0"`
		Teams        []Team `gorm:"many2many:user_teams;constraint:OnDelete:CASCADE"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type Response struct {
		ID                uint64 `gorm:"primaryKey;index:idx_responses_round_status_id,priority:3"`
		RoundID           uint   `gorm:"not null;index:idx_responses_round_status_id,priority:1"`
		Round             *Round `gorm:"constraint:OnDelete:RESTRICT"`
		TeamID            uint   `gorm:"not null;index"`
		Team              *Team  `gorm:"constraint:OnDelete:RESTRICT"`
		Perspective       string `gorm:"size:16;not null;default:unspecified;check:chk_responses_perspective,perspective IN ('frontline','manager','senior_leader','unspecified')"`
		InstrumentVersion string `gorm:"size:32;not null"`
		Status            string `gorm:"size:16;not null;index:idx_responses_round_status_id,priority:2;check:chk_responses_status,status IN ('in_progress','submitted')"`
		StartedAt         time.Time
		UpdatedAt         time.Time
		SubmittedAt       *time.Time
		Comment           string `gorm:"type:text;not null"`
		ResumeTokenHash   string `gorm:"size:64;not null;uniqueIndex:idx_responses_resume"`
		ResultTokenHash   string `gorm:"size:64;not null;uniqueIndex:idx_responses_result"`
		AnswerColumns     `gorm:"embedded"`
		ExportCells       string `gorm:"type:text"`
	}
	type CellAggregate struct {
		RoundID     uint   `gorm:"primaryKey;autoIncrement:false"`
		TeamID      uint   `gorm:"primaryKey;autoIncrement:false"`
		Perspective string `gorm:"primaryKey;size:16"`
		N           int64  `gorm:"not null"`
		Counters    string `gorm:"type:text;not null"`
		UpdatedAt   time.Time
	}
	type AuditEvent struct {
		ID         uint64    `gorm:"primaryKey"`
		At         time.Time `gorm:"not null;index"`
		ActorID    *uint     `gorm:"index"`
		ActorEmail string    `gorm:"size:254;not null"`
		Action     string    `gorm:"size:64;not null"`
		Detail     string    `gorm:"size:1000;not null"`
	}
	type SignInFailure struct {
		ID     uint64    `gorm:"primaryKey"`
		Bucket string    `gorm:"size:300;not null;index:idx_signin_bucket_at,priority:1"`
		At     time.Time `gorm:"not null;index:idx_signin_bucket_at,priority:2"`
	}
	type PasswordToken struct {
		ID        uint      `gorm:"primaryKey"`
		UserID    uint      `gorm:"not null;index"`
		User      *User     `gorm:"constraint:OnDelete:CASCADE"`
		TokenHash string    `gorm:"size:64;not null;uniqueIndex:idx_password_tokens_hash"`
		ExpiresAt time.Time `gorm:"not null"`
		UsedAt    *time.Time
		CreatedAt time.Time
	}
	// The sign-in sessions of scs/gormstore, as its own AutoMigrate makes
	// them (table sessions).
	type Session struct {
		Token  string    `gorm:"column:token;primaryKey;type:varchar(43)"`
		Data   []byte    `gorm:"column:data"`
		Expiry time.Time `gorm:"column:expiry;index"`
	}
	return tx.AutoMigrate(&Team{}, &Round{}, &User{}, &Response{}, &CellAggregate{},
		&AuditEvent{}, &SignInFailure{}, &PasswordToken{}, &Session{})
}

// migratePublications is migration 2: the publications table, and every
// round's aggregates rebuilt from its responses, because their counters
// now also count neutral answers and the respondents who answered each key
// (scoring's counter layout of this version). Closed rounds publish the
// first time their figures are asked for (Store.Publication), under the
// settings of the icare that asks. Stop older icare replicas before
// starting this one: they would write the older layout.
func migratePublications(s *Store, tx *gorm.DB) error {
	type Publication struct {
		RoundID     uint      `gorm:"primaryKey;autoIncrement:false"`
		PublishedAt time.Time `gorm:"not null"`
		MinGroup    int       `gorm:"not null"`
		MinComments int       `gorm:"not null"`
		TeamsJSON   string    `gorm:"column:teams;type:text;not null"`
		Decisions   string    `gorm:"type:text;not null"`
	}
	if err := tx.AutoMigrate(&Publication{}); err != nil {
		return err
	}
	var rounds []uint
	if err := tx.Table("rounds").Order("id").Pluck("id", &rounds).Error; err != nil {
		return err
	}
	for _, id := range rounds {
		if _, err := s.rebuildCells(tx, id); err != nil {
			return err
		}
	}
	return nil
}
