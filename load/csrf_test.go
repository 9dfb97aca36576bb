package load_test

import (
	"testing"

	"github.com/icare-hr/icare/load"
)

// TestCSRFOfFindsTheFormsToken: the token comes from the hidden field as a
// browser would post it; a page without one, or with the field cut short,
// is an error rather than an empty or wrong token.
func TestCSRFOfFindsTheFormsToken(t *testing.T) {
	page := []byte(`<form method="post"><input type="hidden" name="_csrf" value="tok-123_abc"><button>Next</button></form>`)
	if got, err := load.CSRF(page); err != nil || got != "tok-123_abc" {
		t.Errorf("got %q, %v; want tok-123_abc", got, err)
	}
	for _, bad := range []string{
		`<form><button>Next</button></form>`,
		`<input type="hidden" name="_csrf" value="">`,
		`<input type="hidden" name="_csrf" value="cut-short`,
	} {
		if got, err := load.CSRF([]byte(bad)); err == nil {
			t.Errorf("%s: got token %q, want an error", bad, got)
		}
	}
}
