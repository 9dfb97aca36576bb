package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/scoring"
)

// healthz answers while the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 when the database answers and no request has met its
// trouble for a while (unavailable), 503 otherwise; /healthz stays 200
// meanwhile, since restarting icare would not help.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		return c.String(http.StatusServiceUnavailable, "database unreachable\n")
	}
	if !s.ready() {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		return c.String(http.StatusServiceUnavailable, "database unavailable a moment ago\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// instrument serves the ICARE v1 instrument (package scoring) as JSON.
func (s *Server) instrument(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, scoring.V1())
}
