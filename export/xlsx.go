package export

import (
	"archive/zip"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/icare-hr/icare/scoring"
)

// Cells is where the cells of a row go, in order: a CSV Writer or a Sheet
// of a workbook. A file's Columns write through it, so the CSV file and the
// workbook of a download come from the same column list.
type Cells interface {
	Text(s string)
	Int(n int64)
	OptInt(n *int)
	Uint(n uint64)
	Bool(b bool)
	Score(v scoring.Value)
	Number(v float64)
	Time(t time.Time)
	Date(t time.Time)
	Empty()
}

// MaxSheetRows is how many rows an Excel sheet holds, the header included.
const MaxSheetRows = 1048576

// Table is a file of rows: a header row, then rows of Cells.
type Table interface {
	Cells
	Header(names []string) error
	EndRow() error
}

// XLSX is the media type of a workbook.
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Workbook is an Excel workbook written with excelize's stream writer: rows
// go to a temporary file as they come, so memory stays flat however many
// there are, and the workbook is written out at the end. Numbers are
// numbers (scores and percentages with two decimals shown, the full value
// kept), times are date-times, true and false are booleans, and text is
// text: a cell never holds a formula, so nothing in it is ever evaluated,
// and no locale reads a number differently.
type Workbook struct {
	f                    *excelize.File
	sheets               []*Sheet
	score, instant, date int // style ids
	header               int
}

// NewWorkbook returns an empty workbook.
func NewWorkbook() (*Workbook, error) {
	f := excelize.NewFile()
	two, dateTime := "0.00", "yyyy-mm-dd hh:mm:ss"
	wb := &Workbook{f: f}
	var err error
	if wb.score, err = f.NewStyle(&excelize.Style{CustomNumFmt: &two}); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	if wb.instant, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateTime}); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	day := "yyyy-mm-dd"
	if wb.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &day}); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	if wb.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	return wb, nil
}

// Sheet adds a sheet named name (the first one takes the place of the
// workbook's empty sheet).
func (wb *Workbook) Sheet(name string) (*Sheet, error) {
	if len(wb.sheets) == 0 {
		if err := wb.f.SetSheetName("Sheet1", name); err != nil {
			return nil, fmt.Errorf("workbook sheet %s: %w", name, err)
		}
	} else if _, err := wb.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("workbook sheet %s: %w", name, err)
	}
	sw, err := wb.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("workbook sheet %s: %w", name, err)
	}
	s := &Sheet{wb: wb, sw: sw}
	wb.sheets = append(wb.sheets, s)
	return s, nil
}

// Write finishes every sheet and writes the workbook to out.
func (wb *Workbook) Write(out io.Writer) error {
	defer wb.f.Close()
	for _, s := range wb.sheets {
		if s.err != nil {
			return s.err
		}
		if err := s.sw.Flush(); err != nil {
			return fmt.Errorf("workbook: %w", err)
		}
	}
	// excelize builds the zip in a buffer of the whole file unless it is
	// given a zip writer of its own: this one writes the parts straight to
	// out, so a workbook of a million rows streams from its temporary files
	// in flat memory.
	var zw *zip.Writer
	wb.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(out)
		return zw
	})
	if _, err := wb.f.WriteToBuffer(); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if zw == nil {
		return fmt.Errorf("workbook: excelize wrote no zip")
	}
	return nil
}

// Close drops the workbook's temporary files without writing it.
func (wb *Workbook) Close() error { return wb.f.Close() }

// Sheet is one sheet of a Workbook, written row by row as a Table.
type Sheet struct {
	wb   *Workbook
	sw   *excelize.StreamWriter
	row  []any
	rows int
	err  error
}

var _ Table = (*Sheet)(nil)
var _ Table = (*Writer)(nil)

// columnWidth is a column's width in characters, from its name: wide for
// free text, narrow for numbers.
func columnWidth(name string) float64 {
	switch name {
	case "comment", "text":
		return 60
	case "team", "team_path", "label", "round", "link", "group":
		return 28
	case "submitted_at":
		return 20
	}
	return max(float64(len(name))+2, 8)
}

// Header writes the header row in bold, freezes it, and sets the columns'
// widths (excelize's stream writer takes both before the first row).
func (s *Sheet) Header(names []string) error {
	if s.err != nil {
		return s.err
	}
	for i, n := range names {
		if err := s.sw.SetColWidth(i+1, i+1, columnWidth(n)); err != nil {
			return s.fail(err)
		}
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return s.fail(err)
	}
	for _, n := range names {
		s.row = append(s.row, excelize.Cell{StyleID: s.wb.header, Value: n})
	}
	return s.EndRow()
}

func (s *Sheet) fail(err error) error {
	if s.err == nil {
		s.err = fmt.Errorf("workbook row %d: %w", s.rows+1, err)
	}
	return s.err
}

// EndRow writes the row's cells.
func (s *Sheet) EndRow() error {
	if s.err != nil {
		return s.err
	}
	s.rows++
	cell, err := excelize.CoordinatesToCellName(1, s.rows)
	if err != nil {
		return s.fail(err)
	}
	if err := s.sw.SetRow(cell, s.row); err != nil {
		return s.fail(err)
	}
	s.row = s.row[:0]
	return nil
}

// Rows is the number of rows written, the header included.
func (s *Sheet) Rows() int { return s.rows }

// Text writes a text cell as it is: a workbook cell that holds text is never
// a formula, so it needs no neutralising.
func (s *Sheet) Text(v string) { s.row = append(s.row, v) }

// Int writes a whole number.
func (s *Sheet) Int(n int64) { s.row = append(s.row, n) }

// OptInt writes a whole number, or an empty cell for nil.
func (s *Sheet) OptInt(n *int) {
	if n == nil {
		s.Empty()
		return
	}
	s.Int(int64(*n))
}

// Uint writes a whole number.
func (s *Sheet) Uint(n uint64) { s.row = append(s.row, n) }

// Bool writes TRUE or FALSE.
func (s *Sheet) Bool(b bool) { s.row = append(s.row, b) }

// Score writes a number shown with two decimals, or an empty cell.
func (s *Sheet) Score(v scoring.Value) {
	if !v.OK {
		s.Empty()
		return
	}
	s.Number(v.V)
}

// Number writes a number shown with two decimals; the cell keeps it whole.
func (s *Sheet) Number(v float64) {
	s.row = append(s.row, excelize.Cell{StyleID: s.wb.score, Value: v})
}

// Time writes a date and time in UTC.
func (s *Sheet) Time(t time.Time) {
	s.row = append(s.row, excelize.Cell{StyleID: s.wb.instant, Value: t.UTC()})
}

// Date writes a date (the day of t in UTC).
func (s *Sheet) Date(t time.Time) {
	y, m, d := t.UTC().Date()
	s.row = append(s.row, excelize.Cell{StyleID: s.wb.date, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)})
}

// Empty writes an empty cell.
func (s *Sheet) Empty() { s.row = append(s.row, nil) }
