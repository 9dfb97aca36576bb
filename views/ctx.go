// Package views holds icare's pages and components as templ files. Components
// take typed view models; the context carries only cross-cutting values
// behind the typed getters of this file.
package views

import "context"

type ctxKey int

const csrfKey ctxKey = iota

// WithCSRF returns ctx carrying the request's CSRF token.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey, token)
}

// CSRF returns the request's CSRF token, or "" outside a request.
func CSRF(ctx context.Context) string {
	tok, _ := ctx.Value(csrfKey).(string)
	return tok
}
