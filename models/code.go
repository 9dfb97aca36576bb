package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// How a team's members reach the survey (Team.Access).
const (
	// AccessLink: the team's one invite link, for everyone in it.
	AccessLink = "link"
	// AccessCodes: a personal code per person; the invite link is refused.
	AccessCodes = "codes"
)

// Personal code statuses. A spent code has no row: it is a count in its
// round's CodeTally.
const (
	CodeUnspent = "unspent"
	CodeRevoked = "revoked"
	// CodeExpired: unspent when its round closed.
	CodeExpired = "expired"
)

// PersonalCode is one person's way into one round of a team's survey: it
// starts exactly one response, resumes it while unfinished, and is spent when
// that response is submitted. Lookups go by its hash; its clear text lives
// only in the list of the batch it was made in, so that its slip can be
// printed again. While its response is unfinished ResponseID links the two.
// The submit, in its transaction, deletes the code's row and adds one to its
// round's CodeTally, so nothing that stays (no id, hash, transaction id or
// time) ties an answer to a code.
type PersonalCode struct {
	ID       uint64 `gorm:"primaryKey"`
	TeamID   uint   `gorm:"not null;index:idx_codes_team_round,priority:1"`
	Team     *Team  `gorm:"constraint:OnDelete:RESTRICT"`
	RoundID  uint   `gorm:"not null;index:idx_codes_team_round,priority:2"`
	Round    *Round `gorm:"constraint:OnDelete:RESTRICT"`
	CodeHash string `gorm:"size:64;not null;uniqueIndex:idx_codes_hash"`
	Status   string `gorm:"size:8;not null;check:chk_codes_status,status IN ('unspent','spent','revoked','expired')"`
	// ResponseID is the unfinished response the code started.
	ResponseID *uint64 `gorm:"uniqueIndex:idx_codes_response"`
	// BatchID is the batch the code was made in; nil for codes of a batch
	// that was withdrawn, replaced or expired with its round.
	BatchID *uint64 `gorm:"index:idx_codes_batch"`
}

// CodeBatch is the codes made at once for a team and round, in clear, as
// they were made: their slips and mail-merge file. Nothing a respondent
// does changes a batch, so that reprinting it, or looking at the admin's
// pages before and after, never tells whose code was started or used. Its
// list goes when the batch is withdrawn or replaced, and when its round
// closes.
type CodeBatch struct {
	ID      uint64 `gorm:"primaryKey"`
	TeamID  uint   `gorm:"not null;index:idx_batches_team_round,priority:1"`
	Team    *Team  `gorm:"constraint:OnDelete:RESTRICT"`
	RoundID uint   `gorm:"not null;index:idx_batches_team_round,priority:2"`
	Round   *Round `gorm:"constraint:OnDelete:RESTRICT"`
	// Made is how many codes the batch was made with.
	Made int `gorm:"not null"`
	// List is the batch's codes, one per line, in the order they were
	// made, less those withdrawn by name; nil once the batch is over.
	List      *string `gorm:"type:text"`
	CreatedAt time.Time
}

// Codes is the batch's codes in clear, or none once it is over.
func (b CodeBatch) Codes() []string {
	if b.List == nil || *b.List == "" {
		return nil
	}
	return strings.Split(*b.List, "\n")
}

// CodeTally counts a team's spent codes of a round.
type CodeTally struct {
	TeamID  uint `gorm:"primaryKey;autoIncrement:false"`
	RoundID uint `gorm:"primaryKey;autoIncrement:false"`
	Spent   int  `gorm:"not null;default:0"`
}

// codeAlphabet has no 0, O, 1 or I: 32 signs, 5 bits each.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// codeLength signs of 5 bits make 80 bits, written in groups of four.
const codeLength = 16

// MaxCodesAtOnce bounds one generation.
const MaxCodesAtOnce = 2000

// Errors of personal codes.
var (
	// ErrCodeUnknown: no such code: mistyped, never made, or used (a used
	// code leaves no trace that could tell it apart).
	ErrCodeUnknown = errors.New("this code is not known")
	// ErrCodeRevoked: an admin withdrew it.
	ErrCodeRevoked = errors.New("this code has been withdrawn")
	// ErrCodeExpired: its round has closed.
	ErrCodeExpired = errors.New("the round of this code has closed")
	// ErrCodeNotYet: its round has not opened yet.
	ErrCodeNotYet = errors.New("the round of this code has not opened yet")
	// ErrBeyondHeadcount: more codes than the team's headcount, not asked for.
	ErrBeyondHeadcount = errors.New("more codes than the team has people")
	// ErrNoRoundForCodes: codes are for the open round or a draft, and there is none.
	ErrNoRoundForCodes = errors.New("there is no open or draft round to make codes for")
)

// newCode makes a code: 16 signs of codeAlphabet from crypto/rand, grouped
// as K7QM-4T2P-XW9H-3NCF.
func newCode() string {
	b := make([]byte, codeLength)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	var sb strings.Builder
	for i, v := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[v&31]) // 256 is a multiple of 32: no bias
	}
	return sb.String()
}

// NormalizeCode turns a code as typed or scanned into its grouped form:
// letters in any case, with or without dashes or spaces. It reports false
// for anything that cannot be a code, which is then never looked up.
func NormalizeCode(typed string) (string, bool) {
	var signs []byte
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			signs = append(signs, byte(r))
		default:
			return "", false
		}
	}
	if len(signs) != codeLength {
		return "", false
	}
	var sb strings.Builder
	for i, c := range signs {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(c)
	}
	return sb.String(), true
}

// CodeRound is the round codes are made for: the open round, else the
// newest draft.
func (s *Store) CodeRound(ctx context.Context) (Round, error) {
	return codeRound(s.rdb.WithContext(ctx))
}

func codeRound(db *gorm.DB) (Round, error) {
	var r Round
	err := db.Where("status IN ?", []string{RoundOpen, RoundDraft}).
		Order("CASE WHEN status = 'open' THEN 0 ELSE 1 END, id DESC").First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Round{}, ErrNoRoundForCodes
	}
	if err != nil {
		return Round{}, fmt.Errorf("round for codes: %w", err)
	}
	return r, nil
}

// SetTeamAccess sets how a team's members reach the survey.
func (s *Store) SetTeamAccess(ctx context.Context, by Actor, id uint, access string) (Team, error) {
	if access != AccessLink && access != AccessCodes {
		return Team{}, fmt.Errorf("team %d: access %q is neither %q nor %q", id, access, AccessLink, AccessCodes)
	}
	var t Team
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&t, id).Error; err != nil {
			return err
		}
		if err := tx.Model(&t).Update("access", access).Error; err != nil {
			return err
		}
		return s.audit(tx, by, "team.access", fmt.Sprintf("team %d “%s”: %s", id, t.Name, access))
	})
	if err != nil {
		return Team{}, fmt.Errorf("set access of team %d: %w", id, translate(err))
	}
	return t, nil
}

// CodeByText reads a code (in its grouped form) with its team and round, for
// the page that welcomes its holder. It changes nothing.
func (s *Store) CodeByText(ctx context.Context, code string) (PersonalCode, error) {
	var pc PersonalCode
	err := s.rdb.WithContext(ctx).Preload("Team").Preload("Round").Where("code_hash = ?", HashToken(code)).First(&pc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return PersonalCode{}, ErrCodeUnknown
	}
	if err != nil {
		return PersonalCode{}, fmt.Errorf("read code: %w", err)
	}
	return pc, usable(pc)
}

// usable says why code pc cannot start or resume a response, or nil.
func usable(pc PersonalCode) error {
	switch {
	case pc.Status == CodeRevoked:
		return ErrCodeRevoked
	case pc.Status == CodeExpired || pc.Round != nil && pc.Round.Status == RoundClosed:
		return ErrCodeExpired
	case pc.Round != nil && pc.Round.Status == RoundDraft:
		return ErrCodeNotYet
	case pc.Team != nil && pc.Team.ArchivedAt != nil:
		return ErrCodeUnknown
	}
	return nil
}

// StartWithCode starts the code's response, or resumes it when the code
// started one already: then the response gets a new resume token, so that
// the device holding the code continues it (a device that held the old
// token no longer does). Two devices racing with one code get one response:
// the code's row is locked while it is read and linked.
func (s *Store) StartWithCode(ctx context.Context, code string) (Started, error) {
	var st Started
	// Tried again when it fails on the way: a first try that did commit
	// linked the code, and the next resumes that response.
	err := s.retry(ctx, func() error {
		return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var pc PersonalCode
			if err := s.forUpdate(tx).Where("code_hash = ?", HashToken(code)).First(&pc).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return ErrCodeUnknown
				}
				return err
			}
			var t Team
			var r Round
			if err := tx.First(&t, pc.TeamID).Error; err != nil {
				return err
			}
			if err := tx.First(&r, pc.RoundID).Error; err != nil {
				return err
			}
			pc.Team, pc.Round = &t, &r
			if err := usable(pc); err != nil {
				return err
			}
			if !r.AsksTeam(t.ID) {
				return ErrNotAsked
			}
			if pc.ResponseID != nil {
				st.ResumeToken = NewToken()
				res := tx.Model(&Response{}).Where("id = ? AND status = ?", *pc.ResponseID, StatusInProgress).
					Update("resume_token_hash", HashToken(st.ResumeToken))
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 1 {
					return tx.First(&st.Response, *pc.ResponseID).Error
				}
				// The response is gone: start afresh below.
			}
			var err error
			if st, err = s.newResponse(ctx, tx, r.ID, t.ID); err != nil {
				return err
			}
			// The code's batch stays as it is: the slips and the codes
			// file do not tell who has started.
			return tx.Model(&pc).Update("response_id", st.Response.ID).Error
		})
	})
	if err != nil {
		return Started{}, fmt.Errorf("start with a code: %w", translate(err))
	}
	return st, nil
}
