package e2e

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // to hold the database's write lock
)

// htmlValidate is the html-validate of e2e/node_modules (npm ci in e2e/).
const htmlValidate = "node_modules/.bin/html-validate"

// needNode skips the test, saying why, when e2e's npm packages are not
// installed; under CI=true that fails instead.
func needNode(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(htmlValidate); err != nil {
		msg := "e2e's npm packages are not installed (run npm ci in e2e/)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("skipped: " + msg)
	}
}

// session is a cookie-keeping HTTP client that reads each page's CSRF token.
type session struct {
	t    *testing.T
	base string
	cl   *http.Client
	csrf string
}

func newSession(t *testing.T, base string) *session {
	jar, _ := cookiejar.New(nil)
	return &session{t: t, base: base, cl: &http.Client{Jar: jar}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get fetches path (following redirects) and returns the final path and body.
func (s *session) get(path string) (string, string) {
	s.t.Helper()
	res, err := s.cl.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Request.URL.RequestURI(), s.read(res)
}

// read returns the body of res and keeps its page's CSRF token.
func (s *session) read(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		s.csrf = string(m[1])
	}
	return string(b)
}

// post sends a form with the last page's token and returns where it ended.
func (s *session) post(path string, form url.Values) string {
	s.t.Helper()
	form.Set("_csrf", s.csrf)
	res, err := s.cl.PostForm(s.base+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	s.read(res)
	return res.Request.URL.RequestURI()
}

// TestEveryPageIsValidHTML: every page a respondent, a leader and an admin
// meet passes html-validate's recommended rules with input-missing-label.
func TestEveryPageIsValidHTML(t *testing.T) {
	needBrowser(t) // the binary is built only when there is a browser to test with
	needNode(t)
	srv := startServer(t, true)
	pages := map[string]string{}
	keep := func(name, body string) {
		if !strings.HasPrefix(strings.TrimSpace(body), "<!doctype html>") {
			t.Errorf("%s is not a page: %.80q", name, body)
		}
		pages[name] = body
	}

	link := regexp.MustCompile(`(?m)^Sales\t\S+/t/(\S+)$`).FindStringSubmatch(srv.command(t, "team", "list"))
	if link == nil {
		t.Fatal("no Sales team in the demo")
	}
	r := newSession(t, srv.base)
	_, body := r.get("/t/" + link[1])
	keep("welcome", body)
	if at := r.post("/t/"+link[1], url.Values{"action": {"start"}}); at != "/s/perspective" {
		t.Fatalf("start: at %s", at)
	}
	for _, step := range []string{"perspective", "I", "comment"} {
		_, body = r.get("/s/" + step)
		keep("step-"+step, body)
	}
	result := r.post("/s/comment", url.Values{"action": {"submit"}, "comment": {""}})
	if !strings.HasPrefix(result, "/r/") {
		t.Fatalf("submit: at %s", result)
	}
	_, body = r.get(result)
	keep("result", body)
	_, body = r.get("/c")
	keep("code", body)

	a := newSession(t, srv.base)
	_, body = a.get("/login")
	keep("login", body)
	a.post("/login", url.Values{"email": {"demo@icare.example"}, "password": {srv.demoPassword}})
	_, heat := a.get("/dashboard/heatmap")
	team := regexp.MustCompile(`href="/teams/(\d+)`).FindStringSubmatch(heat)
	if team == nil {
		t.Fatal("no team link on the heatmap")
	}
	for _, path := range []string{"/home", "/dashboard", "/dashboard/heatmap", "/dashboard/compare?g=org&g=team:" + team[1],
		"/dashboard/trend?g=org", "/dashboard/perspectives?g=org", "/dashboard/comments?g=org", "/teams/" + team[1],
		"/teams/" + team[1] + "/plan", "/admin/teams", "/admin/teams/" + team[1], "/admin/rounds", "/admin/users",
		"/admin/users/1", "/admin/audit", "/account/password", "/account/tokens"} {
		at, body := a.get(path)
		if at != path {
			t.Errorf("%s ended at %s", path, at)
		}
		keep(path, body)
	}
	// A form the database could not take: the 503 page with its button to
	// send the form again (SQLite's write lock is held meanwhile).
	keep("unavailable", whileLocked(t, srv.db, func() string {
		form := url.Values{"name": {"Night Shift"}, "_csrf": {a.csrf}}
		res, err := a.cl.PostForm(srv.base+"/admin/teams", form)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("a form while the database is locked: %d, want 503", res.StatusCode)
		}
		return a.read(res)
	}))

	dir := t.TempDir()
	var files []string
	for name, body := range pages {
		f := filepath.Join(dir, strings.Trim(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(name, "_"), "_")+".html")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out, err := exec.Command(htmlValidate, append([]string{"--config", ".htmlvalidate.cjs", "--formatter", "json"}, files...)...).Output()
	var found []struct {
		FilePath string
		Messages []struct {
			RuleID  string
			Message string
			Line    int
			Column  int
		}
	}
	if jerr := json.Unmarshal(out, &found); jerr != nil {
		t.Fatalf("html-validate: %v (%v)\n%s", jerr, err, out)
	}
	errors := 0
	for _, f := range found {
		for _, m := range f.Messages {
			errors++
			t.Errorf("%s %d:%d %s (%s)", filepath.Base(f.FilePath), m.Line, m.Column, m.Message, m.RuleID)
		}
	}
	report(t, "html-validate: %d pages, %d errors", len(files), errors)
}

// whileLocked runs f while another connection holds the write lock of the
// SQLite database at dbURL, and returns what f returns.
func whileLocked(t *testing.T, dbURL string, f func() string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", strings.TrimPrefix(dbURL, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("UPDATE teams SET name = name"); err != nil {
		t.Fatal(err)
	}
	return f()
}
