package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
)

// loadSession is the sign-in session's middleware, written for echo rather
// than taken from scs's LoadAndSave: a session that cannot be read is an
// error for handleError (a 503 when the database stumbles, logged and
// counted once), tried again first like any read (retryRead); and the
// session is saved just before the headers go out, so that the answer and
// its cookie never disagree. A save that fails then can no longer change
// the answer (the handler's work is done, and must not be offered again):
// it is logged, and the changes that matter — signing in, a new password —
// save the session themselves first (saveSession), so that their failure
// is the person's 503.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Add("Vary", "Cookie")
		token := ""
		if ck, err := c.Cookie(s.sessions.Cookie.Name); err == nil {
			token = ck.Value
		}
		var ctx context.Context
		err := s.retryRead(c, func() (err error) {
			ctx, err = s.sessions.Load(c.Request().Context(), token)
			return err
		}, nil)
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		c.SetRequest(c.Request().WithContext(ctx))
		c.Response().Before(func() {
			if err := s.writeSession(c, ctx); err != nil {
				s.log.Warn("session not saved", "cause", models.ErrorKind(err),
					"uri", s.redact.uri(c.Request().RequestURI), "err", err)
			}
		})
		return next(c)
	}
}

// writeSession stores a changed session and sets its cookie, or clears the
// cookie of an ended one.
func (s *Server) writeSession(c echo.Context, ctx context.Context) error {
	switch s.sessions.Status(ctx) {
	case scs.Modified:
		token, expiry, err := s.sessions.Commit(ctx)
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		s.sessions.WriteSessionCookie(ctx, c.Response(), token, expiry)
	case scs.Destroyed:
		s.sessions.WriteSessionCookie(ctx, c.Response(), "", time.Time{})
	}
	return nil
}

// saveSession stores the session now, so that a failure is the request's
// error rather than a silent loss after the answer went out.
func (s *Server) saveSession(c echo.Context) error {
	if _, _, err := s.sessions.Commit(c.Request().Context()); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}
