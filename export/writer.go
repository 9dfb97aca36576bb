// Package export holds the CSV files' contract: the columns of each
// file in their order, the format of every kind of cell, spreadsheet formula
// neutralisation, and a Writer that streams rows with RFC 4180 quoting, \r\n
// line ends, an optional UTF-8 byte order mark and a comma or semicolon
// delimiter. It knows nothing of HTTP or the database, so the handlers, the
// Store (which keeps each submitted response's cells ready) and the tests all
// format cells through the same few functions.
//
// # Why not encoding/csv
//
// The Writer quotes exactly as encoding/csv's Writer does with UseCRLF set (a
// test holds the two byte for byte over thousands of generated records), but
// it appends to one buffer and can append cells that were encoded before —
// the team names, the round name and each response's stored cells — without
// splitting and re-checking them. That is what lets responses.csv keep up
// with the sqlite3 command line; encoding/csv can only take a []string per
// record.
package export

import (
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/icare-hr/icare/scoring"
)

// Delimiters a Writer may use: the comma of RFC 4180, or the semicolon that
// spreadsheets expect in locales that write decimals with a comma.
const (
	Comma     = ','
	Semicolon = ';'
)

// BOM is the UTF-8 byte order mark that makes Excel read a file as UTF-8.
const BOM = "\uFEFF"

// flushAt is the buffer size above which EndRow hands the bytes to the
// underlying writer.
const flushAt = 64 << 10

// Writer writes CSV rows cell by cell into a buffer and passes it on to an
// io.Writer in chunks. Cells are written in order with Text, Number, Score,
// Percent, Int, Bool, Empty or Encoded, and EndRow ends the row with \r\n.
// The first error of the underlying writer is kept: later calls do nothing
// and Flush and EndRow return it.
type Writer struct {
	out   io.Writer
	buf   []byte
	comma byte
	inRow bool
	err   error
	rows  int64
}

// NewWriter returns a Writer to out with delimiter comma, which must be Comma
// or Semicolon.
func NewWriter(out io.Writer, comma byte) (*Writer, error) {
	if comma != Comma && comma != Semicolon {
		return nil, fmt.Errorf("export: delimiter %q: want %q or %q", comma, Comma, Semicolon)
	}
	return &Writer{out: out, comma: comma, buf: make([]byte, 0, flushAt+4096)}, nil
}

// Delimiter returns the Writer's delimiter.
func (w *Writer) Delimiter() byte { return w.comma }

// Rows returns the number of rows ended so far.
func (w *Writer) Rows() int64 { return w.rows }

// BOM writes the UTF-8 byte order mark; call it before the first row.
func (w *Writer) BOM() { w.buf = append(w.buf, BOM...) }

func (w *Writer) sep() {
	if w.inRow {
		w.buf = append(w.buf, w.comma)
	}
	w.inRow = true
}

// Text writes a text cell: neutralised against spreadsheet formulas (see
// Neutralise) and quoted when it needs to be.
func (w *Writer) Text(s string) {
	w.sep()
	w.buf = appendText(w.buf, s, w.comma)
}

// TextBytes is Text for a cell held in a byte slice.
func (w *Writer) TextBytes(b []byte) {
	w.sep()
	w.buf = appendText(w.buf, b, w.comma)
}

// Header writes a header row: every name is a text cell, so it goes through
// the same neutralisation as any other text.
func (w *Writer) Header(names []string) error {
	for _, n := range names {
		w.Text(n)
	}
	return w.EndRow()
}

// Encode returns text s encoded as one cell for this Writer's delimiter, for
// a cell that repeats on many rows (a team name, the round name): write it
// with Encoded.
func (w *Writer) Encode(s string) []byte {
	return appendText(nil, s, w.comma)
}

// Encoded writes cells encoded before for this Writer's delimiter (by Encode,
// or several joined by the delimiter) as they are.
func (w *Writer) Encoded(cells []byte) {
	w.sep()
	w.buf = append(w.buf, cells...)
}

// Empty writes an empty cell: a missing value.
func (w *Writer) Empty() { w.sep() }

// Date writes the day of t in UTC, as 2027-03-31.
func (w *Writer) Date(t time.Time) {
	w.sep()
	w.buf = t.UTC().AppendFormat(w.buf, time.DateOnly)
}

// Time writes a time in RFC 3339, in UTC, to the second.
func (w *Writer) Time(t time.Time) {
	w.sep()
	w.buf = t.UTC().AppendFormat(w.buf, time.RFC3339)
}

// Int writes a whole number.
func (w *Writer) Int(n int64) {
	w.sep()
	w.buf = strconv.AppendInt(w.buf, n, 10)
}

// OptInt writes a whole number that may be unknown: an empty cell for nil.
func (w *Writer) OptInt(n *int) {
	if n == nil {
		w.Empty()
		return
	}
	w.Int(int64(*n))
}

// Uint writes a whole number.
func (w *Writer) Uint(n uint64) {
	w.sep()
	w.buf = strconv.AppendUint(w.buf, n, 10)
}

// Bool writes true or false.
func (w *Writer) Bool(b bool) {
	w.sep()
	w.buf = strconv.AppendBool(w.buf, b)
}

// Score writes a score or a statistic with 2 decimals, or an empty cell when
// it is missing. Negative values stay numbers: they are never neutralised.
// With the semicolon delimiter the decimal mark is a comma ("68,75"), as
// spreadsheets in the locales that use semicolons read numbers; with the
// comma delimiter it is a point.
func (w *Writer) Score(v scoring.Value) {
	if !v.OK {
		w.sep()
		return
	}
	w.Number(v.V)
}

// Number writes a number with 2 decimals, with the Writer's decimal mark.
func (w *Writer) Number(v float64) {
	w.sep()
	start := len(w.buf)
	w.buf = AppendDecimal2(w.buf, v)
	if w.comma == Semicolon {
		swapDecimalMark(w.buf[start:])
	}
}

// swapDecimalMark turns the decimal points of b into commas.
func swapDecimalMark(b []byte) {
	for i, c := range b {
		if c == '.' {
			b[i] = ','
		}
	}
}

// EndRow ends the row with \r\n and passes the buffer on when it is large.
func (w *Writer) EndRow() error {
	w.buf = append(w.buf, '\r', '\n')
	w.inRow = false
	w.rows++
	if len(w.buf) >= flushAt {
		return w.Flush()
	}
	return w.err
}

// Flush passes everything buffered to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		if _, err := w.out.Write(w.buf); err != nil {
			w.err = fmt.Errorf("export: write: %w", err)
		}
		w.buf = w.buf[:0]
	}
	return w.err
}

// AppendDecimal2 appends v with exactly 2 decimals ("68.75", "-3.20"), the
// format of every score, percentage and statistic in the CSV files. A value
// that rounds to zero is written "0.00", never "-0.00".
func AppendDecimal2(dst []byte, v float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', 2, 64)
	if string(dst[start:]) == "-0.00" {
		dst = append(dst[:start], "0.00"...)
	}
	return dst
}

// NeedsNeutralising reports whether a text cell would start a formula in a
// spreadsheet: it begins with =, +, -, @, a tab or a carriage return, or
// with spaces before one of them, which some spreadsheets skip before they
// look for a formula.
func NeedsNeutralising[T string | []byte](s T) bool {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i == len(s) {
		return false
	}
	switch s[i] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Neutralise returns text cell s with a leading ' when it would otherwise
// start a formula in a spreadsheet; any other text is returned as it is.
func Neutralise(s string) string {
	if NeedsNeutralising(s) {
		return "'" + s
	}
	return s
}

// appendText appends s as one text cell: neutralised, then quoted as
// encoding/csv quotes a field with UseCRLF set.
func appendText[T string | []byte](dst []byte, s T, comma byte) []byte {
	if NeedsNeutralising(s) {
		// The quote makes the cell start with ', so no leading-space rule
		// applies; the rest still decides whether it needs quotes.
		if !needsQuotes(s, comma, false) {
			dst = append(dst, '\'')
			return append(dst, s...)
		}
		dst = append(dst, '"', '\'')
		return appendQuotedBody(dst, s)
	}
	if !needsQuotes(s, comma, true) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	return appendQuotedBody(dst, s)
}

// needsQuotes is encoding/csv's rule: a field is quoted when it holds the
// delimiter, a quote, \r or \n, when it is exactly `\.` (which PostgreSQL's
// COPY would read as the end of data), or when it starts with a space
// (leading checks whether the start of s is the start of the cell).
func needsQuotes[T string | []byte](s T, comma byte, leading bool) bool {
	if len(s) == 0 {
		return false
	}
	if leading && len(s) == 2 && s[0] == '\\' && s[1] == '.' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\r', '"', comma:
			return true
		}
	}
	if !leading {
		return false
	}
	var r rune
	if c := s[0]; c < utf8.RuneSelf {
		r = rune(c)
	} else {
		r, _ = utf8.DecodeRuneInString(string(s[:min(len(s), utf8.UTFMax)]))
	}
	return unicode.IsSpace(r)
}

// appendQuotedBody appends the rest of a quoted field and the closing quote:
// quotes doubled, \n written as \r\n and a lone \r dropped, as encoding/csv
// does with UseCRLF (a reader turns \r\n inside quotes back into \n).
func appendQuotedBody[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			dst = append(dst, '"', '"')
		case '\r':
		case '\n':
			dst = append(dst, '\r', '\n')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
