package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"github.com/alexedwards/scs/v2"
	"github.com/mattn/go-sqlite3"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/icare-hr/icare/config"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule, such as a
// second team with the same name or a second open round.
var ErrConflict = errors.New("conflict")

// Store is the data layer: every method takes the request's context first.
type Store struct {
	sessions  *gormstore.GORMStore // server-side sessions, set up by Migrate
	closeOnce sync.Once
	db        *gorm.DB // writes (on SQLite: one connection)
	rdb       *gorm.DB // reads (on SQLite: a read-only pool; elsewhere the same as db)
	engine    string
	now       func() time.Time
	// passwordCost is bcrypt's cost for new password hashes.
	passwordCost int
	// dummyHash is compared against when no account matches, so that a
	// sign-in takes as long whether or not the e-mail exists; it is made at
	// the first sign-in, at passwordCost.
	dummyHash     []byte
	dummyHashOnce sync.Once
	// publisher decides a closing round's publication.
	publisher Publisher
	// reads and writes keep the survey's hottest statements prepared, on
	// surveyDB and db (prepared.go).
	reads, writes *prepared
	// submits are the submit's statements by the column that finds the
	// response ("id", "resume_token_hash"), made once (submitQueries).
	submits map[string]submitSQL
	// surveyDB is SQLite's pool of readers for the survey's pages and
	// reads of one row (nil elsewhere: reads share db).
	surveyDB *sql.DB
	// onRetry hears of operations tried again (ObserveRetries).
	onRetry func(kind string, succeeded bool)
	// asked holds the keys unfinished responses' rounds ask (asked.go).
	asked asked
}

// Option adjusts a Store as it opens.
type Option func(*Store)

// WithNow injects the clock, so tests can fix time.
func WithNow(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithPasswordCost sets bcrypt's cost for new password hashes (default
// bcrypt.DefaultCost), so that tests that make many accounts can use the
// lowest. Existing hashes keep the cost they were made with.
func WithPasswordCost(cost int) Option { return func(s *Store) { s.passwordCost = cost } }

// Open connects to the database named by a database URL (sqlite:PATH,
// postgres://… or mysql://…) and checks that it answers.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	engine, dsn, err := config.SplitDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	s := &Store{engine: engine, now: time.Now, passwordCost: bcrypt.DefaultCost}
	for _, o := range opts {
		o(s)
	}
	gcfg := func() *gorm.Config {
		return &gorm.Config{
			TranslateError: true,
			NowFunc:        func() time.Time { return s.now().UTC() },
			Logger:         logger.Discard,
		}
	}
	switch engine {
	case config.EngineSQLite:
		if s.db, err = openSQLite(ctx, sqliteDSN(dsn, false), gcfg()); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		if s.rdb, err = openSQLite(ctx, sqliteDSN(dsn, true), gcfg()); err != nil {
			s.Close()
			return nil, fmt.Errorf("open sqlite %s for reading: %w", dsn, err)
		}
		if err := setPool(s.db, 1, 1); err != nil {
			s.Close()
			return nil, err
		}
		// Every page of the survey reads here: with 64 respondents at
		// once, 4 readers on 2 cores made icare spend 8.1–8.3 ms of CPU
		// per survey waiting its turn, 8 readers 6.0–7.5 (cmd/icare-load).
		readers := max(8, 4*runtime.GOMAXPROCS(0))
		if err := setPool(s.rdb, readers, readers); err != nil {
			s.Close()
			return nil, err
		}
		// The survey's own readers, which exports and dashboards never
		// hold up (gated).
		if s.surveyDB, err = sql.Open("sqlite3", sqliteDSN(dsn, true)); err != nil {
			s.Close()
			return nil, fmt.Errorf("open sqlite %s for the survey: %w", dsn, err)
		}
		s.surveyDB.SetMaxOpenConns(readers)
		s.surveyDB.SetMaxIdleConns(readers)
		s.surveyDB.SetConnMaxIdleTime(5 * time.Minute)
		s.reads = gated(s.surveyDB, readers)
	case config.EnginePostgres:
		if s.db, err = gorm.Open(postgres.Open(dsn), gcfg()); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		if err := setPool(s.db, 32, 8); err != nil {
			s.Close()
			return nil, err
		}
		s.rdb = s.db
	case config.EngineMySQL:
		if s.db, err = gorm.Open(mysql.Open(mysqlParams(dsn)), gcfg()); err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		if err := setPool(s.db, 32, 8); err != nil {
			s.Close()
			return nil, err
		}
		s.rdb = s.db
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	w, err := s.db.DB()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("database handle: %w", err)
	}
	s.writes = newPrepared(w, engine)
	s.submits = map[string]submitSQL{"id": s.submitQueries("id"), "resume_token_hash": s.submitQueries("resume_token_hash")}
	if s.reads == nil {
		s.reads = s.writes
	}
	return s, nil
}

// openSQLite opens a SQLite handle. Two processes opening a new database
// file at once both switch it to WAL, and SQLite refuses one of them with
// "database is locked" at once, without waiting, to break the deadlock; so
// a busy open is tried again for a few seconds.
func openSQLite(ctx context.Context, dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		db, err := gorm.Open(sqlite.Open(dsn), cfg)
		if err == nil || !sqliteBusy(err) || time.Now().After(deadline) {
			return db, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sqliteBusy reports whether err is SQLite's "database is locked" by
// another connection.
func sqliteBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// sqliteDSN adds the pragmas icare relies on: WAL so readers never block the
// writer, a busy timeout, foreign keys, NORMAL sync (safe with WAL: a power cut
// may lose the last commits, never corrupt the file) and IMMEDIATE
// transactions on the writer. (SQLite's own mutex stays on, though every C
// call into a connection locks and unlocks it — 9 % of the instructions of
// reading export rows, counted with callgrind — and database/sql never hands
// one connection to two goroutines: the driver finalizes a statement or
// rows it leaked on the garbage collector's goroutine, which could then
// meet another statement of the same connection.)
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// mysqlParams makes the driver return times as time.Time in UTC and speak
// full UTF-8.
func mysqlParams(dsn string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "parseTime=true&loc=UTC&charset=utf8mb4&collation=utf8mb4_unicode_ci"
}

func setPool(db *gorm.DB, open, idle int) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database handle: %w", err)
	}
	sqlDB.SetMaxOpenConns(open)
	sqlDB.SetMaxIdleConns(idle)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// Engine names the database engine: sqlite, postgres or mysql.
func (s *Store) Engine() string { return s.engine }

// Now is the Store's clock.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	for name, sqlDB := range s.pools() {
		ping := sqlDB.PingContext
		if sqlDB == s.surveyDB {
			ping = s.reads.ping // the survey's readers are entered by their gate only
		}
		if err := ping(ctx); err != nil {
			return fmt.Errorf("ping %s (%s): %w", s.engine, name, err)
		}
	}
	return nil
}

// Sessions is the database-backed store of sign-in sessions (available after
// Migrate): sessions live in the database, so any replica can serve any
// request.
func (s *Store) Sessions() scs.Store { return s.sessions }

// Close releases every connection; a second call does nothing.
func (s *Store) Close() {
	s.closeOnce.Do(s.close)
}

func (s *Store) close() {
	if s.sessions != nil {
		s.sessions.StopCleanup()
	}
	for _, p := range []*prepared{s.reads, s.writes} {
		if p != nil {
			p.close()
		}
	}
	for _, db := range s.pools() {
		if err := db.Close(); err != nil {
			slog.Warn("close database", "err", err)
		}
	}
}

// pools are the Store's connection pools, by the names the metrics give
// them: the writer, the readers and the survey's readers on SQLite, one
// pool elsewhere.
func (s *Store) pools() map[string]*sql.DB {
	pools := map[string]*sql.DB{}
	for name, h := range map[string]*gorm.DB{"writer": s.db, "readers": s.rdb} {
		if h == nil {
			continue
		}
		if db, err := h.DB(); err == nil {
			pools[name] = db
		}
	}
	if db, ok := pools["writer"]; ok && s.rdb == s.db {
		pools = map[string]*sql.DB{"pool": db}
	}
	if s.surveyDB != nil {
		pools["survey_readers"] = s.surveyDB
	}
	return pools
}

// translate maps GORM's errors onto the Store's own.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	default:
		return err
	}
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

// byID reads the row of T whose primary key is id through db (which may
// carry a Preload); what names the row in the error, ErrNotFound when
// there is none.
func byID[T any](ctx context.Context, db *gorm.DB, what string, id any) (T, error) {
	var v T
	if err := db.WithContext(ctx).First(&v, id).Error; err != nil {
		return v, fmt.Errorf("%s %v: %w", what, id, translate(err))
	}
	return v, nil
}

// list reads every row of T that db (with its order and limits) selects.
func list[T any](ctx context.Context, db *gorm.DB, what string) ([]T, error) {
	var vs []T
	if err := db.WithContext(ctx).Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return vs, nil
}
