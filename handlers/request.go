package handlers

import (
	"errors"
	"fmt"
	"net/http"
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

// roundPick says which round a request that names none gets.
type roundPick int

const (
	// pickCurrent: the open round, else the latest closed one (the raw
	// responses: what is being collected now).
	pickCurrent roundPick = iota
	// pickPublished: the latest closed round, else the open one, whose
	// participation shows (every view and file of group results).
	pickPublished
	// pickOptional: as pickPublished, but no round at all is no error (the
	// codebook, which only takes the round's name).
	pickOptional
)

var errNoRounds = echo.NewHTTPError(http.StatusNotFound,
	"No survey round has been opened yet, so there are no results to show.")

// chosenRound is the round of ?round=ID, or pick's round when none is
// given. A malformed id is a 400, an unknown round a 404; with no open or
// closed round at all, errNoRounds.
func (s *Server) chosenRound(c echo.Context, pick roundPick) (models.Round, error) {
	ctx := c.Request().Context()
	raw := strings.TrimSpace(c.QueryParam("round"))
	if raw != "" {
		id, err := strconv.ParseUint(raw, 10, 32)
		if err != nil {
			return models.Round{}, echo.NewHTTPError(http.StatusBadRequest, "The round must be given by its number, such as ?round=3.")
		}
		r, err := s.store.Round(ctx, uint(id))
		if errors.Is(err, models.ErrNotFound) {
			return models.Round{}, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("There is no survey round %d.", id))
		}
		return r, err
	}
	var r models.Round
	var err error
	if pick == pickCurrent {
		r, err = s.store.DefaultRound(ctx)
	} else if r, err = s.store.LatestClosedRound(ctx); errors.Is(err, models.ErrNotFound) {
		r, err = s.store.CurrentRound(ctx)
		if errors.Is(err, models.ErrNoOpenRound) {
			err = models.ErrNotFound
		}
	}
	if errors.Is(err, models.ErrNotFound) {
		return models.Round{}, errNoRounds
	}
	return r, err
}
