package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// Kinds of database error, as the metrics count them.
const (
	ErrKindBusy       = "busy"       // SQLite busy or locked, lock or serialization timeouts, deadlocks
	ErrKindConnection = "connection" // refused, reset or closed connections, too many connections, shutdown
	ErrKindDeadline   = "deadline"   // the request's deadline passed first
	ErrKindFull       = "disk_full"  // no space left for the write
	ErrKindOther      = "other"      // anything else: likely a bug
)

// ErrorKind names the kind of a database error, for counting.
func ErrorKind(err error) string {
	var se sqlite3.Error
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ErrKindDeadline
	case errors.As(err, &se):
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return ErrKindBusy
		case sqlite3.ErrFull:
			return ErrKindFull
		}
	case errors.As(err, &pe):
		switch {
		case pe.Code == "40001", pe.Code == "40P01", pe.Code == "55P03": // serialization, deadlock, lock not available
			return ErrKindBusy
		case pe.Code == "53100": // disk full
			return ErrKindFull
		case pe.Code == "57014": // query_canceled: a statement timeout or a cancelled request
			return ErrKindDeadline
		case pe.Code == "53300", strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57"): // too many connections, connection, shutdown
			return ErrKindConnection
		}
	case errors.As(err, &me):
		switch me.Number {
		case 1205, 1213: // lock wait timeout, deadlock
			return ErrKindBusy
		case 1021, 1114: // disk full, table full
			return ErrKindFull
		case 1040, 1053, 1927: // too many connections, shutdown, connection killed
			return ErrKindConnection
		}
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.As(err, &ne):
		return ErrKindConnection
	}
	return ErrKindOther
}

// retryBusy runs tx, a whole transaction, again while it fails on a lock
// (a deadlock or serialization failure that the database resolved by
// rolling it back, or SQLite's busy writer), a few times within a fraction
// of a second: the transaction left nothing behind, so trying it again is
// safe. Under a rush, MariaDB's gap locks make two submits that create the
// same aggregate cell deadlock, and one of them must simply go again.
func retryBusy(ctx context.Context, tx func() error) error {
	const attempts = 5
	for i := 1; ; i++ {
		err := tx()
		if err == nil || i == attempts || ErrorKind(err) != ErrKindBusy {
			return err
		}
		wait := time.Duration(1+rand.IntN(5<<i)) * time.Millisecond // up to 10, 20, 40, 80 ms
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// Pools are the database/sql pools behind the Store by name (on SQLite the
// writer and the readers; elsewhere the one pool), for the metrics of their
// use.
func (s *Store) Pools() map[string]*sql.DB {
	pools := map[string]*sql.DB{}
	names := []string{"writer", "readers"}
	if s.rdb == s.db {
		names = []string{"pool"}
	}
	for i, h := range s.handles() {
		if db, err := h.DB(); err == nil {
			pools[names[i]] = db
		}
	}
	return pools
}
