package views

import (
	"math"
	"strings"
	"testing"

	"github.com/icare-hr/icare/scoring"
)

// TestRadarGeometry: a score of 75 on key k sits three quarters of the way
// out along axis k; the first axis points straight up; a missing key leaves
// a gap in the outline and no marker.
func TestRadarGeometry(t *testing.T) {
	x, y := radarPoint(0, 75)
	if math.Abs(x-radarCX) > 1e-9 || math.Abs(y-(radarCY-0.75*radarRadius)) > 1e-9 {
		t.Errorf("75 on the first axis: got (%v, %v) want (%v, %v)", x, y, radarCX, radarCY-0.75*radarRadius)
	}
	for k := range scoring.NumKeys {
		x, y := radarPoint(k, 100)
		if r := math.Hypot(x-radarCX, y-radarCY); math.Abs(r-radarRadius) > 1e-9 {
			t.Errorf("100 on axis %d: radius %v want %v", k, r, radarRadius)
		}
	}
	full := RadarSeries{Name: "all"}
	gap := RadarSeries{Name: "no A"}
	for k := range scoring.NumKeys {
		full.Scores[k] = val(60)
		if k != 2 {
			gap.Scores[k] = val(60)
		}
	}
	l := RadarChart{Series: []RadarSeries{full, gap}}.layout()
	if n := strings.Count(l.Series[0].Path, "M"); n != 5 || len(l.Series[0].Markers) != 5 {
		t.Errorf("five keys: %d segments, %d markers want 5 and 5", n, len(l.Series[0].Markers))
	}
	if n := strings.Count(l.Series[1].Path, "M"); n != 3 || len(l.Series[1].Markers) != 4 {
		t.Errorf("a missing key: %d segments, %d markers want 3 and 4", n, len(l.Series[1].Markers))
	}
	if l.Series[0].Marker == l.Series[1].Marker || l.Series[0].Dash == l.Series[1].Dash {
		t.Error("two series must differ in marker and dash, not colour alone")
	}
	for _, a := range l.Axes {
		if a.LX < 0 || a.LX > l.Width {
			t.Errorf("axis label %s at x %v outside the chart", a.Label, a.LX)
		}
	}
}

// TestLineGeometry: 75 sits three quarters up the plot; a round without a
// score breaks the line; intervals become whiskers.
func TestLineGeometry(t *testing.T) {
	if got, want := lineY(75), lineBottom-0.75*(lineBottom-lineTop); math.Abs(got-want) > 1e-9 {
		t.Errorf("75: y %v want %v", got, want)
	}
	c := LineChart{X: []string{"Q1", "Q2", "Q3", "Q4"}, Series: []LineSeries{{
		Name:   "index",
		Values: []scoring.Value{val(50), val(60), {}, val(70)},
		Low:    []scoring.Value{val(45), {}, {}, val(65)},
		High:   []scoring.Value{val(55), {}, {}, val(75)},
	}}}
	l := c.layout()
	s := l.Series[0]
	if strings.Count(s.Path, "M") != 2 || strings.Count(s.Path, "L") != 1 {
		t.Errorf("a gap at Q3: path %q want two runs", s.Path)
	}
	if len(s.Markers) != 3 || len(s.Whiskers) != 2 {
		t.Errorf("markers %d, whiskers %d want 3 and 2", len(s.Markers), len(s.Whiskers))
	}
	if x0, x3 := lineX(0, 4), lineX(3, 4); x0 <= l.Left || x3 >= l.Right || x0 >= x3 {
		t.Errorf("slots: first %v last %v within %v–%v", x0, x3, l.Left, l.Right)
	}
}

// TestSharesGeometry: the three parts fill the axis in proportion.
func TestSharesGeometry(t *testing.T) {
	l := SharesChart{Rows: []SharesRow{{Label: "I", Favorable: val(50), Neutral: val(30), Unfavorable: val(20)}, {Label: "C"}}}.layout()
	r := l.Rows[0]
	if !r.OK || math.Abs(r.Parts[0].W-0.5*chartPlotW) > 1e-9 || math.Abs(r.Parts[2].X+r.Parts[2].W-(chartLabelW+chartPlotW)) > 1e-9 {
		t.Errorf("50/30/20: got %+v", r.Parts)
	}
	if l.Rows[1].OK {
		t.Error("a key with no shares is drawn")
	}
}
