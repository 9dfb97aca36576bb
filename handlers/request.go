package handlers

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
)

// Typed getters and helpers of a request, shared by every resource.

// idParam reads the :id of the URL; a bad one is a 404.
func idParam(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil || id == 0 {
		return 0, echo.ErrNotFound
	}
	return uint(id), nil
}

// actor is the signed-in viewer as the audit log names them.
func actor(c echo.Context) models.Actor {
	v := viewerOf(c)
	id := v.UserID
	return models.Actor{ID: &id, Email: v.Email}
}

const flashKey = "flash"

// setFlash keeps a message for the next page this session sees.
func (s *Server) setFlash(c echo.Context, msg string) {
	s.sessions.Put(c.Request().Context(), flashKey, msg)
}

// popFlash returns the message kept for this page, once.
func (s *Server) popFlash(c echo.Context) string {
	return s.sessions.PopString(c.Request().Context(), flashKey)
}

// sentence turns a Store's validation error into a sentence for a form:
// "team name is empty" becomes "Team name is empty.".
func sentence(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
