package models

import (
	"context"
	"fmt"
	"strings"
)

// Rows the survey's path reads by hand. Each page of the survey reads a
// team, a round or a response by a key, and GORM's First spent more CPU
// building and scanning such a read than the database running it, and
// prepared it anew every time; these reads are prepared once (prepared.go)
// and scan straight into the struct. TestHandReadColumnsAreTheStructs keeps
// each list equal to its struct's columns.

// columns is a SELECT list of table's columns, each qualified by the table's
// name: a word after a period is a name even where it is reserved, as KEYS
// is in MariaDB.
func columns(table string, names ...string) string {
	return table + "." + strings.Join(names, ", "+table+".")
}

var teamColumns = columns("teams", "id", "name", "parent_id", "headcount", "invite_token", "access", "archived_at",
	"created_at", "updated_at")

// fields are t's fields in teamColumns' order.
func (t *Team) fields() []any {
	return []any{&t.ID, &t.Name, &t.ParentID, &t.Headcount, &t.InviteToken, &t.Access, &t.ArchivedAt, &t.CreatedAt, &t.UpdatedAt}
}

var roundColumns = columns("rounds", "id", "name", "status", "open_flag", "opens_at", "closes_at", "keys", "teams",
	"created_at", "updated_at")

// fields are r's fields in roundColumns' order.
func (r *Round) fields() []any {
	return []any{&r.ID, &r.Name, &r.Status, &r.OpenFlag, &r.OpensAt, &r.ClosesAt, &r.Keys, &r.Teams, &r.CreatedAt, &r.UpdatedAt}
}

// responseColumns: export_cells is NULL in rows older than the column.
var responseColumns = columns("responses", append([]string{"id", "round_id", "team_id", "perspective", "instrument_version",
	"status", "started_at", "updated_at", "submitted_at", "comment", "resume_token_hash", "result_token_hash"},
	AnswerColumnNames[:]...)...) + ", COALESCE(responses.export_cells,'')"

// fields are r's fields in responseColumns' order.
func (r *Response) fields() []any {
	fs := []any{&r.ID, &r.RoundID, &r.TeamID, &r.Perspective, &r.InstrumentVersion, &r.Status, &r.StartedAt, &r.UpdatedAt,
		&r.SubmittedAt, &r.Comment, &r.ResumeTokenHash, &r.ResultTokenHash}
	return append(append(fs, r.scanFields()...), &r.ExportCells)
}

// openRoundQuery reads the open round: at most one is (idx_rounds_one_open).
var openRoundQuery = "SELECT " + roundColumns + " FROM rounds WHERE status = ?"

// readByID reads the row of table with key id into dest, the fields of
// cols ("what id: ErrNotFound" when there is none).
func (s *Store) readByID(ctx context.Context, what, table, cols string, id any, dest ...any) error {
	if err := s.readRow(ctx, "SELECT "+cols+" FROM "+table+" WHERE id = ?", []any{id}, dest...); err != nil {
		return fmt.Errorf("%s %v: %w", what, id, translate(err))
	}
	return nil
}

// readRow scans the one row query selects, on the readers, into dest
// (sql.ErrNoRows when there is none).
func (s *Store) readRow(ctx context.Context, query string, args []any, dest ...any) error {
	return s.reads.scan(ctx, query, args, dest...)
}
