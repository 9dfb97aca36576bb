package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/scoring"
)

// Answering: the steps of an unfinished response saved one by one (the
// submit that makes it count is in submit.go).

// Progress is one step of the questionnaire to save: the answers of the
// listed items (0 = skipped), and optionally the perspective and the comment.
type Progress struct {
	Items       []int // item indexes whose values in Answers are to be stored
	Answers     scoring.Answers
	Perspective *string
	Comment     *string
}

// Validate checks the values a step would store.
func (p Progress) Validate() error {
	var seen [scoring.NumItems]bool
	for _, i := range p.Items {
		if i < 0 || i >= scoring.NumItems {
			return fmt.Errorf("item index %d out of range", i)
		}
		if seen[i] {
			return fmt.Errorf("item %s listed twice", scoring.ItemIDs()[i])
		}
		seen[i] = true
		if p.Answers[i] > 5 {
			return fmt.Errorf("answer %d to %s is outside 1–5", p.Answers[i], scoring.ItemIDs()[i])
		}
	}
	if p.Perspective != nil && !scoring.ValidPerspective(*p.Perspective) {
		return fmt.Errorf("perspective %q is not one of %v", *p.Perspective, scoring.Perspectives)
	}
	if p.Comment != nil && utf8.RuneCountInString(*p.Comment) > MaxCommentLength {
		return fmt.Errorf("comment is longer than %d characters", MaxCommentLength)
	}
	return nil
}

// SaveProgress stores one step of an in-progress response in one UPDATE,
// which a submitted response never matches (ErrSubmitted); a response that is
// gone (its round closed) gives ErrNotFound.
func (s *Store) SaveProgress(ctx context.Context, id uint64, p Progress) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("save response %d: %w", id, err)
	}
	set, args := p.assignments(s.Now())
	// One statement is atomic by itself: no transaction around it; and
	// storing the same values twice changes nothing, so it may be retried.
	err := s.updateOne(ctx, "UPDATE responses SET "+set+" WHERE id = ? AND status = ?", append(args, id, StatusInProgress))
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrNotSaved) {
		return fmt.Errorf("save response %d: %w", id, translate(err))
	}
	// MariaDB counts changed rows, not matched ones: a save that changes
	// nothing still matches when the response is in progress, and
	// updated_at, which moves on every save, makes that rare enough to
	// look once.
	var status []string
	err = s.db.WithContext(ctx).Model(&Response{}).Where("id = ?", id).Pluck("status", &status).Error
	switch {
	case err != nil:
		return fmt.Errorf("save response %d: %w", id, translate(err))
	case len(status) == 0:
		return fmt.Errorf("save response %d: %w", id, ErrNotFound)
	case status[0] == StatusSubmitted:
		return fmt.Errorf("save response %d: %w", id, ErrSubmitted)
	}
	return nil
}

// assignments is the SET clause of an UPDATE storing p, with its
// arguments. It is written by hand: a save is the survey's most frequent
// write, and GORM's Updates spent more building the statement than SQLite
// running it.
func (p Progress) assignments(now time.Time) (set string, args []any) {
	cols, args := []string{"updated_at = ?"}, []any{now}
	for _, i := range p.Items {
		cols, args = append(cols, AnswerColumnNames[i]+" = ?"), append(args, answerValue(p.Answers[i]))
	}
	if p.Perspective != nil {
		cols, args = append(cols, "perspective = ?"), append(args, *p.Perspective)
	}
	if p.Comment != nil {
		cols, args = append(cols, "comment = ?"), append(args, *p.Comment)
	}
	return strings.Join(cols, ", "), args
}

// ErrNotSaved is SaveProgressByResumeToken's answer when its UPDATE matched
// no response: the caller reads the response to learn why.
var ErrNotSaved = errors.New("no response in progress matched the save")

// SaveProgressByResumeToken stores step p of the response resumeToken opens
// and returns its round's Keys, which decide the next page. One UPDATE finds
// and changes the response, with nothing read before it: a save is the
// survey's most frequent write, and reading the whole page first took a
// tenth of the server's time in a survey rush (callgrind counts 4 % fewer
// instructions per survey without it). The keys are those this replica
// remembers for the response (asked.go); else they come back with the
// UPDATE on PostgreSQL, and from a read of that one column after it
// elsewhere. The UPDATE matches only a response in progress whose round
// asks the key of every answer in p; otherwise, or on MariaDB when it matched but changed
// nothing (MariaDB counts changed rows), the answer is ErrNotSaved, and the
// caller reads the response to learn which: gone, submitted, or a key its
// round does not ask. So is a save whose keys could not be read after it.
func (s *Store) SaveProgressByResumeToken(ctx context.Context, resumeToken string, p Progress) (roundKeys string, err error) {
	if !wellFormedToken(resumeToken) {
		return "", fmt.Errorf("save response by token: %w", ErrNotSaved)
	}
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("save response by token: %w", err)
	}
	set, args := p.assignments(s.Now())
	hash := HashToken(resumeToken)
	update, args := "UPDATE responses SET "+set+" WHERE resume_token_hash = ? AND status = ?", append(args, hash, StatusInProgress)
	var seen [scoring.NumKeys]bool
	for _, i := range p.Items {
		if k := scoring.KeyOfItem(i); !seen[k] {
			seen[k] = true
			update += roundAsks[k]
		}
	}
	known, ok := s.asked.recall(hash)
	switch {
	case ok: // the keys the start or the page's read found
		if err = s.updateOne(ctx, update, args); err == nil {
			roundKeys = known
		}
	case s.engine == config.EnginePostgres:
		err = s.retry(ctx, func() error {
			return s.writes.scan(ctx, update+" RETURNING (SELECT rounds.keys FROM rounds WHERE rounds.id = responses.round_id)", args, &roundKeys)
		})
	default:
		// MariaDB's UPDATE has no RETURNING; and on SQLite a statement on
		// the writer that returns rows costs two goroutines more than one
		// that does not (see gated), where the read after it, on a
		// reader, costs none. So the keys come from a read after the save.
		if err = s.updateOne(ctx, update, args); err == nil {
			roundKeys, err = s.roundKeysOf(ctx, hash)
		}
	}
	if err == nil && !ok {
		s.asked.remember(hash, roundKeys)
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotSaved
	}
	if err != nil {
		return "", fmt.Errorf("save response by token: %w", translate(err))
	}
	return roundKeys, nil
}

// roundAsks[k] is the condition SaveProgressByResumeToken adds for answers
// of key k: the response's round asks k. A pulse round's Keys lists key IDs
// (single letters) with commas. The pattern is part of the statement, not a
// parameter: SQLite compiles a statement again whenever a LIKE's bound
// pattern changes, which would be on almost every save.
var roundAsks = func() (conds [scoring.NumKeys]string) {
	for k, id := range scoring.KeyIDs() {
		conds[k] = " AND EXISTS (SELECT 1 FROM rounds WHERE rounds.id = responses.round_id AND (rounds.keys = '' OR rounds.keys LIKE '%" + id + "%'))"
	}
	return conds
}()

// updateOne runs an UPDATE that stores the same values however often it
// runs on the writer, tried again while the database passes through
// trouble, and gives ErrNotSaved unless it changed exactly one row.
func (s *Store) updateOne(ctx context.Context, update string, args []any) error {
	var res sql.Result
	err := s.retry(ctx, func() (err error) {
		res, err = s.writes.exec(ctx, update, args...)
		return err
	})
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return ErrNotSaved
	}
	return nil
}

// roundKeysOf reads the Keys of the round of the response with resume token
// hash, after a save by the token. A read that fails leaves the save done
// but the next page unknown: it is ErrNotSaved, so that the caller reads
// the response, as for a save that matched nothing, and saves it again,
// which changes nothing. A response gone since (its round closed) is
// sql.ErrNoRows.
func (s *Store) roundKeysOf(ctx context.Context, hash string) (string, error) {
	var keys string
	err := s.retry(ctx, func() error {
		return s.reads.scan(ctx, "SELECT rounds.keys FROM responses JOIN rounds ON rounds.id = responses.round_id WHERE responses.resume_token_hash = ?",
			[]any{hash}, &keys)
	})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w, and its round's keys could not be read: %w", ErrNotSaved, err)
	}
	return keys, err
}
