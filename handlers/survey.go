package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// Cookies of the respondent's device while a response is unfinished: its
// resume token, and the device's own secret, which with the resume token
// derives the result link (so a resume link alone never opens a result).
// A device may be shared, by a team on a kiosk or by a family: the cookies
// live deviceMemory after the last save, and are dropped at the submit, so
// the next person who opens the team link finds nothing of the last one's.
// Longer breaks, and the result, go by the private links a respondent keeps.
const (
	resumeCookie = "icare_resume"
	deviceCookie = "icare_device"
	deviceMemory = 12 * time.Hour
)

// errNoResponse is shown when a step is opened without a response on this
// device.
var errNoResponse = echo.NewHTTPError(http.StatusNotFound,
	"There are no unfinished answers on this device. Answers that were submitted are in: their result opens with the private result link shown after submitting. To go on with answers not yet submitted, open the private resume link you kept, or your team link.")

// errRoundEnded is shown for unfinished answers of a round that has closed.
var errRoundEnded = echo.NewHTTPError(http.StatusGone,
	"This survey round has closed. Answers not submitted by then were removed at the close, since no one can submit them any more. When the next round opens, your team link works again.")

// surveyWelcome is GET /t/:token: the welcome page of a team's survey.
func (s *Server) surveyWelcome(c echo.Context) error {
	team, round, err := s.openSurvey(c)
	if err != nil || round == nil {
		return err
	}
	w := views.Welcome{TeamName: team.Name, RoundName: round.Name, Action: "/t/" + url.PathEscape(c.Param("token")), MinGroup: s.cfg.MinGroup}
	if r, ok := s.deviceResponse(c); ok && r.TeamID == team.ID && r.RoundID == round.ID && !r.Submitted() {
		w.Resumable = true
	}
	return render(c, http.StatusOK, views.SurveyWelcome(w))
}

// surveyStart is POST /t/:token: start a response (or continue this
// device's unfinished one) and go to its first step.
func (s *Server) surveyStart(c echo.Context) error {
	team, round, err := s.openSurvey(c)
	if err != nil || round == nil {
		return err
	}
	if c.FormValue("action") == "resume" {
		if r, ok := s.deviceResponse(c); ok && r.TeamID == team.ID && r.RoundID == round.ID && !r.Submitted() {
			return redirect(c, stepURL(resumeStep(r, *round)))
		}
	}
	if err := s.starts.allow(c); err != nil {
		return err
	}
	st, err := s.store.StartResponse(c.Request().Context(), team.ID)
	switch {
	case errors.Is(err, models.ErrNoOpenRound):
		return render(c, http.StatusOK, views.SurveyClosed(team.Name))
	case errors.Is(err, models.ErrNotAsked):
		return render(c, http.StatusOK, views.SurveyNotAsked(team.Name, round.Name))
	}
	if err != nil {
		return err
	}
	s.setResumeCookie(c, st.ResumeToken)
	s.deviceSecret(c)
	return redirect(c, stepURL(views.StepPerspective))
}

// openSurvey finds the team of the invite link and the open round. With no
// open round, or for a team on personal codes, it renders the page that
// says so and returns a nil round.
func (s *Server) openSurvey(c echo.Context) (models.Team, *models.Round, error) {
	ctx := c.Request().Context()
	team, err := s.store.TeamByInviteToken(ctx, c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return models.Team{}, nil, echo.NewHTTPError(http.StatusNotFound,
			"This survey link is not valid. It may have been mistyped or replaced by a new one: ask whoever sent it for the current link.")
	}
	if err != nil {
		return models.Team{}, nil, err
	}
	if team.Access == models.AccessCodes {
		return team, nil, render(c, http.StatusForbidden, views.SurveyCodesOnly(views.CodesOnlyPage{TeamName: team.Name}))
	}
	round, err := s.store.CurrentRound(ctx)
	if errors.Is(err, models.ErrNoOpenRound) {
		return team, nil, render(c, http.StatusOK, views.SurveyClosed(team.Name))
	}
	if err != nil {
		return models.Team{}, nil, err
	}
	if !round.AsksTeam(team.ID) {
		return team, nil, render(c, http.StatusOK, views.SurveyNotAsked(team.Name, round.Name))
	}
	return team, &round, nil
}

// surveyResume is GET /resume/:token: the private resume link puts the
// response on this device and continues where it stopped.
func (s *Server) surveyResume(c echo.Context) error {
	token := c.Param("token")
	r, err := s.store.ResponseByResumeToken(c.Request().Context(), token)
	if errors.Is(err, models.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This resume link is not valid. Check that you copied all of it.")
	}
	if err != nil {
		return err
	}
	if r.Submitted() {
		return s.showSubmitted(c, r)
	}
	round, err := s.store.Round(c.Request().Context(), r.RoundID)
	if err != nil {
		return err
	}
	s.setResumeCookie(c, token)
	s.deviceSecret(c)
	return c.Redirect(http.StatusSeeOther, stepURL(resumeStep(r, round)))
}

// resumeStep is where an unfinished response of round continues: the first
// page of a key it asks with no answer yet, the perspective page when
// nothing is answered, else the comment.
func resumeStep(r models.Response, round models.Round) string {
	a := r.Answers()
	if a.Answered() == 0 {
		return views.StepPerspective
	}
	for _, k := range round.AskedKeys() {
		empty := true
		for j := range scoring.ItemsPerKey {
			if a[k*scoring.ItemsPerKey+j] != 0 {
				empty = false
			}
		}
		if empty {
			return scoring.KeyIDs()[k]
		}
	}
	return views.StepComment
}

func (s *Server) setResumeCookie(c echo.Context, token string) {
	s.setCookie(c, resumeCookie, token)
}

func (s *Server) setCookie(c echo.Context, name, value string) {
	replaceCookie(c, s.cookie(name, value, deviceMemory))
}

// forgetDevice drops the device's cookies once its response is submitted.
func (s *Server) forgetDevice(c echo.Context) {
	for _, name := range []string{resumeCookie, deviceCookie} {
		replaceCookie(c, s.cookie(name, "", -1))
	}
}

// deviceSecret returns this device's secret, making one when it has none.
func (s *Server) deviceSecret(c echo.Context) string {
	if ck, err := c.Cookie(s.cookieName(deviceCookie)); err == nil && len(ck.Value) >= 43 {
		s.setCookie(c, deviceCookie, ck.Value)
		return ck.Value
	}
	secret := models.NewToken()
	s.setCookie(c, deviceCookie, secret)
	// Later code in this request reads the cookie too.
	c.Request().AddCookie(&http.Cookie{Name: s.cookieName(deviceCookie), Value: secret})
	return secret
}

// resultURL is the result link this device derives for response r, or ""
// when this device did not submit it.
func (s *Server) resultURL(c echo.Context, r models.Response) string {
	ck, err := c.Cookie(s.cookieName(deviceCookie))
	tok := s.resumeToken(c)
	if err != nil || tok == "" {
		return ""
	}
	token := models.ResultTokenFor(tok, ck.Value)
	got, err := s.store.ResponseByResultToken(c.Request().Context(), token)
	if err != nil || got.ID != r.ID {
		return ""
	}
	return "/r/" + token
}

// showSubmitted answers any step of a submitted response: the device that
// submitted (a second click on Submit, say) goes to its result and forgets
// it; any other learns that the answers are in.
func (s *Server) showSubmitted(c echo.Context, r models.Response) error {
	if link := s.resultURL(c, r); link != "" {
		s.forgetDevice(c)
		return redirect(c, link)
	}
	return echo.NewHTTPError(http.StatusGone,
		"These answers have been submitted and can no longer change. The result opens on the device they were submitted from, or with the private result link shown after submitting.")
}

func (s *Server) resumeToken(c echo.Context) string {
	ck, err := c.Cookie(s.cookieName(resumeCookie))
	if err != nil {
		return ""
	}
	return ck.Value
}

// noResponse is the answer to a step whose response is gone: its round has
// closed (which removes unfinished responses), or there is none.
func (s *Server) noResponse(c echo.Context) error {
	_, err := s.store.CurrentRound(c.Request().Context())
	if errors.Is(err, models.ErrNoOpenRound) {
		return errRoundEnded
	}
	if err != nil {
		return err
	}
	return errNoResponse
}

// deviceResponse is the response this device's cookie points at, if any.
func (s *Server) deviceResponse(c echo.Context) (models.Response, bool) {
	tok := s.resumeToken(c)
	if tok == "" {
		return models.Response{}, false
	}
	r, err := s.store.ResponseByResumeToken(c.Request().Context(), tok)
	return r, err == nil
}
