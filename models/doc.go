// Package models owns icare's data: the GORM models (one file per entity),
// the numbered migrations (migrate.go), and the Store whose methods are the
// only way handlers and commands read or write the database. Each operation
// has one method, used by the web and the command line alike.
//
// # Layout of the answers: a column per item
//
// A response row carries its 25 answers as the columns i1 … e5 (NULL when the
// item was skipped) instead of a separate answers table with a row per answer.
// The choice was made by measurement on a 2-core machine through echo + GORM
// + SQLite, both layouts in the same run: a column per item submitted about
// 3,900 surveys/s against 1,900/s for a row per answer, a GROUP BY over
// 1,000,000 responses took 3.6 s against 14 s, the file was 115 MB against
// 850 MB, and the CSV export is ten times faster without a pivot. The constraints an answers table would hold
// hold here too: CHECK (iN BETWEEN 1 AND 5) on each column, and the pair
// (response, item) is unique by construction because each item is one column.
// The instrument version recorded on each response says which statements the
// columns meant; a later instrument with other items adds columns or a table.
//
// Dashboards read maintained aggregates (one row of integer counters per round,
// team and perspective, updated in the transaction that submits a response), so
// raw-answer scans matter mostly for the export.
//
// # Export cells: responses.csv kept ready at submit
//
// Submit also writes the response's cells of responses.csv, from perspective
// to straightlined (about 130 bytes), into Response.ExportCells: a submitted
// response never changes, so neither do they. The export then reads four
// columns per row instead of 29 and formats nothing. Over 1,000,000 responses
// on this machine, written to nowhere: 2.0 s with the kept cells, 4.7 s with
// the 25 answers concatenated by SQLite and scored in Go, 7.0 s reading the
// 25 answer columns (mattn/go-sqlite3 pays a cgo call per column); the
// sqlite3 command line took 3.6 s for the raw columns. The price is about
// 130 MB of disk per million responses. Rows without current cells (older
// than the column, or kept in an older format) are formatted afresh at export
// time, so the cells are a cache, never the truth: the answer columns are.
//
// # Connections: one writer, many readers
//
// SQLite allows one writer at a time. A pool of 64 connections all writing
// halved throughput against a single writer connection, pushed p99 to seconds,
// let "database is locked" reach callers despite a 5 s busy timeout and let the
// WAL grow without bound. So on SQLite the Store holds two handles: a writer
// pool of exactly one connection (transactions start IMMEDIATE, so a writer
// never has to upgrade a read lock and deadlock) and a reader pool of several
// read-only connections, which WAL lets run beside the writer; a long export
// never blocks a submit. On PostgreSQL and MariaDB both handles are the same
// pool: the server arbitrates.
//
// # Under a survey rush
//
// The writer is the one thing every respondent waits for, so it does only
// writes, each as short as it can be: every page of the survey reads its
// response from the readers (a save has committed before its redirect, and
// a WAL reader sees every commit made before its statement began), a
// step's save is one UPDATE outside any transaction, and the submit's
// transaction runs hand-written statements. The statements every page runs
// stay prepared (prepared.go). A submit that finds its cell of aggregates
// missing makes it outside its transaction and goes again, so that two
// first submits of a cell never deadlock on MariaDB's gap locks; a
// transaction the database rolled back on a lock conflict, or that met
// SQLite busy, is tried again (retry). load/rush_test.go walks 64
// respondents at once on every engine and fails on any refused or failed
// request; cmd/icare-load measures the rush against a bare baseline.
//
// # When the database stumbles
//
// ErrorKind tells the database's passing trouble (busy, a refused or lost
// connection, a missed deadline, a full disk) from a bug, and Unavailable
// says which errors a person should meet as "try again in a moment" (503)
// rather than as a fault. The survey's operations — reading a page's
// response, saving a step, starting and submitting — are made safe to
// repeat and go through retry, which tries them again on a lock or a lost
// connection for up to two seconds: long enough to ride through a
// PostgreSQL restart or a failover for most of the requests caught in it,
// short enough that a request never waits long on a database that stays
// away. Other writes are tried once; their forms are kept for the person
// to send again. A full disk is never retried: the transaction rolled back
// whole, and nothing changes until space is freed. The tests of load/
// restart PostgreSQL and MariaDB, fill the disk under SQLite and
// PostgreSQL and hold a lock under load (restart_test.go, diskfull_test.go, slowdb_test.go).
package models
