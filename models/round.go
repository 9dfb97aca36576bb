package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/icare-hr/icare/scoring"
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
	ID       uint       `gorm:"primaryKey"`
	Name     string     `gorm:"size:120;not null;uniqueIndex:idx_rounds_name"`
	Status   string     `gorm:"size:16;not null;default:draft;check:chk_rounds_status,status IN ('draft','open','closed')"`
	OpenFlag *int16     `gorm:"uniqueIndex:idx_rounds_one_open;check:chk_rounds_open_flag,(status = 'open' AND open_flag IS NOT NULL AND open_flag = 1) OR (status <> 'open' AND open_flag IS NULL)"`
	OpensAt  *time.Time `gorm:""`
	ClosesAt *time.Time `gorm:""`
	// Keys, for a pulse round, lists the keys it asks ("E" or "C,E");
	// empty for a full round, which asks all five.
	Keys string `gorm:"size:16;not null;default:''"`
	// Teams, for a pulse round of chosen teams, lists their ids ("3,7");
	// empty when every team is asked.
	Teams     string `gorm:"type:text;not null;default:''"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Pulse reports whether the round asks only some keys or some teams.
func (r Round) Pulse() bool { return r.Keys != "" || r.Teams != "" }

// AskedKeys are the keys the round asks, in key order.
func (r Round) AskedKeys() []int {
	if r.Keys == "" {
		return []int{0, 1, 2, 3, 4}
	}
	var ks []int
	for _, id := range strings.Split(r.Keys, ",") {
		if k, ok := scoring.KeyIndex(id); ok {
			ks = append(ks, k)
		}
	}
	return ks
}

// Asks reports whether the round asks key k.
func (r Round) Asks(k int) bool { return slices.Contains(r.AskedKeys(), k) }

// AsksTeam reports whether the round asks team id.
func (r Round) AsksTeam(id uint) bool {
	if r.Teams == "" {
		return true
	}
	return slices.Contains(strings.Split(r.Teams, ","), strconv.FormatUint(uint64(id), 10))
}

// TeamIDs lists the teams a pulse round asks; none when it asks every team.
func (r Round) TeamIDs() []uint {
	var ids []uint
	for _, v := range strings.Split(r.Teams, ",") {
		if id, err := strconv.ParseUint(v, 10, 32); err == nil {
			ids = append(ids, uint(id))
		}
	}
	return ids
}

// ErrNotAsked is returned when a team answers a pulse round not meant for it.
var ErrNotAsked = errors.New("this pulse round does not ask this team")

// Errors of opening and closing rounds.
var (
	// ErrRoundOpen is returned when a round would open while another is open.
	ErrRoundOpen = errors.New("another round is open; close it first")
	// ErrNoOpenRound is returned when an action needs an open round and none is.
	ErrNoOpenRound = errors.New("no round is open")
	// ErrRoundNotOpen is returned when a round that is not open would close.
	ErrRoundNotOpen = errors.New("this round is not open")
	// ErrRoundFinal is returned when a closed round would open again:
	// closing is final: it publishes the round's results once and for all.
	ErrRoundFinal = errors.New("a closed round is never reopened; open a new round instead")
)

// NewRound is what it takes to create a round.
type NewRound struct {
	Name string
	// Keys and Teams make a pulse round: the keys it asks (none: all five)
	// and the teams it asks (none: every team).
	Keys  []int
	Teams []uint
	// Open opens the round at once, in the same transaction; otherwise it
	// is created as a draft, to be opened later.
	Open bool
	// By is who creates the round, for the audit log (the command line when
	// empty).
	By Actor
}

// CreateRound adds a round: a draft, or an open round when nr.Open is set,
// which fails with ErrRoundOpen while another round is open and then creates
// nothing. The admin pages and the command line both come here.
func (s *Store) CreateRound(ctx context.Context, nr NewRound) (Round, error) {
	name, err := CleanName("round", nr.Name)
	if err != nil {
		return Round{}, err
	}
	by := actorOr(nr.By)
	r := Round{Name: name, Status: RoundDraft}
	keys := slices.Sorted(slices.Values(slices.Compact(slices.Sorted(slices.Values(nr.Keys)))))
	if len(keys) > 0 && len(keys) < scoring.NumKeys {
		ids := make([]string, len(keys))
		for i, k := range keys {
			if k < 0 || k >= scoring.NumKeys {
				return Round{}, fmt.Errorf("round %q: key %d does not exist", name, k)
			}
			ids[i] = scoring.KeyIDs()[k]
		}
		r.Keys = strings.Join(ids, ",")
	}
	teams := slices.Compact(slices.Sorted(slices.Values(nr.Teams)))
	tids := make([]string, len(teams))
	for i, t := range teams {
		tids[i] = strconv.FormatUint(uint64(t), 10)
	}
	r.Teams = strings.Join(tids, ",")
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(teams) > 0 {
			// A chosen team brings its sub-teams: a pulse of Sales asks
			// Sales EMEA too.
			var all []Team
			if err := tx.Find(&all).Error; err != nil {
				return err
			}
			asked := map[uint]bool{}
			for _, id := range teams {
				asked[id] = true
			}
			active := map[uint]bool{}
			for _, t := range all {
				active[t.ID] = t.ArchivedAt == nil
			}
			for _, id := range teams {
				if !active[id] {
					return fmt.Errorf("round %q: chosen team %d does not exist or is archived: %w", name, id, ErrNotFound)
				}
			}
			for grew := true; grew; {
				grew = false
				for _, t := range all {
					if t.ParentID != nil && asked[*t.ParentID] && !asked[t.ID] && t.ArchivedAt == nil {
						asked[t.ID], grew = true, true
					}
				}
			}
			ids := make([]uint, 0, len(asked))
			for id := range asked {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			tids := make([]string, len(ids))
			for i, id := range ids {
				tids[i] = strconv.FormatUint(uint64(id), 10)
			}
			r.Teams = strings.Join(tids, ",")
		}
		if err := tx.Create(&r).Error; err != nil {
			return translate(err)
		}
		detail := fmt.Sprintf("round %d “%s”", r.ID, name)
		if r.Pulse() {
			detail += fmt.Sprintf(", a pulse round: keys %s, teams %s", orAll(r.Keys), orAll(r.Teams))
		}
		if err := s.audit(tx, by, "round.create", detail); err != nil {
			return err
		}
		if nr.Open {
			return s.open(tx, by, &r)
		}
		return nil
	})
	if errors.Is(err, ErrConflict) && !errors.Is(err, ErrRoundOpen) {
		err = fmt.Errorf("a round named %q exists already: %w", name, ErrConflict)
	}
	if err != nil {
		return Round{}, fmt.Errorf("create round %q: %w", name, err)
	}
	return r, nil
}

// OpenRound opens draft round id now. It fails with ErrRoundOpen while
// another round is open and with ErrRoundFinal for a closed round; opening
// the open round again changes nothing.
func (s *Store) OpenRound(ctx context.Context, by Actor, id uint) (Round, error) {
	var r Round
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Locked, so that of two opens of one draft at once the second
		// finds it open and changes nothing.
		if err := s.forUpdate(tx).First(&r, id).Error; err != nil {
			return translate(err)
		}
		switch r.Status {
		case RoundOpen:
			return nil
		case RoundClosed:
			return ErrRoundFinal
		}
		return s.open(tx, actorOr(by), &r)
	})
	if err != nil {
		return Round{}, fmt.Errorf("open round %d: %w", id, err)
	}
	return r, nil
}

// open opens r inside tx. Another open round is refused by the count here
// and, should two transactions race past it, by the unique index on
// open_flag, which ErrConflict then names.
func (s *Store) open(tx *gorm.DB, by Actor, r *Round) error {
	var n int64
	if err := tx.Model(&Round{}).Where("status = ? AND id <> ?", RoundOpen, r.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrRoundOpen
	}
	now, one := s.Now(), int16(1)
	r.Status, r.OpenFlag, r.OpensAt, r.ClosesAt = RoundOpen, &one, &now, nil
	if err := tx.Model(r).Select("status", "open_flag", "opens_at", "closes_at", "updated_at").Updates(r).Error; err != nil {
		if err = translate(err); errors.Is(err, ErrConflict) {
			return fmt.Errorf("%w (%w)", ErrRoundOpen, err)
		}
		return err
	}
	return s.audit(tx, by, "round.open", fmt.Sprintf("round %d “%s”", r.ID, r.Name))
}

// CloseRound closes round id now and publishes its results, in the same
// transaction (see Publication): from this moment its figures show, and
// never change. A round that is not open gives ErrRoundNotOpen, except that
// closing a closed round again changes nothing.
func (s *Store) CloseRound(ctx context.Context, by Actor, id uint) (Round, error) {
	var r Round
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).First(&r, id).Error; err != nil {
			return translate(err)
		}
		switch r.Status {
		case RoundClosed:
			return nil
		case RoundDraft:
			return ErrRoundNotOpen
		}
		now := s.Now()
		r.Status, r.OpenFlag, r.ClosesAt = RoundClosed, nil, &now
		if err := tx.Model(&r).Select("status", "open_flag", "closes_at", "updated_at").Updates(&r).Error; err != nil {
			return translate(err)
		}
		// Unfinished responses can no longer be submitted: they go, so
		// that starts nobody finished do not pile up round after round.
		if err := expireCodes(tx, r.ID); err != nil {
			return fmt.Errorf("expire personal codes: %w", err)
		}
		del := tx.Where("round_id = ? AND status = ?", r.ID, StatusInProgress).Delete(&Response{})
		if del.Error != nil {
			return fmt.Errorf("remove unfinished responses: %w", del.Error)
		}
		if err := s.publish(tx, r.ID); err != nil {
			return err
		}
		return s.audit(tx, actorOr(by), "round.close",
			fmt.Sprintf("round %d “%s”: results published, %d unfinished responses removed", r.ID, r.Name, del.RowsAffected))
	})
	if err != nil {
		return Round{}, fmt.Errorf("close round %d: %w", id, err)
	}
	return r, nil
}

// CurrentRound returns the open round, or ErrNoOpenRound.
func (s *Store) CurrentRound(ctx context.Context) (Round, error) {
	var r Round
	err := s.readRow(ctx, openRoundQuery, []any{RoundOpen}, r.fields()...)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, ErrNoOpenRound
	}
	if err != nil {
		return Round{}, fmt.Errorf("open round: %w", err)
	}
	return r, nil
}

// DefaultRound is the round a view shows when none is chosen: the open round,
// else the latest closed one.
func (s *Store) DefaultRound(ctx context.Context) (Round, error) {
	r, err := s.CurrentRound(ctx)
	if err == nil || !errors.Is(err, ErrNoOpenRound) {
		return r, err
	}
	return s.LatestClosedRound(ctx)
}

// LatestClosedRound is the round that closed last, or ErrNotFound: the
// default of every view of published results.
func (s *Store) LatestClosedRound(ctx context.Context) (Round, error) {
	var r Round
	err := s.rdb.WithContext(ctx).Where("status = ?", RoundClosed).
		Order("closes_at DESC").Order("id DESC").First(&r).Error
	if err != nil {
		return Round{}, fmt.Errorf("latest closed round: %w", translate(err))
	}
	return r, nil
}

// Round returns one round by id.
func (s *Store) Round(ctx context.Context, id uint) (Round, error) {
	var r Round
	if err := s.readByID(ctx, "round", "rounds", roundColumns, id, r.fields()...); err != nil {
		return Round{}, err
	}
	return r, nil
}

// Rounds lists every round, the newest first.
func (s *Store) Rounds(ctx context.Context) ([]Round, error) {
	return list[Round](ctx, s.rdb.Order("id DESC"), "rounds")
}

func orAll(list string) string {
	if list == "" {
		return "all"
	}
	return list
}
