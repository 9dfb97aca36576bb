package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tabTo presses Tab until the focused element matches the JavaScript
// condition on el (document.activeElement), as a keyboard user moves.
func tabTo(cond string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for range 80 {
			var ok bool
			if err := chromedp.Evaluate("(el => !!el && ("+cond+"))(document.activeElement)", &ok).Do(ctx); err != nil {
				return err
			}
			if ok {
				return nil
			}
			if err := chromedp.KeyEvent(kb.Tab).Do(ctx); err != nil {
				return err
			}
		}
		return fmt.Errorf("no element with %s within 80 Tabs", cond)
	})
}

// press presses a key on the focused element.
func press(key string) chromedp.Action { return chromedp.KeyEvent(key) }

// answerByKeyboard answers statement ids with the arrow keys: Tab into each
// radio group, then ArrowRight, which moves to the next answer and checks
// it.
func answerByKeyboard(ids ...string) chromedp.Action {
	var as chromedp.Tasks
	for _, id := range ids {
		as = append(as, tabTo(`el.name === "`+id+`"`), press(kb.ArrowRight))
	}
	return as
}

// at waits until the page's path is path (the new document may still be
// arriving: wait for an element at its end before reading it whole).
func at(path string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for range 100 {
			var loc string
			if err := chromedp.Evaluate(`location.pathname`, &loc).Do(ctx); err != nil {
				return err
			}
			if loc == path {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("never reached %s", path)
	})
}

// inviteLink adds a team and an open round, and returns the team's link.
func inviteLink(t *testing.T, s *server) string {
	t.Helper()
	out := s.command(t, "team", "add", "--name", "Support", "--headcount", "12")
	s.command(t, "round", "open", "--name", "2027 Q1")
	link := regexp.MustCompile(`https?://\S+/t/\S+`).FindString(out)
	if link == "" {
		t.Fatalf("no invite link in %q", out)
	}
	return link
}

// TestSurveyByKeyboardOnAPhone: an employee on a 390 px screen answers with
// the keyboard only, goes Back once, closes the page mid-way, reopens the
// link, finds the answers kept, submits and sees the personal profile.
func TestSurveyByKeyboardOnAPhone(t *testing.T) {
	needBrowser(t)
	s := startServer(t, false)
	link := inviteLink(t, s)
	ctx := openBrowser(t, 390, 844)
	step(t, ctx, "1-welcome", chromedp.Navigate(link), chromedp.WaitVisible(`button[value="start"]`))
	step(t, ctx, "2-perspective", tabTo(`el.value === "start"`), press(kb.Enter), at("/s/perspective"),
		tabTo(`el.name === "perspective"`), press(" "))
	step(t, ctx, "3-key-I", press(kb.Enter), at("/s/I"), answerByKeyboard("I1", "I2", "I3", "I4", "I5"))
	step(t, ctx, "4-key-C", press(kb.Enter), at("/s/C"), answerByKeyboard("C1", "C2"))
	var kept int
	step(t, ctx, "5-back", tabTo(`el.value === "back"`), press(kb.Enter), at("/s/I"),
		chromedp.WaitVisible(`button[value="next"]`, chromedp.ByQuery), // the whole form has arrived
		chromedp.Evaluate(`document.querySelectorAll('input[type=radio]:checked:not([value=""])').length`, &kept))
	if kept != 5 {
		t.Errorf("after Back, page I shows %d answers, want 5", kept)
	}

	// The page is closed mid-way; the link, opened again, continues.
	if err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	step(t, tab, "6-reopened", chromedp.Navigate(link), chromedp.WaitVisible(`button[value="resume"]`))
	step(t, tab, "7-continued", tabTo(`el.value === "resume"`), press(kb.Enter), at("/s/A"))
	var c1 string
	if err := chromedp.Run(tab, chromedp.Navigate(s.base+"/s/C"),
		chromedp.Evaluate(`(document.querySelector('input[name=C1]:checked') || {}).value || ""`, &c1)); err != nil {
		t.Fatal(err)
	}
	if c1 == "" {
		t.Error("the answers of page C were not kept")
	}
	step(t, tab, "8-keys", chromedp.Navigate(s.base+"/s/A"), answerByKeyboard("A1"), press(kb.Enter), at("/s/R"),
		answerByKeyboard("R1"), press(kb.Enter), at("/s/E"), answerByKeyboard("E1"), press(kb.Enter), at("/s/comment"))
	step(t, tab, "9-result", tabTo(`el.name === "comment"`), chromedp.SendKeys(`textarea[name=comment]`, "One owner per case."),
		tabTo(`el.value === "submit"`), press(kb.Enter), chromedp.WaitVisible(`[data-testid="score-table"]`))
}

// adminClient is an HTTP client signed in as the admin.
func adminClient(t *testing.T, s *server) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	token := func(path string) string {
		res, err := cl.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(b.String())
		if m == nil {
			t.Fatalf("no CSRF token on %s", path)
		}
		return m[1]
	}
	post := func(path string, form url.Values) {
		form.Set("_csrf", token(path))
		res, err := cl.PostForm(s.base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	post("/login", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	return cl
}

// TestSurveyWithoutJavaScriptByPersonalCode: the same survey with
// JavaScript off, started with a personal code typed at /c: Back once, the
// page closed mid-way, the code typed again in a new tab, the answers kept.
func TestSurveyWithoutJavaScriptByPersonalCode(t *testing.T) {
	needBrowser(t)
	s := startServer(t, false)
	inviteLink(t, s)
	cl := adminClient(t, s)
	form := func(path string) url.Values {
		res, err := cl.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		buf := make([]byte, 256<<10)
		n, _ := res.Body.Read(buf)
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(buf[:n])
		if m == nil {
			t.Fatalf("no CSRF token on %s", path)
		}
		return url.Values{"_csrf": {string(m[1])}}
	}
	page := "/admin/teams/1"
	f := form(page)
	f.Set("access", "codes")
	if _, err := cl.PostForm(s.base+page+"/access", f); err != nil {
		t.Fatal(err)
	}
	f = form(page)
	f.Set("count", "1")
	if _, err := cl.PostForm(s.base+page+"/codes", f); err != nil {
		t.Fatal(err)
	}
	res, err := cl.Get(s.base + page + "/codes.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(res.Body).ReadAll()
	res.Body.Close()
	if err != nil || len(rows) != 2 {
		t.Fatalf("codes.csv: %v %v", rows, err)
	}
	code := rows[1][2]

	ctx := openBrowser(t, 390, 844)
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "1-code", chromedp.Navigate(s.base+"/c"), chromedp.SendKeys(`#code`, strings.ToLower(code)))
	step(t, ctx, "2-perspective", chromedp.Submit(`#code`), at("/s/perspective"), chromedp.Click(`input[value="frontline"]`, chromedp.ByQuery))
	step(t, ctx, "3-key-I", chromedp.Click(`button[value="next"]`, chromedp.ByQuery), at("/s/I"),
		chromedp.Click(`input[name="I1"][value="4"]`, chromedp.ByQuery), chromedp.Click(`input[name="I2"][value="5"]`, chromedp.ByQuery))
	step(t, ctx, "4-key-C", chromedp.Click(`button[value="next"]`, chromedp.ByQuery), at("/s/C"),
		chromedp.Click(`input[name="C1"][value="3"]`, chromedp.ByQuery))
	// Back once: page I shows its two answers.
	var kept int
	step(t, ctx, "4-back", chromedp.Click(`button[value="back"]`, chromedp.ByQuery), at("/s/I"),
		chromedp.WaitVisible(`button[value="next"]`, chromedp.ByQuery), // the whole form has arrived
		chromedp.Evaluate(`document.querySelectorAll('input[type=radio]:checked:not([value=""])').length`, &kept))
	if kept != 2 {
		t.Errorf("after Back, page I shows %d answers, want 2", kept)
	}
	// The page is closed mid-way; the code, typed again in a new tab,
	// continues where the answers stop, with the answers kept.
	if err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
		t.Fatal(err)
	}
	var c1 string
	step(t, ctx, "4-reopened", chromedp.Navigate(s.base+"/c"), chromedp.SendKeys(`#code`, code), chromedp.Submit(`#code`), at("/s/A"),
		chromedp.Navigate(s.base+"/s/C"), chromedp.Evaluate(`(document.querySelector('input[name=C1]:checked') || {}).value || ""`, &c1))
	if c1 != "3" {
		t.Errorf("after reopening, page C shows C1 = %q, want 3", c1)
	}
	// Each step ends on a loaded page: it begins with the click that
	// leaves the one before.
	step(t, ctx, "4-key-A", chromedp.Navigate(s.base+"/s/A"), at("/s/A"), chromedp.Click(`input[name="A1"][value="3"]`, chromedp.ByQuery))
	for _, k := range []string{"R", "E"} {
		step(t, ctx, "4-key-"+k, chromedp.Click(`button[value="next"]`, chromedp.ByQuery), at("/s/"+k),
			chromedp.Click(`input[name="`+k+`1"][value="3"]`, chromedp.ByQuery))
	}
	step(t, ctx, "5-result", chromedp.Click(`button[value="next"]`, chromedp.ByQuery), at("/s/comment"),
		chromedp.Click(`button[value="submit"]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid="score-table"]`))
	var gone string
	step(t, ctx, "6-code-used", chromedp.Navigate(s.base+"/c/"+code), chromedp.Text(`[data-testid="problems"]`, &gone))
	if !strings.Contains(gone, "not known") {
		t.Errorf("the used code: %q", gone)
	}
}

// signIn signs the browser in through the form.
func signIn(email, password string, base string) chromedp.Tasks {
	return chromedp.Tasks{chromedp.Navigate(base + "/login"), chromedp.SendKeys(`#email`, email),
		chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`), at("/home")}
}

// TestLeaderReadsTheDashboard: signed in on the demo, the overview, the
// heatmap sorted, a comparison of two teams, a trend and a team page, and
// teams.csv downloaded and read.
func TestLeaderReadsTheDashboard(t *testing.T) {
	needBrowser(t)
	s := startServer(t, true)
	ctx := openBrowser(t, 1280, 1000)
	step(t, ctx, "1-home", signIn("demo@icare.example", s.demoPassword, s.base))
	step(t, ctx, "2-overview", chromedp.Navigate(s.base+"/dashboard"), chromedp.WaitVisible(`[data-testid="participation"]`))
	var teams []string
	step(t, ctx, "3-heatmap", chromedp.Navigate(s.base+"/dashboard/heatmap"), chromedp.Click(`a[href*="sort=empowerment"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`table`, chromedp.ByQuery), chromedp.Evaluate(`[...document.querySelectorAll('a[href^="/teams/"]')].map(a => a.getAttribute('href').split('?')[0].slice(7))`, &teams))
	if len(teams) < 2 {
		t.Fatalf("heatmap team links: %v", teams)
	}
	step(t, ctx, "4-compare", chromedp.Navigate(s.base+"/dashboard/compare?g=team:"+teams[0]+"&g=team:"+teams[1]),
		chromedp.WaitVisible(`svg.chart--radar`, chromedp.ByQuery))
	step(t, ctx, "5-trend", chromedp.Navigate(s.base+"/dashboard/trend?g=org"), chromedp.WaitVisible(`svg.chart--line`, chromedp.ByQuery))
	step(t, ctx, "6-team", chromedp.Navigate(s.base+"/teams/"+teams[0]), chromedp.WaitVisible(`[data-testid="plan"]`))

	dir := t.TempDir()
	step(t, ctx, "7-download", chromedp.Navigate(s.base+"/dashboard/heatmap"),
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir),
		chromedp.Click(`[data-testid="csv-behind"]`, chromedp.ByQuery))
	var file string
	for range 100 {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		if len(matches) == 1 {
			file = matches[0]
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if file == "" {
		t.Fatal("teams.csv did not arrive")
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 3 || strings.Join(rows[0][:3], ",") != "round,team,team_path" {
		t.Errorf("teams.csv: %d rows, %v", len(rows), err)
	}
}

// TestAdminRunsARound: an admin creates a team and a round, copies the
// invite link, opens the round and closes it.
func TestAdminRunsARound(t *testing.T) {
	needBrowser(t)
	s := startServer(t, false)
	ctx := openBrowser(t, 1280, 1000)
	step(t, ctx, "1-home", signIn(adminEmail, adminPassword, s.base))
	var link string
	step(t, ctx, "2-team", chromedp.Navigate(s.base+"/admin/teams"), chromedp.SendKeys(`form[action="/admin/teams"] #name`, "Warehouse"),
		chromedp.Submit(`form[action="/admin/teams"] #name`), chromedp.WaitVisible(`[data-testid="invite-link"]`),
		chromedp.Text(`[data-testid="invite-link"]`, &link))
	if !strings.HasPrefix(strings.TrimSpace(link), s.base+"/t/") {
		t.Errorf("invite link %q", link)
	}
	step(t, ctx, "3-round", chromedp.Navigate(s.base+"/admin/rounds"), chromedp.SendKeys(`#round-name`, "2027 Q2"),
		chromedp.Submit(`#round-name`), chromedp.WaitVisible(`button[value="open"]`))
	step(t, ctx, "4-open", chromedp.Click(`button[value="open"]`, chromedp.ByQuery), chromedp.WaitVisible(`button[value="closed"]`))
	var status string
	step(t, ctx, "5-closed", chromedp.Click(`button[value="closed"]`, chromedp.ByQuery), chromedp.WaitNotPresent(`button[value="closed"]`),
		chromedp.Text(`[data-testid="rounds"] tbody tr td`, &status))
	if !strings.Contains(status, "closed") {
		t.Errorf("round status after closing: %q", status)
	}
	step(t, ctx, "6-survey-closed", chromedp.Navigate(strings.TrimSpace(link)), chromedp.WaitVisible(`[data-testid="closed"]`))
}
