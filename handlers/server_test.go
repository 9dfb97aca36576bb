package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	a := newApp(t)
	if rec := a.request(http.MethodGet, "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("healthz: got %d want 200", rec.Code)
	}
	if rec := a.request(http.MethodGet, "/readyz", nil); rec.Code != http.StatusOK {
		t.Errorf("readyz: got %d want 200", rec.Code)
	}
	a.store.Close()
	if rec := a.request(http.MethodGet, "/readyz", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: got %d want 503", rec.Code)
	}
}

func TestInstrumentJSON(t *testing.T) {
	a := newApp(t)
	rec := a.request(http.MethodGet, "/api/v1/instrument", nil)
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
		rec := a.request(http.MethodGet, path, nil)
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
	rec := a.request(http.MethodGet, "/no/such/page", nil)
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
	rec := a.request(http.MethodPost, "/t/anything", big, "Content-Type", "application/x-www-form-urlencoded")
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d want 413", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "goroutine") || strings.Contains(rec.Body.String(), ".go:") {
		t.Error("the error page leaks internals")
	}
}

func TestStaticFiles(t *testing.T) {
	a := newApp(t)
	rec := a.request(http.MethodGet, "/static/css/app.css", nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "prefers-color-scheme") {
		t.Errorf("stylesheet: got %d", rec.Code)
	}
}
