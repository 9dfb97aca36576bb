package export

import (
	"fmt"
	"testing"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// recorder keeps the cells written to it as typed strings.
type recorder struct{ cells []string }

func (r *recorder) Text(s string) { r.cells = append(r.cells, "text:"+s) }
func (r *recorder) Int(n int64)   { r.cells = append(r.cells, fmt.Sprint("int:", n)) }
func (r *recorder) OptInt(n *int) { r.cells = append(r.cells, fmt.Sprint("optint:", n)) }
func (r *recorder) Uint(n uint64) { r.cells = append(r.cells, fmt.Sprint("uint:", n)) }
func (r *recorder) Bool(b bool)   { r.cells = append(r.cells, fmt.Sprint("bool:", b)) }
func (r *recorder) Score(v scoring.Value) {
	if !v.OK {
		r.Empty()
		return
	}
	r.Number(v.V)
}
func (r *recorder) Number(v float64) { r.cells = append(r.cells, fmt.Sprintf("num:%.2f", v)) }
func (r *recorder) Time(t time.Time) { r.cells = append(r.cells, "time:"+t.UTC().Format(time.RFC3339)) }
func (r *recorder) Date(t time.Time) {
	r.cells = append(r.cells, "date:"+t.UTC().Format(time.DateOnly))
}
func (r *recorder) Empty() { r.cells = append(r.cells, "empty") }

// TestStoredRowIsResponseRow: the cells kept at submit, read back for a
// workbook, are the cells ResponseRow writes from the answers, scores at
// full precision (the recorder prints them to 2 decimals, as both sides
// then agree only if the answers came back right).
func TestStoredRowIsResponseRow(t *testing.T) {
	at := time.Date(2027, 3, 4, 5, 6, 7, 800_000_000, time.UTC)
	for _, a := range []scoring.Answers{{}, {5, 4, 0, 2, 1, 3, 3, 3, 3, 3, 1, 1}, func() (a scoring.Answers) {
		for i := range a {
			a[i] = 4
		}
		return a
	}()} {
		stored, ok := StoredCells([]byte(StoredResponseCells("manager", "icare-v1", at, a)))
		if !ok {
			t.Fatal("no stored cells")
		}
		var got, want recorder
		if err := StoredRow(&got, stored); err != nil {
			t.Fatal(err)
		}
		ResponseRow(&want, "manager", "icare-v1", at.Truncate(time.Second), a)
		if fmt.Sprint(got.cells) != fmt.Sprint(want.cells) {
			t.Errorf("answers %v:\n stored %v\n  fresh %v", a, got.cells, want.cells)
		}
	}
	if err := StoredRow(&recorder{}, []byte("a,b")); err == nil {
		t.Error("a short row of cells is not refused")
	}
}
