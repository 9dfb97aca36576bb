package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/scoring"
)

// Response statuses.
const (
	StatusInProgress = "in_progress"
	StatusSubmitted  = "submitted"
)

// MaxCommentLength bounds the free-text comment, in characters.
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
	var keys string // the round's
	s.writes.warm(ctx, openRoundQuery, s.writes.insertSQL(insertResponse))
	// Tried again when it fails on the way: at worst a first try that did
	// commit leaves an unfinished response nobody holds, which goes when
	// its round closes.
	err := s.retry(ctx, func() error {
		return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
			var round Round
			err := s.writes.in(gtx).scan(ctx, openRoundQuery, []any{RoundOpen}, round.fields()...)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return ErrNoOpenRound
			case err != nil:
				return err
			case !round.AsksTeam(teamID):
				return ErrNotAsked
			}
			keys = round.Keys
			st, err = s.newResponse(ctx, gtx, round.ID, teamID)
			return err
		})
	})
	if err != nil {
		return Started{}, fmt.Errorf("start response for team %d: %w", teamID, translate(err))
	}
	s.asked.remember(st.Response.ResumeTokenHash, keys)
	return st, nil
}

// insertResponse is newResponse's INSERT.
const insertResponse = "INSERT INTO responses (round_id, team_id, perspective, instrument_version, status, started_at, updated_at, " +
	"comment, resume_token_hash, result_token_hash, export_cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// newResponse stores a new in-progress response inside transaction gtx.
func (s *Store) newResponse(ctx context.Context, gtx *gorm.DB, roundID, teamID uint) (Started, error) {
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
	r := &st.Response
	var err error
	r.ID, err = s.writes.in(gtx).insert(ctx, insertResponse, r.RoundID, r.TeamID, r.Perspective, r.InstrumentVersion,
		r.Status, r.StartedAt, r.UpdatedAt, r.Comment, r.ResumeTokenHash, r.ResultTokenHash, r.ExportCells)
	if err != nil {
		return Started{}, fmt.Errorf("insert response: %w", err)
	}
	return st, nil
}

// ResponseByID returns one response.
func (s *Store) ResponseByID(ctx context.Context, id uint64) (Response, error) {
	var r Response
	if err := s.readByID(ctx, "response", "responses", responseColumns, id, r.fields()...); err != nil {
		return Response{}, err
	}
	return r, nil
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

// AllKeys asks ResponseForStep for the answers of every key.
const AllKeys = -1

// stepQueries are ResponseForStep's statements: [k] reads the answers of
// key k alone, [scoring.NumKeys] those of every key (AllKeys).
var stepQueries = func() (qs [scoring.NumKeys + 1]string) {
	for k := range qs {
		answers := AnswerColumnNames[:]
		if k < scoring.NumKeys {
			answers = answers[k*scoring.ItemsPerKey : (k+1)*scoring.ItemsPerKey]
		}
		qs[k] = "SELECT " + columns("responses", append([]string{"id", "round_id", "team_id", "status", "perspective", "comment"}, answers...)...) +
			// A word after a period is a name even where it is
			// reserved, as KEYS is in MariaDB.
			", teams.name, rounds.keys FROM responses" +
			" JOIN teams ON teams.id = responses.team_id JOIN rounds ON rounds.id = responses.round_id" +
			" WHERE responses.resume_token_hash = ?"
	}
	return qs
}()

// ResponseForStep finds the response a resume token opens with its team's
// name and its round's keys, in one query: every page of the survey asks,
// so it reads only what a page shows: of the answers, those of key (a key
// page's five; AllKeys for all), the others reading as not answered. It
// scans without reflection (which took half the time of GORM's First here,
// under a survey rush) and stays prepared. (Each column costs the SQLite
// driver calls into C to name and read it: a key page's read of five
// answers instead of 25 took BenchmarkKeyPageGet from 0.46–0.47 to
// 0.48 of its baseline.)
func (s *Store) ResponseForStep(ctx context.Context, token string, key int) (Unfinished, error) {
	var u Unfinished
	if !wellFormedToken(token) {
		return u, fmt.Errorf("response by token: %w", ErrNotFound)
	}
	if key < AllKeys || key >= scoring.NumKeys {
		return u, fmt.Errorf("response by token: no key %d", key)
	}
	query, answers := stepQueries[scoring.NumKeys], u.scanFields()
	if key != AllKeys {
		query, answers = stepQueries[key], answers[key*scoring.ItemsPerKey:(key+1)*scoring.ItemsPerKey]
	}
	dest := []any{&u.ID, &u.RoundID, &u.TeamID, &u.Status, &u.Perspective, &u.Comment}
	dest = append(dest, answers...)
	dest = append(dest, &u.TeamName, &u.RoundKeys)
	// Each page of the survey begins here: a read, tried again while the
	// database restarts.
	hash := HashToken(token)
	err := s.retry(ctx, func() error {
		return s.reads.scan(ctx, query, []any{hash}, dest...)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Unfinished{}, fmt.Errorf("response by token: %w", ErrNotFound)
	}
	if err != nil {
		return Unfinished{}, fmt.Errorf("response by token: %w", err)
	}
	if !u.Submitted() {
		s.asked.remember(hash, u.RoundKeys)
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
	err := s.readRow(ctx, "SELECT "+responseColumns+" FROM responses WHERE "+column+" = ?", []any{HashToken(token)}, r.fields()...)
	if err != nil {
		return Response{}, fmt.Errorf("response by token: %w", translate(err))
	}
	return r, nil
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
