package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// client is a browser stand-in over e.ServeHTTP: it keeps cookies and reads
// the CSRF token of the last page it got, so the middleware runs for real.
type client struct {
	a       *app
	cookies map[string]*http.Cookie
	csrf    string
	// resume is the last resume token the server gave this client, kept
	// after the cookie is dropped so a test can find the response.
	resume string
	// addr, when set, is the address the client connects from.
	addr string
}

func (a *app) client() *client { return &client{a: a, cookies: map[string]*http.Cookie{}} }

// addCookies puts the client's cookies on req.
func (cl *client) addCookies(req *http.Request) {
	for _, ck := range cl.cookies {
		req.AddCookie(ck)
	}
}

func (cl *client) send(req *http.Request) *httptest.ResponseRecorder {
	cl.a.t.Helper()
	cl.addCookies(req)
	if cl.addr != "" {
		req.RemoteAddr = cl.addr
	}
	rec := httptest.NewRecorder()
	cl.a.e.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(cl.cookies, ck.Name)
			continue
		}
		cl.cookies[ck.Name] = ck
		if strings.HasSuffix(ck.Name, "icare_resume") {
			cl.resume = ck.Value
		}
	}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		if tok, ok := doc(cl.a.t, rec).Find(`input[name="_csrf"]`).Attr("value"); ok {
			cl.csrf = tok
		}
	}
	return rec
}

func (cl *client) get(path string) *httptest.ResponseRecorder {
	cl.a.t.Helper()
	return cl.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// postRequest builds a form POST carrying the client's cookies, for tests
// that send it themselves (from several goroutines at once, say).
func (cl *client) postRequest(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cl.addCookies(req)
	return req
}

// post sends a form with the CSRF token of the last page, unless the form
// sets _csrf itself.
func (cl *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	cl.a.t.Helper()
	if _, set := form["_csrf"]; !set {
		form = cloneValues(form)
		form.Set("_csrf", cl.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.send(req)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// wantRedirect checks a 303 to a path starting with prefix and returns it.
func wantRedirect(t testing.TB, rec *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("got %d to %q want 303 to %s…; body: %.300s", rec.Code, loc, prefix, rec.Body.String())
	}
	return loc
}
