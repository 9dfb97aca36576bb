package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// API requests with a token are limited per token: apiBurst at once, then
// apiRate a second, in this process's memory. A scheduled refresh of a BI
// report asks for a few dozen groups; a runaway script cannot take the
// server from the people answering the survey.
const (
	apiBurst = 60
	apiRate  = rate.Limit(10)
)

func newAPILimiter() *middleware.RateLimiterMemoryStore {
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: apiRate, Burst: apiBurst})
}

// errBadToken answers an API request whose token does not work.
var errBadToken = echo.NewHTTPError(http.StatusUnauthorized,
	"The API token is not valid: it may be mistyped or revoked, or its account deactivated.")

// tokenViewer makes the account of the request's bearer token its Viewer.
// Only the API takes tokens; its routes are all GET, so a token can read and
// never change anything, and it needs no CSRF token (a browser never sends
// it by itself).
func (s *Server) tokenViewer(c echo.Context, header string, next echo.HandlerFunc) error {
	_, token, _ := strings.Cut(header, " ") // loadViewer checked the Bearer scheme
	ctx := c.Request().Context()
	u, tok, err := s.store.UserByAPIToken(ctx, strings.TrimSpace(token))
	if errors.Is(err, models.ErrBadAPIToken) {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="icare", error="invalid_token"`)
		return errBadToken
	}
	if err != nil {
		return err
	}
	if ok, err := s.apiLimit.Allow("token:" + strconv.FormatUint(uint64(tok.ID), 10)); err != nil {
		return err
	} else if !ok {
		c.Response().Header().Set("Retry-After", "1")
		return echo.NewHTTPError(http.StatusTooManyRequests, "Too many requests with this token. Please slow down and try again in a moment.")
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	setViewer(c, NewViewer(u, teams))
	return next(c)
}

// tokensPage renders /account/tokens with status.
func (s *Server) tokensPage(c echo.Context, status int, page views.TokensPage) error {
	v := viewerOf(c)
	tokens, err := s.store.APITokens(c.Request().Context(), v.UserID)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		page.Tokens = append(page.Tokens, views.TokenRow{ID: t.ID, Name: t.Name, Created: t.CreatedAt, LastUsed: t.LastUsedAt})
	}
	page.APIURL = s.cfg.BaseURL
	return render(c, status, views.AccountTokens(page))
}

// accountTokens is GET /account/tokens.
func (s *Server) accountTokens(c echo.Context) error {
	return s.tokensPage(c, http.StatusOK, views.TokensPage{Flash: s.popFlash(c)})
}

// createToken is POST /account/tokens: the new token is on the page this
// once (sent with no-store like every page), never in a redirect or the
// session.
func (s *Server) createToken(c echo.Context) error {
	name := c.FormValue("name")
	if _, err := models.CleanName("token", name); err != nil {
		return s.tokensPage(c, http.StatusUnprocessableEntity, views.TokensPage{Name: name, Problem: sentence(err)})
	}
	token, t, err := s.store.CreateAPIToken(c.Request().Context(), viewerOf(c).UserID, name)
	if err != nil {
		return err
	}
	return s.tokensPage(c, http.StatusCreated, views.TokensPage{Created: token, CreatedName: t.Name})
}

// revokeToken is POST /account/tokens/:id/revoke.
func (s *Server) revokeToken(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.store.RevokeAPIToken(c.Request().Context(), viewerOf(c).UserID, id); err != nil {
		return err
	}
	s.setFlash(c, "The token has been revoked: it no longer works.")
	return redirect(c, "/account/tokens")
}
