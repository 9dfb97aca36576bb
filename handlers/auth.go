package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// AuthStore is what sign-in and accounts need from the data layer.
type AuthStore interface {
	Sessions() scs.Store
	Authenticate(ctx context.Context, email, password string) (models.User, error)
	UserByID(ctx context.Context, id uint) (models.User, error)
	RecordSignInAttempt(ctx context.Context, buckets ...string) ([]uint64, error)
	SignInFailures(ctx context.Context, bucket string, since time.Time) (int64, error)
	ForgetSignInAttempts(ctx context.Context, ids []uint64, bucket string, before time.Time) error
	ChangePassword(ctx context.Context, id uint, current, next string) error
	PasswordTokenUser(ctx context.Context, token string) (models.User, error)
	UsePasswordToken(ctx context.Context, token, password string) (models.User, error)
}

// Sign-in limits: failures counted per account and per address over a
// sliding window, in the database so that every replica agrees.
const (
	signInWindow          = 15 * time.Minute
	maxFailuresPerAccount = 5
	maxFailuresPerAddress = 20
	sessionUserKey        = "user_id"
	sessionEpochKey       = "epoch"
)

// newSessions configures the server-side sessions: stored in the database,
// renewed at sign-in, ending after an hour idle or twelve hours in all.
func (s *Server) newSessions() *scs.SessionManager {
	sm := scs.New()
	sm.Store = s.store.Sessions()
	sm.IdleTimeout = time.Hour
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = "icare_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = s.secureCookies()
	sm.Cookie.Persist = false
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.Error("session", "uri", r.RequestURI, "err", err)
		http.Error(w, "Something went wrong on our side. Please try again in a moment.", http.StatusInternalServerError)
	}
	return sm
}

// loadViewer makes the signed-in account, if any, the request's Viewer. An
// account deactivated since it signed in loses its session here.
func (s *Server) loadViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := s.sessions.GetInt(ctx, sessionUserKey)
		if id == 0 {
			return next(c)
		}
		u, err := s.store.UserByID(ctx, uint(id))
		stale := err == nil && (!u.Active || s.sessions.GetInt64(ctx, sessionEpochKey) != u.SessionEpoch)
		if errors.Is(err, models.ErrNotFound) || stale {
			if err := s.sessions.Destroy(ctx); err != nil {
				return fmt.Errorf("end session of user %d: %w", id, err)
			}
			return next(c)
		}
		if err != nil {
			return err
		}
		teams, err := s.store.Teams(ctx)
		if err != nil {
			return err
		}
		setViewer(c, NewViewer(u, teams))
		c.SetRequest(c.Request().WithContext(views.WithUser(ctx, views.CurrentUser{Email: u.Email, IsAdmin: u.Role == models.RoleAdmin})))
		return next(c)
	}
}

// signInForm is GET /login.
func (s *Server) signInForm(c echo.Context) error {
	if viewerOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	return render(c, http.StatusOK, views.SignIn(views.SignInPage{Next: nextPath(c.QueryParam("next"))}))
}

// signIn is POST /login: check the rate limits, then the password; on
// success renew the session id (against fixation) and go on.
func (s *Server) signIn(c echo.Context) error {
	ctx := c.Request().Context()
	// Whatever was typed, only text reaches the database.
	email := strings.ToLower(strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(c.FormValue("email"), "\x00", ""), "")))
	if utf8.RuneCountInString(email) > 254 {
		email = string([]rune(email)[:254])
	}
	page := views.SignInPage{Email: email, Next: nextPath(c.FormValue("next"))}
	now := s.store.Now()
	accountBucket, addressBucket := "email:"+email, "ip:"+c.RealIP()
	// The attempt is counted before the password is checked, so that
	// parallel guesses cannot all slip under the limit; a good sign-in takes
	// its own attempt back.
	attempt, err := s.store.RecordSignInAttempt(ctx, accountBucket, addressBucket)
	if err != nil {
		return err
	}
	for _, lim := range []struct {
		bucket string
		max    int64
	}{{accountBucket, maxFailuresPerAccount}, {addressBucket, maxFailuresPerAddress}} {
		n, err := s.store.SignInFailures(ctx, lim.bucket, now.Add(-signInWindow))
		if err != nil {
			return err
		}
		if n > lim.max {
			page.Problem = fmt.Sprintf("Too many failed sign-ins. Please wait %d minutes and try again.", int(signInWindow.Minutes()))
			return render(c, http.StatusTooManyRequests, views.SignIn(page))
		}
	}
	u, err := s.store.Authenticate(ctx, email, c.FormValue("password"))
	if errors.Is(err, models.ErrBadCredentials) {
		page.Problem = "The e-mail address or the password is not right."
		return render(c, http.StatusUnauthorized, views.SignIn(page))
	}
	if err != nil {
		return err
	}
	if err := s.store.ForgetSignInAttempts(ctx, attempt, accountBucket, now.Add(-signInWindow)); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	s.sessions.Put(ctx, sessionUserKey, int(u.ID))
	s.sessions.Put(ctx, sessionEpochKey, u.SessionEpoch)
	return redirect(c, page.Next)
}

// signOut is POST /logout.
func (s *Server) signOut(c echo.Context) error {
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return redirect(c, "/login")
}

// nextPath is where to go after signing in: a local path, else /home.
func nextPath(p string) string {
	if u, err := url.Parse(p); err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/home"
	}
	return p
}

// passwordForm is GET /account/password.
func (s *Server) passwordForm(c echo.Context) error {
	return render(c, http.StatusOK, views.ChangePassword(views.PasswordPage{Email: viewerOf(c).Email}))
}

// changePassword is POST /account/password.
func (s *Server) changePassword(c echo.Context) error {
	v := viewerOf(c)
	page := views.PasswordPage{Email: v.Email, Errors: views.FieldErrors{}}
	next, confirm := c.FormValue("new"), c.FormValue("confirm")
	if err := models.CheckPassword(next); err != nil {
		page.Errors["new"] = capitalise(err.Error()) + "."
	} else if next != confirm {
		page.Errors["confirm"] = "The two new passwords differ."
	}
	if len(page.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.ChangePassword(page))
	}
	err := s.store.ChangePassword(c.Request().Context(), v.UserID, c.FormValue("current"), next)
	if errors.Is(err, models.ErrBadCredentials) {
		page.Errors["current"] = "This is not your current password."
		return render(c, http.StatusUnprocessableEntity, views.ChangePassword(page))
	}
	if err != nil {
		return err
	}
	// Every other session of the account has ended; this one goes on under
	// a new id and the new epoch.
	u, err := s.store.UserByID(c.Request().Context(), v.UserID)
	if err != nil {
		return err
	}
	if err := s.sessions.RenewToken(c.Request().Context()); err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	s.sessions.Put(c.Request().Context(), sessionEpochKey, u.SessionEpoch)
	page.Done = true
	return render(c, http.StatusOK, views.ChangePassword(page))
}

// setPasswordForm is GET /set-password/:token, the one-time link of a new
// account.
func (s *Server) setPasswordForm(c echo.Context) error {
	u, err := s.store.PasswordTokenUser(c.Request().Context(), c.Param("token"))
	if err != nil {
		return passwordLinkError(err)
	}
	return render(c, http.StatusOK, views.ChangePassword(views.PasswordPage{Email: u.Email, Token: c.Param("token")}))
}

// setPassword is POST /set-password/:token.
func (s *Server) setPassword(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	u, err := s.store.PasswordTokenUser(ctx, token)
	if err != nil {
		return passwordLinkError(err)
	}
	page := views.PasswordPage{Email: u.Email, Token: token, Errors: views.FieldErrors{}}
	next := c.FormValue("new")
	if err := models.CheckPassword(next); err != nil {
		page.Errors["new"] = capitalise(err.Error()) + "."
	} else if next != c.FormValue("confirm") {
		page.Errors["confirm"] = "The two passwords differ."
	}
	if len(page.Errors) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.ChangePassword(page))
	}
	if _, err := s.store.UsePasswordToken(ctx, token, next); err != nil {
		return passwordLinkError(err)
	}
	return redirect(c, "/login")
}

func passwordLinkError(err error) error {
	if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrTokenExpired) {
		return echo.NewHTTPError(http.StatusNotFound, "This password link is not valid: it may have expired or been used already. Ask an admin for a new one.")
	}
	return err
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
