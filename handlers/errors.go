package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// handleError is the one error handler: it maps an error to a status and a
// page a person can read, logs server faults with the request's attributes,
// and never shows err.Error() of an internal error to the user.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		// The request logger already ran this handler for the error (it
		// logs the real status); echo calls it again afterwards.
		return
	}
	status, message := http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		message = publicMessage(status, he.Message)
	case errors.Is(err, models.ErrNotFound):
		status, message = http.StatusNotFound, publicMessage(http.StatusNotFound, nil)
	}
	unavailable := false
	switch {
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		// The client went away (a closed tab, the end of a load run): no
		// one reads the answer, and nothing failed on icare's side.
		// 499 is the status proxies log for it.
		status = 499
	case he == nil && status >= 500 && isUnavailable(c, err):
		status, message, unavailable = http.StatusServiceUnavailable, s.unavailable(c, err), true
	case he == nil && status >= 500:
		s.metrics.dbErrors.WithLabelValues(models.ErrorKind(err)).Inc()
	}
	if status >= 500 && !unavailable {
		s.log.Error("request failed",
			"method", c.Request().Method, "uri", s.redact.uri(c.Request().RequestURI),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	// The request's context may be cancelled by now (the timeout middleware
	// has returned); the error page must render all the same.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		_ = c.JSON(status, map[string]string{"error": message})
		return
	}
	page := views.ErrorPage(status, http.StatusText(status), message)
	if unavailable {
		page = views.UnavailablePage(message, int(retryAfter.Seconds()), resendOf(c))
	}
	if rerr := render(c, status, page); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, message)
	}
}

// publicMessage is the text shown for a status: the handler's own message when
// it gave a plain string meant for people, else a standard sentence.
func publicMessage(status int, m any) string {
	if msg, ok := m.(string); ok && msg != "" && msg != http.StatusText(status) && status < 500 {
		return msg
	}
	switch status {
	case http.StatusNotFound:
		return "We could not find that page. Check the link you were given."
	case http.StatusForbidden:
		return "This request was refused. If you were filling in a form, reload the page and try again: your saved answers are kept."
	case http.StatusRequestEntityTooLarge:
		return "That was more than a form here can hold."
	case http.StatusMethodNotAllowed:
		return "That action is not available here."
	case http.StatusBadRequest:
		return "The request could not be understood."
	case http.StatusUnauthorized:
		return "Please sign in first."
	}
	if status >= 500 {
		return "Something went wrong on our side. Please try again in a moment."
	}
	return http.StatusText(status)
}

// wantsJSON reports whether the request is for the JSON API.
func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}
