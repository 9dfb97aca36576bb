package handlers

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// The questionnaire's pages: each opened from the response this device's
// resume token opens, saved step by step, and the comment page's Submit.

// openStep loads the response a step works on and its page as saved, in one
// query. A submitted response sends the respondent to the result instead (so
// a back-button resubmit or a double click never changes anything): the page
// is then nil, and err is what answering that took.
func (s *Server) openStep(c echo.Context) (models.Response, *stepPage, error) {
	idx := stepIndex(c.Param("step"))
	if idx < 0 {
		return models.Response{}, nil, echo.ErrNotFound
	}
	tok := s.resumeToken(c)
	if tok == "" {
		return models.Response{}, nil, errNoResponse
	}
	// A key page shows its key's answers; the perspective page asks
	// whether any was given.
	key := keyOfStep(idx)
	if key < 0 {
		key = models.AllKeys
	}
	u, err := s.store.ResponseForStep(c.Request().Context(), tok, key)
	if errors.Is(err, models.ErrNotFound) {
		return models.Response{}, nil, s.noResponse(c)
	}
	if err != nil {
		return models.Response{}, nil, err
	}
	if u.Submitted() {
		return u.Response, nil, s.showSubmitted(c, u.Response)
	}
	flow := flowOf(u.Round())
	if !slices.Contains(flow, idx) {
		return models.Response{}, nil, echo.NewHTTPError(http.StatusNotFound,
			"This page is not part of this round's survey: it asks fewer keys. Go on with the pages it shows.")
	}
	return u.Response, newStepPage(idx, flow, u.Response, u.TeamName, s.cfg.BaseURL+"/resume/"+tok), nil
}

// surveyStep is GET /s/:step: a page of the questionnaire with what was saved.
func (s *Server) surveyStep(c echo.Context) error {
	_, page, err := s.openStep(c)
	if err != nil || page == nil {
		return err
	}
	return render(c, http.StatusOK, page.component())
}

// surveySave is POST /s/:step: check the page, save it, and move on (or
// back, or submit on the last page). A page with problems is shown again
// with them and saves nothing; a key page sent with every statement skipped
// is saved and shown once more, asking to confirm.
func (s *Server) surveySave(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	idx := stepIndex(c.Param("step"))
	var in stepInput
	if idx >= 0 {
		in = parseStep(idx, form)
		if steps[idx] == views.StepComment && in.action != actionBack && len(in.problems) == 0 {
			return s.submit(c, in)
		}
	}
	// A save that goes on to another page writes without reading the
	// response first: the page is read only to be drawn again (a problem,
	// a skipped page to confirm) or when the save matched nothing, to learn
	// why.
	var saveErr error
	if idx >= 0 && len(in.problems) == 0 && !in.asksToConfirmSkip(idx) {
		keys, err := s.store.SaveProgressByResumeToken(c.Request().Context(), s.resumeToken(c), in.progress)
		if err == nil {
			return s.savedStep(c, idx, in, flowOf(models.Round{Keys: keys}))
		}
		saveErr = err
	}
	// A save that matched nothing is tried again by id below; one that
	// failed is answered with the page, or beside the read's failure.
	failed := saveErr != nil && !errors.Is(saveErr, models.ErrNotSaved)
	r, page, err := s.openStep(c) // a 404 for an unknown step
	if err != nil && failed {
		return errors.Join(saveErr, err)
	}
	if err != nil || page == nil {
		return err
	}
	page.show(in)
	if len(in.problems) > 0 {
		return render(c, http.StatusUnprocessableEntity, page.component())
	}
	if failed {
		return s.saveError(c, r, page, saveErr)
	}
	if err := s.store.SaveProgress(c.Request().Context(), r.ID, in.progress); err != nil {
		return s.saveError(c, r, page, err)
	}
	if in.asksToConfirmSkip(idx) {
		s.setResumeCookie(c, s.resumeToken(c))
		page.confirmSkip = true
		page.notice = "You skipped every statement on this page. Choose Next again to go on without answering them, or pick your answers."
		return render(c, http.StatusOK, page.component())
	}
	return s.savedStep(c, idx, in, page.flow)
}

// savedStep answers a saved page idx of a round whose pages are flow: on
// to the next page, or back to the one before.
func (s *Server) savedStep(c echo.Context, idx int, in stepInput, flow []int) error {
	// The device remembers the response for deviceMemory after each save.
	s.setResumeCookie(c, s.resumeToken(c))
	if in.action == actionBack {
		return redirect(c, stepURL(stepAfter(flow, idx, -1)))
	}
	return redirect(c, stepURL(stepAfter(flow, idx, +1)))
}

// submit saves the comment page in and submits the response this device's
// resume token opens, in one transaction, then sends the respondent to
// their result. The transaction finds the response itself: the page is read
// only when the submit fails, to answer with it. A second click on Submit
// finds the response submitted by this device, and goes to the result too.
func (s *Server) submit(c echo.Context, in stepInput) error {
	tok := s.resumeToken(c)
	if tok == "" {
		return errNoResponse
	}
	resultToken := models.ResultTokenFor(tok, s.deviceSecret(c))
	_, already, err := s.store.SaveAndSubmitByResumeToken(c.Request().Context(), tok, in.progress, resultToken)
	if err == nil {
		if !already {
			s.metrics.submitted.Inc()
		}
		s.forgetDevice(c)
		return redirect(c, "/r/"+resultToken)
	}
	// Gone, submitted by another device, or the database away: openStep
	// answers the first two as any page does. When it fails too (the
	// database still away, the request's time up), the answer is the
	// submit's failure, with the read's beside it for the log.
	r, page, openErr := s.openStep(c)
	if openErr != nil {
		return errors.Join(err, openErr)
	}
	if page == nil {
		return nil
	}
	page.show(in)
	return s.saveError(c, r, page, err)
}

// saveError turns the expected failures of saving and submitting into pages.
func (s *Server) saveError(c echo.Context, r models.Response, page *stepPage, err error) error {
	switch {
	case errors.Is(err, models.ErrSubmitted):
		return s.showSubmitted(c, r)
	case errors.Is(err, models.ErrRoundClosed), errors.Is(err, models.ErrNotFound):
		// Closing a round removes its unfinished responses, so a save
		// racing the close may find its response gone.
		page.in.problems = append(page.in.problems, "This survey round closed while you were answering, so your answers can no longer be saved or submitted. Answers not submitted are removed when a round closes.")
		page.roundEnded = true
		return render(c, http.StatusConflict, page.component())
	case isUnavailable(c, err):
		// The page comes back as it was sent, to send again.
		page.in.problems = append(page.in.problems, s.unavailable(c, err)+" What you chose on this page is still marked: send it again.")
		return render(c, http.StatusServiceUnavailable, page.component())
	}
	return err
}
