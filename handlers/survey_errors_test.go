package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// atPageI starts a response on a's survey as a new device, chooses the
// perspective and opens page I.
func atPageI(t *testing.T, a *app) (*client, models.Team) {
	t.Helper()
	team := a.survey()
	cl := a.client()
	cl.start(t, team)
	cl.get("/s/perspective")
	wantRedirect(t, cl.post("/s/perspective", url.Values{"perspective": {"frontline"}, "action": {"next"}}), "/s/I")
	cl.get("/s/I")
	return cl, team
}

// answeredI starts a response and saves I as 4,4,4,4,4.
func answeredI(t *testing.T) (*app, *client, models.Team) {
	t.Helper()
	a := newApp(t)
	cl, team := atPageI(t, a)
	wantRedirect(t, cl.post("/s/I", keyForm(0, [5]uint8{4, 4, 4, 4, 4})), "/s/C")
	cl.get("/s/I")
	return a, cl, team
}

func TestBadAnswersKeepWhatWasSaved(t *testing.T) {
	saved := scoring.Answers{4, 4, 4, 4, 4}
	cases := []struct {
		name    string
		form    url.Values
		message string
	}{
		{"value outside 1–5", url.Values{"I1": {"7"}, "I2": {"2"}, "action": {"next"}}, "is not one of the answers"},
		{"value zero", url.Values{"I1": {"0"}, "action": {"next"}}, "is not one of the answers"},
		{"not a number", url.Values{"I3": {"lots"}, "action": {"next"}}, "is not one of the answers"},
		{"two values", url.Values{"I3": {"2", "3"}, "action": {"next"}}, "one answer only"},
		{"unknown item", url.Values{"I1": {"2"}, "Z9": {"3"}, "action": {"next"}}, "unknown field"},
		{"item of another page", url.Values{"I1": {"2"}, "C1": {"3"}, "action": {"next"}}, "C1, which is not on this page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, cl, _ := answeredI(t)
			rec := cl.post("/s/I", tc.form)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("got %d want 422", rec.Code)
			}
			d := doc(t, rec)
			if msg := d.Find(`[data-testid="problems"]`).Text(); !strings.Contains(msg, tc.message) {
				t.Errorf("problems: got %q want %q", msg, tc.message)
			}
			if tc.form.Get("I1") == "7" {
				if d.Find(`[data-testid="statement-I1"] .field-error`).Length() != 1 {
					t.Error("the bad statement is not marked")
				}
				// The valid answer next to it is kept on the page.
				if v, _ := d.Find(`input[name="I2"]:checked`).Attr("value"); v != "2" {
					t.Errorf("valid I2 not kept: checked %q", v)
				}
			}
			if got := cl.storedResponse(t).Answers(); got != saved {
				t.Errorf("saved answers changed: got %v want %v", got, saved)
			}
		})
	}
}

func TestBadPerspectiveAndComment(t *testing.T) {
	_, cl, _ := answeredI(t)
	cl.get("/s/perspective")
	for _, v := range []string{"ceo", ""} {
		rec := cl.post("/s/perspective", url.Values{"perspective": {v}, "action": {"next"}})
		if rec.Code != http.StatusUnprocessableEntity || doc(t, rec).Find("#perspective-error").Length() != 1 {
			t.Errorf("perspective %q: got %d, want 422 with the error marked", v, rec.Code)
		}
	}
	if got := cl.storedResponse(t).Perspective; got != "frontline" {
		t.Errorf("perspective after bad posts: got %q want frontline", got)
	}

	cl.get("/s/comment")
	wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {"short and kept"}, "action": {"back"}}), "/s/E")
	cl.get("/s/comment")
	long := strings.Repeat("é", models.MaxCommentLength+1)
	rec := cl.post("/s/comment", url.Values{"comment": {long}, "action": {"submit"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("long comment: got %d want 422", rec.Code)
	}
	d := doc(t, rec)
	if !strings.Contains(d.Find("#comment-error").Text(), "2001 characters") {
		t.Errorf("comment error: %q", d.Find("#comment-error").Text())
	}
	if d.Find("textarea[name=comment]").Text() != long {
		t.Error("the long comment is not kept in the textarea")
	}
	r := cl.storedResponse(t)
	if r.Submitted() || r.Comment != "short and kept" {
		t.Errorf("after a long comment: submitted=%v comment=%q", r.Submitted(), r.Comment)
	}
	// Exactly 2,000 characters is fine.
	ok := strings.Repeat("ü", models.MaxCommentLength)
	wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {ok}, "action": {"submit"}}), "/r/")
}

func TestAllSkippedAsksOnce(t *testing.T) {
	_, cl, _ := answeredI(t)
	cl.get("/s/C")
	rec := cl.post("/s/C", keyForm(1, [5]uint8{}))
	if rec.Code != http.StatusOK {
		t.Fatalf("all skipped: got %d want the page again", rec.Code)
	}
	d := doc(t, rec)
	if !strings.Contains(d.Find(`[data-testid="notice"]`).Text(), "skipped every statement") {
		t.Errorf("no confirmation notice: %q", d.Find(`[data-testid="notice"]`).Text())
	}
	if v, _ := d.Find(`input[name="confirm_skip"]`).Attr("value"); v != "1" {
		t.Fatal("the confirmation page does not carry confirm_skip")
	}
	form := keyForm(1, [5]uint8{})
	form.Set("confirm_skip", "1")
	wantRedirect(t, cl.post("/s/C", form), "/s/A")
	// Back with everything skipped needs no confirmation.
	cl.get("/s/A")
	back := keyForm(2, [5]uint8{})
	back.Set("action", "back")
	wantRedirect(t, cl.post("/s/A", back), "/s/C")
}

func TestCSRFMissingOrWrongChangesNothing(t *testing.T) {
	_, cl, _ := answeredI(t)
	for _, tok := range []string{"", "forged-token"} {
		form := keyForm(0, [5]uint8{1, 1, 1, 1, 1})
		form.Set("_csrf", tok)
		rec := cl.post("/s/I", form)
		if rec.Code != http.StatusForbidden {
			t.Errorf("csrf %q: got %d want 403", tok, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "Reload the page") {
			t.Errorf("csrf %q: the page does not ask to reload", tok)
		}
	}
	if got := cl.storedResponse(t).Answers(); got != (scoring.Answers{4, 4, 4, 4, 4}) {
		t.Errorf("answers changed by refused posts: %v", got)
	}
	// A POST from another site is refused even with a token.
	req := cl.postRequest("/s/I", url.Values{"_csrf": {cl.csrf}, "I1": {"1"}, "action": {"next"}})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := cl.a.serve(req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site post: got %d want 403", rec.Code)
	}
}

func TestUnknownLinksAndClosedSurvey(t *testing.T) {
	a := newApp(t)
	cl := a.client()
	for _, path := range []string{"/t/no-such-token", "/resume/no-such-token", "/r/no-such-token"} {
		rec := cl.get(path)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "not valid") {
			t.Errorf("%s: got %d want a friendly 404", path, rec.Code)
		}
	}
	rec := cl.get("/s/I")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "no unfinished answers on this device") {
		t.Errorf("a step without a response: got %d", rec.Code)
	}
	team, err := a.store.CreateTeam(context.Background(), models.NewTeam{Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	rec = cl.get("/t/" + team.InviteToken)
	if rec.Code != http.StatusOK || doc(t, rec).Find(`[data-testid="closed"]`).Length() != 1 {
		t.Errorf("no open round: got %d without the closed page", rec.Code)
	}
}

// TestRoundClosedWhileAnswering: closing a round removes its unfinished
// responses; whoever was answering learns why, on the next page they open
// and on a save that raced the close.
func TestRoundClosedWhileAnswering(t *testing.T) {
	a, cl, _ := answeredI(t)
	open, err := a.store.CurrentRound(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.CloseRound(context.Background(), models.CommandLine, open.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.store.CountResponses(context.Background(), open.ID, models.StatusInProgress); n != 0 {
		t.Errorf("unfinished responses after the close: %d want 0", n)
	}
	for _, rec := range []*httptest.ResponseRecorder{cl.get("/s/comment"), cl.post("/s/comment", url.Values{"comment": {"late"}, "action": {"submit"}})} {
		if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "This survey round has closed") {
			t.Errorf("after the close: got %d want 410 saying the round has closed", rec.Code)
		}
	}
}

// closingStore closes the open round just before the next save, as an admin
// might between a respondent opening a page and sending it.
type closingStore struct{ *models.Store }

func (s closingStore) close(ctx context.Context) error {
	if r, err := s.CurrentRound(ctx); err == nil {
		if _, err := s.CloseRound(ctx, models.CommandLine, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s closingStore) SaveProgress(ctx context.Context, id uint64, p models.Progress) error {
	if err := s.close(ctx); err != nil {
		return err
	}
	return s.Store.SaveProgress(ctx, id, p)
}

func (s closingStore) SaveProgressByResumeToken(ctx context.Context, tok string, p models.Progress) (string, error) {
	if err := s.close(ctx); err != nil {
		return "", err
	}
	return s.Store.SaveProgressByResumeToken(ctx, tok, p)
}

// unchangedClosingStore is closingStore where a save by resume token
// matches nothing, as on MariaDB, which counts changed rows, when the
// page's values were stored already: the survey then reads the response
// and saves it by id, and the round closes just before that save.
type unchangedClosingStore struct{ closingStore }

func (s unchangedClosingStore) SaveProgressByResumeToken(context.Context, string, models.Progress) (string, error) {
	return "", models.ErrNotSaved
}

func (s closingStore) SaveAndSubmitByResumeToken(ctx context.Context, tok string, p models.Progress, resultToken string) (models.Response, bool, error) {
	if err := s.close(ctx); err != nil {
		return models.Response{}, false, err
	}
	return s.Store.SaveAndSubmitByResumeToken(ctx, tok, p, resultToken)
}

// unchangedStore is a Store where a save by resume token matches nothing,
// as on MariaDB when the page's values were stored already.
type unchangedStore struct{ *models.Store }

func (s unchangedStore) SaveProgressByResumeToken(context.Context, string, models.Progress) (string, error) {
	return "", models.ErrNotSaved
}

// TestASaveThatMatchedNothingIsSavedByID: when the save by resume token
// matches nothing although the response is in progress, the page is read
// and saved by the response's id, and the survey goes on as after any save:
// the device is told again to remember the response, as it is after a save
// by token and after the page that asks to confirm a skipped key.
func TestASaveThatMatchedNothingIsSavedByID(t *testing.T) {
	remembers := func(rec *httptest.ResponseRecorder) bool {
		for _, ck := range rec.Result().Cookies() {
			if strings.HasSuffix(ck.Name, "icare_resume") && ck.MaxAge > 0 {
				return true
			}
		}
		return false
	}
	a := newApp(t, wrapStore(func(s *models.Store) handlers.Store { return unchangedStore{s} }))
	cl := a.client()
	cl.start(t, a.survey())
	cl.get("/s/I")
	rec := cl.post("/s/I", keyForm(0, [5]uint8{5, 4, 3, 2, 1}))
	wantRedirect(t, rec, "/s/C")
	if got := cl.storedResponse(t).Answers(); got[0] != 5 || got[4] != 1 || got.Answered() != 5 {
		t.Errorf("stored answers: %v want I1–I5 = 5, 4, 3, 2, 1", got)
	}
	if !remembers(rec) {
		t.Error("a save by id does not renew the resume cookie")
	}

	b := newApp(t)
	cl = b.client()
	cl.start(t, b.survey())
	cl.get("/s/I")
	if rec := cl.post("/s/I", keyForm(0, [5]uint8{5, 4, 3, 2, 1})); !remembers(rec) {
		t.Error("a save by resume token does not renew the resume cookie")
	}
	cl.get("/s/C")
	if rec := cl.post("/s/C", keyForm(1, [5]uint8{})); rec.Code != http.StatusOK || !remembers(rec) {
		t.Errorf("a skipped key to confirm: %d, resume cookie renewed %v; want 200 and renewed", rec.Code, remembers(rec))
	}
}

// TestSaveRacingTheCloseIsToldSo: a key page or a Submit sent as the round
// closes learns that the round has closed, as any page after it does; and
// where the close lands between the page's read and its save, the page
// comes back with what was chosen and why it was not saved.
func TestSaveRacingTheCloseIsToldSo(t *testing.T) {
	a := newApp(t, wrapStore(func(s *models.Store) handlers.Store { return closingStore{s} }))
	team := a.survey()
	cl := a.client()
	cl.start(t, team)
	cl.get("/s/I")
	if rec := cl.post("/s/I", keyForm(0, [5]uint8{5, 4, 3, 2, 1})); rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "This survey round has closed") {
		t.Errorf("key page racing the close: got %d want 410 saying the round has closed", rec.Code)
	}

	a = newApp(t, wrapStore(func(s *models.Store) handlers.Store { return unchangedClosingStore{closingStore{s}} }))
	team = a.survey()
	cl = a.client()
	cl.start(t, team)
	cl.get("/s/I")
	rec := cl.post("/s/I", keyForm(0, [5]uint8{5, 4, 3, 2, 1}))
	if rec.Code != http.StatusConflict {
		t.Fatalf("save racing the close: got %d want 409", rec.Code)
	}
	d := doc(t, rec)
	if msg := d.Find(`[data-testid="problems"]`).Text(); !strings.Contains(msg, "closed while you were answering") {
		t.Errorf("message: %q", msg)
	}
	if got, _ := d.Find("input[name=I1][checked]").Attr("value"); got != "5" {
		t.Errorf("the page lost what was chosen: I1 checked %q, want 5", got)
	}

	if _, err := a.store.CreateRound(context.Background(), models.NewRound{Name: "Again", Open: true}); err != nil {
		t.Fatal(err)
	}
	cl = a.client()
	cl.start(t, team)
	cl.get("/s/comment")
	rec = cl.post("/s/comment", url.Values{"comment": {"late"}, "action": {"submit"}})
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "This survey round has closed") {
		t.Errorf("submit racing the close: got %d want 410 saying the round has closed", rec.Code)
	}
}

func TestResumeByCookieAndByLink(t *testing.T) {
	a, cl, team := answeredI(t)
	// Same device: the welcome page offers to continue, and continuing lands
	// on the first key without answers.
	d := doc(t, cl.get("/t/"+team.InviteToken))
	if got := d.Find("form button").First().Text(); got != "Continue where you left off" {
		t.Errorf("welcome on a device with an unfinished response: first button %q", got)
	}
	wantRedirect(t, cl.post("/t/"+team.InviteToken, url.Values{"action": {"resume"}}), "/s/C")

	// Another device: the resume link shown on the pages brings the answers.
	link := strings.TrimSpace(doc(t, cl.get("/s/C")).Find(`[data-testid="resume-link"]`).Text())
	path := strings.TrimPrefix(link, "http://icare.test")
	if !strings.HasPrefix(path, "/resume/") {
		t.Fatalf("resume link: %q", link)
	}
	other := a.client()
	wantRedirect(t, other.get(path), "/s/C")
	d = doc(t, other.get("/s/I"))
	for j := range 5 {
		if v, _ := d.Find(`input[name="` + scoring.ItemID(j) + `"]:checked`).Attr("value"); v != "4" {
			t.Errorf("%s on the other device: checked %q want 4", scoring.ItemID(j), v)
		}
	}
	// Starting again makes a new, separate response.
	wantRedirect(t, cl.post("/t/"+team.InviteToken, url.Values{"action": {"new"}}), "/s/perspective")
	if got := cl.storedResponse(t).Answers().Answered(); got != 0 {
		t.Errorf("a new response carries %d answers", got)
	}
}
