// Package handlers is icare's HTTP layer: the route table with its access
// rules, the middleware chain, the one error handler and one file per
// resource. Handlers consume small interfaces, satisfied by *models.Store.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/config"
)

// Store is everything the handlers need from the data layer.
type Store interface {
	Ping(ctx context.Context) error
	SurveyStore
}

// Server holds the handlers' dependencies.
type Server struct {
	store Store
	cfg   config.Config
	log   *slog.Logger
	now   func() time.Time
}

// New builds the echo instance: middleware, routes, the error handler and the
// static files.
func New(store Store, cfg config.Config, log *slog.Logger) *echo.Echo {
	s := &Server{store: store, cfg: cfg, log: log, now: time.Now}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	s.useMiddleware(e)
	for _, r := range s.routes() {
		e.Add(r.Method, r.Path, r.Handler, accessMiddleware(r.Access))
	}
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
	return e
}

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler echo.HandlerFunc
}

// routes is the route table: every URL icare answers, with who may use it.
func (s *Server) routes() []Route {
	return []Route{
		{http.MethodGet, "/", Public, s.home},
		{http.MethodGet, "/healthz", Public, s.healthz},
		{http.MethodGet, "/readyz", Public, s.readyz},
		{http.MethodGet, "/api/v1/instrument", Public, s.instrument},
		{http.MethodGet, "/static/*", Public, staticHandler()},

		{http.MethodGet, "/export/responses.csv", Admin, s.exportResponses},
		{http.MethodGet, "/export/teams.csv", Leader, s.exportTeams},
		{http.MethodGet, "/export/organization.csv", Leader, s.exportOrganization},
		{http.MethodGet, "/export/codebook.csv", Leader, s.exportCodebook},

		{http.MethodGet, "/t/:token", Public, s.surveyWelcome},
		{http.MethodPost, "/t/:token", Public, s.surveyStart},
		{http.MethodGet, "/s/:step", Public, s.surveyStep},
		{http.MethodPost, "/s/:step", Public, s.surveySave},
		{http.MethodGet, "/resume/:token", Public, s.surveyResume},
		{http.MethodGet, "/r/:token", Public, s.result},
	}
}
