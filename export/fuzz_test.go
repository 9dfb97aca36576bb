package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/icare-hr/icare/export"
)

// FuzzTextCell writes any text as a cell between two others, with either
// delimiter: a standard CSV reader gets the three cells back, the text
// neutralised against spreadsheet formulas and otherwise unchanged but for
// carriage returns, and no cell a spreadsheet would run as a formula.
//
//	go test -run '^$' -fuzz '^FuzzTextCell$' -fuzztime 30s ./export/
func FuzzTextCell(f *testing.F) {
	for _, s := range []string{"plain", "=SUM(A1:A9)", "+1", "-2", "@cmd", "\tTab", "\rCR", "a,b;c", `say "hi"`, "line\nbreak\r\nend", " lead", ""} {
		f.Add(s, false)
	}
	f.Add("1;2", true)
	f.Fuzz(func(t *testing.T, s string, semicolon bool) {
		if !utf8.ValidString(s) {
			return // the handlers take only valid UTF-8 into the database
		}
		comma := byte(export.Comma)
		if semicolon {
			comma = export.Semicolon
		}
		var buf bytes.Buffer
		w, err := export.NewWriter(&buf, comma)
		if err != nil {
			t.Fatal(err)
		}
		w.Text("before")
		w.Text(s)
		w.Text("after")
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		r.Comma = rune(comma)
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%q: the row does not read back: %v\n%q", s, err, buf.String())
		}
		// As encoding/csv's writer with UseCRLF, a line break is written
		// \r\n (and read back \n) and a lone \r is dropped.
		want := strings.ReplaceAll(export.Neutralise(s), "\r", "")
		if len(records) != 1 || len(records[0]) != 3 || records[0][0] != "before" || records[0][1] != want || records[0][2] != "after" {
			t.Fatalf("%q: read back %q, want [before %q after]", s, records, want)
		}
		if export.NeedsNeutralising(records[0][1]) {
			t.Fatalf("%q: the cell %q would run as a formula", s, records[0][1])
		}
	})
}
