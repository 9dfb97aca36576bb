package handlers

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// contentSecurityPolicy allows nothing but icare's own files: no inline
// script or style, no frames, forms only to icare.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// csrfCookie holds the CSRF token (echo's double-submit cookie), for a day
// from the last page, and a new one from each sign-in and sign-out.
const (
	csrfCookie    = "icare_csrf"
	csrfCookieAge = 24 * time.Hour
)

// MaxBodyBytes bounds every request body: the largest form (25 answers and a
// 2,000-character comment) is far below it.
const MaxBodyBytes = "64K"

// useMiddleware installs the chain in its deliberate order: request id →
// logger → recover → secure headers → body limit → form → CSRF → request
// timeout → session → retry of reads → viewer (neither session nor viewer
// on the survey's routes) → view context.
func (s *Server) useMiddleware(e *echo.Echo) {
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true, // the error handler runs first, so the logged status is the real one
		Skipper:     func(c echo.Context) bool { return c.Path() == "/healthz" || c.Path() == "/readyz" },
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status == http.StatusServiceUnavailable:
				level = slog.LevelWarn // the database's passing trouble, logged with its cause
			case v.Status >= 500:
				level = slog.LevelError
			}
			s.metrics.observe(c.Path(), v.Method, v.Status, v.Latency)
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("uri", s.redact.uri(v.URI)), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	}))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "uri", s.redact.uri(c.Request().RequestURI), "err", err, "stack", string(stack))
			return err
		}}))
	e.Use(s.secureHeaders)
	e.Use(middleware.BodyLimit(MaxBodyBytes))
	e.Use(readForm)
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     s.cookieName(csrfCookie),
		CookieMaxAge:   int(csrfCookieAge.Seconds()),
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
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		// A CSV export streams for as long as the file takes; it stops when
		// the client goes away and has a write deadline of its own.
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/export/") },
		// Every other request has a deadline, which its database work
		// keeps: a page that misses it gets 503 (handleError), never a
		// hung connection, and frees its connection of the pool.
		Timeout:      cmp.Or(s.cfg.RequestTimeout, config.DefaultRequestTimeout),
		ErrorHandler: func(err error, c echo.Context) error { return err },
	}))
	e.Use(s.withSession(s.loadSession))
	e.Use(s.retryReads)
	e.Use(s.withSession(s.loadViewer))
	e.Use(withViewContext)
}

// withSession runs m, a middleware of the sign-in session, on every route
// but the respondent's (Access Respondent).
func (s *Server) withSession(m echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		with := m(next)
		return func(c echo.Context) error {
			if s.respondent[c.Request().Method+" "+c.Path()] {
				return next(c)
			}
			return with(c)
		}
	}
}

// secureCookies reports whether cookies get the Secure flag: when icare is
// reached over https.
func (s *Server) secureCookies() bool {
	return strings.HasPrefix(s.cfg.BaseURL, "https://")
}

// cookieName is the name of one of icare's cookies: over https with the
// __Host- prefix, which browsers accept only from a secure origin, for the
// whole host and for path /, so no other site or sub-domain can set it.
func (s *Server) cookieName(name string) string {
	if s.secureCookies() {
		return "__Host-" + name
	}
	return name
}

// cookie is one of icare's cookies for the whole site: never readable by
// script, sent only over https when icare is served so, and not on requests
// from other sites' forms. A negative age deletes it.
func (s *Server) cookie(name, value string, age time.Duration) *http.Cookie {
	maxAge := int(age.Seconds())
	if age < 0 {
		maxAge = -1
	}
	return &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode}
}

// replaceCookie sets ck on the response in place of any cookie of the same
// name set earlier in this request (a browser would take the last one, but
// one header per cookie leaves nothing to chance).
func replaceCookie(c echo.Context, ck *http.Cookie) {
	h := c.Response().Header()
	kept := h.Values("Set-Cookie")[:0:0]
	for _, v := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(v, ck.Name+"=") {
			kept = append(kept, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range kept {
		h.Add("Set-Cookie", v)
	}
	c.SetCookie(ck)
}

// secureHeaders sets the security headers of every answer. Nothing icare
// answers may be kept by a browser or a proxy: pages show answers, results,
// secret links and accounts (only the static files say otherwise, in their
// handler); and nothing is for search engines, least of all the invite,
// resume and result links. Over https, browsers are told to use nothing
// else for a year.
func (s *Server) secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	https := s.secureCookies()
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Robots-Tag", "noindex, nofollow, noarchive")
		if https {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
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

// readForm reads the body of a form before anything looks at it, so that a
// body over MaxBodyBytes gets 413 however it was sent (a chunked body has
// no length to refuse up front), and one that cannot be read gets 400,
// rather than the CSRF check taking either for a missing token. The CSRF
// token counts only from the body: one in the query string, which proxies
// and browser histories keep, is ignored.
func readForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch && r.Method != http.MethodDelete {
			return next(c)
		}
		var err error
		if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
			err = r.ParseMultipartForm(32 << 10)
		} else {
			err = r.ParseForm()
		}
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &tooLarge):
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
				"That was more than a form here can hold. Nothing was saved: go back, shorten what you wrote, and send it again.")
		case err != nil:
			return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
		}
		if tok, ok := r.PostForm["_csrf"]; ok {
			r.Form["_csrf"] = tok
		} else {
			delete(r.Form, "_csrf")
		}
		return next(c)
	}
}

// rotateCSRF gives the browser a new CSRF token, at a change of who is
// signed in: a token seen before (in a page someone else read) stops
// working.
func (s *Server) rotateCSRF(c echo.Context) {
	replaceCookie(c, s.cookie(csrfCookie, models.NewToken(), csrfCookieAge))
}
