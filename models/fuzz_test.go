package models_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/icare-hr/icare/models"
)

// codeShape is a personal code as printed: four groups of four signs of the
// code alphabet (no 0, O, 1 or I).
var codeShape = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$`)

// FuzzNormalizeCode types anything as a personal code: what is accepted has
// the printed shape, reads the same again, in lower case and without its
// dashes; what is refused is refused the same way every time.
//
//	go test -run '^$' -fuzz '^FuzzNormalizeCode$' -fuzztime 30s ./models/
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"K7QM-4T2P-XW9H-3NCF", "k7qm 4t2p xw9h 3ncf", "K7QM4T2PXW9H3NCF", "K7QM-4T2P-XW9H-3NC", "O0O0-1111-LLLL-IIII", "K7QM-4T2P-XW9H-3NCF-", "ǅ7QM-4T2P-XW9H-3NCF", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		code, ok := models.NormalizeCode(typed)
		if again, ok2 := models.NormalizeCode(typed); again != code || ok2 != ok {
			t.Fatalf("%q: %q %v, then %q %v", typed, code, ok, again, ok2)
		}
		if !ok {
			if code != "" {
				t.Fatalf("%q refused with %q", typed, code)
			}
			return
		}
		if !codeShape.MatchString(code) {
			t.Fatalf("%q accepted as %q, which is not a code's shape", typed, code)
		}
		for _, form := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", "")} {
			if got, ok := models.NormalizeCode(form); !ok || got != code {
				t.Fatalf("%q (from %q) reads as %q %v, want %q", form, typed, got, ok, code)
			}
		}
	})
}
