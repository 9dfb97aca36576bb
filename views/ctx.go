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

// CurrentUser is the signed-in account as the layout shows it.
type CurrentUser struct {
	Email   string
	IsAdmin bool
}

const userKey ctxKey = csrfKey + 1

// WithUser returns ctx carrying the signed-in account.
func WithUser(ctx context.Context, u CurrentUser) context.Context {
	return context.WithValue(ctx, userKey, &u)
}

// User returns the signed-in account, or nil.
func User(ctx context.Context) *CurrentUser {
	u, _ := ctx.Value(userKey).(*CurrentUser)
	return u
}
