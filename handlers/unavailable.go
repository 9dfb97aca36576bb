package handlers

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// When the database stumbles — it restarts, fails over, is locked, slow or
// out of space — a person gets 503 with Retry-After and a page that says
// what they saved is kept (models.Unavailable tells such errors from bugs),
// never a 500; a form they sent comes back to send again; and /readyz says
// "not ready" for as long as the Retry-After, so that a load balancer stops
// sending people to a replica that cannot serve them.

// retryAfter is what a 503 asks the person to wait: a database restart or a
// failover takes a few seconds.
const retryAfter = 5 * time.Second

// unavailableMessage is what a 503 page says, by the kind of trouble.
func unavailableMessage(kind string) string {
	if kind == models.ErrKindFull {
		return "The server has run out of storage space, so nothing new can be saved just now. Everything saved before is kept, and the people who run icare can see why in its log. Please try again later."
	}
	return "The database did not answer in time, so this could not be done just now. Everything saved before is kept. Please try again in a moment."
}

// unavailable answers for a database error that Unavailable accepts, or a
// request whose deadline passed: it sets Retry-After, counts and logs the
// cause once, marks the process not ready for a while, and returns the
// sentence to show.
func (s *Server) unavailable(c echo.Context, err error) string {
	kind := models.ErrorKind(err)
	if kind == models.ErrKindOther {
		kind = models.ErrKindDeadline // the request's own deadline passed
	}
	s.notReadyUntil.Store(s.store.Now().Add(retryAfter).UnixNano())
	h := c.Response().Header()
	h.Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
	h.Set("Cache-Control", "no-store") // the page may hold a form's values
	s.metrics.dbErrors.WithLabelValues(kind).Inc()
	level, msg := slog.LevelWarn, "database unavailable"
	if kind == models.ErrKindFull {
		// Only an operator can end this one.
		level, msg = slog.LevelError, "database disk full: free space on the database's disk"
	}
	s.log.Log(c.Request().Context(), level, msg, "cause", kind, "method", c.Request().Method, "uri", s.redact.uri(c.Request().RequestURI),
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	return unavailableMessage(kind)
}

// isUnavailable reports whether err, met while serving c, is the database's
// passing trouble or the request's deadline, rather than a bug.
func isUnavailable(c echo.Context, err error) bool {
	return models.Unavailable(err) || errors.Is(c.Request().Context().Err(), context.DeadlineExceeded)
}

// resendOf is the form a request posted, to send again from a 503 page, or
// nil when there is none or it held a password (which never goes back into
// a page: the person types it again).
func resendOf(c echo.Context) *views.Resend {
	r := c.Request()
	if r.Method != http.MethodPost || r.PostForm == nil || len(r.PostForm) == 0 {
		return nil
	}
	re := &views.Resend{Action: r.URL.Path}
	for _, name := range slices.Sorted(maps.Keys(r.PostForm)) {
		if strings.Contains(strings.ToLower(name), "password") {
			return nil
		}
		for _, v := range r.PostForm[name] {
			re.Fields = append(re.Fields, views.Field{Name: name, Value: v})
		}
	}
	return re
}

// ready reports whether no request has met the database's trouble within
// the last retryAfter.
func (s *Server) ready() bool {
	return s.store.Now().UnixNano() >= s.notReadyUntil.Load()
}
