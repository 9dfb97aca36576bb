package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/icare-hr/icare/views"
)

// contentSecurityPolicy allows nothing but icare's own files: no inline
// script or style, no frames, forms only to icare.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// MaxBodyBytes bounds every request body: the largest form (25 answers and a
// 2,000-character comment) is far below it.
const MaxBodyBytes = "64K"

// useMiddleware installs the chain in its deliberate order: request id →
// logger → recover → secure headers → body limit → CSRF → session → viewer →
// view context → request timeout.
func (s *Server) useMiddleware(e *echo.Echo) {
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true, // the error handler runs first, so the logged status is the real one
		Skipper:     func(c echo.Context) bool { return c.Path() == "/healthz" || c.Path() == "/readyz" },
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "uri", c.Request().RequestURI, "err", err, "stack", string(stack))
			return err
		}}))
	e.Use(secureHeaders)
	e.Use(middleware.BodyLimit(MaxBodyBytes))
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "icare_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secureCookies(),
		CookieSameSite: http.SameSiteLaxMode,
		ContextKey:     "csrf",
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden,
				"This form has expired or did not come from this site. Reload the page and send it again: your saved answers are kept.")
		},
	}))
	e.Use(echo.WrapMiddleware(s.sessions.LoadAndSave))
	e.Use(s.loadViewer)
	e.Use(withViewContext)
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		// A CSV export streams for as long as the file takes; it stops when
		// the client goes away and has a write deadline of its own.
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/export/") },
		Timeout: 30 * time.Second,
		ErrorHandler: func(err error, c echo.Context) error {
			if errors.Is(err, context.DeadlineExceeded) {
				return echo.NewHTTPError(http.StatusServiceUnavailable, "The server took too long to answer. Please try again.")
			}
			return err
		},
	}))
}

// secureCookies reports whether cookies get the Secure flag: when icare is
// reached over https.
func (s *Server) secureCookies() bool {
	return len(s.cfg.BaseURL) >= 8 && s.cfg.BaseURL[:8] == "https://"
}

// secureHeaders sets the security headers of every answer.
func secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		return next(c)
	}
}

// withViewContext hands the views what they read from the context: the CSRF
// token, behind typed getters in package views.
func withViewContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if tok, ok := c.Get("csrf").(string); ok {
			ctx = views.WithCSRF(ctx, tok)
		}
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}
