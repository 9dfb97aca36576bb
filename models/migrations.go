package models

import (
	"strings"
	"time"

	"gorm.io/gorm"
)

// The migrations after the first two; migrate.go holds how they run.

// migrateBoundedRows is migration 3: unfinished responses of closed rounds
// are removed, as CloseRound now does at the close, and sign-in attempts get
// an index by time, by which every new attempt forgets the old ones.
func migrateBoundedRows(_ *Store, tx *gorm.DB) error {
	type SignInFailure struct {
		ID uint64    `gorm:"primaryKey"`
		At time.Time `gorm:"not null;index:idx_signin_at"`
	}
	if !tx.Migrator().HasIndex(&SignInFailure{}, "idx_signin_at") {
		if err := tx.Migrator().CreateIndex(&SignInFailure{}, "idx_signin_at"); err != nil {
			return err
		}
	}
	closed := tx.Table("rounds").Select("id").Where("status = ?", RoundClosed)
	return tx.Exec("DELETE FROM responses WHERE status = ? AND round_id IN (?)", StatusInProgress, closed).Error
}

// migratePersonalCodes is migration 4: teams.access (every existing team
// keeps its open link) and the personal_codes table.
func migratePersonalCodes(_ *Store, tx *gorm.DB) error {
	type Team struct {
		ID     uint   `gorm:"primaryKey"`
		Access string `gorm:"size:8;not null;default:link"`
	}
	if !tx.Migrator().HasColumn(&Team{}, "Access") {
		if err := tx.Migrator().AddColumn(&Team{}, "Access"); err != nil {
			return err
		}
	}
	type Round struct {
		ID uint `gorm:"primaryKey"`
	}
	type PersonalCode struct {
		ID         uint64  `gorm:"primaryKey"`
		TeamID     uint    `gorm:"not null;index:idx_codes_team_round,priority:1"`
		Team       *Team   `gorm:"constraint:OnDelete:RESTRICT"`
		RoundID    uint    `gorm:"not null;index:idx_codes_team_round,priority:2"`
		Round      *Round  `gorm:"constraint:OnDelete:RESTRICT"`
		CodeHash   string  `gorm:"size:64;not null;uniqueIndex:idx_codes_hash"`
		Code       *string `gorm:"size:19"`
		Status     string  `gorm:"size:8;not null;check:chk_codes_status,status IN ('unspent','spent','revoked','expired')"`
		ResponseID *uint64 `gorm:"uniqueIndex:idx_codes_response"`
	}
	return tx.AutoMigrate(&PersonalCode{})
}

// migrateAPITokens is migration 5: the api_tokens and code_tallies tables
// (a spent code leaves no row of its own, only a count).
func migrateAPITokens(_ *Store, tx *gorm.DB) error {
	type User struct {
		ID uint `gorm:"primaryKey"`
	}
	type APIToken struct {
		ID         uint   `gorm:"primaryKey"`
		UserID     uint   `gorm:"not null;index"`
		User       *User  `gorm:"constraint:OnDelete:CASCADE"`
		Name       string `gorm:"size:120;not null"`
		TokenHash  string `gorm:"size:64;not null;uniqueIndex:idx_api_tokens_hash"`
		CreatedAt  time.Time
		LastUsedAt *time.Time
	}
	type CodeTally struct {
		TeamID  uint `gorm:"primaryKey;autoIncrement:false"`
		RoundID uint `gorm:"primaryKey;autoIncrement:false"`
		Spent   int  `gorm:"not null;default:0"`
	}
	return tx.AutoMigrate(&APIToken{}, &CodeTally{})
}

// migratePlans is migration 6: plans and plan_actions.
func migratePlans(_ *Store, tx *gorm.DB) error {
	type Team struct {
		ID uint `gorm:"primaryKey"`
	}
	type Round struct {
		ID uint `gorm:"primaryKey"`
	}
	type PlanAction struct {
		ID       uint       `gorm:"primaryKey"`
		PlanID   uint       `gorm:"not null;index"`
		Position int        `gorm:"not null"`
		Habit    string     `gorm:"size:300;not null"`
		Owner    string     `gorm:"size:120;not null"`
		Due      *time.Time `gorm:"type:date"`
		Status   string     `gorm:"size:8;not null;check:chk_plan_actions_status,status IN ('planned','doing','done')"`
	}
	type Plan struct {
		ID        uint         `gorm:"primaryKey"`
		Scope     string       `gorm:"size:32;not null;uniqueIndex:idx_plans_scope_round,priority:1"`
		TeamID    *uint        `gorm:"index"`
		Team      *Team        `gorm:"constraint:OnDelete:RESTRICT"`
		RoundID   uint         `gorm:"not null;uniqueIndex:idx_plans_scope_round,priority:2"`
		Round     *Round       `gorm:"constraint:OnDelete:RESTRICT"`
		FocusKeys string       `gorm:"size:16;not null"`
		Notes     string       `gorm:"type:text;not null"`
		Actions   []PlanAction `gorm:"constraint:OnDelete:CASCADE"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	return tx.AutoMigrate(&Plan{}, &PlanAction{})
}

// migratePulseRounds is migration 7: rounds.keys and rounds.teams, empty
// for every existing round (a full round of every team).
func migratePulseRounds(_ *Store, tx *gorm.DB) error {
	type Round struct {
		ID    uint   `gorm:"primaryKey"`
		Keys  string `gorm:"size:16;not null;default:''"`
		Teams string `gorm:"type:text;not null;default:''"`
	}
	for _, col := range []string{"Keys", "Teams"} {
		if tx.Migrator().HasColumn(&Round{}, col) {
			continue
		}
		if err := tx.Migrator().AddColumn(&Round{}, col); err != nil {
			return err
		}
	}
	return nil
}

// migrateCodeBatches is migration 8: codes are made in batches that keep
// their clear text as made, so that the admin's pages no longer change when
// a code is started. The codes still in clear (unused, not started) move
// into one batch per team and round, and personal_codes.code goes.
func migrateCodeBatches(s *Store, tx *gorm.DB) error {
	type Team struct {
		ID uint `gorm:"primaryKey"`
	}
	type Round struct {
		ID uint `gorm:"primaryKey"`
	}
	type CodeBatch struct {
		ID        uint64  `gorm:"primaryKey"`
		TeamID    uint    `gorm:"not null;index:idx_batches_team_round,priority:1"`
		Team      *Team   `gorm:"constraint:OnDelete:RESTRICT"`
		RoundID   uint    `gorm:"not null;index:idx_batches_team_round,priority:2"`
		Round     *Round  `gorm:"constraint:OnDelete:RESTRICT"`
		Made      int     `gorm:"not null"`
		List      *string `gorm:"type:text"`
		CreatedAt time.Time
	}
	type PersonalCode struct {
		ID      uint64  `gorm:"primaryKey"`
		TeamID  uint    `gorm:"not null"`
		RoundID uint    `gorm:"not null"`
		Code    *string `gorm:"size:19"`
		BatchID *uint64 `gorm:"index:idx_codes_batch"`
	}
	if err := tx.AutoMigrate(&CodeBatch{}); err != nil {
		return err
	}
	if !tx.Migrator().HasColumn(&PersonalCode{}, "BatchID") {
		if err := tx.Migrator().AddColumn(&PersonalCode{}, "BatchID"); err != nil {
			return err
		}
	}
	if !tx.Migrator().HasIndex(&PersonalCode{}, "idx_codes_batch") {
		if err := tx.Migrator().CreateIndex(&PersonalCode{}, "idx_codes_batch"); err != nil {
			return err
		}
	}
	if !tx.Migrator().HasColumn(&PersonalCode{}, "Code") {
		return nil // a run that failed after the drop below
	}
	var inClear []PersonalCode
	if err := tx.Select("id, team_id, round_id, code").Where("code IS NOT NULL AND batch_id IS NULL").Order("id").Find(&inClear).Error; err != nil {
		return err
	}
	type key struct{ team, round uint }
	groups := map[key][]PersonalCode{}
	var order []key
	for _, pc := range inClear {
		k := key{pc.TeamID, pc.RoundID}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], pc)
	}
	for _, k := range order {
		var codes []string
		var ids []uint64
		for _, pc := range groups[k] {
			codes = append(codes, *pc.Code)
			ids = append(ids, pc.ID)
		}
		list := strings.Join(codes, "\n")
		b := CodeBatch{TeamID: k.team, RoundID: k.round, Made: len(codes), List: &list, CreatedAt: s.Now()}
		if err := tx.Create(&b).Error; err != nil {
			return err
		}
		if err := tx.Model(&PersonalCode{}).Where("id IN ?", ids).Update("batch_id", b.ID).Error; err != nil {
			return err
		}
	}
	// Plain SQL: GORM's SQLite migrator leaves the column where it is.
	return tx.Exec("ALTER TABLE personal_codes DROP COLUMN code").Error
}
