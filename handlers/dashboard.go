package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// The leaders' dashboard. Every view reads the round's
// group results — the maintained aggregates and, for a closed round, its
// publication — never the responses, so its cost grows with the teams.

// dash is what every dashboard request starts from.
type dash struct {
	round models.Round
	res   *results.Round
	frame views.DashFrame
}

// openDash reads the round of ?round= (the latest closed one by default),
// its results and the frame of view.
func (s *Server) openDash(c echo.Context, view string) (*dash, error) {
	ctx := c.Request().Context()
	round, err := s.chosenRound(c, pickPublished)
	if err != nil {
		return nil, err
	}
	res, err := s.roundResults(c, round)
	if err != nil {
		return nil, err
	}
	rounds, err := s.store.Rounds(ctx)
	if err != nil {
		return nil, err
	}
	v := viewerOf(c)
	d := &dash{round: round, res: res, frame: views.DashFrame{View: view, Round: roundInfo(round, res),
		MinGroup: s.cfg.MinGroup, MinComments: s.cfg.MinComments, IsAdmin: v.IsAdmin()}}
	for _, r := range rounds {
		switch {
		case r.Status == models.RoundDraft:
			continue
		case r.ID == round.ID:
			d.frame.Rounds = append(d.frame.Rounds, d.frame.Round)
			continue
		}
		info := views.RoundInfo{ID: r.ID, Name: r.Name, Status: r.Status, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt}
		if r.Status == models.RoundOpen {
			// The open round's participation, beside a closed one.
			ores, err := s.roundResults(c, r)
			if err != nil {
				return nil, err
			}
			info = roundInfo(r, ores)
			d.frame.Open = &info
		}
		d.frame.Rounds = append(d.frame.Rounds, info)
	}
	return d, nil
}

// roundInfo is a round with its participation.
func roundInfo(r models.Round, res *results.Round) views.RoundInfo {
	info := views.RoundInfo{ID: r.ID, Name: r.Name, Status: r.Status, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt, N: int(res.Org.N)}
	if r.Keys != "" {
		info.Pulse = askedKeyNames(r)
	}
	// The people asked: the top-level teams, or those of a pulse round
	// of chosen teams (its sub-teams are chosen with a team).
	people, known := 0, false
	for _, t := range res.Teams {
		top := t.Depth == 0
		if r.Teams != "" {
			top = r.AsksTeam(t.ID) && (t.ParentID == nil || !r.AsksTeam(*t.ParentID))
		}
		if top && t.Headcount != nil {
			people, known = people+*t.Headcount, true
		}
	}
	if known {
		info.Headcount = &people
		if people > 0 {
			info.Rate = scoring.Value{V: float64(info.N) / float64(people) * 100, OK: true}
		}
	}
	return info
}

// errOtherTeam refuses a group outside the viewer's teams.
var errOtherTeam = echo.NewHTTPError(http.StatusForbidden,
	"This team is not one of yours. Leaders see the organization and their own teams with the teams below them.")

// groupsParam reads the ?g= groups of the request, from none up to most;
// none gives def. A malformed group is a 400, a team the round does not
// know a 404, a team the viewer does not see a 403.
func (s *Server) groupsParam(c echo.Context, d *dash, most int, def results.GroupRef) ([]results.GroupRef, error) {
	raw := c.QueryParams()["g"]
	if len(raw) > most {
		return nil, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("At most %d groups at a time.", most))
	}
	if len(raw) == 0 {
		return []results.GroupRef{def}, nil
	}
	v := viewerOf(c)
	gs := make([]results.GroupRef, 0, len(raw))
	for _, s := range raw {
		g, err := results.ParseGroup(s)
		if err != nil {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "A group is written org, team:ID, perspective:P or team:ID/perspective:P.")
		}
		if g.Team != 0 {
			if _, ok := d.res.Team(g.Team); !ok {
				return nil, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("There is no team %d in this round.", g.Team))
			}
			if !v.Sees(g.Team) {
				return nil, errOtherTeam
			}
		}
		gs = append(gs, g)
	}
	d.frame.Groups = raw
	return gs, nil
}

// label names group g.
func (d *dash) label(g results.GroupRef) string {
	name := "Organization"
	if t, ok := d.res.Team(g.Team); ok {
		name = t.Name
	}
	if g.Perspective != "" {
		name += " · " + scoring.PerspectiveLabel(g.Perspective)
	}
	return name
}

// figures is group g's figures as the views take them; in a pulse round
// the keys it did not ask, and the index, say so.
func (d *dash) figures(g results.GroupRef) (views.Figures, error) {
	f, err := d.res.Figures(g)
	if err != nil {
		return views.Figures{}, err
	}
	v := figuresView(f, d.label(g))
	markNotAsked(&v, d.round)
	return v, nil
}

// figuresView turns a group's results into the view model.
func figuresView(f results.Figures, label string) views.Figures {
	p := f.Profile
	v := views.Figures{Group: f.Group.String(), Label: label, N: f.N, Reason: string(f.Reason), TeamID: f.Group.Team,
		Index: p.Index, IndexReason: string(f.IndexReason), Strongest: p.Strongest, Weakest: p.Weakest,
		CommentsReason: string(f.CommentsReason)}
	if f.Filler && f.Reason == results.MinGroup {
		v.Reason = views.ReasonFiller
	}
	for k := range scoring.NumKeys {
		ks := p.Keys[k]
		v.Keys[k] = views.KeyFigures{Stats: ks.Stats, Reason: string(f.KeyReason[k]), Favorable: ks.FavorablePct,
			Neutral: ks.NeutralPct, Unfavorable: ks.UnfavorablePct, ShareReason: string(f.ShareReason[k]),
			Answered: ks.Answered, Alpha: ks.Alpha}
	}
	in := scoring.V1()
	for k, dim := range in.Dimensions {
		for j, it := range dim.Items {
			i := k*scoring.ItemsPerKey + j
			st := p.Items[i]
			v.Items = append(v.Items, views.ItemFigures{N: st.N, Mean: st.Mean, FavorablePct: st.FavorablePct,
				Neutral: st.NeutralPct, Unfavorable: st.UnfavorablePct, Reason: string(f.ItemReason[i]),
				ID: it.ID, Text: it.Text, KeyName: dim.Name, Reverse: it.Reverse})
		}
	}
	return v
}

// choices are the groups the viewer may pick: the organization, its
// perspectives when withPerspectives, and the viewer's teams in hierarchy
// order.
func (d *dash) choices(c echo.Context, withPerspectives bool) []views.GroupChoice {
	cs := []views.GroupChoice{{Group: results.Org.String(), Label: "Organization"}}
	if withPerspectives {
		for _, p := range scoring.Perspectives {
			g := results.GroupRef{Perspective: p}
			cs = append(cs, views.GroupChoice{Group: g.String(), Label: d.label(g)})
		}
	}
	v, asked := viewerOf(c), askedTeams(d.round, d.res.Teams)
	for _, t := range d.res.Teams {
		if v.Sees(t.ID) && asked.has(t.ID) {
			cs = append(cs, views.GroupChoice{Group: results.TeamGroup(t.ID).String(), Label: t.Name, Depth: t.Depth + 1})
		}
	}
	return cs
}

// dashboard is GET /dashboard: the organization's overview.
func (s *Server) dashboard(c echo.Context) error {
	d, err := s.openDash(c, views.ViewOverview)
	if err != nil {
		return err
	}
	page := views.OverviewPage{DashFrame: d.frame}
	if page.Org, err = d.figures(results.Org); err != nil {
		return err
	}
	page.CSV = views.ExportURL("organization", d.round.ID, nil)
	// The top-level teams, or for a leader the highest teams of theirs.
	v, asked := viewerOf(c), askedTeams(d.round, d.res.Teams)
	for _, t := range d.res.Teams {
		if v.Sees(t.ID) && (t.Depth == 0 || !v.Sees(*t.ParentID)) && asked.has(t.ID) {
			page.Participation = append(page.Participation, participationRow(t))
		}
	}
	// Every team's name, not only the shown round's: a plan may be of a
	// team that round did not have.
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return err
	}
	names := map[uint]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	if page.Plans, err = s.planSummaries(c, names); err != nil {
		return err
	}
	if page.OrgPlan, err = s.orgPlanView(c, d.round); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Overview(page))
}

func participationRow(t *results.Team) views.ParticipationRow {
	return views.ParticipationRow{TeamID: t.ID, Name: t.Name, Depth: t.Depth, N: t.N(), Headcount: t.Headcount, Rate: t.ResponseRate(), Shown: !t.Hidden}
}

// heatColumns are the heatmap's sortable columns: the five keys, the
// index.
var heatColumns = func() []string {
	s := scoring.KeySlugs()
	return append(s[:], "icare_index")
}()

// heatmap is GET /dashboard/heatmap?sort=KEY&dir=asc|desc: the viewer's
// teams × the five keys and the index, each cell with its difference to the
// organization, marked only when the team's interval excludes the
// organization's mean.
func (s *Server) heatmap(c echo.Context) error {
	d, err := s.openDash(c, views.ViewHeatmap)
	if err != nil {
		return err
	}
	sortBy, dir := c.QueryParam("sort"), c.QueryParam("dir")
	col := -1
	for i, name := range heatColumns {
		if name == sortBy {
			col = i
		}
	}
	if (sortBy != "" && col < 0) || (dir != "" && dir != "asc" && dir != "desc") {
		return echo.NewHTTPError(http.StatusBadRequest, "Sort by ideal, culture, attentiveness, responsiveness, empowerment or icare_index, with dir asc or desc.")
	}
	if dir == "" {
		dir = "desc"
	}
	page := views.HeatmapPage{DashFrame: d.frame, Sort: sortBy, Dir: dir}
	if page.Org, err = d.figures(results.Org); err != nil {
		return err
	}
	page.CSV = views.ExportURL("teams", d.round.ID, nil)
	v, asked := viewerOf(c), askedTeams(d.round, d.res.Teams)
	for _, t := range d.res.Teams {
		if !v.Sees(t.ID) || !asked.has(t.ID) {
			continue
		}
		f, err := d.figures(results.TeamGroup(t.ID))
		if err != nil {
			return err
		}
		page.Rows = append(page.Rows, heatRow(t, f, page.Org))
	}
	if col >= 0 {
		sortHeat(page.Rows, col, dir == "asc")
	}
	return render(c, http.StatusOK, views.Heatmap(page))
}

// heatRow is team t's row: each key's score, its difference to the
// organization, and the mark when the team's interval excludes the
// organization's mean.
func heatRow(t *results.Team, f, org views.Figures) views.HeatRow {
	row := views.HeatRow{TeamID: t.ID, Name: t.Name, Depth: t.Depth, N: t.N(), Reason: f.Reason}
	cell := func(team scoring.Stats, reason string, orgMean scoring.Value) views.HeatCell {
		hc := views.HeatCell{Score: team.Mean, Reason: reason}
		if reason == "" && team.Mean.OK && orgMean.OK {
			hc.Diff = scoring.Value{V: team.Mean.V - orgMean.V, OK: true}
			if team.Excludes(orgMean.V) {
				hc.Mark = 1
				if team.Mean.V < orgMean.V {
					hc.Mark = -1
				}
			}
		}
		return hc
	}
	for k := range scoring.NumKeys {
		row.Cells[k] = cell(f.Keys[k].Stats, orDefault(f.Keys[k].Reason, f.Reason), org.Keys[k].Mean)
	}
	row.Cells[scoring.NumKeys] = cell(f.Index, orDefault(f.IndexReason, f.Reason), org.Index.Mean)
	return row
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sortHeat orders rows by column col; missing scores come last either way,
// ties keep hierarchy order.
func sortHeat(rows []views.HeatRow, col int, asc bool) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].Cells[col].Score, rows[j].Cells[col].Score
		switch {
		case a.OK != b.OK:
			return a.OK
		case !a.OK || a.V == b.V:
			return false
		case asc:
			return a.V < b.V
		}
		return a.V > b.V
	})
}

// teamPage is GET /teams/:id: one team's profile, its sub-teams and the
// ways on to the other views.
func (s *Server) teamPage(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	d, err := s.openDash(c, views.ViewTeam)
	if err != nil {
		return err
	}
	t, ok := d.res.Team(id)
	if !ok {
		return echo.ErrNotFound
	}
	if !viewerOf(c).Sees(id) {
		return errOtherTeam
	}
	g := results.TeamGroup(id)
	d.frame.Groups = []string{g.String()}
	page := views.TeamPage{DashFrame: d.frame, Path: t.Path, Headcount: t.Headcount, Rate: t.ResponseRate()}
	if page.Team, err = d.figures(g); err != nil {
		return err
	}
	for _, ch := range t.Children {
		f, err := d.figures(results.TeamGroup(ch.ID))
		if err != nil {
			return err
		}
		page.SubTeams = append(page.SubTeams, views.SubTeam{ID: ch.ID, Name: ch.Name, N: ch.N(), Rate: ch.ResponseRate(),
			Index: f.Index.Mean, Reason: orDefault(f.IndexReason, f.Reason)})
	}
	plan, err := s.store.PlanOf(c.Request().Context(), &id, d.round.ID)
	if errors.Is(err, models.ErrNotFound) {
		// No plan for this round: the team's latest earlier plan, whose
		// change shows whether it worked, and the way to a new one.
		if d.round.Status == models.RoundClosed {
			page.PlanURL = planURL(&id, d.round.ID)
		}
		plan, err = s.earlierPlan(c, id, d.round)
	}
	switch {
	case err == nil:
		if page.Plan, err = s.planView(c, plan, true); err != nil {
			return err
		}
	case !errors.Is(err, models.ErrNotFound):
		return err
	}
	return render(c, http.StatusOK, views.TeamProfile(page))
}
