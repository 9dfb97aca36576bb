package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/views"
)

// home is the front page: what icare is and where to go.
func (s *Server) home(c echo.Context) error {
	if viewerOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	return render(c, http.StatusOK, views.Home())
}

// leaderHome is GET /home: the open (or latest) round, the teams the viewer
// may see with their responses so far — counts show even under k, scores
// never — and the exports.
func (s *Server) leaderHome(c echo.Context) error {
	ctx := c.Request().Context()
	v := viewerOf(c)
	page := views.HomePage{Email: v.Email, IsAdmin: v.IsAdmin(), MinGroup: s.cfg.MinGroup}
	round, err := s.store.DefaultRound(ctx)
	if errors.Is(err, models.ErrNotFound) {
		// Only drafts, or nothing at all.
		page.NoRound = true
		return render(c, http.StatusOK, views.LeaderHome(page))
	}
	if err != nil {
		return err
	}
	res, err := s.roundResults(c, round)
	if err != nil {
		return err
	}
	page.RoundID, page.RoundName, page.RoundOpen = round.ID, round.Name, round.Status == models.RoundOpen
	page.RoundPublished = round.Status == models.RoundClosed
	org, shown := res.OrgProfile()
	page.OrgN, page.OrgShown = int(res.Org.N), shown
	if shown {
		page.OrgIndex = org.Index.Mean
	}
	asked := askedTeams(round, res.Teams)
	for _, t := range res.Teams {
		if v.Sees(t.ID) && asked.has(t.ID) {
			page.Teams = append(page.Teams, teamRow(t))
		}
	}
	return render(c, http.StatusOK, views.LeaderHome(page))
}

// roundResults is a round's group results under the anonymity rules:
// every page and file that shows a group's figures starts here. A closed
// round's come from its publication, made once when it closed; an open
// round shows participation only.
func (s *Server) roundResults(c echo.Context, round models.Round) (*results.Round, error) {
	ctx := c.Request().Context()
	// Headcounts as the round counts them: personal codes issued, for a
	// team on codes.
	teams, err := s.store.TeamsForRound(ctx, round.ID)
	if err != nil {
		return nil, err
	}
	cells, err := s.store.Cells(ctx, round.ID)
	if err != nil {
		return nil, err
	}
	var r *results.Round
	if round.Status == models.RoundClosed {
		var pub models.Publication
		if pub, err = s.store.Publication(ctx, round.ID); err == nil {
			r, err = results.FromPublication(pub, teams, cells)
		}
	} else {
		r, err = results.Build(teams, cells, results.Options{K: s.cfg.MinGroup, KComments: s.cfg.MinComments})
	}
	if err != nil {
		return nil, fmt.Errorf("results of round %d: %w", round.ID, err)
	}
	return r, nil
}

// teamRow is a team's row in a table of teams.
func teamRow(t *results.Team) views.TeamRow {
	return views.TeamRow{ID: t.ID, Name: t.Name, Depth: t.Depth, N: t.N(), Headcount: t.Headcount, Rate: t.ResponseRate(), Shown: !t.Hidden, Archived: t.Archived}
}
