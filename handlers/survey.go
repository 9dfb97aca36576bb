package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// SurveyStore is what the respondent's path needs from the data layer.
type SurveyStore interface {
	TeamByInviteToken(ctx context.Context, token string) (models.Team, error)
	Team(ctx context.Context, id uint) (models.Team, error)
	Teams(ctx context.Context) ([]models.Team, error)
	CurrentRound(ctx context.Context) (models.Round, error)
	Round(ctx context.Context, id uint) (models.Round, error)
	DefaultRound(ctx context.Context) (models.Round, error)
	StartResponse(ctx context.Context, teamID uint) (models.Started, error)
	ResponseByResumeToken(ctx context.Context, token string) (models.Response, error)
	ResponseByResultToken(ctx context.Context, token string) (models.Response, error)
	SaveProgress(ctx context.Context, id uint64, p models.Progress) (models.Response, error)
	SubmitWithResult(ctx context.Context, id uint64, resultToken string) (models.Response, error)
	Cells(ctx context.Context, roundID uint) ([]models.Cell, error)
}

// Cookies of the respondent's device: the resume token of its unfinished
// response, and the device's own secret, which with the resume token derives
// the result link (so only the device that submitted can find the result
// without the private result link).
const (
	resumeCookie = "icare_resume"
	deviceCookie = "icare_device"
)

// steps are the questionnaire's pages in order.
var steps = func() []string {
	s := []string{views.StepPerspective}
	for _, id := range scoring.KeyIDs() {
		s = append(s, id)
	}
	return append(s, views.StepComment)
}()

func stepIndex(step string) int {
	for i, s := range steps {
		if s == step {
			return i
		}
	}
	return -1
}

func stepURL(step string) string { return "/s/" + step }

// errNoResponse is shown when a step is opened without a response on this
// device.
var errNoResponse = echo.NewHTTPError(http.StatusNotFound,
	"We could not find your answers on this device. Open your team link again, or the private resume link you kept.")

// surveyWelcome is GET /t/:token: the welcome page of a team's survey.
func (s *Server) surveyWelcome(c echo.Context) error {
	team, round, err := s.openSurvey(c)
	if err != nil || round == nil {
		return err
	}
	w := views.Welcome{TeamName: team.Name, RoundName: round.Name, Action: "/t/" + url.PathEscape(c.Param("token")), MinGroup: s.cfg.MinGroup}
	if r, ok := s.deviceResponse(c); ok && r.TeamID == team.ID && r.RoundID == round.ID {
		if r.Submitted() {
			w.ResultURL = s.resultURL(c, r)
		} else {
			w.Resumable = true
		}
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
			return redirect(c, stepURL(resumeStep(r)))
		}
	}
	st, err := s.store.StartResponse(c.Request().Context(), team.ID)
	if errors.Is(err, models.ErrNoOpenRound) {
		return render(c, http.StatusOK, views.SurveyClosed(team.Name))
	}
	if err != nil {
		return err
	}
	s.setResumeCookie(c, st.ResumeToken)
	s.deviceSecret(c)
	return redirect(c, stepURL(views.StepPerspective))
}

// openSurvey finds the team of the invite link and the open round. With no
// open round it renders the closed page and returns a nil round.
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
	round, err := s.store.CurrentRound(ctx)
	if errors.Is(err, models.ErrNoOpenRound) {
		return team, nil, render(c, http.StatusOK, views.SurveyClosed(team.Name))
	}
	if err != nil {
		return models.Team{}, nil, err
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
	s.setResumeCookie(c, token)
	if r.Submitted() {
		return s.showSubmitted(c, r)
	}
	s.deviceSecret(c)
	return c.Redirect(http.StatusSeeOther, stepURL(resumeStep(r)))
}

// resumeStep is where an unfinished response continues: the first key page
// with no answer yet, the perspective page when nothing is answered, else
// the comment.
func resumeStep(r models.Response) string {
	a := r.Answers()
	if a.Answered() == 0 {
		return views.StepPerspective
	}
	for k, id := range scoring.KeyIDs() {
		empty := true
		for j := range scoring.ItemsPerKey {
			if a[k*scoring.ItemsPerKey+j] != 0 {
				empty = false
			}
		}
		if empty {
			return id
		}
	}
	return views.StepComment
}

func (s *Server) setResumeCookie(c echo.Context, token string) {
	s.setCookie(c, resumeCookie, token)
}

func (s *Server) setCookie(c echo.Context, name, value string) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int((180 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

// deviceSecret returns this device's secret, making one when it has none.
func (s *Server) deviceSecret(c echo.Context) string {
	if ck, err := c.Cookie(deviceCookie); err == nil && len(ck.Value) >= 43 {
		return ck.Value
	}
	secret := models.NewToken()
	s.setCookie(c, deviceCookie, secret)
	// Later code in this request reads the cookie too.
	c.Request().AddCookie(&http.Cookie{Name: deviceCookie, Value: secret})
	return secret
}

// resultURL is the result link this device derives for response r, or ""
// when this device did not submit it.
func (s *Server) resultURL(c echo.Context, r models.Response) string {
	ck, err := c.Cookie(deviceCookie)
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
// submitted goes to its result; any other learns that the answers are in.
func (s *Server) showSubmitted(c echo.Context, r models.Response) error {
	if link := s.resultURL(c, r); link != "" {
		return redirect(c, link)
	}
	return echo.NewHTTPError(http.StatusGone,
		"These answers have been submitted and can no longer change. The result opens on the device they were submitted from, or with the private result link shown after submitting.")
}

func (s *Server) resumeToken(c echo.Context) string {
	ck, err := c.Cookie(resumeCookie)
	if err != nil {
		return ""
	}
	return ck.Value
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

// stepResponse loads the response a step works on; a submitted one sends the
// respondent to the result (so a back-button resubmit or a double click never
// changes anything).
func (s *Server) stepResponse(c echo.Context) (models.Response, int, error) {
	idx := stepIndex(c.Param("step"))
	if idx < 0 {
		return models.Response{}, 0, echo.ErrNotFound
	}
	tok := s.resumeToken(c)
	if tok == "" {
		return models.Response{}, 0, errNoResponse
	}
	r, err := s.store.ResponseByResumeToken(c.Request().Context(), tok)
	if errors.Is(err, models.ErrNotFound) {
		return models.Response{}, 0, errNoResponse
	}
	return r, idx, err
}

// surveyStep is GET /s/:step: a page of the questionnaire with what was saved.
func (s *Server) surveyStep(c echo.Context) error {
	r, idx, err := s.stepResponse(c)
	if err != nil {
		return err
	}
	if r.Submitted() {
		return s.showSubmitted(c, r)
	}
	team, err := s.store.Team(c.Request().Context(), r.TeamID)
	if err != nil {
		return err
	}
	page := stepPage{s: s, c: c, r: r, team: team, idx: idx, answers: r.Answers(), perspective: r.Perspective, comment: r.Comment}
	return page.render(http.StatusOK)
}

// surveySave is POST /s/:step: validate the page, save it, and move on.
func (s *Server) surveySave(c echo.Context) error {
	r, idx, err := s.stepResponse(c)
	if err != nil {
		return err
	}
	if r.Submitted() {
		return s.showSubmitted(c, r)
	}
	ctx := c.Request().Context()
	team, err := s.store.Team(ctx, r.TeamID)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	page := stepPage{s: s, c: c, r: r, team: team, idx: idx, answers: r.Answers(), perspective: r.Perspective, comment: r.Comment}
	progress, ok := page.parse(form)
	if !ok {
		return page.render(http.StatusUnprocessableEntity)
	}
	action := form.Get("action")
	if steps[idx] != views.StepPerspective && steps[idx] != views.StepComment && action != "back" &&
		page.allSkipped() && form.Get("confirm_skip") != "1" {
		if _, err := s.store.SaveProgress(ctx, r.ID, progress); err != nil {
			return s.saveError(c, &page, err)
		}
		page.confirmSkip = true
		page.notice = "You skipped every statement on this page. Choose Next again to go on without answering them, or pick your answers."
		return page.render(http.StatusOK)
	}
	if _, err := s.store.SaveProgress(ctx, r.ID, progress); err != nil {
		return s.saveError(c, &page, err)
	}
	switch {
	case action == "back" && idx > 0:
		return redirect(c, stepURL(steps[idx-1]))
	case action == "back":
		return redirect(c, stepURL(steps[idx]))
	case steps[idx] != views.StepComment:
		return redirect(c, stepURL(steps[idx+1]))
	}
	resultToken := models.ResultTokenFor(s.resumeToken(c), s.deviceSecret(c))
	if _, err := s.store.SubmitWithResult(ctx, r.ID, resultToken); err != nil {
		return s.saveError(c, &page, err)
	}
	return redirect(c, "/r/"+resultToken)
}

// saveError turns the expected failures of saving and submitting into pages.
func (s *Server) saveError(c echo.Context, page *stepPage, err error) error {
	switch {
	case errors.Is(err, models.ErrSubmitted):
		return s.showSubmitted(c, page.r)
	case errors.Is(err, models.ErrRoundClosed):
		page.problems = append(page.problems, "This survey round closed while you were answering, so your answers can no longer be submitted. They are kept as they were.")
		page.roundEnded = true
		return page.render(http.StatusConflict)
	}
	return err
}

// stepPage is one questionnaire page being shown or checked.
type stepPage struct {
	s           *Server
	c           echo.Context
	r           models.Response
	team        models.Team
	idx         int
	answers     scoring.Answers
	perspective string
	comment     string
	itemErrors  map[int]string
	fieldError  string
	problems    []string
	notice      string
	confirmSkip bool
	roundEnded  bool
}

// parse reads and checks the posted form of the page. Valid values are kept
// in the page whatever happens, so a re-rendered page shows them; it returns
// the progress to save and whether the page was valid.
func (p *stepPage) parse(form url.Values) (models.Progress, bool) {
	step := steps[p.idx]
	allowed := map[string]bool{"_csrf": true, "action": true, "confirm_skip": true}
	var prog models.Progress
	switch step {
	case views.StepPerspective:
		allowed["perspective"] = true
		v := form.Get("perspective")
		switch {
		case v == "":
			p.fieldError = "Choose the option that fits you best, or “Prefer not to say”."
		case !scoring.ValidPerspective(v):
			p.fieldError = "That is not one of the options: choose one of the roles below."
		default:
			p.perspective = v
			prog.Perspective = &v
		}
		if p.fieldError != "" {
			p.problems = append(p.problems, p.fieldError)
		}
	case views.StepComment:
		allowed["comment"] = true
		v := strings.ReplaceAll(form.Get("comment"), "\r\n", "\n")
		p.comment = v
		switch {
		case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
			p.fieldError = "The comment contains characters that are not text; please type or paste it again."
		case utf8.RuneCountInString(v) > models.MaxCommentLength:
			p.fieldError = fmt.Sprintf("The comment has %d characters; please shorten it to %d at most.", utf8.RuneCountInString(v), models.MaxCommentLength)
		default:
			prog.Comment = &v
		}
		if p.fieldError != "" {
			p.problems = append(p.problems, p.fieldError)
		}
	default:
		p.itemErrors = map[int]string{}
		k := p.idx - 1
		for j := range scoring.ItemsPerKey {
			i := k*scoring.ItemsPerKey + j
			id := scoring.ItemID(i)
			allowed[id] = true
			vals, present := form[id]
			if !present {
				// A statement missing from the form counts as skipped.
				p.answers[i] = 0
				prog.Items = append(prog.Items, i)
				continue
			}
			v := strings.TrimSpace(vals[len(vals)-1])
			switch {
			case len(vals) > 1:
				p.itemErrors[i] = "Choose one answer only."
			case v == "":
				p.answers[i] = 0
				prog.Items = append(prog.Items, i)
			case len(v) == 1 && v[0] >= '1' && v[0] <= '5':
				p.answers[i] = v[0] - '0'
				prog.Answers[i] = p.answers[i]
				prog.Items = append(prog.Items, i)
			default:
				p.itemErrors[i] = fmt.Sprintf("“%s” is not one of the answers: choose 1 to 5, or Skip.", truncate(v, 20))
			}
			if msg, bad := p.itemErrors[i]; bad {
				p.problems = append(p.problems, fmt.Sprintf("Statement %d: %s", j+1, msg))
			}
		}
	}
	for name := range form {
		if allowed[name] {
			continue
		}
		if _, isItem := scoring.ItemIndex(name); isItem {
			p.problems = append(p.problems, fmt.Sprintf("The form carried an answer to %s, which is not on this page; nothing was saved. Please send the page again.", truncate(name, 10)))
		} else {
			p.problems = append(p.problems, fmt.Sprintf("The form carried an unknown field “%s”; nothing was saved. Please send the page again.", truncate(name, 30)))
		}
	}
	return prog, len(p.problems) == 0
}

func (p *stepPage) allSkipped() bool {
	k := p.idx - 1
	for j := range scoring.ItemsPerKey {
		if p.answers[k*scoring.ItemsPerKey+j] != 0 {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// render draws the page with status.
func (p *stepPage) render(status int) error {
	step := steps[p.idx]
	frame := views.SurveyFrame{
		TeamName:  p.team.Name,
		Action:    stepURL(step),
		Progress:  progressOf(p.idx),
		ResumeURL: p.s.cfg.BaseURL + "/resume/" + p.s.resumeToken(p.c),
		Problems:  p.problems,
		Notice:    p.notice,
	}
	switch step {
	case views.StepPerspective:
		page := views.PerspectivePage{SurveyFrame: frame, Error: p.fieldError}
		for _, v := range scoring.Perspectives {
			page.Choices = append(page.Choices, views.Choice{Value: v, Label: scoring.PerspectiveLabel(v), Checked: v == p.perspective && (v != "unspecified" || p.r.Answers().Answered() > 0)})
		}
		return render(p.c, status, views.SurveyPerspective(page))
	case views.StepComment:
		return render(p.c, status, views.SurveyComment(views.CommentPage{SurveyFrame: frame, Comment: p.comment, Error: p.fieldError, MaxLength: models.MaxCommentLength, RoundEnded: p.roundEnded}))
	}
	k := p.idx - 1
	ins := scoring.V1()
	dim := ins.Dimensions[k]
	page := views.KeyPage{SurveyFrame: frame, KeyID: dim.ID, KeyName: dim.Name, Description: dim.Description, Labels: ins.Scale.Labels, ConfirmSkip: p.confirmSkip}
	for j, it := range dim.Items {
		i := k*scoring.ItemsPerKey + j
		page.Statements = append(page.Statements, views.Statement{ID: it.ID, Number: j + 1, Text: it.Text, Value: p.answers[i], Error: p.itemErrors[i]})
	}
	return render(p.c, status, views.SurveyKey(page))
}

// progressOf labels step idx: "Before you start", "Key 2 of 5", "Last step".
func progressOf(idx int) views.Progress {
	label := "Last step"
	switch {
	case idx == 0:
		label = "Before you start"
	case idx <= scoring.NumKeys:
		label = fmt.Sprintf("Key %d of %d", idx, scoring.NumKeys)
	}
	return views.Progress{Label: label, Value: idx, Max: len(steps) - 1}
}

// isControl reports a control character other than tab and newline: such
// characters are never part of a comment someone typed (and PostgreSQL
// refuses NUL).
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}
