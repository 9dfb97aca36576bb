package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
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

// pgConnection are PostgreSQL's codes of a server that is away or cannot
// take writes for now: too many connections, the connection exceptions
// (but 08P01, a protocol violation, which is a bug), an administrator's or
// a crash's shutdown, a server still starting, and a read-only transaction
// (a write to a standby after a failover).
var pgConnection = map[string]bool{"53300": true, "08000": true, "08001": true, "08003": true, "08004": true, "08006": true,
	"57P01": true, "57P02": true, "57P03": true, "25006": true}

// ErrorKind names the kind of a database error, for counting ("" for
// none). A lost connection shows itself in many forms (EOF, a reset, any
// net.Error); the errors it is asked about come from the database drivers.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
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
		case sqlite3.ErrInterrupt: // the request's context ended the statement
			return ErrKindDeadline
		}
	case errors.As(err, &pe):
		switch {
		case pe.Code == "40001", pe.Code == "40P01", pe.Code == "55P03": // serialization, deadlock, lock not available
			return ErrKindBusy
		case pe.Code == "53100": // disk full
			return ErrKindFull
		case pe.Code == "57014": // query_canceled: a statement timeout or a cancelled request
			return ErrKindDeadline
		case pgConnection[pe.Code]:
			return ErrKindConnection
		}
	case errors.As(err, &me):
		switch me.Number {
		case 1205, 1213: // lock wait timeout, deadlock
			return ErrKindBusy
		case 1021, 1114: // disk full, table full
			return ErrKindFull
		case 1040, 1203, 1226, 1053, 1927, 1290, 1792:
			// too many connections (in all, of the user, over the user's
			// limits), shutdown, connection killed, a read-only server or
			// transaction (a write to a replica after a failover)
			return ErrKindConnection
		}
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), // the server went away mid-answer
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.As(err, &ne):
		return ErrKindConnection
	}
	return ErrKindOther
}

// Unavailable reports whether err is the database's trouble rather than a
// bug or a refusal: busy, unreachable, too slow or out of space. The request
// gets 503 and may be sent again once the database is back.
func Unavailable(err error) bool {
	switch ErrorKind(err) {
	case ErrKindBusy, ErrKindConnection, ErrKindDeadline, ErrKindFull:
		return true
	}
	return false
}

// RetryBudget bounds how long retry keeps trying one operation (and the
// handlers one page that only reads): a person
// waits a moment longer rather than meeting an error page while a database
// restarts or fails over, but not so long that a request piles up behind a
// database that is down for good (then the person gets 503 and comes back).
const RetryBudget = 2 * time.Second

// retry runs op, a whole transaction or a single statement that is safe to
// repeat, again while it fails on a lock (a deadlock or serialization
// failure that the database resolved by rolling op back, or SQLite's busy
// writer) or on a lost or refused connection, with growing random waits,
// for as long as RetryBudget and ctx allow. Under a rush, MariaDB's gap
// locks make two submits that create the same aggregate cell deadlock, and
// one of them must simply go again; during a restart, connections are
// refused for a few seconds. Whoever calls retry makes op safe to repeat
// even when the database committed it but the answer was lost on the way
// (SubmitWithResult recognises its own submit).
func (s *Store) retry(ctx context.Context, op func() error) error {
	began, first := time.Now(), ""
	for i := 1; ; i++ {
		err := op()
		kind := ErrorKind(err)
		if err == nil || (kind != ErrKindBusy && kind != ErrKindConnection) {
			if first != "" {
				s.observeRetry(first, err == nil)
			}
			return err
		}
		if first == "" {
			first = kind
		}
		wait := RetryWait(i)
		if time.Since(began)+wait > RetryBudget {
			s.observeRetry(first, false)
			return err
		}
		select {
		case <-ctx.Done():
			s.observeRetry(first, false)
			return err
		case <-time.After(wait):
		}
	}
}

// RetryWait is the wait before try i+1 of an operation: random, up to 10,
// 20, 40, … 640 ms, so that the requests caught together do not come back
// together.
func RetryWait(i int) time.Duration {
	return time.Duration(1+rand.IntN(5<<min(i, 7))) * time.Millisecond
}

// ObserveRetries has f told of every operation that retry tried more than
// once: the kind of error that made it try again, and whether it succeeded
// in the end. It is for the metrics, set once before the Store is used.
func (s *Store) ObserveRetries(f func(kind string, succeeded bool)) { s.onRetry = f }

func (s *Store) observeRetry(kind string, succeeded bool) {
	if s.onRetry != nil {
		s.onRetry(kind, succeeded)
	}
}

// Pools are the database/sql pools behind the Store by name (on SQLite the
// writer, the readers and the survey's readers; elsewhere the one pool), for
// the metrics of their use.
func (s *Store) Pools() map[string]*sql.DB { return s.pools() }
