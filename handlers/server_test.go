package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// app is a test server over a fresh SQLite database.
type app struct {
	t     *testing.T
	e     *echo.Echo
	store *models.Store
	cfg   config.Config

	mu  sync.Mutex
	now time.Time // zero: the real clock
}

func newApp(t *testing.T) *app {
	t.Helper()
	a := &app{t: t}
	a.store = dbtest.Open(t, dbtest.SQLite, models.WithNow(a.clock))
	a.cfg = config.Config{Addr: ":0", DatabaseURL: "sqlite:x", BaseURL: "http://icare.test", MinGroup: 5, MinComments: 8}
	a.e = handlers.New(a.store, a.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return a
}

// clock is the one clock of the store and the handlers.
func (a *app) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.now.IsZero() {
		return time.Now()
	}
	return a.now
}

// setNow fixes the clock at now.
func (a *app) setNow(now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = now
}

// do sends a request through the whole middleware chain.
func (a *app) do(method, target string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

func doc(t *testing.T, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

func TestHealthAndReadiness(t *testing.T) {
	a := newApp(t)
	if rec := a.do(http.MethodGet, "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("healthz: got %d want 200", rec.Code)
	}
	if rec := a.do(http.MethodGet, "/readyz", nil); rec.Code != http.StatusOK {
		t.Errorf("readyz: got %d want 200", rec.Code)
	}
	a.store.Close()
	if rec := a.do(http.MethodGet, "/readyz", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: got %d want 503", rec.Code)
	}
}

func TestInstrumentJSON(t *testing.T) {
	a := newApp(t)
	rec := a.do(http.MethodGet, "/api/v1/instrument", nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("instrument: got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got struct {
		Version string `json:"version"`
		Scale   struct {
			Min    int      `json:"min"`
			Max    int      `json:"max"`
			Labels []string `json:"labels"`
		} `json:"scale"`
		Dimensions []struct {
			ID, Name, Description string
			Items                 []struct {
				ID      string `json:"id"`
				Text    string `json:"text"`
				Reverse bool   `json:"reverse"`
			} `json:"items"`
		} `json:"dimensions"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != "icare-v1" || got.Scale.Min != 1 || got.Scale.Max != 5 || len(got.Scale.Labels) != 5 {
		t.Errorf("header: got %+v", got)
	}
	ids := ""
	for _, d := range got.Dimensions {
		reverse := 0
		for _, it := range d.Items {
			ids += it.ID + " "
			if it.Reverse {
				reverse++
			}
			if it.Text == "" {
				t.Errorf("%s has no text", it.ID)
			}
		}
		if reverse != 1 || d.Name == "" || d.Description == "" {
			t.Errorf("key %s: %d reverse items, name %q", d.ID, reverse, d.Name)
		}
	}
	want := "I1 I2 I3 I4 I5 C1 C2 C3 C4 C5 A1 A2 A3 A4 A5 R1 R2 R3 R4 R5 E1 E2 E3 E4 E5 "
	if ids != want {
		t.Errorf("items: got %q want %q", ids, want)
	}
}

func TestPagesCarrySecurityHeadersAndUTF8(t *testing.T) {
	a := newApp(t)
	for _, path := range []string{"/", "/no/such/page", "/t/not-a-token"} {
		rec := a.do(http.MethodGet, path, nil)
		h := rec.Header()
		if ct := h.Get("Content-Type"); ct != "text/html; charset=UTF-8" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		csp := h.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "form-action 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, d)
			}
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing nosniff or Referrer-Policy", path)
		}
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: CORS header present", path)
		}
		d := doc(t, rec)
		if d.Find(`meta[charset="utf-8"]`).Length() != 1 {
			t.Errorf("%s: no <meta charset=utf-8>", path)
		}
		if d.Find("script:not([src])").Length() != 0 {
			t.Errorf("%s: inline script breaks the CSP", path)
		}
	}
}

func TestNotFoundIsAFriendlyPage(t *testing.T) {
	a := newApp(t)
	rec := a.do(http.MethodGet, "/no/such/page", nil)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("got %d want 404", rec.Code)
	}
	if msg := doc(t, rec).Find(`[data-testid="error"]`).Text(); !strings.Contains(msg, "could not find") {
		t.Errorf("404 page says %q", msg)
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	a := newApp(t)
	big := strings.NewReader("comment=" + strings.Repeat("x", 100<<10))
	rec := a.do(http.MethodPost, "/t/anything", big, "Content-Type", "application/x-www-form-urlencoded")
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d want 413", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "goroutine") || strings.Contains(rec.Body.String(), ".go:") {
		t.Error("the error page leaks internals")
	}
}

func TestStaticFiles(t *testing.T) {
	a := newApp(t)
	rec := a.do(http.MethodGet, "/static/css/app.css", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "prefers-color-scheme") {
		t.Errorf("stylesheet: got %d", rec.Code)
	}
	_ = context.Background()
}
