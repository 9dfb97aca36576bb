package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// The admin's round pages: the list with each round's actions and
// downloads, creating a round, opening and closing one.

func (s *Server) renderRounds(c echo.Context, status int, name string, errs views.FieldErrors, problem string) error {
	ctx := c.Request().Context()
	rounds, err := s.store.Rounds(ctx)
	if err != nil {
		return err
	}
	page := views.AdminRoundsPage{Name: name, MaxName: models.MaxNameLength, Errors: errs, Problem: problem, Flash: s.popFlash(c)}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	names := map[uint]string{}
	form, _ := c.FormParams()
	chosen := map[string]bool{}
	for _, v := range append(form["keys"], form["teams"]...) {
		chosen[v] = true
	}
	for _, t := range models.Hierarchy(teams) {
		names[t.ID] = t.Name
		if t.ArchivedAt == nil {
			id := strconv.FormatUint(uint64(t.ID), 10)
			page.Teams = append(page.Teams, views.TeamOption{Value: id, Path: t.Path, Selected: chosen[id]})
		}
	}
	for k, id := range scoring.KeyIDs() {
		page.Keys = append(page.Keys, views.PlanKeyChoice{ID: id, Name: scoring.KeyNames()[k], Checked: chosen[id]})
	}
	for _, r := range rounds {
		n, err := s.store.CountResponses(ctx, r.ID, models.StatusSubmitted)
		if err != nil {
			return err
		}
		page.Rounds = append(page.Rounds, views.RoundRow{ID: r.ID, Name: r.Name, Status: r.Status,
			OpensAt: r.OpensAt, ClosesAt: r.ClosesAt, N: int(n), Pulse: pulseLabel(r, names)})
	}
	return render(c, status, views.AdminRounds(page))
}

// adminRounds is GET /admin/rounds.
func (s *Server) adminRounds(c echo.Context) error {
	return s.renderRounds(c, http.StatusOK, "", nil, "")
}

// adminCreateRound is POST /admin/rounds: a draft, opened later.
func (s *Server) adminCreateRound(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if _, err := models.CleanName("round", name); err != nil {
		return s.renderRounds(c, http.StatusUnprocessableEntity, name, views.FieldErrors{"name": sentence(err)}, "")
	}
	nr := models.NewRound{Name: name, By: actor(c)}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	for _, id := range form["keys"] {
		k, ok := scoring.KeyIndex(id)
		if !ok {
			return s.renderRounds(c, http.StatusUnprocessableEntity, name, views.FieldErrors{"keys": "Choose keys from the list."}, "")
		}
		nr.Keys = append(nr.Keys, k)
	}
	for _, v := range form["teams"] {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return s.renderRounds(c, http.StatusUnprocessableEntity, name, nil, "Choose teams from the list.")
		}
		nr.Teams = append(nr.Teams, uint(id))
	}
	r, err := s.store.CreateRound(c.Request().Context(), nr)
	if errors.Is(err, models.ErrNotFound) {
		return s.renderRounds(c, http.StatusUnprocessableEntity, name, nil, "A chosen team no longer exists: choose again.")
	}
	if errors.Is(err, models.ErrConflict) {
		return s.renderRounds(c, http.StatusUnprocessableEntity, name, views.FieldErrors{"name": "A round with this name exists already."}, "")
	}
	if err != nil {
		return err
	}
	s.setFlash(c, fmt.Sprintf("Round %s created. Open it when you are ready.", r.Name))
	return redirect(c, "/admin/rounds")
}

// adminSetRound is POST /admin/rounds/:id with status=open or status=closed.
func (s *Server) adminSetRound(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var r models.Round
	switch c.FormValue("status") {
	case models.RoundOpen:
		r, err = s.store.OpenRound(ctx, actor(c), id)
	case models.RoundClosed:
		r, err = s.store.CloseRound(ctx, actor(c), id)
	default:
		return s.renderRounds(c, http.StatusUnprocessableEntity, "", nil, "Choose Open or Close.")
	}
	switch {
	case errors.Is(err, models.ErrRoundOpen):
		return s.renderRounds(c, http.StatusConflict, "", nil, "Another round is open. Close it before opening this one.")
	case errors.Is(err, models.ErrRoundNotOpen):
		return s.renderRounds(c, http.StatusConflict, "", nil, "This round is not open, so it cannot close.")
	case errors.Is(err, models.ErrRoundFinal):
		return s.renderRounds(c, http.StatusConflict, "", nil, "A closed round stays closed: its results are published. Create a new round instead.")
	case err != nil:
		return err
	}
	if r.Status == models.RoundClosed {
		s.setFlash(c, fmt.Sprintf("Round %s is closed and its results are published.", r.Name))
	} else {
		s.setFlash(c, fmt.Sprintf("Round %s is open.", r.Name))
	}
	return redirect(c, "/admin/rounds")
}
