package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// survey sets up a team and an open round.
func (a *app) survey() models.Team {
	a.t.Helper()
	ctx := context.Background()
	team, err := a.store.CreateTeam(ctx, models.NewTeam{Name: "Contact Centre"})
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.store.CreateRound(ctx, models.NewRound{Name: "2027 Q1", Open: true}); err != nil {
		a.t.Fatal(err)
	}
	return team
}

// keyForm is a key page's form with the given raw answers (0 = Skip).
func keyForm(k int, answers [5]uint8) url.Values {
	f := url.Values{"action": {"next"}}
	for j, v := range answers {
		val := ""
		if v != 0 {
			val = strconv.Itoa(int(v))
		}
		f.Set(scoring.ItemID(k*5+j), val)
	}
	return f
}

// start opens the invite link and presses Start.
func (cl *client) start(t *testing.T, team models.Team) {
	t.Helper()
	rec := cl.get("/t/" + team.InviteToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("welcome: got %d", rec.Code)
	}
	wantRedirect(t, cl.post("/t/"+team.InviteToken, url.Values{"action": {"start"}}), "/s/perspective")
}

// storedResponse reads the device's response back from the database.
func (cl *client) storedResponse(t *testing.T) models.Response {
	t.Helper()
	if cl.resume == "" {
		t.Fatal("no resume cookie was ever set")
	}
	r, err := cl.a.store.ResponseByResumeToken(context.Background(), cl.resume)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSurveyWholePath(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	cl := a.client()

	rec := cl.get("/t/" + team.InviteToken)
	d := doc(t, rec)
	if !strings.Contains(d.Find(`[data-testid="anonymity"]`).Text(), "no IP address") {
		t.Errorf("welcome does not explain anonymity: %q", d.Find(`[data-testid="anonymity"]`).Text())
	}
	if got := d.Find("form button").First().Text(); got != "Start" {
		t.Errorf("welcome button: got %q want Start", got)
	}
	wantRedirect(t, cl.post("/t/"+team.InviteToken, url.Values{"action": {"start"}}), "/s/perspective")

	rec = cl.get("/s/perspective")
	if n := doc(t, rec).Find(`input[type=radio][name=perspective]`).Length(); n != 4 {
		t.Errorf("perspective radios: got %d want 4", n)
	}
	wantRedirect(t, cl.post("/s/perspective", url.Values{"perspective": {"senior_leader"}, "action": {"next"}}), "/s/I")

	// Hand-picked answers, with two skips (I3 and E5).
	want := scoring.Answers{
		5, 4, 0, 2, 5,
		4, 4, 3, 2, 4,
		3, 3, 3, 3, 3,
		1, 2, 3, 4, 5,
		5, 5, 4, 1, 0,
	}
	for k, id := range scoring.KeyIDs() {
		rec := cl.get("/s/" + id)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /s/%s: %d", id, rec.Code)
		}
		if got := strings.TrimSpace(doc(t, rec).Find(`[data-testid="progress"] .progress-label`).Text()); got != fmt.Sprintf("Key %d of 5", k+1) {
			t.Errorf("progress on %s: got %q", id, got)
		}
		var page [5]uint8
		copy(page[:], want[k*5:k*5+5])
		next := "/s/comment"
		if k < 4 {
			next = "/s/" + scoring.KeyIDs()[k+1]
		}
		wantRedirect(t, cl.post("/s/"+id, keyForm(k, page)), next)
	}
	// Back from the comment to E, then to R: the saved answers are checked.
	wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {"draft"}, "action": {"back"}}), "/s/E")
	d = doc(t, cl.get("/s/R"))
	for j := range 5 {
		id := scoring.ItemID(15 + j)
		got, _ := d.Find(`input[name="` + id + `"]:checked`).Attr("value")
		if got != strconv.Itoa(int(want[15+j])) {
			t.Errorf("%s after going back: checked %q want %d", id, got, want[15+j])
		}
	}
	if got := doc(t, cl.get("/s/comment")).Find("textarea[name=comment]").Text(); got != "draft" {
		t.Errorf("comment after going back: got %q want draft", got)
	}

	comment := "Zoë's idea: one owner per case — \"no hand-offs\".\nThanks!"
	loc := wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {strings.ReplaceAll(comment, "\n", "\r\n")}, "action": {"submit"}}), "/r/")

	r := cl.storedResponse(t)
	if !r.Submitted() || r.Answers() != want || r.Perspective != "senior_leader" || r.Comment != comment || r.TeamID != team.ID {
		t.Errorf("stored: submitted=%v answers=%v perspective=%q comment=%q team=%d", r.Submitted(), r.Answers(), r.Perspective, r.Comment, r.TeamID)
	}

	rec = cl.get(loc)
	if rec.Code != http.StatusOK {
		t.Fatalf("result: %d", rec.Code)
	}
	d = doc(t, rec)
	// I: item scores 5,4,_,6−2=4,5 → mean 4.5 → (4.5−1)/4×100 = 87.5 (Legendary).
	if got := strings.TrimSpace(d.Find(`[data-testid="row-I"] [data-testid="score"]`).Text()); got != "87.5" {
		t.Errorf("I score on the page: got %q want 87.5", got)
	}
	if got := d.Find(`[data-testid="row-I"] .band`).Text(); got != "Legendary" {
		t.Errorf("I band: got %q want Legendary", got)
	}
	if d.Find(`[data-testid="team-pending"]`).Length() != 1 || d.Find(`[data-testid="team-shown"]`).Length() != 0 {
		t.Error("a team of one, in an open round, must not show its profile")
	}
	if !strings.Contains(d.Find(`[data-testid="result-link"]`).Text(), "http://icare.test"+loc) {
		t.Errorf("result page lacks its private link %s", loc)
	}
}

func TestResubmitAndDoubleClickShowTheResult(t *testing.T) {
	a := newApp(t)
	team := a.survey()
	cl := a.client()
	cl.start(t, team)
	csrf := cl.csrf
	form := url.Values{"comment": {"once"}, "action": {"submit"}, "_csrf": {csrf}}
	reqs := []*http.Request{cl.postRequest("/s/comment", form), cl.postRequest("/s/comment", form)}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	locs := make([]string, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			a.e.ServeHTTP(rec, reqs[i])
			codes[i], locs[i] = rec.Code, rec.Header().Get("Location")
		}()
	}
	wg.Wait()
	for i := range codes {
		if codes[i] != http.StatusSeeOther || !strings.HasPrefix(locs[i], "/r/") {
			t.Errorf("submit %d: got %d to %q want 303 to the result", i, codes[i], locs[i])
		}
	}
	// A resubmit from a page still open: the result again, and the device
	// forgets the response; after that the back button finds nothing to
	// change, and nothing of the answers.
	wantRedirect(t, cl.post("/s/comment", url.Values{"comment": {"changed"}, "action": {"submit"}}), "/r/")
	for _, rec := range []*httptest.ResponseRecorder{cl.post("/s/I", keyForm(0, [5]uint8{1, 1, 1, 1, 1})), cl.get("/s/I")} {
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "no unfinished answers on this device") {
			t.Errorf("a step after the submit: got %d want 404 saying the device has no answers", rec.Code)
		}
	}
	round, _ := a.store.CurrentRound(context.Background())
	n, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusSubmitted)
	if n != 1 {
		t.Errorf("submitted rows: got %d want 1", n)
	}
	if r := cl.storedResponse(t); r.Comment != "once" || r.Answers().Answered() != 0 {
		t.Errorf("after resubmits: comment %q, %d answers; want the first submit unchanged", r.Comment, r.Answers().Answered())
	}
}
