package models

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/scoring"
)

// ExportRow is one submitted response as responses.csv needs it. Either
// Cells holds the cells kept at submit (from perspective to straightlined,
// comma-separated, see export.StoredResponseCells), or Cells is nil and
// Perspective, InstrumentVersion, SubmittedAt and Answers are set so the
// cells can be formatted afresh.
type ExportRow struct {
	ID      uint64
	TeamID  uint
	Comment []byte
	Cells   []byte

	Perspective       string
	InstrumentVersion string
	SubmittedAt       time.Time
	Answers           scoring.Answers
}

// ExportResponses reads the next batch of a round's submitted responses for
// the CSV export: at most limit rows with an id above after, in id order (a
// keyset, so every batch is one short index range however far the export
// has come). It calls fn for each row and reports whether more rows may
// follow. A batch also ends early once it holds maxBatchBytes of comments and
// cells, so that memory stays flat however long the comments are. The byte
// slices of a row are valid only while fn runs.
//
// The query selects the id, the team, the cells kept at submit and the
// comment; on SQLite joined into one text value (see sqliteExportLine).
// Rows without usable kept cells (submitted before the column existed, or
// kept in an older format) are read again in full, and their cells
// formatted afresh by the caller.
//
// On SQLite, ctx is checked before the query but the query itself runs
// without cancellation: mattn/go-sqlite3 watches a cancellable context with
// a goroutine on every row, which more than doubled the time of a long read
// when measured on a 2-core machine, while one batch takes milliseconds.
// Callers stop between batches when ctx is done.
func (s *Store) ExportResponses(ctx context.Context, roundID uint, after uint64, limit int, fn func(*ExportRow) error) (more bool, err error) {
	if limit < 1 {
		return false, fmt.Errorf("export responses of round %d: batch size %d, want at least 1", roundID, limit)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("export responses of round %d: %w", roundID, err)
	}
	sqlite := s.engine == config.EngineSQLite
	qctx, cols := ctx, "id, team_id, export_cells, comment"
	if sqlite {
		qctx, cols = context.WithoutCancel(ctx), sqliteExportLine
	}
	rows, err := s.rdb.WithContext(qctx).Raw(
		"SELECT "+cols+" FROM responses WHERE round_id = ? AND status = ? AND id > ? ORDER BY id LIMIT ?",
		roundID, StatusSubmitted, after, limit).Rows()
	if err != nil {
		return false, fmt.Errorf("export responses of round %d after %d: %w", roundID, after, err)
	}
	defer rows.Close()

	// The batch is copied into one buffer before fn sees it, so that rows
	// needing a second read can get it without holding two connections.
	sc := exportScratchPool.Get().(*exportScratch)
	defer sc.release()
	sc.rows, sc.buf, sc.missing = sc.rows[:0], sc.buf[:0], sc.missing[:0]
	var (
		id, team             int64 // database/sql converts into int64 without a detour through text
		line, cells, comment sql.RawBytes
	)
	full := false // the batch reached maxBatchBytes
	for !full && rows.Next() {
		var err error
		if sqlite {
			if err = rows.Scan(&line); err == nil {
				id, team, cells, comment, err = splitExportLine(line)
			}
		} else {
			err = rows.Scan(&id, &team, &cells, &comment)
		}
		if err != nil {
			return false, fmt.Errorf("export responses of round %d: read row: %w", roundID, err)
		}
		sp := exportSpan{id: uint64(id), team: uint(team)}
		if kept, ok := export.StoredCells(cells); ok {
			sp.kept = true
			sp.cells[0] = len(sc.buf)
			sc.buf = append(sc.buf, kept...)
			sp.cells[1] = len(sc.buf)
		} else {
			sc.missing = append(sc.missing, sp.id)
		}
		sp.comment[0] = len(sc.buf)
		sc.buf = append(sc.buf, comment...)
		sp.comment[1] = len(sc.buf)
		sc.rows = append(sc.rows, sp)
		full = len(sc.buf) >= maxBatchBytes
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("export responses of round %d after %d: %w", roundID, after, err)
	}
	if err := rows.Close(); err != nil {
		return false, fmt.Errorf("export responses of round %d: %w", roundID, err)
	}

	reread := map[uint64]*Response{}
	if len(sc.missing) > 0 {
		var rs []Response
		if err := s.rdb.WithContext(qctx).Where("id IN ?", sc.missing).Find(&rs).Error; err != nil {
			return false, fmt.Errorf("export responses of round %d: read %d responses in full: %w", roundID, len(sc.missing), err)
		}
		for i := range rs {
			reread[rs[i].ID] = &rs[i]
		}
	}
	for _, sp := range sc.rows {
		r := ExportRow{ID: sp.id, TeamID: sp.team, Comment: sc.buf[sp.comment[0]:sp.comment[1]:sp.comment[1]]}
		if sp.kept {
			r.Cells = sc.buf[sp.cells[0]:sp.cells[1]:sp.cells[1]]
		} else if f, ok := reread[r.ID]; ok {
			r.Perspective, r.InstrumentVersion, r.Answers = f.Perspective, f.InstrumentVersion, f.Answers()
			if f.SubmittedAt != nil {
				r.SubmittedAt = *f.SubmittedAt
			}
		} else {
			return false, fmt.Errorf("export responses of round %d: response %d vanished while being read", roundID, r.ID)
		}
		if err := fn(&r); err != nil {
			return false, err
		}
	}
	return full || len(sc.rows) == limit, nil
}

// sqliteExportLine is what ExportResponses selects on SQLite: a row's id,
// team and the byte length of its comment, each followed by a comma, then
// the comment and the kept cells, as one text value. mattn/go-sqlite3 makes
// two or three calls into C for every column of every row, and each call
// costs more than SQLite takes to join the values: counted with callgrind
// over 100,000 rows, reading four columns took 10,100 instructions a row and
// reading the one value 7,500, and the whole export 14 % fewer. The length
// says where the comment ends, whatever it holds.
const sqliteExportLine = "id || ',' || team_id || ',' || length(CAST(comment AS BLOB)) || ',' || comment || ifnull(export_cells, '')"

// splitExportLine takes apart a value of sqliteExportLine. The slices share
// line's memory.
func splitExportLine(line []byte) (id, team int64, cells, comment []byte, err error) {
	var n [3]int64
	rest := line
	for i := range n {
		digits := 0
		for digits < len(rest) && digits < 18 && rest[digits] >= '0' && rest[digits] <= '9' {
			n[i] = n[i]*10 + int64(rest[digits]-'0')
			digits++
		}
		if digits == 0 || digits == len(rest) || rest[digits] != ',' {
			return 0, 0, nil, nil, fmt.Errorf("export line %.40q: number %d of 3 is not digits and a comma", line, i+1)
		}
		rest = rest[digits+1:]
	}
	if n[2] > int64(len(rest)) {
		return 0, 0, nil, nil, fmt.Errorf("export line %.40q: a comment of %d bytes in %d", line, n[2], len(rest))
	}
	return n[0], n[1], rest[n[2]:], rest[:n[2]], nil
}

// maxBatchBytes bounds the cells and comments of one export batch: 5,000
// typical rows take about a megabyte, but 5,000 comments of 2,000 emoji would
// take 40 MB.
const maxBatchBytes = 4 << 20

// exportSpan is one row of a batch: where its kept cells (when kept) and its
// comment sit in the batch's buffer.
type exportSpan struct {
	id             uint64
	team           uint
	kept           bool
	cells, comment [2]int
}

// exportScratch is the memory of one batch, reused by the next, so that a
// long export allocates next to nothing per batch.
type exportScratch struct {
	rows    []exportSpan
	buf     []byte
	missing []uint64
}

var exportScratchPool = sync.Pool{New: func() any { return new(exportScratch) }}

// release returns the scratch to the pool unless a huge batch made it too big
// to keep.
func (sc *exportScratch) release() {
	if cap(sc.buf) <= 16<<20 {
		exportScratchPool.Put(sc)
	}
}
