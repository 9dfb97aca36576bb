package export

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/scoring"
)

func TestNeutralise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+33 1 23", "'+33 1 23"},
		{"-3 points", "'-3 points"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tindented", "'\tindented"},
		{"\rcarriage", "'\rcarriage"},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"Sales", "Sales"},
		{"a=b", "a=b"},
		{" =1", "' =1"},
		{"   +1", "'   +1"},
		{"  @SUM(A1)", "'  @SUM(A1)"},
		{" -", "' -"},
		{"   ", "   "},
		{" a=b", " a=b"},
		{"", ""},
		{"'quoted", "'quoted"},
	} {
		if got := Neutralise(tc.in); got != tc.want {
			t.Errorf("Neutralise(%q): got %q want %q", tc.in, got, tc.want)
		}
	}
}

// TestTextQuotesLikeEncodingCSV holds the Writer to encoding/csv with
// UseCRLF, byte for byte, over generated records full of delimiters, quotes,
// line breaks, leading spaces, formula starts and non-ASCII text.
func TestTextQuotesLikeEncodingCSV(t *testing.T) {
	pieces := []string{"a", "Zoë", ",", ";", `"`, "\r", "\n", "\r\n", " ", "\t", "=", "+", "-", "@", `\`, ".", "\u00a0", "'", "1,5", "日本"}
	rng := rand.New(rand.NewPCG(7, 7))
	var records [][]string
	records = append(records, []string{`\.`, "", " ", "\u00a0x", "=", "a\"b", "x\ny"})
	for range 3000 {
		rec := make([]string, 2+rng.IntN(5)) // a lone empty cell would be a blank line, which readers skip
		for i := range rec {
			var b strings.Builder
			for range rng.IntN(5) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			rec[i] = b.String()
		}
		records = append(records, rec)
	}
	for _, comma := range []byte{Comma, Semicolon} {
		var want, got bytes.Buffer
		cw := csv.NewWriter(&want)
		cw.Comma, cw.UseCRLF = rune(comma), true
		w, err := NewWriter(&got, comma)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range records {
			neutral := make([]string, len(rec))
			for i, s := range rec {
				neutral[i] = Neutralise(s)
				if i%2 == 0 {
					w.Text(s)
				} else {
					w.TextBytes([]byte(s))
				}
			}
			if err := cw.Write(neutral); err != nil {
				t.Fatal(err)
			}
			if err := w.EndRow(); err != nil {
				t.Fatal(err)
			}
		}
		cw.Flush()
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, wa := got.String(), want.String()
			i := 0
			for i < len(g) && i < len(wa) && g[i] == wa[i] {
				i++
			}
			t.Fatalf("delimiter %q: output differs from encoding/csv at byte %d: got %q want %q", comma, i, g[i:min(len(g), i+40)], wa[i:min(len(wa), i+40)])
		}
		// And encoding/csv reads back every neutralised cell.
		r := csv.NewReader(bytes.NewReader(got.Bytes()))
		r.Comma, r.FieldsPerRecord = rune(comma), -1
		back, err := r.ReadAll()
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		for i, rec := range records {
			for j, s := range rec {
				// With UseCRLF a lone \r inside a quoted cell is not written and
				// \r\n reads back as \n, as in encoding/csv.
				want := Neutralise(s)
				if strings.ContainsAny(want, "\r\n\""+string(comma)) || want == `\.` {
					want = strings.ReplaceAll(strings.ReplaceAll(want, "\r\n", "\n"), "\r", "")
				}
				if back[i][j] != want {
					t.Fatalf("record %d cell %d (%q of %q): read back %q want %q", i, j, s, rec, back[i][j], want)
				}
			}
		}
	}
}

func TestNewWriterRefusesOtherDelimiters(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, '\t'); err == nil {
		t.Error("a tab delimiter was accepted; want an error")
	}
}

func TestNumbersAndEmptyCells(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Comma)
	w.Score(scoring.Value{V: 68.75, OK: true})
	w.Score(scoring.Value{V: 1450.0 / 21, OK: true})
	w.Score(scoring.Value{V: -3.2, OK: true})
	w.Score(scoring.Value{V: -0.001, OK: true})
	w.Score(scoring.Value{})
	w.Number(100)
	w.Int(-7)
	w.Uint(42)
	w.Bool(true)
	w.Empty()
	if err := w.EndRow(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "68.75,69.05,-3.20,0.00,,100.00,-7,42,true,\r\n"
	if got := buf.String(); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestBOMAndHeader(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Semicolon)
	w.BOM()
	if err := w.Header([]string{"item", "key", "=danger"}); err != nil {
		t.Fatal(err)
	}
	_ = w.Flush()
	if got, want := buf.String(), "\xef\xbb\xbfitem;key;'=danger\r\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestColumnsOfEveryFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []string
		want string
	}{
		{"responses.csv", ResponseColumns(), "response_id,round,team,team_path,perspective,instrument_version,submitted_at," +
			"I1,I2,I3,I4,I5,C1,C2,C3,C4,C5,A1,A2,A3,A4,A5,R1,R2,R3,R4,R5,E1,E2,E3,E4,E5," +
			"ideal,culture,attentiveness,responsiveness,empowerment,icare_index,straightlined,comment"},
		{"teams.csv", TeamColumns(), "round,team,team_path,n,headcount,response_rate,suppressed," +
			"ideal,culture,attentiveness,responsiveness,empowerment,icare_index," +
			"ideal_favorable,culture_favorable,attentiveness_favorable,responsiveness_favorable,empowerment_favorable,strongest,weakest"},
		{"organization.csv", OrganizationColumns(), "round,key,n,mean_score,sd,ci_low,ci_high,favorable_pct,alpha"},
		{"codebook.csv", CodebookColumns(), "item,key,text,reverse,instrument_version"},
	} {
		if got := strings.Join(tc.got, ","); got != tc.want {
			t.Errorf("%s header:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestStoredCellsEqualFreshCells: copying the cells kept at submit gives the
// same bytes as formatting the response afresh, with either delimiter.
func TestStoredCellsEqualFreshCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	at := time.Date(2027, 3, 1, 9, 30, 15, 999_000_000, time.FixedZone("CET", 3600))
	for n := range 500 {
		var a scoring.Answers
		for i := range a {
			if rng.IntN(8) != 0 {
				a[i] = uint8(1 + rng.IntN(5))
			}
		}
		if n == 0 {
			a = scoring.Answers{}
		}
		p := scoring.Perspectives[n%len(scoring.Perspectives)]
		stored := StoredResponseCells(p, scoring.Version, at, a)
		cells, ok := StoredCells([]byte(stored))
		if !ok {
			t.Fatalf("StoredCells(%q): not usable", stored)
		}
		for _, comma := range []byte{Comma, Semicolon} {
			var kept, fresh bytes.Buffer
			wk, _ := NewWriter(&kept, comma)
			wf, _ := NewWriter(&fresh, comma)
			wk.Int(1)
			wk.StoredCells(cells)
			wf.Int(1)
			wf.ResponseCells(p, scoring.Version, at, a)
			_, _ = wk.EndRow(), wf.EndRow()
			_, _ = wk.Flush(), wf.Flush()
			if kept.String() != fresh.String() {
				t.Fatalf("delimiter %q: kept %q fresh %q", comma, kept.String(), fresh.String())
			}
		}
	}
}

func TestResponseCellsByHand(t *testing.T) {
	// I all 5 (I4 reverse: 5 → item score 1): I = (5+5+5+1+5)/5 = 4.2 → 80.
	// C: 4,4,_,2,4 → reverse C4 2 → 4: mean 4 → 75. A: 3 answered of 5 → missing.
	// R all 3 → 50. E: 1,1,1,5,1 → E4 reverse 5 → 1: mean 1 → 0. Index missing (A).
	a := scoring.Answers{5, 5, 5, 5, 5, 4, 4, 0, 2, 4, 3, 3, 3, 0, 0, 3, 3, 3, 3, 3, 1, 1, 1, 5, 1}
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, Comma)
	w.ResponseCells("manager", "icare-v1", time.Date(2027, 1, 15, 10, 30, 0, 500, time.FixedZone("X", -5*3600)), a)
	_ = w.EndRow()
	_ = w.Flush()
	want := "manager,icare-v1,2027-01-15T15:30:00Z,5,5,5,5,5,4,4,,2,4,3,3,3,,,3,3,3,3,3,1,1,1,5,1,80.00,75.00,,50.00,0.00,,false\r\n"
	if got := buf.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	var s scoring.Answers
	for i := range s {
		s[i] = 4
	}
	buf.Reset()
	w.ResponseCells("frontline", "icare-v1", time.Date(2027, 1, 15, 10, 30, 0, 0, time.UTC), s)
	_ = w.EndRow()
	_ = w.Flush()
	// Four everywhere: the reverse items score 2, so each key is (4·4+2)/5 = 3.6 → 65.
	if got, want := buf.String(), "frontline,icare-v1,2027-01-15T10:30:00Z,"+strings.Repeat("4,", 25)+"65.00,65.00,65.00,65.00,65.00,65.00,true\r\n"; got != want {
		t.Errorf("straightlined: got %q want %q", got, want)
	}
}

func TestStoredResponseCellsRefusesWhatCannotBeSwapped(t *testing.T) {
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []string{"front;line", `say "hi"`, "a,b", " spaced", `\.`} {
		if got := StoredResponseCells(p, scoring.Version, at, scoring.Answers{}); got != "" {
			t.Errorf("perspective %q: kept %q, want nothing kept", p, got)
		}
	}
	if _, ok := StoredCells([]byte("v0:frontline")); ok {
		t.Error("cells of another format version were used")
	}
	if _, ok := StoredCells(nil); ok {
		t.Error("no cells were taken as cells")
	}
}

// TestDecimalMarkFollowsTheDelimiter: with semicolons a number carries a
// decimal comma, as a spreadsheet in those locales reads it; with commas, a
// point. Whole numbers and text are the same in both.
func TestDecimalMarkFollowsTheDelimiter(t *testing.T) {
	for _, tc := range []struct {
		comma byte
		want  string
	}{
		{Comma, "68.75,-3.20,,12,3.5 km\r\n"},
		{Semicolon, "68,75;-3,20;;12;3.5 km\r\n"},
	} {
		var buf strings.Builder
		w, _ := NewWriter(&buf, tc.comma)
		w.Score(scoring.Value{V: 68.75, OK: true})
		w.Number(-3.2)
		w.Score(scoring.Value{})
		w.Int(12)
		w.Text("3.5 km")
		_ = w.EndRow()
		_ = w.Flush()
		if buf.String() != tc.want {
			t.Errorf("delimiter %q: got %q want %q", tc.comma, buf.String(), tc.want)
		}
	}
}
