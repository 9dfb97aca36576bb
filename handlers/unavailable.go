package handlers

import (
	"cmp"
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
// never a 500; a form they sent comes back to send again; and, when the
// database is away or full, /readyz says "not ready" for as long as the
// Retry-After, so that a load balancer stops sending people to a replica
// that cannot serve them.

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
	if kind == models.ErrKindConnection || kind == models.ErrKindFull {
		// The database is away or full for every request of this replica
		// (a lock or a slow page is one request's trouble, and pulling
		// every replica out of the balancer for it would help no one).
		s.notReadyUntil.Store(s.store.Now().Add(retryAfter).UnixNano())
	}
	// The page must render even when the request's deadline has passed.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
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

// secretFields are the names of form fields that hold a secret: a password
// (sign-in, the new-password forms' current, new and confirm) or a personal
// code. A form with any of them never goes back into a page: the person
// types it again.
var secretFields = map[string]bool{"password": true, "current": true, "new": true, "confirm": true, "code": true}

// resendOf is the form a request posted, to send again from a 503 page, or
// nil when there is none or it held a secret (secretFields).
func resendOf(c echo.Context) *views.Resend {
	r := c.Request()
	if r.Method != http.MethodPost || r.PostForm == nil || len(r.PostForm) == 0 {
		return nil
	}
	re := &views.Resend{Action: "/" + strings.TrimLeft(r.URL.Path, "/")}
	for _, name := range slices.Sorted(maps.Keys(r.PostForm)) {
		if secretFields[name] || strings.Contains(strings.ToLower(name), "password") {
			return nil
		}
		for _, v := range r.PostForm[name] {
			re.Fields = append(re.Fields, views.Field{Name: name, Value: v})
		}
	}
	return re
}

// ready reports whether no request has found the database away or full
// within the last retryAfter.
func (s *Server) ready() bool {
	return s.store.Now().UnixNano() >= s.notReadyUntil.Load()
}

// retryReads runs a GET or HEAD handler again when it met the database's
// passing trouble before writing anything: a page that only reads is safe
// to repeat, so a person opening one during a restart waits a moment rather
// than meeting a 503. What a failed try changed is put back first: the
// request's and the answer's headers (a cookie, say) and the one-time
// messages it took out of the session (oneTime). An API request is not
// repeated (each try would count against its token's rate limit).
func (s *Server) retryReads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || wantsJSON(c) {
			return next(c)
		}
		sent, asked := snapshot(c.Response().Header()), snapshot(r.Header)
		kept := s.oneTimeValues(c)
		return s.retryRead(c, func() error { return next(c) }, func() {
			sent.restore(c.Response().Header())
			asked.restore(r.Header)
			c.SetRequest(r)
			for k, v := range kept {
				s.sessions.Put(r.Context(), k, v)
			}
		})
	}
}

// headerSnapshot is what a header held, to be put back before a read is
// tried again: its entries in a slice, which every GET takes, where a copy
// of the map cost more (Header.Clone made an eighth of the bytes the server
// allocated in a survey rush) for a retry that seldom comes. The value
// slices are shared, not copied: a header's values are replaced (Set) or
// appended to (Add), and neither changes the values a snapshot holds.
type headerSnapshot []headerEntry

type headerEntry struct {
	key    string
	values []string
}

func snapshot(h http.Header) headerSnapshot {
	s := make(headerSnapshot, 0, len(h))
	for k, v := range h {
		s = append(s, headerEntry{k, v[:len(v):len(v)]})
	}
	return s
}

// restore makes h hold what it held when s was taken.
func (s headerSnapshot) restore(h http.Header) {
	clear(h)
	for _, e := range s {
		h[e.key] = e.values
	}
}

// oneTime are the session's keys of what a page shows once and takes out.
var oneTime = []string{flashKey, inviteLinkKey, passwordLinkKey}

// oneTimeValues are the request's one-time session values (none on the
// survey's routes, which have no session).
func (s *Server) oneTimeValues(c echo.Context) map[string]string {
	r := c.Request()
	if s.respondent[r.Method+" "+c.Path()] {
		return nil
	}
	kept := map[string]string{}
	for _, k := range oneTime {
		if v := s.sessions.GetString(r.Context(), k); v != "" {
			kept[k] = v
		}
	}
	return kept
}

// retryRead runs op, which only reads, again while it fails on a lock or a
// lost or refused connection and nothing has been written, with reset run
// before each new try, for up to models.RetryBudget and the request's
// deadline. Retries are counted in the metrics; the last error comes back.
func (s *Server) retryRead(c echo.Context, op func() error, reset func()) error {
	ctx := c.Request().Context()
	began, first := time.Now(), ""
	for i := 1; ; i++ {
		err := op()
		kind := models.ErrorKind(err)
		again := err != nil && (kind == models.ErrKindBusy || kind == models.ErrKindConnection) && !c.Response().Committed
		wait := models.RetryWait(i)
		if again && time.Since(began)+wait > models.RetryBudget {
			again = false
		}
		if !again {
			if first != "" {
				s.metrics.retried(first, err == nil)
			}
			return err
		}
		first = cmp.Or(first, kind)
		select {
		case <-ctx.Done():
			s.metrics.retried(first, false)
			return err
		case <-time.After(wait):
		}
		if reset != nil {
			reset()
		}
	}
}
