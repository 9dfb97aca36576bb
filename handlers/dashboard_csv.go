package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// The CSV behind the dashboard's views of groups (compare, trend,
// perspectives): the numbers of the page's table, a row per group and key,
// from the same figures the page draws. The overview and the heatmap link
// organization.csv and teams.csv.

// figureRow is one group's figures on one key (or the index).
type figureRow struct {
	Round, Group, Label, Key string
	N, KeyN                  int
	Score, Low, High         scoring.Value
	Favorable, Neutral       scoring.Value
	Unfavorable              scoring.Value
	// Reason says why the numbers are empty.
	Reason string
	// Diff is the difference to the first group of a comparison.
	Diff views.Diff
}

// figuresFile is the columns of a view's CSV.
var figuresFile = []export.Column[figureRow]{
	{Name: "round", Cell: func(w export.Cells, r *figureRow) { w.Text(r.Round) }},
	{Name: "group", Cell: func(w export.Cells, r *figureRow) { w.Text(r.Group) }},
	{Name: "label", Cell: func(w export.Cells, r *figureRow) { w.Text(r.Label) }},
	{Name: "n", Cell: func(w export.Cells, r *figureRow) { w.Int(int64(r.N)) }},
	{Name: "key", Cell: func(w export.Cells, r *figureRow) { w.Text(r.Key) }},
	{Name: "key_n", Cell: func(w export.Cells, r *figureRow) { w.Int(int64(r.KeyN)) }},
	{Name: "score", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Score) }},
	{Name: "ci_low", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Low) }},
	{Name: "ci_high", Cell: func(w export.Cells, r *figureRow) { w.Score(r.High) }},
	{Name: "favorable_pct", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Favorable) }},
	{Name: "neutral_pct", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Neutral) }},
	{Name: "unfavorable_pct", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Unfavorable) }},
	{Name: "reason", Cell: func(w export.Cells, r *figureRow) { w.Text(r.Reason) }},
	{Name: "diff_to_first", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Diff.Estimate) }},
	{Name: "diff_ci_low", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Diff.Low) }},
	{Name: "diff_ci_high", Cell: func(w export.Cells, r *figureRow) { w.Score(r.Diff.High) }},
}

// figureRows are group f's rows in round: its five keys, then the index.
// diffs, when given, are its differences to the first group.
func figureRows(round string, f views.Figures, diffs *[scoring.NumKeys + 1]views.Diff) []figureRow {
	rows := make([]figureRow, 0, scoring.NumKeys+1)
	for k, key := range f.Keys {
		if key.Reason == views.ReasonNotAsked {
			continue // a pulse round's file covers the keys it asked
		}
		r := figureRow{Round: round, Group: f.Group, Label: f.Label, N: f.N, Key: scoring.KeySlugs()[k], KeyN: key.N,
			Reason: fileReason(orDefault(f.Reason, key.Reason))}
		if r.Reason == "" {
			r.Score, r.Low, r.High = key.Mean, key.CILow, key.CIHigh
		}
		if f.Reason == "" && key.ShareReason == "" {
			r.Favorable, r.Neutral, r.Unfavorable = key.Favorable, key.Neutral, key.Unfavorable
		}
		if diffs != nil {
			r.Diff = diffs[k]
		}
		rows = append(rows, r)
	}
	if f.IndexReason == views.ReasonNotAsked {
		return rows
	}
	idx := figureRow{Round: round, Group: f.Group, Label: f.Label, N: f.N, Key: export.IndexKey, KeyN: f.Index.N,
		Reason: fileReason(orDefault(f.Reason, f.IndexReason))}
	if idx.Reason == "" {
		idx.Score, idx.Low, idx.High = f.Index.Mean, f.Index.CILow, f.Index.CIHigh
	}
	if diffs != nil {
		idx.Diff = diffs[scoring.NumKeys]
	}
	return append(rows, idx)
}

// wantsCSV reports whether the request asks for a view's numbers as a file:
// CSV, or an Excel workbook.
func wantsCSV(c echo.Context) bool {
	f := c.QueryParam("format")
	return f == "csv" || f == "xlsx"
}

// viewCSV answers a view's request for its numbers as the file kind.
func (s *Server) viewCSV(c echo.Context, kind string, rows []figureRow) error {
	return s.download(c, kind, pickPublished, func(exportOptions) (csvBody, error) {
		return rowsBody(figuresFile, rows), nil
	})
}

// csvOf is the address of the page's own numbers as CSV.
func csvOf(c echo.Context) string {
	q := url.Values{}
	for k, v := range c.QueryParams() {
		q[k] = v
	}
	q.Set("format", "csv")
	return c.Request().URL.Path + "?" + q.Encode()
}

// fileReason is a view's reason as files and the API write it: the pages'
// own wording for a team with more responses than people is min_group there
// (results.Reason names the three: min_group, differencing, round_open).
func fileReason(r string) string {
	switch r {
	case views.ReasonFiller:
		return string(results.MinGroup)
	}
	return r
}
