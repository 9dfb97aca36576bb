package handlers

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/icare-hr/icare/scoring"
)

// FuzzParseStep sends any body to any step of the survey: the form decoder
// never panics, and whatever it accepts is something a Store would store
// (answers 1–5 or skipped, to the page's own statements only, a known
// perspective, a comment within bounds).
//
//	go test -run '^$' -fuzz '^FuzzParseStep$' -fuzztime 30s ./handlers/
func FuzzParseStep(f *testing.F) {
	f.Add(uint8(1), "I1=5&I2=4&I3=&I4=2&I5=1&action=next&_csrf=x")
	f.Add(uint8(0), "perspective=manager&action=next")
	f.Add(uint8(6), "comment=Better+handovers%0D%0Aplease&action=submit")
	f.Add(uint8(3), "A1=6&A2=-1&A3=3x&E5=2&action=back&confirm_skip=1")
	f.Add(uint8(2), "C1=%FF&C1=2&zzz=1")
	f.Fuzz(func(t *testing.T, step uint8, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // echo refuses such a body before any handler sees it
		}
		idx := int(step) % len(steps)
		in := parseStep(idx, form)
		if len(in.problems) > 0 {
			return
		}
		if err := in.progress.Validate(); err != nil {
			t.Fatalf("accepted %q on %s, which the Store refuses: %v", body, steps[idx], err)
		}
		k := keyOfStep(idx)
		for _, i := range in.progress.Items {
			if scoring.KeyOfItem(i) != k {
				t.Fatalf("accepted an answer to %s on %s", scoring.ItemID(i), steps[idx])
			}
		}
		if in.progress.Comment != nil && strings.Contains(*in.progress.Comment, "\r\n") {
			t.Fatalf("a comment kept its CRLF: %q", *in.progress.Comment)
		}
	})
}

// FuzzRedactURI: whatever follows a secret route's prefix never reaches the
// log, however the rest of the request URI looks.
//
//	go test -run '^$' -fuzz '^FuzzRedactURI$' -fuzztime 30s ./handlers/
func FuzzRedactURI(f *testing.F) {
	f.Add("r", "Zx8kP2mQ7rT4vW9yB3nC6dF1gH5jK0lMaaaaaaaaaaa", "")
	f.Add("RESUME", "some-secret-token-value", "?next=/r/another-secret-value")
	f.Add("set-password", "tok%2Fen-with-escapes", "/extra/segments?_csrf=abc&x=1")
	f.Add("c", "K7QM-4T2P-XW9H-3NCF", "?code=K7QM")
	r := newRedactor((&Server{}).routes())
	var prefixes []string
	for _, p := range r.patterns {
		if i := slices.Index(p, secretParam); i > 0 && !strings.HasPrefix(p[i-1], ":") {
			prefixes = append(prefixes, p[i-1])
		}
	}
	f.Fuzz(func(t *testing.T, prefix, secret, rest string) {
		// (A secret the client itself repeats elsewhere in the URI, in a
		// query value of its own, is out of the redactor's reach.)
		if len(secret) < 12 || strings.ContainsAny(secret, "/?") || strings.Contains(redacted, secret) || strings.Contains(rest, secret) {
			return
		}
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.EqualFold(p, prefix) }) {
			prefix = prefixes[len(prefix)%len(prefixes)]
		}
		// The same link as written, as an absolute-form request line, with
		// a dot segment before it, and with its slash escaped.
		for _, uri := range []string{"/" + prefix + "/" + secret + rest, "http://icare.test/" + prefix + "/" + secret + rest,
			"/x/../" + prefix + "/" + secret + rest, "/" + prefix + "%2F" + secret + rest} {
			if got := r.uri(uri); strings.Contains(got, secret) {
				t.Fatalf("%q is logged as %q", uri, got)
			}
		}
	})
}
