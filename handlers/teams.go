package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"rsc.io/qr"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// The admin's team pages: the list, adding, editing, archiving and new
// invite links.

// teamForm is the posted team form.
type teamForm struct {
	Name, ParentID, Headcount string
	parent                    *uint
	headcount                 *int
}

func readTeamForm(c echo.Context) teamForm {
	return teamForm{Name: strings.TrimSpace(c.FormValue("name")), ParentID: strings.TrimSpace(c.FormValue("parent_id")), Headcount: strings.TrimSpace(c.FormValue("headcount"))}
}

// Validate checks the form and fills its typed fields.
func (f *teamForm) Validate(teams []models.Team) views.FieldErrors {
	errs := views.FieldErrors{}
	if _, err := models.CleanName("team", f.Name); err != nil {
		errs["name"] = sentence(err)
	}
	if f.ParentID != "" {
		id, err := strconv.ParseUint(f.ParentID, 10, 32)
		found := false
		for _, t := range teams {
			found = found || (err == nil && t.ID == uint(id))
		}
		if !found {
			errs["parent_id"] = "Choose a team from the list."
		} else {
			p := uint(id)
			f.parent = &p
		}
	}
	if f.Headcount != "" {
		n, err := strconv.Atoi(f.Headcount)
		if err != nil || n < 0 || n > 10_000_000 {
			errs["headcount"] = "Give the number of people as a whole number, or leave it empty."
		} else {
			f.headcount = &n
		}
	}
	return errs
}

// storeError turns the Store's refusals of a team into the form's field
// errors, or returns nil for any other error.
func (f *teamForm) storeError(err error) views.FieldErrors {
	switch {
	case errors.Is(err, models.ErrConflict):
		return views.FieldErrors{"name": "A team with this name exists already."}
	case errors.Is(err, models.ErrTeamCycle):
		return views.FieldErrors{"parent_id": "A team cannot sit under itself or one of its own sub-teams."}
	}
	return nil
}

// view is the form as the page draws it; self is the team being edited (0
// for a new one), which cannot be its own parent.
func (f teamForm) view(teams []models.Team, self uint, errs views.FieldErrors) views.TeamForm {
	tf := views.TeamForm{ID: self, Name: f.Name, ParentID: f.ParentID, Headcount: f.Headcount, Errors: errs, MaxName: models.MaxNameLength}
	for _, t := range models.Hierarchy(teams) {
		if t.ID == self {
			continue
		}
		id := strconv.FormatUint(uint64(t.ID), 10)
		tf.Parents = append(tf.Parents, views.TeamOption{Value: id, Path: t.Path, Selected: id == f.ParentID})
	}
	return tf
}

func (s *Server) renderTeams(c echo.Context, status int, f teamForm, errs views.FieldErrors) error {
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return err
	}
	page := views.AdminTeamsPage{Form: f.view(teams, 0, errs), Flash: s.popFlash(c)}
	for _, t := range models.Hierarchy(teams) {
		page.Teams = append(page.Teams, views.TeamRow{ID: t.ID, Name: t.Name, Depth: t.Depth, Headcount: t.Headcount, Archived: t.ArchivedAt != nil})
	}
	return render(c, status, views.AdminTeams(page))
}

// adminTeams is GET /admin/teams.
func (s *Server) adminTeams(c echo.Context) error {
	return s.renderTeams(c, http.StatusOK, teamForm{}, nil)
}

// postedTeamForm reads and checks the posted team form against the teams
// there are.
func (s *Server) postedTeamForm(c echo.Context) (teamForm, views.FieldErrors, error) {
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return teamForm{}, nil, err
	}
	f := readTeamForm(c)
	return f, f.Validate(teams), nil
}

// adminCreateTeam is POST /admin/teams.
func (s *Server) adminCreateTeam(c echo.Context) error {
	f, errs, err := s.postedTeamForm(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderTeams(c, http.StatusUnprocessableEntity, f, errs)
	}
	t, err := s.store.CreateTeam(c.Request().Context(), models.NewTeam{Name: f.Name, ParentID: f.parent, Headcount: f.headcount, By: actor(c)})
	if errs := f.storeError(err); errs != nil {
		return s.renderTeams(c, http.StatusUnprocessableEntity, f, errs)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, fmt.Sprintf("Team %s added.", t.Name))
	return redirect(c, teamAdminURL(t.ID))
}

func teamAdminURL(id uint) string { return "/admin/teams/" + strconv.FormatUint(uint64(id), 10) }

func (s *Server) renderTeam(c echo.Context, status int, id uint, f *teamForm, errs views.FieldErrors) error {
	teams, err := s.store.Teams(c.Request().Context())
	if err != nil {
		return err
	}
	var t *models.Team
	for i := range teams {
		if teams[i].ID == id {
			t = &teams[i]
		}
	}
	if t == nil {
		return echo.ErrNotFound
	}
	if f == nil {
		f = &teamForm{Name: t.Name}
		if t.ParentID != nil {
			f.ParentID = strconv.FormatUint(uint64(*t.ParentID), 10)
		}
		if t.Headcount != nil {
			f.Headcount = strconv.Itoa(*t.Headcount)
		}
	}
	page := views.AdminTeamPage{Form: f.view(teams, id, errs), InviteURL: s.inviteURL(*t),
		Archived: t.ArchivedAt != nil, Flash: s.popFlash(c)}
	if !page.Archived {
		page.QR = qrMatrix(page.InviteURL)
	}
	if page.Codes, err = s.teamCodesView(c, *t); err != nil {
		return err
	}
	return render(c, status, views.AdminTeam(page))
}

// inviteURL is the link a team's members open.
func (s *Server) inviteURL(t models.Team) string { return s.cfg.BaseURL + "/t/" + t.InviteToken }

// qrMatrix is the QR code of text as rows of dark modules, or nil.
func qrMatrix(text string) [][]bool {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil
	}
	m := make([][]bool, code.Size)
	for y := range m {
		m[y] = make([]bool, code.Size)
		for x := range m[y] {
			m[y][x] = code.Black(x, y)
		}
	}
	return m
}

// adminTeam is GET /admin/teams/:id.
func (s *Server) adminTeam(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return s.renderTeam(c, http.StatusOK, id, nil, nil)
}

// adminUpdateTeam is POST /admin/teams/:id: rename, move, set headcount.
func (s *Server) adminUpdateTeam(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	f, errs, err := s.postedTeamForm(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderTeam(c, http.StatusUnprocessableEntity, id, &f, errs)
	}
	_, err = s.store.UpdateTeam(c.Request().Context(), actor(c), id, models.TeamChange{Name: f.Name, ParentID: f.parent, Headcount: f.headcount})
	if errs := f.storeError(err); errs != nil {
		return s.renderTeam(c, http.StatusUnprocessableEntity, id, &f, errs)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "Changes saved.")
	return redirect(c, teamAdminURL(id))
}

// adminArchiveTeam is POST /admin/teams/:id/archive.
func (s *Server) adminArchiveTeam(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	archive := c.FormValue("archived") != "false"
	t, err := s.store.ArchiveTeam(c.Request().Context(), actor(c), id, archive)
	if err != nil {
		return err
	}
	if archive {
		s.setFlash(c, fmt.Sprintf("%s is archived: its link no longer works; its results are kept.", t.Name))
	} else {
		s.setFlash(c, fmt.Sprintf("%s is active again.", t.Name))
	}
	return redirect(c, teamAdminURL(id))
}

// adminNewInvite is POST /admin/teams/:id/invite.
func (s *Server) adminNewInvite(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := s.store.RegenerateInvite(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	s.setFlash(c, "A new invite link is ready; the old one no longer works.")
	return redirect(c, teamAdminURL(id))
}
