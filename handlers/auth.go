package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// Keys of the session's values.
const (
	sessionUserKey  = "user_id"
	sessionEpochKey = "epoch"
)

// newSessions configures the server-side sessions: stored in the database,
// renewed at sign-in, ending after an hour idle or twelve hours in all;
// loadSession is their middleware.
func (s *Server) newSessions() *scs.SessionManager {
	sm := scs.New()
	sm.Store = s.store.Sessions()
	sm.IdleTimeout = time.Hour
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = s.cookieName("icare_session")
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = s.secureCookies()
	sm.Cookie.Persist = false
	return sm
}

// loadViewer makes the signed-in account, if any, the request's Viewer: by
// its session, or on the API by its bearer token (tokenViewer). An account
// deactivated since it signed in loses its session here.
func (s *Server) loadViewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if auth := c.Request().Header.Get(echo.HeaderAuthorization); wantsJSON(c) && len(auth) > 7 && strings.EqualFold(auth[:7], "Bearer ") {
			return s.tokenViewer(c, auth, next)
		}
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
	return render(c, http.StatusOK, views.SignIn(views.SignInPage{Next: localPath(c.QueryParam("next"))}))
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
	page := views.SignInPage{Email: email, Next: localPath(c.FormValue("next"))}
	// The policy and its reasons are in limits.go.
	attempt, ok, err := s.admitSignIn(c, email)
	if err != nil {
		return err
	}
	if !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(signInWindow.Seconds())))
		page.Problem = fmt.Sprintf("Too many failed sign-ins. Please wait %d minutes and try again.", int(signInWindow.Minutes()))
		return render(c, http.StatusTooManyRequests, views.SignIn(page))
	}
	u, err := s.store.Authenticate(ctx, email, c.FormValue("password"))
	if errors.Is(err, models.ErrBadCredentials) {
		page.Problem = "The e-mail address or the password is not right."
		return render(c, http.StatusUnauthorized, views.SignIn(page))
	}
	if err != nil {
		return err
	}
	if err := s.store.ForgetSignInAttempts(ctx, attempt, signInLimits(email, c)[0].bucket); err != nil {
		return err
	}
	if err := s.store.RememberSignInPlace(ctx, knownPlace(email, c), s.store.Now().Add(-knownPlaceFor)); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	s.sessions.Put(ctx, sessionUserKey, int(u.ID))
	s.sessions.Put(ctx, sessionEpochKey, u.SessionEpoch)
	if err := s.saveSession(c); err != nil {
		return err
	}
	s.rotateCSRF(c)
	return redirect(c, page.Next)
}

// signOut is POST /logout.
func (s *Server) signOut(c echo.Context) error {
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	s.rotateCSRF(c)
	return redirect(c, "/login")
}

// localPath is where to go after signing in: p when it is a path on this
// site, else /home. It is the one rule for the destination, whether it comes
// from the sign-in form or from a page that sent the person to sign in.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return "/home"
	}
	return p
}
