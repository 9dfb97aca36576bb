package models

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Personal codes in the life of a round: locked and spent in the submit's
// transaction, expired at the close, and counted in the round's headcounts.

// spendCode spends the code of response id inside the submit's transaction:
// its row goes, and its round's tally counts one more, so the response rate
// stays exact and nothing of the code does.
func spendCode(tx *gorm.DB, responseID uint64) error {
	var pc PersonalCode
	err := tx.Where("response_id = ?", responseID).First(&pc).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // a response of the open link
	}
	if err != nil {
		return err
	}
	if err := tx.Delete(&pc).Error; err != nil {
		return err
	}
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "team_id"}, {Name: "round_id"}},
		DoUpdates: clause.Assignments(map[string]any{"spent": gorm.Expr("code_tallies.spent + 1")}),
	}).Create(&CodeTally{TeamID: pc.TeamID, RoundID: pc.RoundID, Spent: 1}).Error
}

// spentCodes is how many codes of a team's round are spent.
func spentCodes(db *gorm.DB, teamID, roundID uint) (int, error) {
	var t CodeTally
	err := db.Where("team_id = ? AND round_id = ?", teamID, roundID).Limit(1).Find(&t).Error
	return t.Spent, err
}

// expireCodes ends the unspent codes of a closing round: they can never be
// used, so their links and their batches' clear text go.
func expireCodes(tx *gorm.DB, roundID uint) error {
	err := tx.Model(&PersonalCode{}).Where("round_id = ? AND status = ?", roundID, CodeUnspent).
		Updates(map[string]any{"status": CodeExpired, "response_id": nil}).Error
	if err != nil {
		return err
	}
	return tx.Model(&CodeBatch{}).Where("round_id = ? AND list IS NOT NULL", roundID).Update("list", nil).Error
}

// TeamsForRound is every team as round roundID's results count it: a team on
// personal codes has as its headcount the codes issued for that round (spent,
// unspent or expired; withdrawn ones do not count) plus the headcounts of its
// sub-teams, so that its response rate is exact.
func (s *Store) TeamsForRound(ctx context.Context, roundID uint) ([]Team, error) {
	return teamsForRound(s.rdb.WithContext(ctx), roundID)
}

func teamsForRound(db *gorm.DB, roundID uint) ([]Team, error) {
	var teams []Team
	if err := db.Order("name").Find(&teams).Error; err != nil {
		return nil, fmt.Errorf("teams of round %d: %w", roundID, err)
	}
	var issued []struct {
		TeamID uint
		N      int
	}
	if err := db.Model(&PersonalCode{}).Select("team_id, COUNT(*) AS n").
		Where("round_id = ? AND status <> ?", roundID, CodeRevoked).Group("team_id").Scan(&issued).Error; err != nil {
		return nil, fmt.Errorf("codes of round %d: %w", roundID, err)
	}
	var tallies []CodeTally
	if err := db.Where("round_id = ?", roundID).Find(&tallies).Error; err != nil {
		return nil, fmt.Errorf("spent codes of round %d: %w", roundID, err)
	}
	codes := map[uint]int{}
	for _, c := range issued {
		codes[c.TeamID] = c.N
	}
	for _, t := range tallies {
		codes[t.TeamID] += t.Spent
	}
	children := map[uint][]int{}
	for i, t := range teams {
		if t.ParentID != nil {
			children[*t.ParentID] = append(children[*t.ParentID], i)
		}
	}
	done := make([]bool, len(teams))
	var count func(i, depth int) *int
	count = func(i, depth int) *int {
		t := &teams[i]
		// A team on codes with none for this round (a round from before
		// it took codes, say) keeps the headcount it has.
		if t.Access != AccessCodes || codes[t.ID] == 0 || done[i] || depth > len(teams) {
			return t.Headcount
		}
		done[i] = true
		n := codes[t.ID]
		for _, c := range children[t.ID] {
			h := count(c, depth+1)
			if h == nil {
				t.Headcount = nil
				return nil
			}
			n += *h
		}
		t.Headcount = &n
		return t.Headcount
	}
	for i := range teams {
		count(i, 0)
	}
	return teams, nil
}
