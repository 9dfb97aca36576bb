package views

import (
	"strconv"
	"strings"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// The one place where values become text. View models carry typed values
// (scoring.Value for a score or a share that may be missing, *int for a
// count that may be unknown, *time.Time for a time that may not have come);
// templates show them through these functions only.

// noValue stands in a table cell for a figure that is missing.
const noValue = "–"

// itoa writes a whole number.
func itoa(n int) string { return strconv.Itoa(n) }

// uitoa writes an id.
func uitoa(v uint) string { return strconv.FormatUint(uint64(v), 10) }

// optCount writes a count that may be unknown, "" when it is.
func optCount(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// score writes a 0–100 score with one decimal, as every score is shown
// (PRODUCT.md §3), or noValue when it is missing.
func score(v scoring.Value) string {
	if !v.OK {
		return noValue
	}
	return strconv.FormatFloat(v.V, 'f', 1, 64)
}

// percent writes a share of 0–100 with one decimal and a percent sign, or
// "" when it is missing.
func percent(v scoring.Value) string {
	if !v.OK {
		return ""
	}
	return strconv.FormatFloat(v.V, 'f', 1, 64) + " %"
}

// band names the band of a score, "" when it is missing.
func band(v scoring.Value) string {
	if !v.OK {
		return ""
	}
	return scoring.BandOf(v.V).String()
}

// bandSlug is the band's CSS name, "" when the score is missing.
func bandSlug(v scoring.Value) string {
	if !v.OK {
		return ""
	}
	return scoring.BandOf(v.V).Slug()
}

// when shows a time to people, in UTC; "" for none.
func when(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// coord writes an SVG coordinate.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// teamPath writes a team's chain of names from the top team down.
func teamPath(names []string) string { return strings.Join(names, " / ") }

// names joins a list of names.
func names(ns []string) string { return strings.Join(ns, ", ") }

// indent is the CSS class that indents a team at depth in a hierarchy.
func indent(depth int) string {
	return "depth-" + strconv.Itoa(min(depth, 4))
}
