package export

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// ResponseCells writes the cells of responses.csv from perspective to
// straightlined for one submitted response: the perspective, the instrument
// version, submitted_at in RFC 3339 UTC to the second, the 25 raw answers
// (not reverse-scored; empty when skipped), the five key scores and the
// ICARE index of scoring.ScoreResponse with 2 decimals (empty when
// missing), and the straight-lining flag.
func (w *Writer) ResponseCells(perspective, version string, submittedAt time.Time, a scoring.Answers) {
	ResponseRow(w, perspective, version, submittedAt, a)
}

// cellsVersion prefixes stored response cells. Change it whenever
// ResponseCells changes what it writes: stored cells with another prefix are
// then passed over, and those responses are formatted afresh from their
// answers.
const cellsVersion = "v1:"

// StoredResponseCells returns what the Store keeps with a response when it
// is submitted, so that responses.csv can copy its cells instead of reading
// and formatting 25 answer columns: the cells ResponseCells writes with a
// comma, behind a format version. A submitted response never changes, so
// neither do its cells; the team and round names, which can, are not among
// them.
//
// It returns "" when the cells could not be moved to a semicolon file by
// swapping delimiters and decimal marks — a quoted cell, a semicolon inside
// one, or a point in the perspective or the instrument version — which
// icare's own perspectives and instrument versions never cause; such a
// response is then formatted afresh at export time.
func StoredResponseCells(perspective, version string, submittedAt time.Time, a scoring.Answers) string {
	if strings.Contains(perspective, ".") || strings.Contains(version, ".") {
		return ""
	}
	w := &Writer{comma: Comma, buf: []byte(cellsVersion)}
	w.ResponseCells(perspective, version, submittedAt, a)
	if bytes.ContainsAny(w.buf, `";`) {
		return ""
	}
	return string(w.buf)
}

// StoredCells returns the cells kept by StoredResponseCells without their
// version prefix, and false when stored is empty or of another version.
func StoredCells(stored []byte) ([]byte, bool) {
	if !bytes.HasPrefix(stored, []byte(cellsVersion)) {
		return nil, false
	}
	return stored[len(cellsVersion):], true
}

// StoredCells writes cells returned by the package function StoredCells,
// swapping their commas for the Writer's delimiter and, with semicolons,
// their decimal points for commas. StoredResponseCells keeps only cells
// without quotes or semicolons and with points only in numbers, so every
// comma in them separates two cells, every point is a decimal mark, and the
// swap gives what ResponseCells would write.
func (w *Writer) StoredCells(cells []byte) {
	w.sep()
	start := len(w.buf)
	w.buf = append(w.buf, cells...)
	if w.comma != Comma {
		for i, c := range w.buf[start:] {
			switch c {
			case Comma:
				w.buf[start+i] = w.comma
			case '.':
				w.buf[start+i] = ','
			}
		}
	}
}

// ResponseRow writes a response's cells from perspective to straightlined to
// any Table, each as the kind of cell it is: for a workbook, where the CSV
// fast path of stored cells does not apply.
func ResponseRow(w Cells, perspective, version string, submittedAt time.Time, a scoring.Answers) {
	w.Text(perspective)
	w.Text(version)
	w.Time(submittedAt)
	for _, v := range a {
		if v >= scoring.ScaleMin && v <= scoring.ScaleMax {
			w.Int(int64(v))
		} else {
			w.Empty()
		}
	}
	sc := scoring.ScoreResponse(a)
	for _, d := range sc.Dims {
		w.Score(d)
	}
	w.Score(sc.Index)
	w.Bool(sc.Straightlined)
}

// StoredRow writes a response's cells, from perspective to straightlined,
// to any Table from the cells kept by StoredResponseCells (without their
// version prefix): it reads back the perspective, the version, the time and
// the answers (the stored cells hold no quotes, so every comma separates two
// cells) and writes them as ResponseRow does, so a workbook's scores keep
// their full precision.
func StoredRow(w Cells, cells []byte) error {
	parts := bytes.Split(cells, []byte{','})
	want := 3 + scoring.NumItems + scoring.NumKeys + 2
	if len(parts) != want {
		return fmt.Errorf("export: stored cells have %d cells, not %d", len(parts), want)
	}
	at, err := time.Parse(time.RFC3339, string(parts[2]))
	if err != nil {
		return fmt.Errorf("export: stored submitted_at: %w", err)
	}
	var a scoring.Answers
	for i, p := range parts[3 : 3+scoring.NumItems] {
		switch {
		case len(p) == 1 && p[0] >= '1' && p[0] <= '5':
			a[i] = p[0] - '0'
		case len(p) != 0:
			return fmt.Errorf("export: stored answer %q", p)
		}
	}
	ResponseRow(w, string(parts[0]), string(parts[1]), at, a)
	return nil
}
