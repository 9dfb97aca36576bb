package views

import "github.com/icare-hr/icare/scoring"

// PersonalKey is one key on the personal result page.
type PersonalKey struct {
	ID, Name, Description string
	// Score is the respondent's, missing when they answered fewer than 4 of
	// the key's 5 statements.
	Score scoring.Value
	// TeamScore is the team's, missing when the team or this key of it may
	// not be shown.
	TeamScore scoring.Value
	Habits    []string
}

// PersonalResultPage is the respondent's own profile (their personal
// result), with their team's beside it only when the team may be shown. The
// results of groups are the leaders' pages.
type PersonalResultPage struct {
	TeamName, RoundName string
	Keys                []PersonalKey
	Index               scoring.Value
	// Strongest and Grow index Keys, or are −1 when no key has a score.
	Strongest, Grow int
	// TeamShown is false when the team is under the minimum group size or
	// hidden by complementary suppression, or while the round is open
	// (TeamPending); no team number is then present.
	TeamShown   bool
	TeamPending bool
	TeamN       int
	TeamIndex   scoring.Value
	MinGroup    int
	ResultURL   string
}

// chart is the page's bar chart: the respondent's five keys, and the
// team's beside them when it may be shown.
func (p PersonalResultPage) chart() BarChart {
	c := BarChart{ID: "chart", Title: "Your ICARE key scores",
		Desc:   "Bar chart of your five key scores from 0 to 100; the same numbers are in the table below.",
		Series: []Series{{Name: "You", Class: "bar-self", TestID: "bar-", Thick: true}}}
	if p.TeamShown {
		c.Series = append(c.Series, Series{Name: "Your team", Class: "bar-team", TestID: "team-bar-"})
	}
	for _, k := range p.Keys {
		row := BarRow{ID: k.ID, Label: k.Name, Values: []BarValue{{Score: k.Score}}}
		if p.TeamShown {
			row.Values = append(row.Values, BarValue{Score: k.TeamScore})
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}
