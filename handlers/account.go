package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// An account's own pages: changing the password, and setting the first one
// through a one-time link.

// passwordForm is GET /account/password.
func (s *Server) passwordForm(c echo.Context) error {
	return render(c, http.StatusOK, views.ChangePassword(views.PasswordPage{Email: viewerOf(c).Email}))
}

// changePassword is POST /account/password.
func (s *Server) changePassword(c echo.Context) error {
	v := viewerOf(c)
	page := views.PasswordPage{Email: v.Email, Errors: views.FieldErrors{}}
	next, confirm := c.FormValue("new"), c.FormValue("confirm")
	if err := models.CheckPassword(next); err != nil {
		page.Errors["new"] = sentence(err)
	} else if next != confirm {
		page.Errors["confirm"] = "The two new passwords differ."
	}
	if len(page.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.ChangePassword(page))
	}
	err := s.store.ChangePassword(c.Request().Context(), v.UserID, c.FormValue("current"), next)
	if errors.Is(err, models.ErrBadCredentials) {
		page.Errors["current"] = "This is not your current password."
		return render(c, http.StatusUnprocessableEntity, views.ChangePassword(page))
	}
	if err != nil {
		return err
	}
	// Every other session of the account has ended; this one goes on under
	// a new id and the new epoch.
	u, err := s.store.UserByID(c.Request().Context(), v.UserID)
	if err != nil {
		return err
	}
	if err := s.sessions.RenewToken(c.Request().Context()); err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	s.sessions.Put(c.Request().Context(), sessionEpochKey, u.SessionEpoch)
	if err := s.saveSession(c); err != nil {
		return err
	}
	page.Done = true
	return render(c, http.StatusOK, views.ChangePassword(page))
}

// setPasswordForm is GET /set-password/:token, the one-time link of a new
// account.
func (s *Server) setPasswordForm(c echo.Context) error {
	u, err := s.store.PasswordTokenUser(c.Request().Context(), c.Param("token"))
	if err != nil {
		return passwordLinkError(err)
	}
	return render(c, http.StatusOK, views.ChangePassword(views.PasswordPage{Email: u.Email, Token: c.Param("token")}))
}

// setPassword is POST /set-password/:token.
func (s *Server) setPassword(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	u, err := s.store.PasswordTokenUser(ctx, token)
	if err != nil {
		return passwordLinkError(err)
	}
	page := views.PasswordPage{Email: u.Email, Token: token, Errors: views.FieldErrors{}}
	next := c.FormValue("new")
	if err := models.CheckPassword(next); err != nil {
		page.Errors["new"] = sentence(err)
	} else if next != c.FormValue("confirm") {
		page.Errors["confirm"] = "The two passwords differ."
	}
	if len(page.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.ChangePassword(page))
	}
	if _, err := s.store.UsePasswordToken(ctx, token, next); err != nil {
		return passwordLinkError(err)
	}
	return redirect(c, "/login")
}

func passwordLinkError(err error) error {
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrTokenExpired) {
		return echo.NewHTTPError(http.StatusNotFound, "This password link is not valid: it may have expired or been used already. Ask an admin for a new one.")
	}
	return err
}
