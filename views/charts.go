package views

import (
	"math"
	"strings"

	"github.com/icare-hr/icare/scoring"
)

// The dashboard's other charts: an overlaid radar of the five keys, a line
// chart across rounds, and the favorable / neutral / unfavorable split.
// As with BarChart, each is a typed model whose geometry is worked out here
// and tested; a series is told apart by its marker shape and its dash
// pattern as well as by its colour, so the charts read in black and white.

// maxSeries is how many series a chart tells apart (up to six groups in a
// comparison).
const maxSeries = 6

// seriesStyle is how series i is drawn besides its colour class.
type seriesStyle struct {
	Class, Dash, Marker string
}

func styleOf(i int) seriesStyle {
	dashes := []string{"", "6 3", "2 3", "8 3 2 3", "1 4", "10 4"}
	markers := []string{"circle", "square", "triangle", "diamond", "cross", "star"}
	i %= maxSeries
	return seriesStyle{Class: "series-" + itoa(i+1), Dash: dashes[i], Marker: markers[i]}
}

// markerPath is an SVG path of marker shape m centred on (x, y), about 8
// units across.
func markerPath(m string, x, y float64) string {
	p := func(pts ...float64) string {
		var b strings.Builder
		for i := 0; i+1 < len(pts); i += 2 {
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString(" L")
			}
			b.WriteString(coord(x+pts[i]) + " " + coord(y+pts[i+1]))
		}
		b.WriteString(" Z")
		return b.String()
	}
	switch m {
	case "square":
		return p(-3.5, -3.5, 3.5, -3.5, 3.5, 3.5, -3.5, 3.5)
	case "triangle":
		return p(0, -4.5, 4.2, 3.5, -4.2, 3.5)
	case "diamond":
		return p(0, -4.8, 4.2, 0, 0, 4.8, -4.2, 0)
	case "cross":
		return p(-1.5, -4.5, 1.5, -4.5, 1.5, -1.5, 4.5, -1.5, 4.5, 1.5, 1.5, 1.5, 1.5, 4.5, -1.5, 4.5, -1.5, 1.5, -4.5, 1.5, -4.5, -1.5, -1.5, -1.5)
	case "star":
		var pts []float64
		for i := range 10 {
			r := 5.0
			if i%2 == 1 {
				r = 2.2
			}
			a := -math.Pi/2 + float64(i)*math.Pi/5
			pts = append(pts, r*math.Cos(a), r*math.Sin(a))
		}
		return p(pts...)
	}
	// A circle as two arcs.
	return "M" + coord(x-4) + " " + coord(y) + " a4 4 0 1 0 8 0 a4 4 0 1 0 -8 0"
}

// RadarChart overlays up to six groups' five key scores on five axes.
type RadarChart struct {
	ID, Title, Desc string
	Series          []RadarSeries
}

// RadarSeries is one group on the radar.
type RadarSeries struct {
	Name   string
	Scores [scoring.NumKeys]scoring.Value
}

// The radar's measures: room on both sides for the keys' names.
const (
	radarWidth  = 480.0
	radarHeight = 340.0
	radarCX     = 240.0
	radarCY     = 172.0
	radarRadius = 118.0
)

type radarLayout struct {
	Width, Height float64
	// CX and CY are the centre, where the axes start.
	CX, CY float64
	Rings  []string // polygon points of the 25, 50, 75 and 100 rings
	Axes   []radarAxis
	Series []radarSeries
}

type radarAxis struct {
	X2, Y2, LX, LY float64
	Label, Anchor  string
}

type radarSeries struct {
	seriesStyle
	Name string
	// Path joins the points of consecutive keys that both have a score; a
	// missing key leaves a gap, never a point at 0.
	Path    string
	Markers []string
}

// radarPoint is where score v (0–100) of key k sits.
func radarPoint(k int, v float64) (float64, float64) {
	a := -math.Pi/2 + float64(k)*2*math.Pi/scoring.NumKeys
	r := radarRadius * math.Max(0, math.Min(100, v)) / 100
	return radarCX + r*math.Cos(a), radarCY + r*math.Sin(a)
}

func (c RadarChart) layout() radarLayout {
	l := radarLayout{Width: radarWidth, Height: radarHeight, CX: radarCX, CY: radarCY}
	for _, ring := range []float64{25, 50, 75, 100} {
		var pts []string
		for k := range scoring.NumKeys {
			x, y := radarPoint(k, ring)
			pts = append(pts, coord(x)+","+coord(y))
		}
		l.Rings = append(l.Rings, strings.Join(pts, " "))
	}
	for k, name := range keyNames {
		x, y := radarPoint(k, 100)
		a := -math.Pi/2 + float64(k)*2*math.Pi/scoring.NumKeys
		lx, ly := radarCX+(radarRadius+14)*math.Cos(a), radarCY+(radarRadius+14)*math.Sin(a)+4
		anchor := "middle"
		switch {
		case math.Cos(a) > 0.2:
			anchor = "start"
		case math.Cos(a) < -0.2:
			anchor = "end"
		}
		l.Axes = append(l.Axes, radarAxis{X2: x, Y2: y, LX: lx, LY: ly, Label: name, Anchor: anchor})
	}
	for i, s := range c.Series {
		rs := radarSeries{seriesStyle: styleOf(i), Name: s.Name}
		var b strings.Builder
		for k := range scoring.NumKeys {
			next := (k + 1) % scoring.NumKeys
			if s.Scores[k].OK {
				x, y := radarPoint(k, s.Scores[k].V)
				rs.Markers = append(rs.Markers, markerPath(rs.Marker, x, y))
				if s.Scores[next].OK {
					x2, y2 := radarPoint(next, s.Scores[next].V)
					b.WriteString("M" + coord(x) + " " + coord(y) + " L" + coord(x2) + " " + coord(y2) + " ")
				}
			}
		}
		rs.Path = strings.TrimSpace(b.String())
		l.Series = append(l.Series, rs)
	}
	return l
}

// LineChart shows scores across rounds: one line per series, a gap where a
// round has no score.
type LineChart struct {
	ID, Title, Desc string
	// X names the rounds, oldest first.
	X      []string
	Series []LineSeries
}

// LineSeries is one line: a score per round, with the bounds of its 95%
// interval when it is to be drawn.
type LineSeries struct {
	Name      string
	Values    []scoring.Value
	Low, High []scoring.Value
}

const (
	lineWidth  = 360.0
	lineHeight = 230.0
	lineLeft   = 34.0
	lineRight  = 350.0
	lineTop    = 14.0
	lineBottom = 190.0
)

type lineLayout struct {
	Width, Height float64
	Left, Right   float64
	// TickY is the baseline of the rounds' names.
	TickY  float64
	Grid   []lineGrid
	Ticks  []lineTick
	Series []lineSeriesLayout
}

type lineGrid struct {
	Y     float64
	Label string
}

type lineTick struct {
	X     float64
	Label string
}

type lineSeriesLayout struct {
	seriesStyle
	Name     string
	Path     string
	Markers  []string
	Whiskers []lineWhisker
}

type lineWhisker struct{ X, Y1, Y2 float64 }

// lineX is the centre of round slot i of n.
func lineX(i, n int) float64 {
	return lineLeft + (float64(i)+0.5)*(lineRight-lineLeft)/float64(max(n, 1))
}

// lineY is where score v (0–100, clamped) sits.
func lineY(v float64) float64 {
	return lineBottom - math.Max(0, math.Min(100, v))/100*(lineBottom-lineTop)
}

func (c LineChart) layout() lineLayout {
	l := lineLayout{Width: lineWidth, Height: lineHeight, Left: lineLeft, Right: lineRight, TickY: lineBottom + 18}
	for _, v := range []float64{0, 25, 50, 75, 100} {
		l.Grid = append(l.Grid, lineGrid{Y: lineY(v), Label: itoa(int(v))})
	}
	for i, x := range c.X {
		label := x
		if r := []rune(label); len(r) > 12 {
			label = string(r[:11]) + "…"
		}
		l.Ticks = append(l.Ticks, lineTick{X: lineX(i, len(c.X)), Label: label})
	}
	for si, s := range c.Series {
		ls := lineSeriesLayout{seriesStyle: styleOf(si), Name: s.Name}
		var b strings.Builder
		for i, v := range s.Values {
			if !v.OK {
				continue
			}
			x, y := lineX(i, len(c.X)), lineY(v.V)
			ls.Markers = append(ls.Markers, markerPath(ls.Marker, x, y))
			if i > 0 && s.Values[i-1].OK {
				b.WriteString(" L" + coord(x) + " " + coord(y))
			} else {
				b.WriteString(" M" + coord(x) + " " + coord(y))
			}
			if i < len(s.Low) && i < len(s.High) && s.Low[i].OK && s.High[i].OK {
				ls.Whiskers = append(ls.Whiskers, lineWhisker{X: x, Y1: lineY(s.High[i].V), Y2: lineY(s.Low[i].V)})
			}
		}
		ls.Path = strings.TrimSpace(b.String())
		l.Series = append(l.Series, ls)
	}
	return l
}

// SharesChart shows, per key, the favorable, neutral and unfavorable shares
// of answers as one bar split in three, each part with its own pattern.
type SharesChart struct {
	ID, Title, Desc string
	Rows            []SharesRow
}

// SharesRow is one key's split; a row with no shares is said in words.
type SharesRow struct {
	Label                           string
	Favorable, Neutral, Unfavorable scoring.Value
}

type sharesLayout struct {
	Width, Height float64
	Rows          []sharesRowLayout
}

type sharesRowLayout struct {
	Label  string
	LabelY float64
	OK     bool
	// MissingX is where "not shown" starts when OK is false.
	MissingX float64
	Y, H     float64
	Parts    []sharePart
	TextY    float64
}

type sharePart struct {
	Class, Label string
	X, W         float64
	Value        string
	// TextX is where the part's share is written, when it is wide enough.
	TextX   float64
	HasText bool
}

func (c SharesChart) layout() sharesLayout {
	l := sharesLayout{Width: chartWidth}
	for i, r := range c.Rows {
		top := chartTop + float64(i)*36
		row := sharesRowLayout{Label: r.Label, LabelY: top + 16, Y: top + 4, H: 18, TextY: top + 17, MissingX: chartLabelW + barTextInset,
			OK: r.Favorable.OK && r.Neutral.OK && r.Unfavorable.OK}
		if row.OK {
			x := chartLabelW
			for _, part := range []struct {
				class, label string
				v            float64
			}{{"share-favorable", "favorable", r.Favorable.V}, {"share-neutral", "neutral", r.Neutral.V}, {"share-unfavorable", "unfavorable", r.Unfavorable.V}} {
				w := part.v / 100 * chartPlotW
				row.Parts = append(row.Parts, sharePart{Class: part.class, Label: part.label, X: x, W: w,
					Value: score(scoring.Value{V: part.v, OK: true}), TextX: x + w/2, HasText: w >= 26})
				x += w
			}
		}
		l.Rows = append(l.Rows, row)
	}
	l.Height = chartTop + float64(len(c.Rows))*36 + 8
	return l
}

// shareFill is the fill of a share's part: the neutral and unfavorable
// parts wear patterns, so the three read apart without colour.
func shareFill(id, label string) string {
	switch label {
	case "neutral":
		return "url(#" + id + "-hatch)"
	case "unfavorable":
		return "url(#" + id + "-dots)"
	}
	return ""
}
