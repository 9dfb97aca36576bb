package export

import (
	"strings"

	"github.com/icare-hr/icare/scoring"
)

// IndexKey names the ICARE index in organization.csv's key column.
const IndexKey = "icare_index"

// PathSeparator joins the names of team_path, from the top team down.
const PathSeparator = " / "

// ResponseColumns returns the header of responses.csv (PRODUCT.md §7).
func ResponseColumns() []string {
	cols := []string{"response_id", "round", "team", "team_path", "perspective", "instrument_version", "submitted_at"}
	cols = append(cols, scoring.ItemIDs()...)
	cols = append(cols, keySlugs()...)
	return append(cols, IndexKey, "straightlined", "comment")
}

// TeamColumns returns the header of teams.csv (PRODUCT.md §7).
func TeamColumns() []string {
	cols := []string{"round", "team", "team_path", "n", "headcount", "response_rate", "suppressed"}
	cols = append(cols, keySlugs()...)
	cols = append(cols, IndexKey)
	for _, slug := range keySlugs() {
		cols = append(cols, slug+"_favorable")
	}
	return append(cols, "strongest", "weakest")
}

// OrganizationColumns returns the header of organization.csv (PRODUCT.md §7).
func OrganizationColumns() []string {
	return []string{"round", "key", "n", "mean_score", "sd", "ci_low", "ci_high", "favorable_pct", "alpha"}
}

// CodebookColumns returns the header of codebook.csv (PRODUCT.md §7).
func CodebookColumns() []string {
	return []string{"item", "key", "text", "reverse", "instrument_version"}
}

func keySlugs() []string {
	s := scoring.KeySlugs()
	return s[:]
}

// TeamPath joins a team's chain of names, from the top team down, as
// team_path holds it.
func TeamPath(names []string) string {
	return strings.Join(names, PathSeparator)
}

// KeyWord returns the word for key index k in strongest and weakest cells,
// or "" when k is −1 (no key defined).
func KeyWord(k int) string {
	if k < 0 || k >= scoring.NumKeys {
		return ""
	}
	return scoring.KeySlugs()[k]
}
