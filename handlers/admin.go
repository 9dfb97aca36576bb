package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"rsc.io/qr"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// AdminStore is what the administration pages need from the data layer.
type AdminStore interface {
	CreateTeam(ctx context.Context, nt models.NewTeam) (models.Team, error)
	UpdateTeam(ctx context.Context, by models.Actor, id uint, ch models.TeamChange) (models.Team, error)
	ArchiveTeam(ctx context.Context, by models.Actor, id uint, archived bool) (models.Team, error)
	RegenerateInvite(ctx context.Context, by models.Actor, id uint) (models.Team, error)
	Rounds(ctx context.Context) ([]models.Round, error)
	CreateRound(ctx context.Context, nr models.NewRound) (models.Round, error)
	OpenRound(ctx context.Context, by models.Actor, id uint) (models.Round, error)
	CloseRound(ctx context.Context, by models.Actor, id uint) (models.Round, error)
	CountResponses(ctx context.Context, roundID uint, status string) (int64, error)
	Users(ctx context.Context) ([]models.User, error)
	CreateUser(ctx context.Context, nu models.NewUser) (models.User, string, error)
	NewPasswordLink(ctx context.Context, by models.Actor, userID uint) (string, error)
	UpdateUser(ctx context.Context, by models.Actor, id uint, ch models.UserChange) (models.User, error)
	AuditEvents(ctx context.Context, limit int) ([]models.AuditEvent, error)
}

const flashKey = "flash"

// actor is the signed-in viewer as the audit log names them.
func actor(c echo.Context) models.Actor {
	v := viewerOf(c)
	id := v.UserID
	return models.Actor{ID: &id, Email: v.Email}
}

func (s *Server) setFlash(c echo.Context, msg string) {
	s.sessions.Put(c.Request().Context(), flashKey, msg)
}

func (s *Server) popFlash(c echo.Context) string {
	return s.sessions.PopString(c.Request().Context(), flashKey)
}

// idParam reads the :id of the URL; a bad one is a 404.
func idParam(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, echo.ErrNotFound
	}
	return uint(id), nil
}

// ---- Teams

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
		errs["name"] = capitalise(err.Error()) + "."
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

func (s *Server) teamFormView(f teamForm, teams []models.Team, self uint, errs views.FieldErrors) views.TeamForm {
	tf := views.TeamForm{ID: self, Name: f.Name, ParentID: f.ParentID, Headcount: f.Headcount, Errors: errs}
	for _, t := range models.Hierarchy(teams) {
		if t.ID == self {
			continue
		}
		id := strconv.FormatUint(uint64(t.ID), 10)
		tf.Parents = append(tf.Parents, views.Option{Value: id, Label: export.TeamPath(t.Path), Selected: id == f.ParentID})
	}
	return tf
}

func (s *Server) renderTeams(c echo.Context, status int, f teamForm, errs views.FieldErrors) error {
	ctx := c.Request().Context()
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	round, err := s.store.DefaultRound(ctx)
	var cells []models.Cell
	if err == nil {
		if cells, err = s.store.Cells(ctx, round.ID); err != nil {
			return err
		}
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	res, err := resultsOf(teams, cells, s.cfg.MinGroup)
	if err != nil {
		return err
	}
	page := views.AdminTeamsPage{Form: s.teamFormView(f, teams, 0, errs), Flash: s.popFlash(c)}
	for _, t := range res.Teams {
		page.Teams = append(page.Teams, teamRow(t, s.cfg.BaseURL))
	}
	return render(c, status, views.AdminTeams(page))
}

// adminTeams is GET /admin/teams.
func (s *Server) adminTeams(c echo.Context) error {
	return s.renderTeams(c, http.StatusOK, teamForm{}, nil)
}

// adminCreateTeam is POST /admin/teams.
func (s *Server) adminCreateTeam(c echo.Context) error {
	ctx := c.Request().Context()
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	f := readTeamForm(c)
	if errs := f.Validate(teams); len(errs) > 0 {
		return s.renderTeams(c, http.StatusUnprocessableEntity, f, errs)
	}
	t, err := s.store.CreateTeam(ctx, models.NewTeam{Name: f.Name, ParentID: f.parent, Headcount: f.headcount, By: actor(c)})
	if errors.Is(err, models.ErrConflict) {
		return s.renderTeams(c, http.StatusUnprocessableEntity, f, views.FieldErrors{"name": "A team with this name exists already."})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, fmt.Sprintf("Team %s added.", t.Name))
	return redirect(c, fmt.Sprintf("/admin/teams/%d", t.ID))
}

func (s *Server) renderTeam(c echo.Context, status int, id uint, f *teamForm, errs views.FieldErrors) error {
	ctx := c.Request().Context()
	teams, err := s.store.Teams(ctx)
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
	page := views.AdminTeamPage{Form: s.teamFormView(*f, teams, id, errs), InviteURL: s.cfg.BaseURL + "/t/" + t.InviteToken,
		Archived: t.ArchivedAt != nil, Flash: s.popFlash(c)}
	if !page.Archived {
		page.QR = qrMatrix(page.InviteURL)
	}
	return render(c, status, views.AdminTeam(page))
}

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
	ctx := c.Request().Context()
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	f := readTeamForm(c)
	if errs := f.Validate(teams); len(errs) > 0 {
		return s.renderTeam(c, http.StatusUnprocessableEntity, id, &f, errs)
	}
	_, err = s.store.UpdateTeam(ctx, actor(c), id, models.TeamChange{Name: f.Name, ParentID: f.parent, Headcount: f.headcount})
	switch {
	case errors.Is(err, models.ErrConflict):
		return s.renderTeam(c, http.StatusUnprocessableEntity, id, &f, views.FieldErrors{"name": "A team with this name exists already."})
	case errors.Is(err, models.ErrTeamCycle):
		return s.renderTeam(c, http.StatusUnprocessableEntity, id, &f, views.FieldErrors{"parent_id": "A team cannot sit under itself or one of its own sub-teams."})
	case err != nil:
		return err
	}
	s.setFlash(c, "Changes saved.")
	return redirect(c, fmt.Sprintf("/admin/teams/%d", id))
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
	return redirect(c, fmt.Sprintf("/admin/teams/%d", id))
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
	return redirect(c, fmt.Sprintf("/admin/teams/%d", id))
}

// ---- Rounds

func (s *Server) renderRounds(c echo.Context, status int, name string, errs views.FieldErrors, problem string) error {
	ctx := c.Request().Context()
	rounds, err := s.store.Rounds(ctx)
	if err != nil {
		return err
	}
	page := views.AdminRoundsPage{Name: name, Errors: errs, Problem: problem, Flash: s.popFlash(c)}
	for _, r := range rounds {
		n, err := s.store.CountResponses(ctx, r.ID, models.StatusSubmitted)
		if err != nil {
			return err
		}
		page.Rounds = append(page.Rounds, views.RoundRow{ID: r.ID, Name: r.Name, Status: r.Status,
			OpensAt: views.FormatTime(r.OpensAt), ClosesAt: views.FormatTime(r.ClosesAt), N: int(n)})
	}
	return render(c, status, views.AdminRounds(page))
}

// adminRounds is GET /admin/rounds.
func (s *Server) adminRounds(c echo.Context) error {
	return s.renderRounds(c, http.StatusOK, "", nil, "")
}

// adminCreateRound is POST /admin/rounds.
func (s *Server) adminCreateRound(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if _, err := models.CleanName("round", name); err != nil {
		return s.renderRounds(c, http.StatusUnprocessableEntity, name, views.FieldErrors{"name": capitalise(err.Error()) + "."}, "")
	}
	r, err := s.store.CreateRound(c.Request().Context(), models.NewRound{Name: name, By: actor(c)})
	if errors.Is(err, models.ErrConflict) {
		return s.renderRounds(c, http.StatusUnprocessableEntity, name, views.FieldErrors{"name": "A round with this name exists already."}, "")
	}
	if err != nil {
		return err
	}
	s.setFlash(c, fmt.Sprintf("Round %s created. Open it when you are ready.", r.Name))
	return redirect(c, "/admin/rounds")
}

// adminSetRound is POST /admin/rounds/:id: open or close a round.
func (s *Server) adminSetRound(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	status := c.FormValue("status")
	if status != models.RoundOpen && status != models.RoundClosed {
		return s.renderRounds(c, http.StatusUnprocessableEntity, "", nil, "Choose Open or Close.")
	}
	var r models.Round
	if status == models.RoundOpen {
		r, err = s.store.OpenRound(c.Request().Context(), actor(c), id)
	} else {
		r, err = s.store.CloseRound(c.Request().Context(), actor(c), id)
	}
	switch {
	case errors.Is(err, models.ErrRoundNotOpen):
		return s.renderRounds(c, http.StatusConflict, "", nil, "This round is not open, so it cannot close.")
	case errors.Is(err, models.ErrRoundOpen), errors.Is(err, models.ErrConflict):
		// ErrConflict: another admin opened a round at the same moment and
		// the database's one-open-round index refused this one.
		return s.renderRounds(c, http.StatusConflict, "", nil, "Another round is open. Close it before opening this one.")
	case err != nil:
		return err
	}
	s.setFlash(c, fmt.Sprintf("Round %s is %s.", r.Name, r.Status))
	return redirect(c, "/admin/rounds")
}

// ---- Users

type userForm struct {
	Email, Role string
	TeamIDs     []uint
	Active      bool
}

func readUserForm(c echo.Context) (userForm, views.FieldErrors) {
	f := userForm{Email: strings.TrimSpace(c.FormValue("email")), Role: c.FormValue("role"), Active: c.FormValue("active") == "true"}
	errs := views.FieldErrors{}
	if f.Role != models.RoleAdmin && f.Role != models.RoleLeader {
		errs["role"] = "Choose Leader or Admin."
	}
	form, _ := c.FormParams()
	for _, v := range form["teams"] {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil || id == 0 {
			errs["teams"] = "Choose teams from the list."
			continue
		}
		f.TeamIDs = append(f.TeamIDs, uint(id))
	}
	return f, errs
}

func (s *Server) userFormView(ctx context.Context, f userForm, id uint, errs views.FieldErrors) (views.UserForm, error) {
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return views.UserForm{}, err
	}
	chosen := map[uint]bool{}
	for _, t := range f.TeamIDs {
		chosen[t] = true
	}
	uf := views.UserForm{ID: id, Email: f.Email, Role: f.Role, Active: f.Active, Errors: errs}
	for _, t := range models.Hierarchy(teams) {
		uf.Teams = append(uf.Teams, views.Check{Value: strconv.FormatUint(uint64(t.ID), 10), Label: export.TeamPath(t.Path), Checked: chosen[t.ID]})
	}
	return uf, nil
}

const inviteLinkKey = "invite_link"

func (s *Server) renderUsers(c echo.Context, status int, f userForm, errs views.FieldErrors) error {
	ctx := c.Request().Context()
	users, err := s.store.Users(ctx)
	if err != nil {
		return err
	}
	form, err := s.userFormView(ctx, f, 0, errs)
	if err != nil {
		return err
	}
	page := views.AdminUsersPage{Form: form}
	if link := s.sessions.PopString(ctx, inviteLinkKey); link != "" {
		page.InviteEmail, page.InviteLink, _ = strings.Cut(link, " ")
	}
	for _, u := range users {
		names := make([]string, len(u.Teams))
		for i, t := range u.Teams {
			names[i] = t.Name
		}
		page.Users = append(page.Users, views.UserRow{ID: u.ID, Email: u.Email, Role: u.Role, Active: u.Active, Teams: strings.Join(names, ", ")})
	}
	return render(c, status, views.AdminUsers(page))
}

// adminUsers is GET /admin/users.
func (s *Server) adminUsers(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, userForm{Role: models.RoleLeader}, nil)
}

// adminInviteUser is POST /admin/users: add an account and show its
// one-time set-password link once.
func (s *Server) adminInviteUser(c echo.Context) error {
	f, errs := readUserForm(c)
	if _, err := models.NormalizeEmail(f.Email); err != nil {
		errs["email"] = "Give an e-mail address such as name@example.org."
	}
	if len(errs) > 0 {
		return s.renderUsers(c, http.StatusUnprocessableEntity, f, errs)
	}
	u, token, err := s.store.CreateUser(c.Request().Context(), models.NewUser{Email: f.Email, Role: f.Role, TeamIDs: f.TeamIDs, By: actor(c)})
	switch {
	case errors.Is(err, models.ErrConflict):
		return s.renderUsers(c, http.StatusUnprocessableEntity, f, views.FieldErrors{"email": "An account with this e-mail address exists already."})
	case errors.Is(err, models.ErrNotFound):
		return s.renderUsers(c, http.StatusUnprocessableEntity, f, views.FieldErrors{"teams": "Choose teams from the list."})
	case err != nil:
		return err
	}
	s.sessions.Put(c.Request().Context(), inviteLinkKey, u.Email+" "+s.cfg.BaseURL+"/set-password/"+token)
	return redirect(c, "/admin/users")
}

func (s *Server) renderUser(c echo.Context, status int, id uint, f *userForm, errs views.FieldErrors) error {
	ctx := c.Request().Context()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if f == nil {
		f = &userForm{Role: u.Role, Active: u.Active}
		for _, t := range u.Teams {
			f.TeamIDs = append(f.TeamIDs, t.ID)
		}
	}
	f.Email = u.Email
	form, err := s.userFormView(ctx, *f, id, errs)
	if err != nil {
		return err
	}
	page := views.AdminUserPage{Form: form, Flash: s.popFlash(c), PasswordLink: s.sessions.PopString(ctx, passwordLinkKey)}
	return render(c, status, views.AdminUser(page))
}

const passwordLinkKey = "password_link"

// adminPasswordLink is POST /admin/users/:id/password-link: a new one-time
// set-password link, for an invitation that expired or a forgotten
// password; the account's older links stop working.
func (s *Server) adminPasswordLink(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	token, err := s.store.NewPasswordLink(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	s.sessions.Put(c.Request().Context(), passwordLinkKey, s.cfg.BaseURL+"/set-password/"+token)
	return redirect(c, fmt.Sprintf("/admin/users/%d", id))
}

// adminUser is GET /admin/users/:id.
func (s *Server) adminUser(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return s.renderUser(c, http.StatusOK, id, nil, nil)
}

// adminUpdateUser is POST /admin/users/:id: role, teams, active. An admin
// cannot demote or deactivate their own account, so there is always one
// admin left.
func (s *Server) adminUpdateUser(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	f, errs := readUserForm(c)
	if id == viewerOf(c).UserID && (f.Role != models.RoleAdmin || !f.Active) {
		errs["role"] = "You cannot remove your own admin role or deactivate yourself; ask another admin."
	}
	if len(errs) > 0 {
		return s.renderUser(c, http.StatusUnprocessableEntity, id, &f, errs)
	}
	_, err = s.store.UpdateUser(c.Request().Context(), actor(c), id, models.UserChange{Role: f.Role, TeamIDs: f.TeamIDs, Active: f.Active})
	if errors.Is(err, models.ErrNotFound) {
		return s.renderUser(c, http.StatusUnprocessableEntity, id, &f, views.FieldErrors{"teams": "Choose teams from the list."})
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "Changes saved.")
	return redirect(c, fmt.Sprintf("/admin/users/%d", id))
}

// adminAudit is GET /admin/audit: the latest 500 changes.
func (s *Server) adminAudit(c echo.Context) error {
	evs, err := s.store.AuditEvents(c.Request().Context(), 500)
	if err != nil {
		return err
	}
	rows := make([]views.AuditRow, len(evs))
	for i, ev := range evs {
		at := ev.At
		rows[i] = views.AuditRow{At: views.FormatTime(&at), Actor: ev.ActorEmail, Action: ev.Action, Detail: ev.Detail}
	}
	return render(c, http.StatusOK, views.AdminAudit(rows))
}
