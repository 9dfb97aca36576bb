package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// result is GET /r/:token: the respondent's own profile, behind the private
// result link, with the team's profile only when the team may be shown.
func (s *Server) result(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	r, err := s.store.ResponseByResultToken(ctx, token)
	if errors.Is(err, models.ErrNotFound) || (err == nil && !r.Submitted()) {
		return echo.NewHTTPError(http.StatusNotFound, "This result link is not valid. Check that you copied all of it.")
	}
	if err != nil {
		return err
	}
	round, err := s.store.Round(ctx, r.RoundID)
	if err != nil {
		return err
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	cells, err := s.store.Cells(ctx, r.RoundID)
	if err != nil {
		return err
	}
	res, err := results.Build(teams, cells, s.cfg.MinGroup)
	if err != nil {
		return err
	}
	team, ok := res.Team(r.TeamID)
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return render(c, http.StatusOK, views.Result(resultPage(r, round, res, team, s.cfg.MinGroup, s.cfg.BaseURL+"/r/"+token)))
}

// resultPage is the view model of the personal result page: the
// respondent's scores, and the team's only when team.Hidden is false.
func resultPage(r models.Response, round models.Round, res *results.Round, team *results.Team, minGroup int, resultURL string) views.ResultPage {
	own := scoring.ScoreResponse(r.Answers())
	p := views.ResultPage{
		TeamName: team.Name, RoundName: round.Name, MinGroup: minGroup, ResultURL: resultURL,
		Index: own.Index.V, IndexOK: own.Index.OK, Strongest: own.Strongest, Grow: own.Weakest,
		Answered: r.Answers().Answered(), Submitted: r.Submitted(),
	}
	// The team's profile as the anonymity rules let it be seen: a key (or
	// the index) that too few of its members answered stays out.
	teamProfile, shown := res.TeamProfile(team)
	p.TeamShown = shown
	if p.TeamShown {
		p.TeamN = teamProfile.N
		p.TeamIndex, p.TeamIdxOK = teamProfile.Index.Mean.V, teamProfile.Index.Mean.OK
	}
	for k, dim := range scoring.V1().Dimensions {
		kr := views.KeyResult{ID: dim.ID, Name: dim.Name, Description: dim.Description, Habits: dim.Habits,
			Score: own.Dims[k].V, OK: own.Dims[k].OK}
		if kr.OK {
			b := scoring.BandOf(kr.Score)
			kr.Band, kr.BandSlug = b.String(), b.Slug()
		}
		if p.TeamShown {
			m := teamProfile.Keys[k].Mean
			kr.TeamScore, kr.TeamOK = m.V, m.OK
		}
		p.Keys = append(p.Keys, kr)
	}
	return p
}
