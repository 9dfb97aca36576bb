package views

import (
	"math"

	"github.com/icare-hr/icare/scoring"
)

// BarChart is a horizontal bar chart of 0–100 scores: a row per label (the
// five keys, say), a bar per series in each row (you and your team, or
// several groups), each bar with an optional 95% confidence interval drawn
// as a whisker. The geometry is worked out here, in Go, once (see layout);
// the template only draws it, and every chart has a table with the same
// numbers beside it.
type BarChart struct {
	// ID is the chart's data-testid; its title and description get the ids
	// ID-svg-title and ID-svg-desc, unique on the page.
	ID string
	// Title and Desc tell a screen reader what the chart shows; Desc should
	// state the finding.
	Title, Desc string
	Series      []Series
	Rows        []BarRow
}

// Series is one set of bars, told apart by its CSS class (colour, and a
// pattern or thickness so that colour is never the only signal).
type Series struct {
	Name  string
	Class string
	// TestID prefixes each bar's data-testid, followed by the row's ID.
	TestID string
	// Thick bars carry their value as text at their end; thin ones do not.
	Thick bool
}

// BarRow is one row of a chart: a label and one value per series.
type BarRow struct {
	ID     string
	Label  string
	Values []BarValue
}

// BarValue is one bar: a score and, optionally, the bounds of its 95%
// confidence interval.
type BarValue struct {
	Score     scoring.Value
	Low, High scoring.Value
}

// The chart's measures, in SVG user units.
const (
	chartWidth   = 360.0
	chartLabelW  = 130.0 // the labels' column; the axis starts here
	chartPlotW   = 180.0 // the 0–100 axis
	chartTop     = 24.0
	chartRowGap  = 8.0
	thickBar     = 16.0
	thinBar      = 8.0
	barGap       = 2.0
	barTextInset = 4.0
)

// chartLayout is a BarChart with every position worked out.
type chartLayout struct {
	Width, Height float64
	// X0 and X100 are where 0 and 100 sit on the axis; the axis' labels
	// stand on ScaleY and the axis starts at AxisTop.
	X0, X100        float64
	ScaleY, AxisTop float64
	Rows            []rowLayout
}

type rowLayout struct {
	Label  string
	LabelY float64
	Bars   []barLayout
}

type barLayout struct {
	Class, TestID string
	// OK is false for a missing value, drawn as words, never as a zero bar.
	OK      bool
	Value   string
	X, Y    float64
	W, H    float64
	TextX   float64
	TextY   float64
	HasText bool
	// Whisker spans the confidence interval, at the bar's middle.
	HasWhisker   bool
	WhiskerX1    float64
	WhiskerX2    float64
	WhiskerY     float64
	WhiskerCapY1 float64
	WhiskerCapY2 float64
}

// x is where score v (0–100, clamped) sits on the axis.
func (l chartLayout) x(v float64) float64 {
	return l.X0 + math.Max(0, math.Min(100, v))/100*(l.X100-l.X0)
}

// layout works out the chart's geometry: rows from the top, in each row the
// series' bars one below the other.
func (c BarChart) layout() chartLayout {
	l := chartLayout{Width: chartWidth, X0: chartLabelW, X100: chartLabelW + chartPlotW, ScaleY: chartTop - 10, AxisTop: chartTop - 6}
	rowH := barGap
	for _, s := range c.Series {
		rowH += barHeight(s) + barGap
	}
	rowH = max(rowH+chartRowGap, 44)
	for i, row := range c.Rows {
		top := chartTop + float64(i)*rowH
		rl := rowLayout{Label: row.Label, LabelY: top + 20}
		y := top + 6
		for j, s := range c.Series {
			h := barHeight(s)
			b := barLayout{Class: s.Class, TestID: s.TestID + row.ID, Y: y, H: h, X: l.X0}
			if j < len(row.Values) && row.Values[j].Score.OK {
				v := row.Values[j]
				b.OK, b.Value = true, score(v.Score)
				b.W = l.x(v.Score.V) - l.X0
				end := l.x(v.Score.V)
				if v.Low.OK && v.High.OK {
					b.HasWhisker = true
					b.WhiskerX1, b.WhiskerX2 = l.x(v.Low.V), l.x(v.High.V)
					b.WhiskerY, b.WhiskerCapY1, b.WhiskerCapY2 = y+h/2, y, y+h
					// The value is written past the interval, not over it.
					end = max(end, b.WhiskerX2)
				}
				b.HasText, b.TextX, b.TextY = s.Thick, end+barTextInset, y+h-3
			} else {
				b.HasText, b.TextX, b.TextY = s.Thick, l.X0+barTextInset, y+h-3
			}
			rl.Bars = append(rl.Bars, b)
			y += h + barGap
		}
		l.Rows = append(l.Rows, rl)
	}
	l.Height = chartTop + float64(len(c.Rows))*rowH + 8
	return l
}

func barHeight(s Series) float64 {
	if s.Thick {
		return thickBar
	}
	return thinBar
}

// viewBox is the chart's viewBox attribute.
func (l chartLayout) viewBox() string { return "0 0 " + coord(l.Width) + " " + coord(l.Height) }
