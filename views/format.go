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

func uitoa64(v uint64) string { return strconv.FormatUint(v, 10) }

// optCount writes a count that may be unknown, "" when it is.
func optCount(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// score writes a 0–100 score with one decimal, as every page shows a score,
// or noValue when it is missing.
func score(v scoring.Value) string {
	if !v.OK {
		return noValue
	}
	s := strconv.FormatFloat(v.V, 'f', 1, 64)
	if s == "-0.0" {
		return "0.0"
	}
	return s
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

// interval writes a 95% confidence interval, "–" when it is missing.
func interval(lo, hi scoring.Value) string {
	if !lo.OK || !hi.OK {
		return noValue
	}
	return score(lo) + " to " + score(hi)
}

func ratePart(rate scoring.Value) string {
	if !rate.OK {
		return ""
	}
	return " (" + percent(rate) + ")"
}

// markWords says a marked difference in words.
func markWords(mark int) string {
	switch mark {
	case 1:
		return "above the organization"
	case -1:
		return "below the organization"
	}
	return ""
}

func markSign(mark int) string {
	switch mark {
	case 1:
		return "▲"
	case -1:
		return "▼"
	}
	return ""
}

// signed writes a difference with its sign.
func signed(v scoring.Value) string {
	if !v.OK {
		return ""
	}
	if v.V > 0 {
		return "+" + score(v)
	}
	return score(v)
}

func headcountPart(headcount *int, rate scoring.Value) string {
	if headcount == nil {
		return ""
	}
	s := " of " + optCount(headcount) + " people"
	if rate.OK {
		s += " (" + percent(rate) + ")"
	}
	return s
}

// mean2 writes a statement's mean item score (1–5) with 2 decimals, "–"
// when it is missing.
func mean2(v scoring.Value) string {
	if !v.OK {
		return noValue
	}
	return strconv.FormatFloat(v.V, 'f', 2, 64)
}

// indentLabel sets a team's name in a list of choices in by its depth.
func indentLabel(label string, depth int) string {
	return strings.Repeat("\u00a0\u00a0", depth) + label
}

// slotLabel names one of slots group choices.
func slotLabel(label string, i, slots int) string {
	switch {
	case slots == 1:
		return label
	case i == 0:
		return label + " 1 (the others are compared with it)"
	}
	return label + " " + itoa(i+1)
}

// timeline says when a round opened and closed and how many answered.
func timeline(r RoundInfo) string {
	s := "opened " + when(r.OpensAt)
	if r.ClosesAt != nil {
		s += ", closed " + when(r.ClosesAt)
	}
	return s + "; " + itoa(r.N) + " responses"
}

// workbookOf is the Excel workbook of a CSV download's address: the file's
// .csv becomes .xlsx, or a view's format=csv format=xlsx.
func workbookOf(href string) string {
	path, query, _ := strings.Cut(href, "?")
	if strings.HasSuffix(path, ".csv") {
		path = strings.TrimSuffix(path, ".csv") + ".xlsx"
	}
	query = strings.Replace(query, "format=csv", "format=xlsx", 1)
	if query == "" {
		return path
	}
	return path + "?" + query
}

// batchURL is a page of team id's code batch: path after /admin/teams/{id}.
func batchURL(id uint, batch uint64, path string) string {
	return "/admin/teams/" + uitoa(id) + path + "?batch=" + uitoa64(batch)
}
