package views

import (
	"math"
	"strconv"
	"testing"

	"github.com/icare-hr/icare/scoring"
)

func val(v float64) scoring.Value { return scoring.Value{V: v, OK: true} }

func twoSeries() BarChart {
	return BarChart{ID: "c", Title: "t", Desc: "d",
		Series: []Series{{Name: "A", Class: "bar-a", TestID: "a-", Thick: true}, {Name: "B", Class: "bar-b", TestID: "b-"}},
		Rows: []BarRow{
			{ID: "I", Label: "Ideal", Values: []BarValue{{Score: val(75), Low: val(60), High: val(90)}, {Score: val(0)}}},
			{ID: "C", Label: "Culture", Values: []BarValue{{Score: val(100)}, {}}},
			{ID: "A", Label: "Attentiveness", Values: []BarValue{{}, {Score: val(50)}}},
		}}
}

// TestBarGeometry: a score lands where it belongs on the axis, and so do the
// ends of its confidence interval.
func TestBarGeometry(t *testing.T) {
	l := twoSeries().layout()
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: got %v want %v", what, got, want)
		}
	}
	span := l.X100 - l.X0
	if span <= 0 || l.X0 <= 0 || l.X100 > l.Width {
		t.Fatalf("axis from %v to %v in a chart %v wide", l.X0, l.X100, l.Width)
	}
	i := l.Rows[0].Bars[0]
	near("bar of 75: its end", i.X+i.W, l.X0+0.75*span)
	near("whisker from 60", i.WhiskerX1, l.X0+0.60*span)
	near("whisker to 90", i.WhiskerX2, l.X0+0.90*span)
	if !i.HasWhisker || !i.HasText || i.Value != "75.0" {
		t.Errorf("bar of 75: %+v", i)
	}
	if z := l.Rows[0].Bars[1]; !z.OK || z.W != 0 || z.HasWhisker {
		t.Errorf("a score of 0 is a bar of no length, still shown: %+v", z)
	}
	near("bar of 100: its end", l.Rows[1].Bars[0].X+l.Rows[1].Bars[0].W, l.X100)
	if b := l.Rows[1].Bars[1]; b.OK || b.HasText {
		t.Errorf("a missing thin bar draws nothing: %+v", b)
	}
	if m := l.Rows[2].Bars[0]; m.OK || !m.HasText {
		t.Errorf("a missing thick bar is said in words: %+v", m)
	}
	// Rows and bars never overlap, and the chart holds them all.
	for r := range l.Rows {
		for j, b := range l.Rows[r].Bars {
			if j > 0 {
				prev := l.Rows[r].Bars[j-1]
				if b.Y < prev.Y+prev.H {
					t.Errorf("row %d: bar %d overlaps the one above", r, j)
				}
			}
			if r > 0 {
				last := l.Rows[r-1].Bars[len(l.Rows[r-1].Bars)-1]
				if l.Rows[r].Bars[0].Y < last.Y+last.H {
					t.Errorf("row %d overlaps row %d", r, r-1)
				}
			}
			if b.Y+b.H > l.Height {
				t.Errorf("row %d bar %d below the chart", r, j)
			}
		}
	}
}

func TestBarsDrawsWhatLayoutSays(t *testing.T) {
	d := renderDoc(t, Bars(twoSeries()))
	svg := d.Find(`svg[data-testid="c"]`)
	if role, _ := svg.Attr("role"); role != "img" || svg.Find("title").Text() != "t" || svg.Find("desc").Text() != "d" {
		t.Error("the chart needs role=img, a title and a description")
	}
	l := twoSeries().layout()
	bar := svg.Find(`rect[data-testid="a-I"]`)
	w, _ := bar.Attr("width")
	if got, _ := strconv.ParseFloat(w, 64); math.Abs(got-l.Rows[0].Bars[0].W) > 0.05 {
		t.Errorf("bar width: got %s want %.1f", w, l.Rows[0].Bars[0].W)
	}
	if svg.Find(`[data-testid="a-I-ci"] line`).Length() != 3 {
		t.Error("the interval is a line with two caps")
	}
	if got := svg.Find(`text[data-testid="a-A"]`).Text(); got != "no score" {
		t.Errorf("a missing score: got %q want words", got)
	}
	if svg.Find(`[data-testid="b-C"]`).Length() != 0 {
		t.Error("a missing thin bar must draw nothing")
	}
}
