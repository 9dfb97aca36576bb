package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Round statuses.
const (
	RoundDraft  = "draft"
	RoundOpen   = "open"
	RoundClosed = "closed"
)

// Round is one survey period, such as "2027 Q1". At most one round is open at
// a time: the database holds that rule too, through a unique column that is 1
// for the open round and NULL for every other (NULLs never collide).
type Round struct {
	ID        uint       `gorm:"primaryKey"`
	Name      string     `gorm:"size:120;not null;uniqueIndex:idx_rounds_name"`
	Status    string     `gorm:"size:16;not null;default:draft;check:chk_rounds_status,status IN ('draft','open','closed')"`
	OpenFlag  *int16     `gorm:"uniqueIndex:idx_rounds_one_open;check:chk_rounds_open_flag,(status = 'open' AND open_flag IS NOT NULL AND open_flag = 1) OR (status <> 'open' AND open_flag IS NULL)"`
	OpensAt   *time.Time `gorm:""`
	ClosesAt  *time.Time `gorm:""`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrRoundOpen is returned when a round would open while another is open.
var ErrRoundOpen = errors.New("another round is open; close it first")

// ErrNoOpenRound is returned when an action needs an open round and none is.
var ErrNoOpenRound = errors.New("no round is open")

// OpenRound creates a round named name and opens it now. It fails with
// ErrRoundOpen while another round is open.
func (s *Store) OpenRound(ctx context.Context, name string) (Round, error) {
	name, err := CleanName("round", name)
	if err != nil {
		return Round{}, err
	}
	now := s.Now()
	one := int16(1)
	r := Round{Name: name, Status: RoundOpen, OpenFlag: &one, OpensAt: &now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Round{}).Where("status = ?", RoundOpen).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrRoundOpen
		}
		var same int64
		if err := tx.Model(&Round{}).Where("name = ?", name).Count(&same).Error; err != nil {
			return err
		}
		if same > 0 {
			return fmt.Errorf("a round named %q exists already: %w", name, ErrConflict)
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.audit(tx, CommandLine, "round.open", fmt.Sprintf("round %d “%s”", r.ID, name))
	})
	if err != nil {
		// A race the counts missed is caught by the unique indexes: ErrConflict.
		return Round{}, fmt.Errorf("open round %q: %w", name, translate(err))
	}
	return r, nil
}

// CloseRound closes the open round and returns it.
func (s *Store) CloseRound(ctx context.Context) (Round, error) {
	var r Round
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("status = ?", RoundOpen).First(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNoOpenRound
			}
			return err
		}
		now := s.Now()
		r.Status, r.OpenFlag, r.ClosesAt = RoundClosed, nil, &now
		if err := tx.Model(&r).Select("status", "open_flag", "closes_at", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		return s.audit(tx, CommandLine, "round.close", fmt.Sprintf("round %d “%s”", r.ID, r.Name))
	})
	if err != nil {
		return Round{}, fmt.Errorf("close round: %w", err)
	}
	return r, nil
}

// CurrentRound returns the open round, or ErrNoOpenRound.
func (s *Store) CurrentRound(ctx context.Context) (Round, error) {
	var r Round
	err := s.rdb.WithContext(ctx).Where("status = ?", RoundOpen).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Round{}, ErrNoOpenRound
	}
	if err != nil {
		return Round{}, fmt.Errorf("open round: %w", err)
	}
	return r, nil
}

// DefaultRound is the round a view shows when none is chosen: the open round,
// else the latest closed one (PRODUCT.md §7).
func (s *Store) DefaultRound(ctx context.Context) (Round, error) {
	r, err := s.CurrentRound(ctx)
	if err == nil || !errors.Is(err, ErrNoOpenRound) {
		return r, err
	}
	err = s.rdb.WithContext(ctx).Where("status = ?", RoundClosed).
		Order("closes_at DESC").Order("id DESC").First(&r).Error
	if err != nil {
		return Round{}, fmt.Errorf("latest closed round: %w", translate(err))
	}
	return r, nil
}

// Round returns one round by id.
func (s *Store) Round(ctx context.Context, id uint) (Round, error) {
	var r Round
	if err := s.rdb.WithContext(ctx).First(&r, id).Error; err != nil {
		return Round{}, fmt.Errorf("round %d: %w", id, translate(err))
	}
	return r, nil
}

// Rounds lists every round, the newest first.
func (s *Store) Rounds(ctx context.Context) ([]Round, error) {
	var rs []Round
	if err := s.rdb.WithContext(ctx).Order("id DESC").Find(&rs).Error; err != nil {
		return nil, fmt.Errorf("list rounds: %w", err)
	}
	return rs, nil
}
