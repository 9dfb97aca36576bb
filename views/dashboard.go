package views

import (
	"net/url"
	"strconv"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// The leaders' dashboard: view models of its pages. Every number comes from
// the group results of the round (package results), the same ones the CSV
// files use; a figure the anonymity rules hide carries the reason instead.

// Dashboard views, as their tabs name them.
const (
	ViewOverview     = "overview"
	ViewHeatmap      = "heatmap"
	ViewCompare      = "compare"
	ViewTrend        = "trend"
	ViewPerspectives = "perspectives"
	ViewComments     = "comments"
	ViewTeam         = "team"
)

// RoundInfo is a round as the dashboard names it.
type RoundInfo struct {
	ID                uint
	Name              string
	Status            string
	OpensAt, ClosesAt *time.Time
	// N is its submitted responses, Headcount the organization's people
	// (nil when no top team has a headcount), Rate N of them in %.
	N         int
	Headcount *int
	Rate      scoring.Value
	// Pulse names the keys of a pulse round ("" for a full round).
	Pulse string
}

// DashFrame is what every dashboard page shares: the round shown, the
// rounds to choose from, the open round's participation beside a closed
// one, the thresholds, and the CSV behind the view.
type DashFrame struct {
	View  string
	Round RoundInfo
	// Rounds are the rounds a view can show, newest first.
	Rounds []RoundInfo
	// Open is the open round when another round is shown.
	Open *RoundInfo
	// Groups are the ?g= values of the page, kept in its links.
	Groups []string
	// CSV is the address of the file with the numbers of the page.
	CSV                   string
	MinGroup, MinComments int
	IsAdmin               bool
}

// link is the address of dashboard view at the frame's round, keeping the
// page's groups; extra adds or replaces parameters.
func (f DashFrame) link(view string, extra url.Values) string {
	q := url.Values{"round": {uitoa(f.Round.ID)}}
	if view != ViewOverview && view != ViewHeatmap {
		q["g"] = f.Groups
	}
	for k, v := range extra {
		q[k] = v
	}
	return dashPath(view) + "?" + q.Encode()
}

// dashPath is the address of a dashboard view.
func dashPath(view string) string {
	if view == ViewOverview {
		return "/dashboard"
	}
	return "/dashboard/" + view
}

// orReason is the first reason given.
func orReason(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// roundLink is the address of the frame's view at another round.
func (f DashFrame) roundLink(r RoundInfo) string {
	g := f
	g.Round = r
	return g.link(f.View, nil)
}

// KeyFigures is one key of a group as the rules let it be seen.
type KeyFigures struct {
	scoring.Stats
	// Reason says why the mean is missing ("" when it shows).
	Reason string
	// The favorable, neutral and unfavorable shares, with ShareReason when
	// missing; Answered is the respondents behind them.
	Favorable, Neutral, Unfavorable scoring.Value
	ShareReason                     string
	Answered                        int
	Alpha                           scoring.Value
}

// ItemFigures is one statement of a group.
type ItemFigures struct {
	N                    int
	Mean, FavorablePct   scoring.Value
	Reason               string
	ID, Text, KeyName    string
	Reverse              bool
	Neutral, Unfavorable scoring.Value
}

// Figures is a group's results as the rules let them be seen.
type Figures struct {
	// Group is its ?g= value, Label its name.
	Group, Label string
	N            int
	// Reason says why no score of the group shows ("" when they do).
	Reason      string
	Index       scoring.Stats
	IndexReason string
	Keys        [scoring.NumKeys]KeyFigures
	Items       []ItemFigures
	// Strongest and Weakest index Keys among those that show, or are −1.
	Strongest, Weakest int
	CommentsReason     string
	// TeamID is the team's id, 0 for the organization.
	TeamID uint
}

// Shown reports whether the group's scores show.
func (f Figures) Shown() bool { return f.Reason == "" }

// keyNames are the five keys' names, in key order.
var keyNames = scoring.KeyNames()

// ReasonFiller is the pages' own reason for a team with more submitted
// responses than people: its figures count as under the minimum (and say
// min_group in the files and the API), but the pages say why.
const ReasonFiller = "filler"

// ReasonNotAsked marks a key (and the index) that a pulse round did not ask.
const ReasonNotAsked = "not_asked"

// reasonText says in words why a figure is missing.
func reasonText(reason string, minGroup int) string {
	switch reason {
	case ReasonFiller:
		return "more responses than people"
	case ReasonNotAsked:
		return "not asked in this pulse round"
	case "min_group":
		return "fewer than " + strconv.Itoa(minGroup) + " responses"
	case "differencing":
		return "hidden so that no smaller group can be worked out"
	case "round_open":
		return "published when the round closes"
	}
	return ""
}

// ParticipationRow is one team's participation: counts always show.
type ParticipationRow struct {
	TeamID    uint
	Name      string
	Depth     int
	N         int
	Headcount *int
	Rate      scoring.Value
	Shown     bool
}

// OverviewPage is /dashboard: the organization at a glance.
type OverviewPage struct {
	DashFrame
	Org           Figures
	Participation []ParticipationRow
	Plans         []PlanSummary
	// OrgPlan is the organization's latest plan up to the round shown,
	// with how its keys moved since; nil when there is none.
	OrgPlan *PlanView
}

// HeatCell is one team and one key (or the index) of the heatmap.
type HeatCell struct {
	Score  scoring.Value
	Reason string
	// Diff is the team's score minus the organization's; Mark is +1 or −1
	// when the team's 95% interval lies wholly above or below the
	// organization's mean, 0 otherwise.
	Diff scoring.Value
	Mark int
}

// HeatRow is one team of the heatmap.
type HeatRow struct {
	TeamID uint
	Name   string
	Depth  int
	N      int
	Reason string
	// Cells are the five keys, then the index.
	Cells [scoring.NumKeys + 1]HeatCell
}

// HeatmapPage is /dashboard/heatmap.
type HeatmapPage struct {
	DashFrame
	Org  Figures
	Rows []HeatRow
	// Sort is the column sorted on ("" for hierarchy order), Dir asc or
	// desc.
	Sort, Dir string
}

// Diff is one difference to the first group of a comparison.
type Diff struct {
	Estimate, Low, High scoring.Value
	// Clear: the interval excludes 0.
	Clear bool
}

// ComparePage is /dashboard/compare.
type ComparePage struct {
	DashFrame
	Groups []Figures
	// Diffs[i][k] is group i+1 minus group 0 on key k (k = 5: the index).
	Diffs [][scoring.NumKeys + 1]Diff
	// Choices are the groups the viewer may add, for the form.
	Choices []GroupChoice
	// Problem says why there is nothing to compare yet.
	Problem string
}

// GroupChoice is one group a form offers.
type GroupChoice struct {
	Group, Label string
	Depth        int
}

// TrendPoint is one closed round of a trend.
type TrendPoint struct {
	Round RoundInfo
	F     Figures
}

// TrendPage is /dashboard/trend.
type TrendPage struct {
	DashFrame
	Label   string
	Points  []TrendPoint
	Choices []GroupChoice
}

// Gap is one key's perception gap.
type Gap struct {
	Key       int
	Size      scoring.Value
	High, Low string
}

// PerspectivesPage is /dashboard/perspectives.
type PerspectivesPage struct {
	DashFrame
	Label   string
	Persp   []Figures
	Gaps    []Gap
	Choices []GroupChoice
}

// CommentsPage is /dashboard/comments.
type CommentsPage struct {
	DashFrame
	Label    string
	N        int
	Reason   string
	Comments []string
	Choices  []GroupChoice
}

// SubTeam is one sub-team on a team's page.
type SubTeam struct {
	ID     uint
	Name   string
	N      int
	Rate   scoring.Value
	Index  scoring.Value
	Reason string
}

// TeamPage is /teams/{id}: one team's profile and its sub-teams.
type TeamPage struct {
	DashFrame
	Team      Figures
	Path      []string
	Headcount *int
	Rate      scoring.Value
	SubTeams  []SubTeam
	// Plan is the team's plan for the page's round; PlanURL makes one,
	// for a viewer who may.
	Plan    *PlanView
	PlanURL string
}
