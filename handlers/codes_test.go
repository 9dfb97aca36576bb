package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/icare-hr/icare/models"
)

// codesTeam makes a team of headcount people on personal codes with an open
// round, and n codes through the admin pages; it returns the team, the
// admin's client and the codes, read back from the mail-merge CSV.
func codesTeam(t *testing.T, a *app, headcount, n int) (models.Team, *client, []string) {
	t.Helper()
	team := a.team("Claims", "", intp(headcount))
	a.openRound("2027 Q1")
	admin := a.viewer("admin", "admin")
	page := "/admin/teams/" + strconv.Itoa(int(team.ID))
	admin.get(page)
	wantRedirect(t, admin.post(page+"/access", url.Values{"access": {"codes"}}), page)
	wantRedirect(t, admin.post(page+"/codes", url.Values{"count": {strconv.Itoa(n)}}), page)
	codes := csvCodes(t, a, team)
	if len(codes) != n {
		t.Fatalf("codes in the CSV: %d want %d", len(codes), n)
	}
	return team, admin, codes
}

// csvCodes reads the unused codes of team from its mail-merge file.
func csvCodes(t *testing.T, a *app, team models.Team) []string {
	t.Helper()
	rec := a.get("admin", "/admin/teams/"+strconv.Itoa(int(team.ID))+"/codes.csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("codes.csv: %d", rec.Code)
	}
	tab := parse(t, rec.Body.Bytes(), ',')
	var codes []string
	for _, row := range tab.rows {
		if row["team"] != team.Name || row["link"] != "http://icare.test/c/"+row["code"] {
			t.Errorf("codes.csv row %v", row)
		}
		codes = append(codes, row["code"])
	}
	return codes
}

// TestCodeStartsOneResponseAndIsSpent: a code starts a response, resumes it
// on another device (typed loosely), and is refused once submitted; the
// team's open link is refused; the response rate is spent over issued.
func TestCodeStartsOneResponseAndIsSpent(t *testing.T) {
	a := newApp(t)
	team, _, codes := codesTeam(t, a, 10, 4)
	code := codes[0]
	if len(code) != 19 || strings.ContainsAny(code, "01OI") || strings.Count(code, "-") != 3 {
		t.Errorf("code %q: want 16 signs in groups of four, without 0, 1, O or I", code)
	}

	link := a.client()
	if rec := link.get("/t/" + team.InviteToken); rec.Code != http.StatusForbidden || doc(t, rec).Find(`[data-testid="codes-only"]`).Length() != 1 {
		t.Errorf("open link of a codes-only team: got %d", rec.Code)
	}
	if rec := link.post("/t/"+team.InviteToken, url.Values{"action": {"start"}}); rec.Code != http.StatusForbidden {
		t.Errorf("starting through the open link: got %d want 403", rec.Code)
	}

	phone := a.client()
	if d := doc(t, phone.get("/c/"+code)); d.Find(`[data-testid="code-welcome"]`).Length() != 1 {
		t.Error("the code's link does not welcome its holder")
	}
	wantRedirect(t, phone.post("/c/"+code, url.Values{"action": {"start"}}), "/s/perspective")
	wantRedirect(t, phone.post("/s/perspective", url.Values{"perspective": {"frontline"}, "action": {"next"}}), "/s/I")
	phone.get("/s/I")
	wantRedirect(t, phone.post("/s/I", keyForm(0, [5]uint8{5, 4, 4, 4, 4})), "/s/C")

	laptop := a.client()
	laptop.get("/c")
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	wantRedirect(t, laptop.post("/c", url.Values{"code": {typed}}), "/s/C")
	if got, _ := doc(t, laptop.get("/s/I")).Find(`input[name="I1"]:checked`).Attr("value"); got != "5" {
		t.Errorf("resumed on another device: I1 %q want 5", got)
	}
	if rec := phone.get("/s/C"); rec.Code != http.StatusNotFound {
		t.Errorf("the first device after the code moved on: got %d want 404", rec.Code)
	}
	laptop.get("/s/comment")
	wantRedirect(t, laptop.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")

	for _, rec := range []*httptest.ResponseRecorder{a.client().get("/c/" + code), laptop.post("/c", url.Values{"code": {code}})} {
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "A code that has been used is not known any more") {
			t.Errorf("a spent code: got %d want 404 saying a used code is not known", rec.Code)
		}
	}
	round, _ := a.store.CurrentRound(context.Background())
	if n, _ := a.store.CountResponses(context.Background(), round.ID, models.StatusSubmitted); n != 1 {
		t.Errorf("submitted responses: %d want 1", n)
	}
	if got := doc(t, a.get("admin", "/admin/teams/"+strconv.Itoa(int(team.ID)))).Find(`[data-testid="code-counts"]`).Text(); !strings.Contains(got, "3 not used yet, 0 started, 1 used, 0 withdrawn") {
		t.Errorf("code counts: %q", got)
	}
	a.closeRound()
	row := parse(t, a.download("admin", "/export/teams.csv"), ',').rows[0]
	if row["headcount"] != "4" || row["response_rate"] != "25.00" || row["n"] != "1" {
		t.Errorf("teams.csv of a codes team: n %s headcount %s rate %s, want 1, 4 (codes issued) and 25.00", row["n"], row["headcount"], row["response_rate"])
	}
	if rec := a.client().get("/c/" + codes[1]); rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "has closed") {
		t.Errorf("an unused code after the close: got %d", rec.Code)
	}
}

// TestWrongCodesAreLimited: an unknown or malformed code gets a clear page
// with the form; after 20 wrong codes from one address even a good one
// waits; another address is not affected.
func TestWrongCodesAreLimited(t *testing.T) {
	a := newApp(t)
	_, _, codes := codesTeam(t, a, 5, 2)
	guesser := a.from("198.51.100.40:5000")
	for i := range 20 {
		typed := "K7QM-4T2P-XW9H-" + strconv.Itoa(2000+i)
		if i%2 == 1 {
			typed = "not a code " + strconv.Itoa(i)
		}
		rec := guesser.post("/c", url.Values{"code": {typed}})
		if rec.Code != http.StatusNotFound || doc(t, rec).Find(`[data-testid="code-form"]`).Length() != 1 {
			t.Fatalf("wrong code %d: got %d want 404 with the form", i+1, rec.Code)
		}
	}
	// One wrong code comes back every 10 s: at most that is the wait named.
	rec := guesser.post("/c", url.Values{"code": {codes[0]}})
	wait, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if rec.Code != http.StatusTooManyRequests || err != nil || wait < 1 || wait > 10 || !strings.Contains(rec.Body.String(), "wait "+strconv.Itoa(wait)+" seconds") {
		t.Errorf("after 20 wrong codes: got %d, Retry-After %q; want 429 and at most 10 s, said on the page", rec.Code, rec.Header().Get("Retry-After"))
	}
	wantRedirect(t, a.from("203.0.113.41:5000").post("/c", url.Values{"code": {codes[0]}}), "/s/perspective")
}

// codeViews is what an admin can reload about team's codes: the batches
// table of its admin page, its slips and its codes file.
func codeViews(t *testing.T, admin *client, page string) string {
	t.Helper()
	batches, err := doc(t, admin.get(page)).Find(`[data-testid="code-batches"]`).Html()
	if err != nil {
		t.Fatal(err)
	}
	slips, err := doc(t, admin.get(page+"/codes/slips")).Find(`[data-testid="slips"]`).Html()
	if err != nil {
		t.Fatal(err)
	}
	file := admin.get(page + "/codes.csv")
	if file.Code != http.StatusOK {
		t.Fatalf("codes.csv: %d", file.Code)
	}
	return batches + "\n" + slips + "\n" + file.Body.String()
}

// TestCodeBatchesDoNotTellWhoAnswered: the admin's batches, slips and
// codes file are the same before a code is started, after, and after its
// response is submitted, so whoever handed out the codes cannot tell whose
// code was used; only the counts move. The slips hold every code once, each
// with its QR code.
func TestCodeBatchesDoNotTellWhoAnswered(t *testing.T) {
	a := newApp(t)
	team, admin, codes := codesTeam(t, a, 5, 5)
	page := "/admin/teams/" + strconv.Itoa(int(team.ID))
	before := codeViews(t, admin, page)

	slips := doc(t, admin.get(page+"/codes/slips"))
	var onSlips []string
	slips.Find(`[data-testid="slip"]`).Each(func(_ int, s *goquery.Selection) {
		onSlips = append(onSlips, strings.TrimSpace(s.Find(`[data-testid="slip-code"]`).Text()))
		if s.Find(`svg.qr`).Length() != 1 || !strings.Contains(s.Text(), "http://icare.test/c") || !strings.Contains(s.Text(), team.Name) {
			t.Errorf("a slip lacks its QR code, the address or the team")
		}
	})
	if strings.Join(onSlips, " ") != strings.Join(codes, " ") {
		t.Errorf("slips: %v want %v", onSlips, codes)
	}

	phone := a.client()
	phone.get("/c/" + codes[2])
	wantRedirect(t, phone.post("/c/"+codes[2], url.Values{"action": {"start"}}), "/s/perspective")
	if got := codeViews(t, admin, page); got != before {
		t.Errorf("after a code started, the admin's views changed:\n%s\nwere\n%s", got, before)
	}
	phone.get("/s/comment")
	wantRedirect(t, phone.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
	if got := codeViews(t, admin, page); got != before {
		t.Errorf("after a code was used, the admin's views changed:\n%s\nwere\n%s", got, before)
	}
	if got := doc(t, admin.get(page)).Find(`[data-testid="code-counts"]`).Text(); got != "4 not used yet, 0 started, 1 used, 0 withdrawn" {
		t.Errorf("code counts: %q", got)
	}
}

// TestWithdrawingAndReplacingCodes: codes named in the form stop working,
// a started one too (its unfinished answers go), and leave the slips; the
// page does not tell a used code from a mistyped one; a batch withdrawn
// keeps its started codes working and can no longer be printed; replacing
// makes a new batch; no code is written to the audit or request log.
func TestWithdrawingAndReplacingCodes(t *testing.T) {
	var logs bytes.Buffer
	a := newApp(t, logTo(&logs))
	team, admin, codes := codesTeam(t, a, 5, 5)
	page := "/admin/teams/" + strconv.Itoa(int(team.ID))

	used := a.client()
	used.get("/c")
	wantRedirect(t, used.post("/c", url.Values{"code": {codes[0]}}), "/s/perspective")
	used.get("/s/comment")
	wantRedirect(t, used.post("/s/comment", url.Values{"action": {"submit"}}), "/r/")
	found := a.client()
	found.get("/c")
	wantRedirect(t, found.post("/c", url.Values{"code": {codes[1]}}), "/s/perspective")
	keeps := a.client()
	keeps.get("/c")
	wantRedirect(t, keeps.post("/c", url.Values{"code": {codes[4]}}), "/s/perspective")

	admin.get(page)
	named := strings.ToLower(codes[1]) + "\r\n" + codes[0] + "\r\n\r\n" + strings.ReplaceAll(codes[2], "-", "")
	wantRedirect(t, admin.post(page+"/codes/revoke", url.Values{"codes": {named}}), page)
	flash := doc(t, admin.get(page)).Text()
	if !strings.Contains(flash, "2 of 3 codes withdrawn") || !strings.Contains(flash, "mistyped, withdrawn before, or used already") {
		t.Errorf("after withdrawing a started, a used and an unused code, the page does not say 2 of 3 without telling which: %.400s", flash)
	}
	for _, c := range codes[1:3] {
		if rec := a.client().get("/c/" + c); rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "withdrawn") {
			t.Errorf("withdrawn code %s: got %d", c, rec.Code)
		}
	}
	if rec := found.get("/s/perspective"); rec.Code == http.StatusOK {
		t.Error("the unfinished answers of a withdrawn code can still be continued")
	}
	want := []string{codes[0], codes[3], codes[4]}
	if got := csvCodes(t, a, team); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("codes.csv after withdrawing two: %v want %v", got, want)
	}
	if rec := admin.post(page+"/codes/revoke", url.Values{"codes": {"K7QM-4T2P-XW9H-3NC0"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "is not a code") {
		t.Errorf("withdrawing something that is not a code: %d", rec.Code)
	}

	// The batch withdrawn: its unused code goes, the started one stays.
	d := doc(t, admin.get(page))
	batch, _ := d.Find(`[data-testid="code-batch"] input[name="batch"]`).Attr("value")
	wantRedirect(t, admin.post(page+"/codes/revoke", url.Values{"batch": {batch}}), page)
	if rec := a.client().get("/c/" + codes[3]); rec.Code != http.StatusGone {
		t.Errorf("an unused code of the withdrawn batch: %d want 410", rec.Code)
	}
	if rec := a.client().get("/c/" + codes[4]); rec.Code != http.StatusOK {
		t.Errorf("the started code of the withdrawn batch: %d want 200", rec.Code)
	}
	if rec := admin.get(page + "/codes/slips?batch=" + batch); rec.Code != http.StatusGone {
		t.Errorf("the slips of a withdrawn batch: %d want 410", rec.Code)
	}
	if rec := admin.get(page + "/codes.csv?batch=x"); rec.Code != http.StatusBadRequest {
		t.Errorf("codes.csv?batch=x: %d want 400", rec.Code)
	}
	if rec := admin.get(page + "/codes.csv?batch=999"); rec.Code != http.StatusNotFound {
		t.Errorf("codes.csv of no batch: %d want 404", rec.Code)
	}

	// Two more, then every unused code replaced by a new batch.
	wantRedirect(t, admin.post(page+"/codes", url.Values{"count": {"2"}, "beyond": {"1"}}), page)
	old := csvCodes(t, a, team)
	wantRedirect(t, admin.post(page+"/codes/regenerate", url.Values{}), page)
	fresh := csvCodes(t, a, team)
	if len(fresh) != 2 || slices.Contains(old, fresh[0]) || slices.Contains(old, fresh[1]) {
		t.Errorf("after replacing %v: %v, want two new codes", old, fresh)
	}
	if got := doc(t, admin.get(page)).Find(`[data-testid="code-batch"]`).Length(); got != 1 {
		t.Errorf("printable batches after replacing: %d want 1", got)
	}
	wantRedirect(t, keeps.post("/c", url.Values{"code": {codes[4]}}), "/s/")
	codes = append(append(codes, old...), fresh...)

	events, _ := a.store.AuditEvents(context.Background(), 100)
	kinds := map[string]int{}
	for _, ev := range events {
		kinds[ev.Action]++
	}
	if kinds["codes.create"] != 2 || kinds["codes.revoke"] != 2 || kinds["codes.replace"] != 1 {
		t.Errorf("audit events of codes: %v want 2 made, 2 withdrawn, 1 replaced", kinds)
	}
	for _, code := range codes {
		for _, ev := range events {
			if strings.Contains(ev.Detail, code) || strings.Contains(ev.Detail, strings.ReplaceAll(code, "-", "")) {
				t.Errorf("audit %s holds a code in clear: %q", ev.Action, ev.Detail)
			}
		}
		if strings.Contains(logs.String(), code) {
			t.Errorf("the request log holds code %s", code)
		}
	}
}

// TestMoreCodesThanPeopleOnRequest: codes beyond the headcount need the
// box ticked.
func TestMoreCodesThanPeopleOnRequest(t *testing.T) {
	a := newApp(t)
	team, admin, _ := codesTeam(t, a, 2, 2)
	page := "/admin/teams/" + strconv.Itoa(int(team.ID))
	if rec := admin.post(page+"/codes", url.Values{"count": {"1"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "more codes than the team") {
		t.Errorf("a code beyond the headcount: got %d want 422 saying why", rec.Code)
	}
	wantRedirect(t, admin.post(page+"/codes", url.Values{"count": {"1"}, "beyond": {"1"}}), page)
	if n := len(csvCodes(t, a, team)); n != 3 {
		t.Errorf("codes after asking for more: %d want 3", n)
	}
}
