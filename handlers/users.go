package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// The admin's account pages: the list, inviting an account, editing its
// role, teams and status, and new set-password links.

// Session keys of the one-time links shown once, on the next page.
const (
	inviteLinkKey   = "invite_link"
	passwordLinkKey = "password_link"
)

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
		uf.Teams = append(uf.Teams, views.TeamCheck{Value: strconv.FormatUint(uint64(t.ID), 10), Path: t.Path, Checked: chosen[t.ID]})
	}
	return uf, nil
}

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
		page.Users = append(page.Users, views.UserRow{ID: u.ID, Email: u.Email, Role: u.Role, Active: u.Active, Teams: names})
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
	s.sessions.Put(c.Request().Context(), inviteLinkKey, u.Email+" "+s.passwordLinkURL(token))
	return redirect(c, "/admin/users")
}

// passwordLinkURL is the one-time set-password link of token.
func (s *Server) passwordLinkURL(token string) string {
	return s.cfg.BaseURL + "/set-password/" + token
}

func userAdminURL(id uint) string { return "/admin/users/" + strconv.FormatUint(uint64(id), 10) }

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
	return redirect(c, userAdminURL(id))
}

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
	s.sessions.Put(c.Request().Context(), passwordLinkKey, s.passwordLinkURL(token))
	return redirect(c, userAdminURL(id))
}
