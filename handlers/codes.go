package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// codeForm is GET /c: the form for a typed personal code.
func (s *Server) codeForm(c echo.Context) error {
	return render(c, http.StatusOK, views.CodeEntry(views.CodeEntryPage{Form: true}))
}

// codeTyped is POST /c: start or resume the typed code's response.
func (s *Server) codeTyped(c echo.Context) error {
	return s.enterCode(c, c.FormValue("code"))
}

// codeStart is POST /c/:token: start or resume, from the welcome page of a
// code's link.
func (s *Server) codeStart(c echo.Context) error {
	return s.enterCode(c, c.Param("token"))
}

// codeWelcome is GET /c/:token (a slip's QR code or a mailed link): the
// survey's welcome page for that code. It changes nothing, so a link
// checker that opens it cannot use the code up or take it over.
func (s *Server) codeWelcome(c echo.Context) error {
	if s.guesses.blocked(c) {
		return s.codeProblem(c, "", errTooManyWrongCodes)
	}
	code, ok := models.NormalizeCode(c.Param("token"))
	if !ok {
		return s.codeProblem(c, c.Param("token"), models.ErrCodeUnknown)
	}
	pc, err := s.store.CodeByText(c.Request().Context(), code)
	if err != nil {
		return s.codeProblem(c, code, err)
	}
	return render(c, http.StatusOK, views.SurveyWelcome(views.Welcome{
		TeamName: pc.Team.Name, RoundName: pc.Round.Name, Action: "/c/" + url.PathEscape(code),
		MinGroup: s.cfg.MinGroup, Code: true, Resumable: pc.ResponseID != nil,
	}))
}

// errTooManyWrongCodes stands for the guess limit in codeProblem.
var errTooManyWrongCodes = errors.New("too many wrong codes")

// enterCode starts the response of a code, or continues it on this device.
func (s *Server) enterCode(c echo.Context, typed string) error {
	if s.guesses.blocked(c) {
		return s.codeProblem(c, "", errTooManyWrongCodes)
	}
	code, ok := models.NormalizeCode(typed)
	if !ok {
		return s.codeProblem(c, typed, models.ErrCodeUnknown)
	}
	st, err := s.store.StartWithCode(c.Request().Context(), code)
	if err != nil {
		return s.codeProblem(c, code, err)
	}
	round, err := s.store.Round(c.Request().Context(), st.Response.RoundID)
	if err != nil {
		return err
	}
	s.setResumeCookie(c, st.ResumeToken)
	s.deviceSecret(c)
	return redirect(c, stepURL(resumeStep(st.Response, round)))
}

// codeProblem is the page for a code that cannot start a response: a clear
// sentence and a 4xx, with the form again where typing another code helps.
// A code that is not known counts against the client's wrong guesses.
func (s *Server) codeProblem(c echo.Context, typed string, err error) error {
	page := views.CodeEntryPage{Code: typed, Form: true}
	status := http.StatusNotFound
	switch {
	case errors.Is(err, errTooManyWrongCodes):
		status, page.Code = http.StatusTooManyRequests, ""
		wait := max(int(math.Ceil(s.guesses.wait(c).Seconds())), 1)
		page.Problem = fmt.Sprintf("Too many codes that do not exist were tried from your network. Please wait %d seconds, then type your code again.", wait)
		c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
	case errors.Is(err, models.ErrCodeUnknown):
		s.guesses.wrong(c)
		page.Problem = "We do not know this code. Check it against your slip or e-mail: it has 16 letters and digits, like K7QM-4T2P-XW9H-3NCF (there is no 0, O, 1 or I in a code). A code that has been used is not known any more either: each gives one response, and once it is submitted nothing is kept of the code."
	case errors.Is(err, models.ErrCodeRevoked):
		status = http.StatusGone
		page.Problem = "This code has been withdrawn and no longer works. If it was yours, ask whoever gave it to you for a new one."
	case errors.Is(err, models.ErrCodeExpired):
		status, page.Form = http.StatusGone, false
		page.Problem = "The survey round this code was for has closed, so it no longer works. Answers not submitted by then were removed."
	case errors.Is(err, models.ErrNotAsked):
		status, page.Form = http.StatusConflict, false
		page.Problem = "The survey round that is open now is a short pulse survey that does not ask your team. Keep the code for the round it is for."
	case errors.Is(err, models.ErrCodeNotYet):
		status, page.Form = http.StatusConflict, false
		page.Problem = "The survey round this code is for has not opened yet. Keep the code: it will work once the round opens."
	default:
		return err
	}
	return render(c, status, views.CodeEntry(page))
}
