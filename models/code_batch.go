package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Batches of personal codes: made, counted, withdrawn and replaced by an
// admin. A batch's printable list stays as it was made until the batch
// ends, so it never tells who has used a code (see code.go for the codes
// themselves and their use).
// NewCodes asks for personal codes for a team in the round of CodeRound.
type NewCodes struct {
	TeamID uint
	Count  int
	// BeyondHeadcount allows more codes than the team's headcount.
	BeyondHeadcount bool
	By              Actor
}

// GenerateCodes makes a batch of nc.Count codes and returns it with its
// round. Codes in use (unspent or spent) never exceed the team's headcount
// unless nc.BeyondHeadcount.
func (s *Store) GenerateCodes(ctx context.Context, nc NewCodes) (CodeBatch, Round, error) {
	if nc.Count < 1 || nc.Count > MaxCodesAtOnce {
		return CodeBatch{}, Round{}, fmt.Errorf("codes for team %d: %d is not between 1 and %d", nc.TeamID, nc.Count, MaxCodesAtOnce)
	}
	var round Round
	var batch CodeBatch
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Team
		if err := s.forUpdate(tx).First(&t, nc.TeamID).Error; err != nil {
			return err
		}
		var err error
		if round, err = codeRound(tx); err != nil {
			return err
		}
		if !round.AsksTeam(t.ID) {
			return fmt.Errorf("round %q: %w", round.Name, ErrNotAsked)
		}
		counts, err := codeCounts(tx, t.ID, round.ID)
		if err != nil {
			return err
		}
		inUse := counts.Unused + counts.Started + counts.Spent
		if t.Headcount != nil && inUse+nc.Count > *t.Headcount && !nc.BeyondHeadcount {
			return fmt.Errorf("%w: %d in use, %d more asked, headcount %d", ErrBeyondHeadcount, inUse, nc.Count, *t.Headcount)
		}
		if batch, err = s.makeBatch(tx, t.ID, round.ID, nc.Count); err != nil {
			return err
		}
		return s.audit(tx, nc.By, "codes.create", fmt.Sprintf("team %d “%s”: batch %d of %d personal codes for round %d “%s”", t.ID, t.Name, batch.ID, nc.Count, round.ID, round.Name))
	})
	if err != nil {
		return CodeBatch{}, Round{}, fmt.Errorf("make codes for team %d: %w", nc.TeamID, translate(err))
	}
	return batch, round, nil
}

// CodeCounts counts a team's codes of a round by what became of them. Only
// counts: which code is which is never told.
type CodeCounts struct {
	// Unused codes can still start a response; Started ones have.
	Unused, Started int
	// Spent codes gave a submitted response.
	Spent int
	// Withdrawn by an admin; Expired unspent when the round closed.
	Withdrawn, Expired int
}

// CodeCounts counts team teamID's codes of round roundID.
func (s *Store) CodeCounts(ctx context.Context, teamID, roundID uint) (CodeCounts, error) {
	c, err := codeCounts(s.rdb.WithContext(ctx), teamID, roundID)
	if err != nil {
		return CodeCounts{}, fmt.Errorf("count codes of team %d: %w", teamID, err)
	}
	return c, nil
}

func codeCounts(db *gorm.DB, teamID, roundID uint) (CodeCounts, error) {
	var rows []struct {
		Status  string
		Started bool
		N       int
	}
	err := db.Model(&PersonalCode{}).Select("status, response_id IS NOT NULL AS started, COUNT(*) AS n").
		Where("team_id = ? AND round_id = ?", teamID, roundID).Group("status, response_id IS NOT NULL").Scan(&rows).Error
	if err != nil {
		return CodeCounts{}, err
	}
	var c CodeCounts
	for _, r := range rows {
		switch {
		case r.Status == CodeUnspent && r.Started:
			c.Started += r.N
		case r.Status == CodeUnspent:
			c.Unused += r.N
		case r.Status == CodeRevoked:
			c.Withdrawn += r.N
		case r.Status == CodeExpired:
			c.Expired += r.N
		}
	}
	c.Spent, err = spentCodes(db, teamID, roundID)
	return c, err
}

// CodeBatches lists a team's batches of a round that can still be printed,
// oldest first.
func (s *Store) CodeBatches(ctx context.Context, teamID, roundID uint) ([]CodeBatch, error) {
	return list[CodeBatch](ctx, s.rdb.Where("team_id = ? AND round_id = ? AND list IS NOT NULL", teamID, roundID).Order("id"), "code batches")
}

// CodeBatch reads batch id of team teamID, or ErrNotFound.
func (s *Store) CodeBatch(ctx context.Context, teamID uint, id uint64) (CodeBatch, error) {
	var b CodeBatch
	err := s.rdb.WithContext(ctx).Where("id = ? AND team_id = ?", id, teamID).First(&b).Error
	if err != nil {
		return CodeBatch{}, fmt.Errorf("code batch %d of team %d: %w", id, teamID, translate(err))
	}
	return b, nil
}

// WithdrawCodes withdraws the named codes of a team and round that have not
// been used: a lost slip, say. A code that has started a response is
// withdrawn too, and that unfinished response is discarded, so that
// whoever found the slip cannot finish it; telling a started code from an
// unstarted one here would tell the admin who has begun. Each withdrawn
// code leaves its batch's list. It returns how many were withdrawn; the
// rest were unknown, used or withdrawn before, which it does not tell apart.
func (s *Store) WithdrawCodes(ctx context.Context, by Actor, teamID, roundID uint, codes []string) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		n = 0
		var t Team
		if err := s.forUpdate(tx).First(&t, teamID).Error; err != nil {
			return err
		}
		for _, code := range codes {
			var pc PersonalCode
			err := s.forUpdate(tx).Where("code_hash = ? AND team_id = ? AND round_id = ? AND status = ?", HashToken(code), teamID, roundID, CodeUnspent).
				Limit(1).Find(&pc).Error
			if err != nil {
				return err
			}
			if pc.ID == 0 {
				continue
			}
			started := pc.ResponseID
			if err := tx.Model(&pc).Updates(map[string]any{"status": CodeRevoked, "response_id": nil}).Error; err != nil {
				return err
			}
			if started != nil {
				if err := tx.Where("id = ? AND status = ?", *started, StatusInProgress).Delete(&Response{}).Error; err != nil {
					return err
				}
			}
			if pc.BatchID != nil {
				if err := dropFromBatch(tx, *pc.BatchID, code); err != nil {
					return err
				}
			}
			n++
		}
		return s.audit(tx, by, "codes.revoke", fmt.Sprintf("team %d “%s”: %d of %d named personal codes of round %d withdrawn", teamID, t.Name, n, len(codes), roundID))
	})
	if err != nil {
		return 0, fmt.Errorf("withdraw codes of team %d: %w", teamID, translate(err))
	}
	return n, nil
}

// dropFromBatch takes code off batch id's list.
func dropFromBatch(tx *gorm.DB, id uint64, code string) error {
	var b CodeBatch
	if err := tx.First(&b, id).Error; err != nil {
		return err
	}
	codes := b.Codes()
	if i := slices.Index(codes, code); i >= 0 {
		rest := strings.Join(slices.Delete(codes, i, i+1), "\n")
		return tx.Model(&b).Update("list", &rest).Error
	}
	return nil
}

// WithdrawBatch ends batch id of team teamID: its codes that have not
// started a response stop working, and its slips can no longer be printed.
// A code that has started stays its holder's, so that nobody loses
// answers; only the count tells how many did. It returns how many codes
// were withdrawn.
func (s *Store) WithdrawBatch(ctx context.Context, by Actor, teamID uint, id uint64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Team
		if err := s.forUpdate(tx).First(&t, teamID).Error; err != nil {
			return err
		}
		var b CodeBatch
		if err := tx.Where("id = ? AND team_id = ? AND list IS NOT NULL", id, teamID).First(&b).Error; err != nil {
			return err
		}
		var err error
		if n, err = endBatches(tx, "id = ?", b.ID); err != nil {
			return err
		}
		return s.audit(tx, by, "codes.revoke", fmt.Sprintf("team %d “%s”: batch %d of round %d withdrawn, %d unused personal codes with it", teamID, t.Name, b.ID, b.RoundID, n))
	})
	if err != nil {
		return 0, fmt.Errorf("withdraw code batch %d of team %d: %w", id, teamID, translate(err))
	}
	return n, nil
}

// ReplaceCodes withdraws every unused code of a team and round that has not
// started a response, ends all its batches, and makes one new batch of as
// many codes, in one transaction. It returns the new batch (none when no
// code was withdrawn) and how many were replaced.
func (s *Store) ReplaceCodes(ctx context.Context, by Actor, teamID, roundID uint) (CodeBatch, int64, error) {
	var n int64
	var batch CodeBatch
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Team
		if err := s.forUpdate(tx).First(&t, teamID).Error; err != nil {
			return err
		}
		var err error
		if n, err = endBatches(tx, "team_id = ? AND round_id = ?", teamID, roundID); err != nil {
			return err
		}
		// Unused codes of no batch (made before batches were kept) go too.
		res := tx.Model(&PersonalCode{}).Where("team_id = ? AND round_id = ? AND status = ? AND response_id IS NULL", teamID, roundID, CodeUnspent).
			Update("status", CodeRevoked)
		if res.Error != nil {
			return res.Error
		}
		n += res.RowsAffected
		detail := fmt.Sprintf("team %d “%s”: %d unused personal codes of round %d withdrawn", teamID, t.Name, n, roundID)
		if n > 0 {
			if batch, err = s.makeBatch(tx, teamID, roundID, int(n)); err != nil {
				return err
			}
			detail += fmt.Sprintf(" and as many made anew in batch %d", batch.ID)
		}
		return s.audit(tx, by, "codes.replace", detail)
	})
	if err != nil {
		return CodeBatch{}, 0, fmt.Errorf("replace codes of team %d: %w", teamID, translate(err))
	}
	return batch, n, nil
}

// endBatches ends the batches that the condition where selects: their
// unused codes that have not started are withdrawn, and their lists go. It
// returns how many codes were withdrawn.
func endBatches(tx *gorm.DB, where string, args ...any) (int64, error) {
	var ids []uint64
	if err := tx.Model(&CodeBatch{}).Where(where, args...).Where("list IS NOT NULL").Pluck("id", &ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := tx.Model(&PersonalCode{}).Where("batch_id IN ? AND status = ? AND response_id IS NULL", ids, CodeUnspent).
		Update("status", CodeRevoked)
	if res.Error != nil {
		return 0, res.Error
	}
	return res.RowsAffected, tx.Model(&CodeBatch{}).Where("id IN ?", ids).Update("list", nil).Error
}

// makeBatch stores a batch of n new codes of a team and round.
func (s *Store) makeBatch(tx *gorm.DB, teamID, roundID uint, n int) (CodeBatch, error) {
	codes := make([]string, n)
	for i := range codes {
		codes[i] = newCode()
	}
	joined := strings.Join(codes, "\n")
	b := CodeBatch{TeamID: teamID, RoundID: roundID, Made: n, List: &joined, CreatedAt: s.Now()}
	if err := tx.Create(&b).Error; err != nil {
		return CodeBatch{}, err
	}
	rows := make([]PersonalCode, n)
	for i := range rows {
		rows[i] = PersonalCode{TeamID: teamID, RoundID: roundID, CodeHash: HashToken(codes[i]), Status: CodeUnspent, BatchID: &b.ID}
	}
	return b, tx.CreateInBatches(&rows, 200).Error
}
