package views

import "strconv"

// KeyResult is one key on the personal result page.
type KeyResult struct {
	ID, Name    string
	Score       float64
	OK          bool // false: fewer than 4 of the key's 5 statements answered
	Band        string
	BandSlug    string
	TeamScore   float64
	TeamOK      bool
	Habits      []string
	Description string
}

// ResultPage is the respondent's own profile, with their team's beside it
// only when the team may be shown.
type ResultPage struct {
	TeamName, RoundName string
	Keys                []KeyResult
	Index               float64
	IndexOK             bool
	// Strongest and Grow index Keys, or are −1 when no key has a score.
	Strongest, Grow int
	// TeamShown is false when the team is under the minimum group size or
	// hidden by complementary suppression; no team number is then present.
	TeamShown bool
	TeamN     int
	TeamIndex float64
	TeamIdxOK bool
	MinGroup  int
	ResultURL string
	Answered  int
	Submitted bool
}

// One decimal, as every score is shown (PRODUCT.md §3).
func score1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// Chart geometry: a horizontal bar chart of the five keys on a 0–100 scale.
const (
	chartWidth  = 360
	chartLabelW = 130
	chartBarW   = chartWidth - chartLabelW - 50
	chartRowH   = 44
	chartTop    = 24
)

func chartHeight(n int) string  { return strconv.Itoa(chartTop + n*chartRowH + 8) }
func barLen(v float64) string   { return strconv.FormatFloat(v/100*chartBarW, 'f', 1, 64) }
func rowY(i, offset int) string { return strconv.Itoa(chartTop + i*chartRowH + offset) }
func barEnd(v float64, offset int) string {
	return strconv.FormatFloat(chartLabelW+v/100*chartBarW+float64(offset), 'f', 1, 64)
}
func num(v int) string { return strconv.Itoa(v) }
