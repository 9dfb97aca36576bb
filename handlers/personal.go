package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// personalResult is GET /r/:token: the respondent's own profile (their
// personal result), behind the private result link, with the team's
// profile only when the team may be shown. Group results are the leaders'.
func (s *Server) personalResult(c echo.Context) error {
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
	link := s.cfg.BaseURL + "/r/" + token
	if round.Status != models.RoundClosed {
		// Nothing of an open round's results shows, so the round's
		// aggregates are not even read: the result page is the last step
		// of every survey in the rush.
		team, err := s.store.Team(ctx, r.TeamID)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.PersonalResult(personalResultPage(r, round, team.Name, nil, s.cfg.MinGroup, link)))
	}
	res, err := s.roundResults(c, round)
	if err != nil {
		return err
	}
	team, ok := res.Team(r.TeamID)
	if !ok {
		return echo.ErrNotFound
	}
	// The team's profile as the anonymity rules let it be seen: a key (or
	// the index) that too few of its members answered stays out.
	var shown *scoring.GroupProfile
	if profile, ok := res.TeamProfile(team); ok {
		shown = &profile
	}
	return render(c, http.StatusOK, views.PersonalResult(personalResultPage(r, round, team.Name, shown, s.cfg.MinGroup, link)))
}

// personalResultPage is the view model of the personal result page: the
// respondent's scores, and the team's (teamProfile) only when the rules let
// it be seen, which they never do before the round has closed.
func personalResultPage(r models.Response, round models.Round, teamName string, teamProfile *scoring.GroupProfile, minGroup int, resultURL string) views.PersonalResultPage {
	own := scoring.ScoreResponse(r.Answers())
	p := views.PersonalResultPage{
		TeamName: teamName, RoundName: round.Name, MinGroup: minGroup, ResultURL: resultURL,
		Index: own.Index, Strongest: own.Strongest, Grow: own.Weakest,
	}
	shown := teamProfile != nil
	p.TeamShown, p.TeamPending = shown, round.Status != models.RoundClosed
	if shown {
		p.TeamN, p.TeamIndex = teamProfile.N, teamProfile.Index.Mean
	}
	for k, dim := range scoring.V1().Dimensions {
		pk := views.PersonalKey{ID: dim.ID, Name: dim.Name, Description: dim.Description, Habits: dim.Habits, Score: own.Dims[k]}
		if shown {
			pk.TeamScore = teamProfile.Keys[k].Mean
		}
		p.Keys = append(p.Keys, pk)
	}
	return p
}
