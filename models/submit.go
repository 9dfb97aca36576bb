package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/scoring"
)

// The submit that makes a response count: its cells of responses.csv kept,
// its answers folded into its cell's aggregate, in one transaction.

// Submit submits a response whose result nobody is to open (demo data,
// tests); see SubmitWithResult.
func (s *Store) Submit(ctx context.Context, id uint64) (Response, error) {
	return s.SubmitWithResult(ctx, id, NewToken())
}

// SubmitWithResult marks an in-progress response submitted, in the open
// round only, stores the hash of its result token and the response's cells of
// responses.csv (ExportCells), and folds its answers into the maintained
// aggregate of its cell in the same transaction. The row is
// locked first, so a step saved at the same moment either lands before the
// submit (and counts) or is refused. Of two concurrent submits exactly one
// wins; the other gets ErrSubmitted, as does any later one. A transaction
// the database rolled back on a lock conflict, or lost on the way, is tried
// again (retry): a try that finds the response submitted with this very
// result token sees its own earlier try, committed though its answer never
// came, and succeeds. One that found its aggregate cell missing makes it
// and goes again.
func (s *Store) SubmitWithResult(ctx context.Context, id uint64, resultToken string) (Response, error) {
	r, _, err := s.submit(ctx, keyID(id), nil, resultToken)
	return r, err
}

// SaveAndSubmit stores the last step p of an in-progress response and
// submits it, as SubmitWithResult, in one transaction: the comment page's
// Submit writes once, not twice.
func (s *Store) SaveAndSubmit(ctx context.Context, id uint64, p Progress, resultToken string) (Response, error) {
	r, _, err := s.saveAndSubmit(ctx, keyID(id), p, resultToken)
	return r, err
}

// SaveAndSubmitByResumeToken is SaveAndSubmit of the response resumeToken
// opens (ErrNotFound for none): the comment page's Submit finds its
// response inside the submit's transaction rather than reading it first.
// already reports a response an earlier call submitted with this result
// token (a second click on Submit): it succeeds, and nothing was written.
func (s *Store) SaveAndSubmitByResumeToken(ctx context.Context, resumeToken string, p Progress, resultToken string) (r Response, already bool, err error) {
	if !wellFormedToken(resumeToken) {
		return Response{}, false, fmt.Errorf("submit response by token: %w", ErrNotFound)
	}
	hash := HashToken(resumeToken)
	r, already, err = s.saveAndSubmit(ctx, responseKey{"resume_token_hash", hash}, p, resultToken)
	if err == nil {
		s.asked.forget(hash)
	}
	return r, already, err
}

func (s *Store) saveAndSubmit(ctx context.Context, key responseKey, p Progress, resultToken string) (Response, bool, error) {
	if err := p.Validate(); err != nil {
		return Response{}, false, fmt.Errorf("submit response %s: %w", key, err)
	}
	return s.submit(ctx, key, &p, resultToken)
}

// responseKey is how a submit finds its response: a unique column and its
// value.
type responseKey struct {
	column string
	value  any
}

func keyID(id uint64) responseKey { return responseKey{"id", id} }

func (k responseKey) String() string {
	if k.column == "id" {
		return fmt.Sprint(k.value)
	}
	return "by token"
}

// submit is SubmitWithResult, saving last first when it is not nil; already
// says that the response was found submitted with resultToken before this
// call's first try (a try that follows a failed one may find that one's
// commit: that is this call's submit).
func (s *Store) submit(ctx context.Context, key responseKey, last *Progress, resultToken string) (r Response, already bool, err error) {
	failed := false
	submit := func() error {
		got, ours, tryErr := s.submitOnce(ctx, key, last, resultToken)
		r, already = got, ours && !failed
		failed = failed || tryErr != nil
		return tryErr
	}
	err = s.retry(ctx, submit)
	if missing := (*missingCell)(nil); errors.As(err, &missing) {
		if err = s.retry(ctx, func() error { return s.makeCell(ctx, missing) }); err == nil {
			err = s.retry(ctx, submit)
		}
	}
	if err != nil {
		return Response{}, false, fmt.Errorf("submit response %s: %w", key, translate(err))
	}
	return r, already, nil
}

// answerValue is an answer as its column stores it: NULL for skipped.
func answerValue(v uint8) any {
	if v == 0 {
		return nil
	}
	return int16(v)
}

// submitSQL is the submit's fixed statements, kept prepared.
type submitSQL struct {
	code, response, round, submit, cell, cellUpdate string
}

// submitQueries is the submit's fixed statements for the store's engine
// (made once, at Open: Store.submits), finding the response by its column
// by ("id" or "resume_token_hash"). SQLite's one writer needs no row locks, so there the response's read also
// says whether a personal code started it (code is then ""); elsewhere the
// code's row is locked first, in its own read. The response's read brings
// its round's status and keys along (round is then ""), but on MariaDB,
// whose FOR UPDATE would lock the round's row too and make every submit of
// the round wait for the one before, which has no FOR UPDATE OF.
func (s *Store) submitQueries(by string) submitSQL {
	lock, lockResponse := "", ""
	switch s.engine {
	case config.EnginePostgres:
		lock, lockResponse = " FOR UPDATE", " FOR UPDATE OF responses"
	case config.EngineMySQL:
		lock, lockResponse = " FOR UPDATE", " FOR UPDATE"
	}
	q := submitSQL{
		code: "SELECT id FROM personal_codes WHERE response_id = (SELECT id FROM responses WHERE " + by + " = ?)" + lock,
		// Every column a submit may change, whether or not it does: one
		// statement, kept prepared, for every submit.
		submit: "UPDATE responses SET status = ?, submitted_at = ?, updated_at = ?, result_token_hash = ?, perspective = ?, comment = ?, " +
			strings.Join(AnswerColumnNames[:], " = ?, ") + " = ?, export_cells = ? WHERE id = ? AND status = ?",
		cell:       "SELECT counters FROM cell_aggregates WHERE round_id = ? AND team_id = ? AND perspective = ?" + lock,
		cellUpdate: "UPDATE cell_aggregates SET n = ?, counters = ?, updated_at = ? WHERE round_id = ? AND team_id = ? AND perspective = ?",
	}
	response := columns("responses", append([]string{"id", "round_id", "team_id", "perspective", "instrument_version", "status",
		"started_at", "comment", "result_token_hash"}, AnswerColumnNames[:]...)...)
	switch s.engine {
	case config.EngineMySQL:
		q.response = "SELECT " + response + " FROM responses WHERE responses." + by + " = ?" + lockResponse
		q.round = "SELECT rounds.status, rounds.keys FROM rounds WHERE rounds.id = ?"
	case config.EngineSQLite:
		q.code = ""
		q.response = "SELECT " + response + ", rounds.status, rounds.keys," +
			" EXISTS (SELECT 1 FROM personal_codes WHERE personal_codes.response_id = responses.id)" +
			" FROM responses JOIN rounds ON rounds.id = responses.round_id WHERE responses." + by + " = ?"
	default:
		q.response = "SELECT " + response + ", rounds.status, rounds.keys FROM responses JOIN rounds ON rounds.id = responses.round_id" +
			" WHERE responses." + by + " = ?" + lockResponse
	}
	return q
}

// submitOnce is one try of SubmitWithResult's transaction. Its statements
// are written by hand: GORM's First and Updates cost it four times as much
// CPU as the same statements through database/sql, and a submit holds
// SQLite's one writer while it runs.
func (s *Store) submitOnce(ctx context.Context, key responseKey, last *Progress, resultToken string) (Response, bool, error) {
	var r Response
	ours := false
	q := s.submits[key.column]
	s.writes.warm(ctx, q.code, q.response, q.round, q.submit, q.cell, q.cellUpdate)
	err := s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		tx := s.writes.in(gtx)
		// The code's row first, as StartWithCode locks it first too, so
		// the two never wait on each other in a circle.
		coded := false
		if q.code != "" {
			var codeID uint64
			err := tx.scan(ctx, q.code, []any{key.value}, &codeID)
			coded = err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("lock code: %w", err)
			}
		}
		round := Round{}
		dest := []any{&r.ID, &r.RoundID, &r.TeamID, &r.Perspective, &r.InstrumentVersion, &r.Status, &r.StartedAt, &r.Comment, &r.ResultTokenHash}
		dest = append(dest, r.scanFields()...)
		if q.round == "" {
			dest = append(dest, &round.Status, &round.Keys)
		}
		if q.code == "" {
			dest = append(dest, &coded)
		}
		err := tx.scan(ctx, q.response, []any{key.value}, dest...)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return fmt.Errorf("lock response: %w", err)
		case r.Submitted() && r.ResultTokenHash == HashToken(resultToken):
			ours = true // an earlier try committed: nothing to do
			return nil
		case r.Submitted():
			return ErrSubmitted
		}
		round.ID = r.RoundID
		if q.round != "" {
			if err := tx.scan(ctx, q.round, []any{r.RoundID}, &round.Status, &round.Keys); err != nil {
				return fmt.Errorf("read round %d: %w", r.RoundID, err)
			}
		}
		if round.Status != RoundOpen {
			return ErrRoundClosed
		}
		now := s.Now()
		a := r.Answers()
		if last != nil {
			for _, i := range last.Items {
				a[i] = last.Answers[i]
			}
			if last.Perspective != nil {
				r.Perspective = *last.Perspective
			}
			if last.Comment != nil {
				r.Comment = *last.Comment
			}
		}
		// A pulse round counts only the keys it asks, whatever else a
		// response might hold.
		for i := range a {
			if a[i] != 0 && !round.Asks(scoring.KeyOfItem(i)) {
				a[i] = 0
			}
		}
		r.setAnswers(a)
		cells := export.StoredResponseCells(r.Perspective, r.InstrumentVersion, now, a)
		args := []any{StatusSubmitted, now, now, HashToken(resultToken), r.Perspective, r.Comment}
		for _, v := range a {
			args = append(args, answerValue(v))
		}
		n, err := tx.exec(ctx, q.submit, append(args, cells, r.ID, StatusInProgress)...)
		if err != nil {
			return fmt.Errorf("mark submitted: %w", err)
		}
		if n != 1 {
			return ErrSubmitted
		}
		r.Status, r.SubmittedAt, r.UpdatedAt, r.ExportCells = StatusSubmitted, &now, now, cells
		if coded {
			if err := spendCode(gtx, r.ID); err != nil {
				return err
			}
		}
		return s.addToAggregate(ctx, tx, q, r.RoundID, r.TeamID, r.Perspective, r.Answers())
	})
	if err == nil && ours {
		// The row was read before its submit's fields: read it whole.
		r, err = s.ResponseByID(ctx, r.ID)
	}
	return r, ours, err
}
