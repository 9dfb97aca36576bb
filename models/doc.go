// Package models owns icare's data: the GORM models, the one migration entry
// point, and the Store whose methods are the only way handlers and commands
// read or write the database.
//
// # Layout of the answers: a column per item
//
// A response row carries its 25 answers as the columns i1 … e5 (NULL when the
// item was skipped) instead of a separate answers table with a row per answer.
// The choice was made by measurement on this machine through echo + GORM +
// SQLite (PERFORMANCE.md): a column per item submitted about 3,900 surveys/s
// against 1,900/s for a row per answer, a GROUP BY over 1,000,000 responses took
// 3.6 s against 14 s, the file was 115 MB against 850 MB, and the CSV export is
// ten times faster without a pivot. The constraints an answers table would hold
// hold here too: CHECK (iN BETWEEN 1 AND 5) on each column, and the pair
// (response, item) is unique by construction because each item is one column.
// The instrument version recorded on each response says which statements the
// columns meant; a later instrument with other items adds columns or a table.
//
// Dashboards read maintained aggregates (one row of integer counters per round,
// team and perspective, updated in the transaction that submits a response), so
// raw-answer scans matter mostly for the export.
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
package models
