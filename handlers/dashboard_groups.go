package handlers

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// The dashboard's views of chosen groups: compare, trend, perspectives and
// comments.

// maxCompared is how many groups one comparison holds.
const maxCompared = 6

// compare is GET /dashboard/compare?g=…&g=…: 2 to 6 groups side by side,
// each group's difference to the first with Welch's 95% interval.
func (s *Server) compare(c echo.Context) error {
	d, err := s.openDash(c, views.ViewCompare)
	if err != nil {
		return err
	}
	gs, err := s.groupsParam(c, d, maxCompared, results.Org)
	if err != nil {
		return err
	}
	page := views.ComparePage{DashFrame: d.frame, Choices: d.choices(c, true)}
	for _, g := range gs {
		f, err := d.figures(g)
		if err != nil {
			return err
		}
		page.Groups = append(page.Groups, f)
	}
	if len(gs) < 2 {
		page.Problem = "Choose at least two groups to compare."
		return render(c, http.StatusOK, views.Compare(page))
	}
	first := page.Groups[0]
	for _, f := range page.Groups[1:] {
		var row [scoring.NumKeys + 1]views.Diff
		for k := range scoring.NumKeys {
			if first.Keys[k].Reason == "" && f.Keys[k].Reason == "" && first.Shown() && f.Shown() {
				row[k] = diffView(scoring.Difference(f.Keys[k].Stats, first.Keys[k].Stats))
			}
		}
		if first.IndexReason == "" && f.IndexReason == "" && first.Shown() && f.Shown() {
			row[scoring.NumKeys] = diffView(scoring.Difference(f.Index, first.Index))
		}
		page.Diffs = append(page.Diffs, row)
	}
	if wantsCSV(c) {
		var rows []figureRow
		for i, f := range page.Groups {
			var diffs *[scoring.NumKeys + 1]views.Diff
			if i > 0 {
				diffs = &page.Diffs[i-1]
			}
			rows = append(rows, figureRows(d.round.Name, f, diffs)...)
		}
		return s.viewCSV(c, "compare", rows)
	}
	page.CSV = csvOf(c)
	return render(c, http.StatusOK, views.Compare(page))
}

func diffView(d scoring.Diff) views.Diff {
	return views.Diff{Estimate: d.Estimate, Low: d.CILow, High: d.CIHigh, Clear: d.Clear()}
}

// openGroupView opens a view of one group: the round's dashboard and the
// ?g= group (the organization by default).
func (s *Server) openGroupView(c echo.Context, view string) (*dash, results.GroupRef, error) {
	d, err := s.openDash(c, view)
	if err != nil {
		return nil, results.GroupRef{}, err
	}
	gs, err := s.groupsParam(c, d, 1, results.Org)
	if err != nil {
		return nil, results.GroupRef{}, err
	}
	return d, gs[0], nil
}

// trend is GET /dashboard/trend?g=…: the group's index and keys across
// every closed round, oldest first; a round where the group shows nothing
// leaves a gap.
func (s *Server) trend(c echo.Context) error {
	d, g, err := s.openGroupView(c, views.ViewTrend)
	if err != nil {
		return err
	}
	rounds, err := s.store.Rounds(c.Request().Context())
	if err != nil {
		return err
	}
	closed := make([]models.Round, 0, len(rounds))
	for _, r := range rounds {
		if r.Status == models.RoundClosed {
			closed = append(closed, r)
		}
	}
	sort.Slice(closed, func(i, j int) bool { return closedBefore(closed[i], closed[j]) })
	page := views.TrendPage{DashFrame: d.frame, Label: d.label(g), Choices: d.choices(c, true)}
	for _, r := range closed {
		res := d.res
		if r.ID != d.round.ID {
			if res, err = s.roundResults(c, r); err != nil {
				return err
			}
		}
		rd := &dash{round: r, res: res}
		pt := views.TrendPoint{Round: roundInfo(r, res)}
		if f, err := rd.figures(g); err == nil {
			pt.F = f
		} else {
			// The team did not exist yet: nothing to show.
			pt.F = views.Figures{Group: g.String(), Reason: string(results.MinGroup)}
		}
		page.Points = append(page.Points, pt)
	}
	if wantsCSV(c) {
		var rows []figureRow
		for _, pt := range page.Points {
			pt.F.Label = page.Label
			rows = append(rows, figureRows(pt.Round.Name, pt.F, nil)...)
		}
		return s.viewCSV(c, "trend", rows)
	}
	page.CSV = csvOf(c)
	return render(c, http.StatusOK, views.Trend(page))
}

func closedBefore(a, b models.Round) bool {
	if a.ClosesAt != nil && b.ClosesAt != nil && !a.ClosesAt.Equal(*b.ClosesAt) {
		return a.ClosesAt.Before(*b.ClosesAt)
	}
	return a.ID < b.ID
}

// shownPerspectives are the perspectives set side by side, and between
// which the perception gap is measured.
var shownPerspectives = []string{"frontline", "manager", "senior_leader"}

// perspectives is GET /dashboard/perspectives?g=…: the group's frontline,
// managers and senior leaders side by side, and each key's perception gap,
// largest first.
func (s *Server) perspectives(c echo.Context) error {
	d, g, err := s.openGroupView(c, views.ViewPerspectives)
	if err != nil {
		return err
	}
	g = g.Whole()
	page := views.PerspectivesPage{DashFrame: d.frame, Label: d.label(g), Choices: d.choices(c, false)}
	page.Persp, err = d.perspectiveFigures(g)
	if err != nil {
		return err
	}
	for _, gap := range perceptionGaps(page.Persp) {
		vg := views.Gap{Key: gap.Key, Size: gap.Size}
		if gap.High >= 0 {
			vg.High, vg.Low = scoring.PerspectiveLabel(shownPerspectives[gap.High]), scoring.PerspectiveLabel(shownPerspectives[gap.Low])
		}
		page.Gaps = append(page.Gaps, vg)
	}
	if wantsCSV(c) {
		var rows []figureRow
		for _, f := range page.Persp {
			rows = append(rows, figureRows(d.round.Name, f, nil)...)
		}
		return s.viewCSV(c, "perspectives", rows)
	}
	page.CSV = csvOf(c)
	return render(c, http.StatusOK, views.Perspectives(page))
}

// comments is GET /dashboard/comments?g=…: the group's comments when the
// rules let them show, in an order that says nothing of when they came.
func (s *Server) comments(c echo.Context) error {
	d, g, err := s.openGroupView(c, views.ViewComments)
	if err != nil {
		return err
	}
	f, err := d.res.Figures(g)
	if err != nil {
		return err
	}
	page := views.CommentsPage{DashFrame: d.frame, Label: d.label(g), N: f.N, Reason: string(f.CommentsReason), Choices: d.choices(c, true)}
	if f.CommentsReason == results.Shown {
		var teams []uint
		if t, ok := d.res.Team(g.Team); ok {
			for _, x := range d.res.Subtree(t) {
				teams = append(teams, x.ID)
			}
		}
		cs, err := s.store.Comments(c.Request().Context(), d.round.ID, teams, g.Perspective)
		if err != nil {
			return err
		}
		page.Comments = shuffled(cs, d.round.ID, g)
	}
	return render(c, http.StatusOK, views.Comments(page))
}

// shuffled orders comments by a hash of their text, the round and the
// group: the same on every reload, and unrelated to when they were written.
func shuffled(cs []string, round uint, g results.GroupRef) []string {
	key := func(s string) uint64 {
		h := sha256.Sum256([]byte(strconv.FormatUint(uint64(round), 10) + "\x00" + g.String() + "\x00" + s))
		return binary.BigEndian.Uint64(h[:8])
	}
	out := append([]string(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

// perspectiveFigures are group g's figures in each shown perspective.
func (d *dash) perspectiveFigures(g results.GroupRef) ([]views.Figures, error) {
	var fs []views.Figures
	for _, p := range shownPerspectives {
		f, err := d.figures(results.GroupRef{Team: g.Team, Perspective: p})
		if err != nil {
			return nil, err
		}
		f.Label = scoring.PerspectiveLabel(p)
		fs = append(fs, f)
	}
	return fs, nil
}

// perceptionGaps are the gaps between the perspectives' shown key means,
// the largest first.
func perceptionGaps(persp []views.Figures) []scoring.Gap {
	var means [][scoring.NumKeys]scoring.Value
	for _, f := range persp {
		var m [scoring.NumKeys]scoring.Value
		for k := range scoring.NumKeys {
			if f.Shown() && f.Keys[k].Reason == "" {
				m[k] = f.Keys[k].Mean
			}
		}
		means = append(means, m)
	}
	return scoring.PerceptionGaps(means)
}
