package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/icare-hr/icare/config"
)

// prepared keeps a few statements of the survey's hot path prepared on one
// pool: every page of the survey runs them, and SQLite spent a tenth of a
// survey rush compiling them anew each time. They are database/sql
// statements, which prepare themselves again on each connection that runs
// them, with that call's context and that call's error only. (GORM's
// PrepareStmt caches every statement, shares one caller's failed prepare
// with all who wait for it, and can stall SQLite's one writer.) Statements
// beyond maxPrepared run unprepared.
type prepared struct {
	db     *sql.DB
	dollar bool // PostgreSQL's $1, $2, … instead of ?
	// between: in a transaction the request's deadline is checked between
	// statements, not during one (SQLite, see statementContext).
	between bool
	// gate, when set, admits as many statements at once as db has
	// connections, and is db's only way in (see gated; ping too).
	gate  chan struct{}
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxPrepared = 64

func newPrepared(db *sql.DB, engine string) *prepared {
	return &prepared{db: db, dollar: engine == config.EnginePostgres, between: engine == config.EngineSQLite,
		stmts: map[string]*sql.Stmt{}}
}

// gated is newPrepared for a pool of SQLite readers of size conns that
// nothing else uses. A statement given a context that can end costs two
// goroutines there (one in database/sql watching the context for the rows,
// one in the driver stepping them, each a hand-over between threads), for a
// read of one row by its key that takes microseconds and that no deadline
// could cut short. What a deadline must bound is the wait for a connection:
// so the gate, which holds no more statements than the pool has
// connections, keeps the deadline, and a statement that passes it finds a
// connection free and runs to its end. That took BenchmarkKeyPageGet
// (handlers) from 0.45 to 0.46–0.48 of its baseline.
func gated(db *sql.DB, conns int) *prepared {
	p := newPrepared(db, config.EngineSQLite)
	p.gate = make(chan struct{}, conns)
	return p
}

// enter waits for the gate, while ctx lasts, and gives the context the
// statement runs with and the call that lets the next one in.
func (p *prepared) enter(ctx context.Context) (context.Context, func(), error) {
	if p.gate == nil {
		return ctx, func() {}, nil
	}
	if err := ctx.Err(); err != nil { // a select with a free slot too picks at random
		return nil, nil, err
	}
	select {
	case p.gate <- struct{}{}:
		return context.WithoutCancel(ctx), func() { <-p.gate }, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// statementContext is the context a statement of a transaction runs with.
// On SQLite, a statement given a context that can end runs on a goroutine
// of its own, which the caller waits for (in the driver, and for a query
// once more in database/sql): goroutines and hand-overs for statements that
// find or change one row by its key in microseconds, on a connection the
// transaction already holds, and that no deadline could cut short anyway.
// So there the deadline is checked before each statement of a transaction,
// and the statement runs to its end; the transaction's own wait for the
// writer keeps the deadline. Statements on the pool keep it throughout, as
// their wait for a connection must. On PostgreSQL and MariaDB, whose
// statements cross a network, the deadline holds during every statement.
func (p *prepared) statementContext(ctx context.Context) (context.Context, error) {
	if !p.between {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// stmt is query (with ? placeholders) prepared, or nil with no error when
// the cache is full.
func (p *prepared) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxPrepared
	p.mu.Unlock()
	if ok || full {
		return st, nil
	}
	st, err := p.db.PrepareContext(ctx, p.rebind(query))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if other, ok := p.stmts[query]; ok { // prepared at the same moment
		st.Close()
		return other, nil
	}
	p.stmts[query] = st
	return st, nil
}

// ping checks that db answers, through the gate.
func (p *prepared) ping(ctx context.Context) error {
	ctx, leave, err := p.enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	return p.db.PingContext(ctx)
}

// scan runs a query expected to give one row, and scans it into dest
// (sql.ErrNoRows when there is none).
func (p *prepared) scan(ctx context.Context, query string, args []any, dest ...any) error {
	ctx, leave, err := p.enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	st, err := p.stmt(ctx, query)
	if err != nil {
		return err
	}
	if st == nil {
		return p.db.QueryRowContext(ctx, p.rebind(query), args...).Scan(dest...)
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// exec runs a statement.
func (p *prepared) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, leave, err := p.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return p.db.ExecContext(ctx, p.rebind(query), args...)
	}
	return st.ExecContext(ctx, args...)
}

// warm prepares those of queries not prepared yet. It is for statements a
// transaction will run (see in), and runs before the transaction begins:
// on SQLite the transaction holds the writer's one connection, so a
// statement could not be prepared on the pool from inside it. A statement
// that fails to prepare here runs unprepared, and its error, if it has
// one, comes from that run. An empty query, a statement some engine does
// without, is skipped.
func (p *prepared) warm(ctx context.Context, queries ...string) {
	for _, q := range queries {
		if q != "" {
			_, _ = p.stmt(ctx, q)
		}
	}
}

// in runs statements in transaction tx: those prepared on the pool bound
// to tx's connection (where database/sql finds them prepared already, or
// prepares them once more), any other through tx itself.
func (p *prepared) in(tx *gorm.DB) inTx {
	sqlTx, _ := tx.Statement.ConnPool.(*sql.Tx)
	return inTx{p: p, tx: tx, sqlTx: sqlTx}
}

// inTx is prepared statements run in one transaction.
type inTx struct {
	p     *prepared
	tx    *gorm.DB
	sqlTx *sql.Tx // nil when tx is not a database/sql transaction
}

// stmt is query's prepared statement bound to the transaction, or nil.
func (t inTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.sqlTx == nil {
		return nil
	}
	t.p.mu.Lock()
	st := t.p.stmts[query]
	t.p.mu.Unlock()
	if st == nil {
		return nil
	}
	return t.sqlTx.StmtContext(ctx, st)
}

// scan runs a query expected to give one row, and scans it into dest
// (sql.ErrNoRows when there is none).
func (t inTx) scan(ctx context.Context, query string, args []any, dest ...any) error {
	ctx, err := t.p.statementContext(ctx)
	if err != nil {
		return err
	}
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...).Scan(dest...)
	}
	return t.tx.WithContext(ctx).Raw(query, args...).Row().Scan(dest...)
}

// exec runs a statement and says how many rows it changed.
func (t inTx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.run(ctx, query, args)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insert runs an INSERT of one row into a table keyed by id and gives the
// row's new id.
func (t inTx) insert(ctx context.Context, query string, args ...any) (uint64, error) {
	var id uint64
	if t.p.dollar {
		err := t.scan(ctx, t.p.insertSQL(query), args, &id)
		return id, err
	}
	res, err := t.run(ctx, query, args)
	if err != nil {
		return 0, err
	}
	n, err := res.LastInsertId()
	return uint64(n), err
}

// insertSQL is the statement insert runs for query: on PostgreSQL, whose
// driver tells no LastInsertId, with a RETURNING clause.
func (p *prepared) insertSQL(query string) string {
	if p.dollar {
		return query + " RETURNING id"
	}
	return query
}

func (t inTx) run(ctx context.Context, query string, args []any) (sql.Result, error) {
	ctx, err := t.p.statementContext(ctx)
	if err != nil {
		return nil, err
	}
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.Statement.ConnPool.ExecContext(ctx, t.p.rebind(query), args...)
}

// rebind writes query's placeholders for the engine.
func (p *prepared) rebind(query string) string {
	if !p.dollar {
		return query
	}
	return DollarPlaceholders(query)
}

// DollarPlaceholders turns the ? placeholders of query into PostgreSQL's
// $1, $2, … (query holds no ? in a string literal).
func DollarPlaceholders(query string) string {
	var sb strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func (p *prepared) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.stmts {
		st.Close()
	}
	clear(p.stmts)
}
