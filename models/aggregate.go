package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/icare-hr/icare/scoring"
)

// CellAggregate is the maintained score aggregate of one cell: the submitted
// responses of one round, one team and one perspective. Its counters are the
// integer sums of scoring.Aggregate, so a team, a parent team with its
// descendants, a perspective and the organization all come from merging cells
// — O(cells), never a scan of the responses. The counters are stored as one
// JSON array so that a new counter in scoring needs no schema change; N is a
// column of its own so that response counts can be read with plain SQL, and
// Cells checks that it agrees with the counters.
type CellAggregate struct {
	RoundID     uint   `gorm:"primaryKey;autoIncrement:false"`
	TeamID      uint   `gorm:"primaryKey;autoIncrement:false"`
	Perspective string `gorm:"primaryKey;size:16"`
	N           int64  `gorm:"not null"`
	Counters    string `gorm:"type:text;not null"`
	UpdatedAt   time.Time
}

// ErrBadAggregate is wrapped by Cells' error for a stored aggregate that
// contradicts itself; RebuildCells (icare aggregates rebuild) repairs it.
var ErrBadAggregate = errors.New("inconsistent aggregate (repair with: icare aggregates rebuild)")

// Cell is one decoded aggregate.
type Cell struct {
	RoundID     uint
	TeamID      uint
	Perspective string
	Agg         scoring.Aggregate
}

func encodeAggregate(a *scoring.Aggregate) (string, error) {
	b, err := json.Marshal(a.Counters())
	if err != nil {
		return "", fmt.Errorf("encode aggregate: %w", err)
	}
	return string(b), nil
}

func decodeAggregate(s string) (scoring.Aggregate, error) {
	cs, ok := parseCounters(s)
	if !ok && s != "" {
		// Not the compact form encodeAggregate writes: let encoding/json
		// read (or refuse) it.
		if err := json.Unmarshal([]byte(s), &cs); err != nil {
			return scoring.Aggregate{}, fmt.Errorf("decode aggregate: %w", err)
		}
	}
	if len(cs) == 0 {
		return scoring.Aggregate{}, nil
	}
	a, err := scoring.FromCounters(cs)
	if err != nil {
		return scoring.Aggregate{}, fmt.Errorf("decode aggregate: %w", err)
	}
	return a, nil
}

// parseCounters reads the compact JSON array of whole numbers that
// encodeAggregate writes ([1,2,3]), and reports false for anything else.
// Every page of results decodes every cell of its round, and this is about
// seven times quicker than encoding/json (BenchmarkDecodeAggregate).
func parseCounters(s string) ([]int64, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	if body == "" {
		return []int64{}, true
	}
	cs := make([]int64, 0, scoring.NumCounters)
	for len(body) > 0 {
		end := strings.IndexByte(body, ',')
		if end < 0 {
			end = len(body)
		}
		n, err := strconv.ParseInt(body[:end], 10, 64)
		if err != nil {
			return nil, false
		}
		cs = append(cs, n)
		if end == len(body) {
			break
		}
		body = body[end+1:]
		if body == "" {
			return nil, false
		}
	}
	return cs, true
}

// addToAggregate folds one submitted response into its cell, inside the
// submitting transaction: the row is read under a row lock on PostgreSQL and
// MariaDB (SQLite's single writer serialises anyway) and written back. A
// cell that does not exist yet gives a *missingCell error: the caller makes
// it in a statement of its own (makeCell) and submits again. Made inside
// the transaction, two first submits of one cell would each lock the gap
// where it belongs in MariaDB and then deadlock on their inserts, as a rush
// of them did.
func (s *Store) addToAggregate(ctx context.Context, tx inTx, q submitSQL, roundID, teamID uint, perspective string, a scoring.Answers) error {
	var counters string
	err := tx.scan(ctx, q.cell, []any{roundID, teamID, perspective}, &counters)
	if errors.Is(err, sql.ErrNoRows) {
		return &missingCell{roundID, teamID, perspective}
	}
	if err != nil {
		return fmt.Errorf("lock aggregate cell: %w", err)
	}
	agg, err := decodeAggregate(counters)
	if err != nil {
		return err
	}
	agg.Add(a)
	enc, err := encodeAggregate(&agg)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, q.cellUpdate, agg.N, enc, s.Now(), roundID, teamID, perspective); err != nil {
		return fmt.Errorf("update aggregate of team %d %s: %w", teamID, perspective, err)
	}
	return nil
}

// missingCell is the aggregate cell a submit found missing.
type missingCell struct {
	roundID, teamID uint
	perspective     string
}

func (m *missingCell) Error() string {
	return fmt.Sprintf("the aggregate cell of round %d, team %d, %s does not exist yet", m.roundID, m.teamID, m.perspective)
}

// makeCell makes an empty aggregate cell, in a statement of its own; one
// that exists already (made by a submit at the same moment) is left as it is.
func (s *Store) makeCell(ctx context.Context, m *missingCell) error {
	empty, err := encodeAggregate(&scoring.Aggregate{})
	if err != nil {
		return err
	}
	cell := CellAggregate{RoundID: m.roundID, TeamID: m.teamID, Perspective: m.perspective, Counters: empty}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&cell).Error; err != nil {
		return fmt.Errorf("create aggregate cell: %w", err)
	}
	return nil
}

// writeAggregate stores agg as the counters of its cell, n with them.
func (s *Store) writeAggregate(tx *gorm.DB, roundID, teamID uint, perspective string, agg *scoring.Aggregate) error {
	enc, err := encodeAggregate(agg)
	if err != nil {
		return err
	}
	err = tx.Model(&CellAggregate{}).
		Where("round_id = ? AND team_id = ? AND perspective = ?", roundID, teamID, perspective).
		Updates(map[string]any{"n": agg.N, "counters": enc, "updated_at": s.Now()}).Error
	if err != nil {
		return fmt.Errorf("update aggregate of team %d %s: %w", teamID, perspective, err)
	}
	return nil
}

// Cells returns the maintained aggregates of a round, one per team and
// perspective that has submitted responses.
func (s *Store) Cells(ctx context.Context, roundID uint) ([]Cell, error) {
	return cellsOf(s.rdb.WithContext(ctx), roundID)
}

// cellsOf reads a round's maintained aggregates through db.
func cellsOf(db *gorm.DB, roundID uint) ([]Cell, error) {
	var rows []CellAggregate
	if err := db.Where("round_id = ?", roundID).Order("team_id, perspective").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("aggregates of round %d: %w", roundID, err)
	}
	cells := make([]Cell, 0, len(rows))
	for _, row := range rows {
		agg, err := decodeAggregate(row.Counters)
		if err == nil && agg.N != row.N {
			err = fmt.Errorf("%w: n is %d, the counters hold %d responses", ErrBadAggregate, row.N, agg.N)
		}
		if err != nil {
			return nil, fmt.Errorf("aggregate of round %d team %d %s: %w", roundID, row.TeamID, row.Perspective, err)
		}
		cells = append(cells, Cell{RoundID: row.RoundID, TeamID: row.TeamID, Perspective: row.Perspective, Agg: agg})
	}
	return cells, nil
}

// RecomputeCells builds a round's aggregates afresh from the submitted
// responses, in batches by id. It writes nothing: compare its result with
// Cells to verify the maintained aggregates.
func (s *Store) RecomputeCells(ctx context.Context, roundID uint) ([]Cell, error) {
	return recomputeCells(s.rdb.WithContext(ctx), roundID)
}

// RebuildCells replaces a round's maintained aggregates with ones computed
// afresh from its submitted responses, in one transaction: the repair for an
// aggregate that Cells refuses. It locks the round's aggregate rows first
// and updates them in place, so a submit at the same moment either
// committed before (and is counted by the recomputation) or waits at its
// cell's lock and adds itself to the rebuilt row. It returns the number of
// responses counted.
func (s *Store) RebuildCells(ctx context.Context, roundID uint) (int64, error) {
	return s.rebuildCells(s.db.WithContext(ctx), roundID)
}

// rebuildCells is RebuildCells through db, in a transaction of its own (or
// in db's, when it is one).
func (s *Store) rebuildCells(db *gorm.DB, roundID uint) (int64, error) {
	var n int64
	err := db.Transaction(func(tx *gorm.DB) error {
		var rows []CellAggregate
		if err := s.forUpdate(tx).Where("round_id = ?", roundID).Find(&rows).Error; err != nil {
			return err
		}
		cells, err := recomputeCells(tx, roundID)
		if err != nil {
			return err
		}
		type key struct {
			team        uint
			perspective string
		}
		fresh := make(map[key]*scoring.Aggregate, len(cells))
		for i := range cells {
			fresh[key{cells[i].TeamID, cells[i].Perspective}] = &cells[i].Agg
			n += cells[i].Agg.N
		}
		// Every existing row gets its recomputed counters (empty ones when no
		// response is left in it); a cell with no row yet gets one.
		for _, row := range rows {
			agg := fresh[key{row.TeamID, row.Perspective}]
			if agg == nil {
				agg = &scoring.Aggregate{}
			}
			delete(fresh, key{row.TeamID, row.Perspective})
			if err := s.writeAggregate(tx, roundID, row.TeamID, row.Perspective, agg); err != nil {
				return err
			}
		}
		for k, agg := range fresh {
			enc, err := encodeAggregate(agg)
			if err != nil {
				return err
			}
			row := CellAggregate{RoundID: roundID, TeamID: k.team, Perspective: k.perspective, N: agg.N, Counters: enc, UpdatedAt: s.Now()}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild aggregates of round %d: %w", roundID, err)
	}
	return n, nil
}

// recomputeCells reads a round's submitted responses through db, in
// batches by id, and aggregates them per team and perspective.
func recomputeCells(db *gorm.DB, roundID uint) ([]Cell, error) {
	type key struct {
		team        uint
		perspective string
	}
	byKey := map[key]*scoring.Aggregate{}
	var batch []Response
	var lastID uint64
	for {
		batch = batch[:0]
		err := db.Where("round_id = ? AND status = ? AND id > ?", roundID, StatusSubmitted, lastID).
			Order("id").Limit(1000).Find(&batch).Error
		if err != nil {
			return nil, fmt.Errorf("recompute aggregates of round %d: %w", roundID, err)
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			r := &batch[i]
			k := key{r.TeamID, r.Perspective}
			if byKey[k] == nil {
				byKey[k] = &scoring.Aggregate{}
			}
			byKey[k].Add(r.Answers())
			lastID = r.ID
		}
	}
	cells := make([]Cell, 0, len(byKey))
	for k, agg := range byKey {
		cells = append(cells, Cell{RoundID: roundID, TeamID: k.team, Perspective: k.perspective, Agg: *agg})
	}
	sort.Slice(cells, func(i, j int) bool {
		if cells[i].TeamID != cells[j].TeamID {
			return cells[i].TeamID < cells[j].TeamID
		}
		return cells[i].Perspective < cells[j].Perspective
	})
	return cells, nil
}
