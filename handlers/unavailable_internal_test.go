package handlers

import (
	"net/http"
	"reflect"
	"testing"
)

// TestHeaderSnapshotPutsBackWhatWasThere: whatever a failed try did to the
// headers (set, added, deleted, new ones), restore brings back what they
// held before it, and what the next try adds leaves the snapshot as it was,
// so a retried page never sends a cookie or a header twice.
func TestHeaderSnapshotPutsBackWhatWasThere(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Security-Policy", "default-src 'self'")
	h.Add("Set-Cookie", "icare_csrf=a")
	h.Add("Vary", "Cookie")
	want := h.Clone()
	s := snapshot(h)
	for range 2 {
		h.Set("Content-Security-Policy", "none")
		h.Add("Set-Cookie", "icare_resume=b")
		h.Del("Vary")
		h.Set("Location", "/s/C")
		s.restore(h)
		if !reflect.DeepEqual(h, want) {
			t.Fatalf("restored: %v want %v", h, want)
		}
	}
	h.Add("Set-Cookie", "icare_resume=c")
	s.restore(h)
	if got := h.Values("Set-Cookie"); len(got) != 1 || got[0] != "icare_csrf=a" {
		t.Errorf("an Add after a restore reached the snapshot: %q", got)
	}
}
