package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/scoring"
)

// Response statuses.
const (
	StatusInProgress = "in_progress"
	StatusSubmitted  = "submitted"
)

// MaxCommentLength bounds the free-text comment, in characters (PRODUCT.md §2).
const MaxCommentLength = 2000

// Response is one respondent's answers in one round for one team. It holds no
// name, e-mail or address of the respondent; the resume and result tokens are
// stored only as SHA-256 hashes, so a copy of the database cannot be used to
// open anyone's survey.
type Response struct {
	// (round_id, status, id) is the export's keyset: one ordered index range
	// per batch on every engine.
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
	// ExportCells keeps the response's cells of responses.csv, from
	// perspective to straightlined, written by Submit (see
	// export.StoredResponseCells): a submitted response never changes, so
	// the export copies them instead of formatting 25 answers per row. It is
	// empty, or NULL in rows older than the column, until submit; the export
	// then formats the response afresh.
	ExportCells string `gorm:"type:text"`
}

// Submitted reports whether the response has been submitted.
func (r *Response) Submitted() bool { return r.Status == StatusSubmitted }

// Errors of the respondent's path.
var (
	// ErrSubmitted is returned when a submitted response would change.
	ErrSubmitted = errors.New("this response has been submitted and can no longer change")
	// ErrRoundClosed is returned when a response's round is no longer open.
	ErrRoundClosed = errors.New("this survey round has closed")
)

// ResultTokenFor derives the result link's token from the resume token and
// the secret of the device that submits (a cookie of its own). The device
// that submitted can always find its way back to the result, and the token is
// stored nowhere in plain; but a resume link alone — which whoever started
// the response also holds — never opens the result of a response submitted
// on another device.
func ResultTokenFor(resumeToken, deviceSecret string) string {
	mac := hmac.New(sha256.New, []byte(deviceSecret))
	mac.Write([]byte("icare result link\x00" + resumeToken))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Started is a new response with the secret that reaches it: the resume
// token (for the cookie and the resume link). Only its hash is stored; the
// result token is set when the response is submitted.
type Started struct {
	Response    Response
	ResumeToken string
}

// StartResponse begins an in-progress response for team in the open round.
func (s *Store) StartResponse(ctx context.Context, teamID uint) (Started, error) {
	var st Started
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var round Round
		if err := tx.Where("status = ?", RoundOpen).First(&round).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNoOpenRound
			}
			return err
		}
		if !round.AsksTeam(teamID) {
			return ErrNotAsked
		}
		var err error
		st, err = s.newResponse(tx, round.ID, teamID)
		return err
	})
	if err != nil {
		return Started{}, fmt.Errorf("start response for team %d: %w", teamID, translate(err))
	}
	return st, nil
}

// newResponse stores a new in-progress response inside tx.
func (s *Store) newResponse(tx *gorm.DB, roundID, teamID uint) (Started, error) {
	st := Started{ResumeToken: NewToken()}
	now := s.Now()
	st.Response = Response{
		RoundID:           roundID,
		TeamID:            teamID,
		Perspective:       "unspecified",
		InstrumentVersion: scoring.Version,
		Status:            StatusInProgress,
		StartedAt:         now,
		UpdatedAt:         now,
		ResumeTokenHash:   HashToken(st.ResumeToken),
		// Until the submit sets the real one, the result hash is of a
		// token nobody holds.
		ResultTokenHash: HashToken(NewToken()),
	}
	return st, tx.Omit(clause.Associations).Create(&st.Response).Error
}

// ResponseByID returns one response.
func (s *Store) ResponseByID(ctx context.Context, id uint64) (Response, error) {
	return byID[Response](ctx, s.rdb, "response", id)
}

// ResponseByResumeToken finds the response a resume token opens.
func (s *Store) ResponseByResumeToken(ctx context.Context, token string) (Response, error) {
	return s.responseByHash(ctx, "resume_token_hash", token)
}

// Unfinished is what a page of the survey needs: the response its resume
// token opens, its team's name and the keys its round asks.
type Unfinished struct {
	Response
	TeamName string
	// RoundKeys is the round's Keys (empty: all five), fixed when the round
	// was made.
	RoundKeys string
}

// Round is the part of the response's round that shapes the survey.
func (u Unfinished) Round() Round {
	return Round{ID: u.RoundID, Keys: u.RoundKeys}
}

// stepColumns are the columns ResponseForStep reads, in its Scan's order.
var stepColumns = "responses.id, responses.round_id, responses.team_id, responses.status, responses.perspective, responses.comment, responses." +
	strings.Join(AnswerColumnNames[:], ", responses.") +
	// A word after a period is a name even where it is reserved, as KEYS
	// is in MariaDB.
	", teams.name, rounds.keys"

// ResponseForStep finds the response a resume token opens with its team's
// name and its round's keys, in one query: every page of the survey asks,
// so it reads only what a page shows and scans without reflection (which
// took half the time of GORM's First here, under a survey rush).
func (s *Store) ResponseForStep(ctx context.Context, token string) (Unfinished, error) {
	var u Unfinished
	if !wellFormedToken(token) {
		return u, fmt.Errorf("response by token: %w", ErrNotFound)
	}
	dest := []any{&u.ID, &u.RoundID, &u.TeamID, &u.Status, &u.Perspective, &u.Comment}
	for _, f := range u.itemFields() {
		dest = append(dest, f)
	}
	dest = append(dest, &u.TeamName, &u.RoundKeys)
	err := s.rdb.WithContext(ctx).Raw("SELECT "+stepColumns+" FROM responses"+
		" JOIN teams ON teams.id = responses.team_id JOIN rounds ON rounds.id = responses.round_id"+
		" WHERE responses.resume_token_hash = ?", HashToken(token)).Row().Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return Unfinished{}, fmt.Errorf("response by token: %w", ErrNotFound)
	}
	if err != nil {
		return Unfinished{}, fmt.Errorf("response by token: %w", err)
	}
	return u, nil
}

// ResponseByResultToken finds the response a private result link shows.
func (s *Store) ResponseByResultToken(ctx context.Context, token string) (Response, error) {
	return s.responseByHash(ctx, "result_token_hash", token)
}

func (s *Store) responseByHash(ctx context.Context, column, token string) (Response, error) {
	var r Response
	if !wellFormedToken(token) {
		return Response{}, fmt.Errorf("response by token: %w", ErrNotFound)
	}
	// A reader is enough: a save has committed before its redirect is sent,
	// and every read statement on SQLite's WAL sees what was committed before
	// it began. (Reading through the one writer connection made every page
	// of the survey wait behind every save.)
	err := s.rdb.WithContext(ctx).Where(column+" = ?", HashToken(token)).First(&r).Error
	if err != nil {
		return Response{}, fmt.Errorf("response by token: %w", translate(err))
	}
	return r, nil
}

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
	for _, i := range p.Items {
		if i < 0 || i >= scoring.NumItems {
			return fmt.Errorf("item index %d out of range", i)
		}
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

// lockInProgress reads response id inside tx, locked until tx ends, and
// refuses a submitted one (ErrSubmitted): a submitted response never changes.
func (s *Store) lockInProgress(tx *gorm.DB, id uint64) (Response, error) {
	var r Response
	if err := s.forUpdate(tx).First(&r, id).Error; err != nil {
		return Response{}, err
	}
	if r.Submitted() {
		return Response{}, ErrSubmitted
	}
	return r, nil
}

// SaveProgress stores one step of an in-progress response in one UPDATE,
// which a submitted response never matches (ErrSubmitted); a response that is
// gone (its round closed) gives ErrNotFound.
func (s *Store) SaveProgress(ctx context.Context, id uint64, p Progress) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("save response %d: %w", id, err)
	}
	// Written by hand: this is the survey's most frequent write, and GORM's
	// Updates spent more building the statement than SQLite running it.
	set, args := []string{"updated_at = ?"}, []any{s.Now()}
	for _, i := range p.Items {
		set = append(set, AnswerColumnNames[i]+" = ?")
		if p.Answers[i] == 0 {
			args = append(args, nil)
		} else {
			args = append(args, int16(p.Answers[i]))
		}
	}
	if p.Perspective != nil {
		set, args = append(set, "perspective = ?"), append(args, *p.Perspective)
	}
	if p.Comment != nil {
		set, args = append(set, "comment = ?"), append(args, *p.Comment)
	}
	// One statement is atomic by itself: no transaction around it.
	res := s.db.WithContext(ctx).Session(&gorm.Session{SkipDefaultTransaction: true}).
		Exec("UPDATE responses SET "+strings.Join(set, ", ")+" WHERE id = ? AND status = ?", append(args, id, StatusInProgress)...)
	if res.Error != nil {
		return fmt.Errorf("save response %d: %w", id, translate(res.Error))
	}
	if res.RowsAffected == 1 {
		return nil
	}
	// MariaDB counts changed rows, not matched ones: a save that changes
	// nothing still matches when the response is in progress, and
	// updated_at, which moves on every save, makes that rare enough to
	// look once.
	var status []string
	err := s.db.WithContext(ctx).Model(&Response{}).Where("id = ?", id).Pluck("status", &status).Error
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
// the database rolled back on a lock conflict is tried again (retryBusy),
// and one that found its aggregate cell missing makes it and goes again.
func (s *Store) SubmitWithResult(ctx context.Context, id uint64, resultToken string) (Response, error) {
	var r Response
	submit := func() (err error) {
		r, err = s.submitOnce(ctx, id, resultToken)
		return err
	}
	err := retryBusy(ctx, submit)
	if missing := (*missingCell)(nil); errors.As(err, &missing) {
		if err = s.makeCell(ctx, missing); err == nil {
			err = retryBusy(ctx, submit)
		}
	}
	if err != nil {
		return Response{}, fmt.Errorf("submit response %d: %w", id, translate(err))
	}
	return r, nil
}

// submitOnce is one try of SubmitWithResult's transaction.
func (s *Store) submitOnce(ctx context.Context, id uint64, resultToken string) (Response, error) {
	var r Response
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) (err error) {
		coded, err := lockCode(s, tx, id)
		if err != nil {
			return err
		}
		if r, err = s.lockInProgress(tx, id); err != nil {
			return err
		}
		var round Round
		if err := tx.First(&round, r.RoundID).Error; err != nil {
			return err
		}
		if round.Status != RoundOpen {
			return ErrRoundClosed
		}
		now := s.Now()
		updates := map[string]any{"status": StatusSubmitted, "submitted_at": now, "updated_at": now,
			"result_token_hash": HashToken(resultToken)}
		// A pulse round counts only the keys it asks, whatever else a
		// response might hold.
		a := r.Answers()
		for i := range a {
			if a[i] != 0 && !round.Asks(scoring.KeyOfItem(i)) {
				a[i], updates[AnswerColumnNames[i]] = 0, nil
			}
		}
		r.setAnswers(a)
		cells := export.StoredResponseCells(r.Perspective, r.InstrumentVersion, now, a)
		updates["export_cells"] = cells
		res := tx.Model(&Response{}).Where("id = ? AND status = ?", id, StatusInProgress).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrSubmitted
		}
		r.Status, r.SubmittedAt, r.ExportCells = StatusSubmitted, &now, cells
		if coded {
			if err := spendCode(tx, r.ID); err != nil {
				return err
			}
		}
		return s.addToAggregate(tx, r.RoundID, r.TeamID, r.Perspective, r.Answers())
	})
	return r, err
}

// CountResponses counts the responses of a round by status.
func (s *Store) CountResponses(ctx context.Context, roundID uint, status string) (int64, error) {
	var n int64
	err := s.rdb.WithContext(ctx).Model(&Response{}).Where("round_id = ? AND status = ?", roundID, status).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count %s responses of round %d: %w", status, roundID, err)
	}
	return n, nil
}

// forUpdate locks the rows a read selects until the transaction ends, on the
// engines that have row locks; SQLite's single writer serialises anyway.
func (s *Store) forUpdate(tx *gorm.DB) *gorm.DB {
	if s.engine == config.EngineSQLite {
		return tx
	}
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// Comments returns the comments of a round's submitted responses in the
// given teams (every team when teams is nil) and perspective (every
// perspective when ""), without empty ones, in no meaningful order: the
// caller shuffles them, so no order of submission shows.
func (s *Store) Comments(ctx context.Context, roundID uint, teams []uint, perspective string) ([]string, error) {
	q := s.rdb.WithContext(ctx).Model(&Response{}).
		Where("round_id = ? AND status = ? AND comment <> ''", roundID, StatusSubmitted)
	if teams != nil {
		if len(teams) == 0 {
			return nil, nil
		}
		q = q.Where("team_id IN ?", teams)
	}
	if perspective != "" {
		q = q.Where("perspective = ?", perspective)
	}
	var cs []string
	if err := q.Pluck("comment", &cs).Error; err != nil {
		return nil, fmt.Errorf("comments of round %d: %w", roundID, err)
	}
	return cs, nil
}
