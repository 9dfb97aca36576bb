package handlers

import (
	"net/url"
	"strings"
)

// secretParam names a route parameter that is a secret: whoever holds it can
// open a survey, a result or an account (the invite, resume, result and
// set-password links). The route table is the one list of them.
const secretParam = ":token"

// secretQueryKeys are query parameters whose value is a secret wherever they
// appear: none of icare's pages asks for one, but a client may send one.
var secretQueryKeys = map[string]bool{"_csrf": true, "token": true, "code": true, "access_token": true, "key": true}

// redacted stands in for a secret in logs.
const redacted = "[redacted]"

// redactor takes the secrets out of request URIs before they are logged:
// every path segment from a secret parameter on, and the values of secret
// query parameters (and of query values that are themselves such paths, like
// ?next=).
type redactor struct {
	patterns [][]string // the segments of each route with a secret
}

func newRedactor(routes []Route) redactor {
	var r redactor
	for _, rt := range routes {
		if strings.Contains(rt.Path, "/"+secretParam) {
			r.patterns = append(r.patterns, segments(rt.Path))
		}
	}
	return r
}

// segments splits a path into its segments, without empty ones or ".".
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// uri is the request URI as it may be logged. A request line in absolute
// form (GET http://host/r/…, which Go routes like /r/…) is logged by its
// path and query.
func (r redactor) uri(uri string) string {
	if !strings.HasPrefix(uri, "/") && strings.Contains(uri, "://") {
		u, err := url.Parse(uri)
		if err != nil {
			return redacted
		}
		uri = u.RequestURI()
	}
	path, query, hasQuery := strings.Cut(uri, "?")
	path = r.path(path)
	if !hasQuery {
		return path
	}
	pairs := strings.Split(query, "&")
	for i, pair := range pairs {
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || secretQueryKeys[strings.ToLower(key)] {
			pairs[i] = k + "=" + redacted
			continue
		}
		if val, err := url.QueryUnescape(v); err == nil && strings.HasPrefix(val, "/") {
			if clean := r.uri(val); clean != val {
				pairs[i] = k + "=" + url.QueryEscape(clean)
			}
		}
	}
	return path + "?" + strings.Join(pairs, "&")
}

// path is a URL path with everything from a secret segment on replaced,
// whether or not the path names a page that exists (a mistyped link holds
// the secret all the same). Letters are compared without case, escapes
// are undone (/r%2F… is /r/…), and a secret route counts wherever it
// starts.
func (r redactor) path(p string) string {
	u, err := url.PathUnescape(p)
	if err != nil {
		// A path with a broken escape elsewhere may still hide an escaped
		// slash before its secret.
		u = strings.NewReplacer("%2F", "/", "%2f", "/").Replace(p)
	}
	// A secret route may start at any segment: dot segments before it
	// (/x/../t/…) or after it (/t/…/..) make the path resolve elsewhere,
	// yet it holds the secret. Logs may lose a little to this; no secret
	// reaches them.
	raw := segments(u)
	for j := range raw {
		if i, ok := r.secretAt(raw[j:]); ok {
			return "/" + strings.Join(append(raw[:j+i:j+i], redacted), "/")
		}
	}
	return p
}

// secretAt reports whether segments raw begin with a route that has a
// secret, and at which of them the secret is.
func (r redactor) secretAt(raw []string) (int, bool) {
	for _, pat := range r.patterns {
		for i, ps := range pat {
			if ps == secretParam {
				if i < len(raw) {
					return i, true
				}
				break
			}
			if i >= len(raw) || (!strings.HasPrefix(ps, ":") && !strings.EqualFold(ps, unescape(raw[i]))) {
				break
			}
		}
	}
	return 0, false
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
