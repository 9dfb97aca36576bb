package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
)

// Access says who may use a route. The rules live in the route table of
// server.go and are enforced here, in one middleware; handlers never check
// roles themselves. What a leader may see inside a route (their teams and
// their descendants) is answered by Viewer.Sees.
type Access int

// Access levels, from the most open.
const (
	// Public routes: sign-in, health, the instrument JSON and the static
	// files.
	Public Access = iota
	// Respondent routes are public too: the survey, its resume and result
	// links and the personal codes. They never read or write a sign-in
	// session: a response has nothing to do with an account, so no page of
	// the survey knows who may be signed in on the device, and its requests
	// skip the session's work.
	Respondent
	// Leader routes need a signed-in account, leader or admin.
	Leader
	// Admin routes need a signed-in admin.
	Admin
	// Internal routes (the metrics) answer only requests that come straight
	// from the networks of the metrics-from setting, signed in or not.
	Internal
)

func (a Access) String() string {
	switch a {
	case Public:
		return "public"
	case Respondent:
		return "respondent"
	case Leader:
		return "leader"
	case Admin:
		return "admin"
	case Internal:
		return "internal"
	}
	return fmt.Sprintf("Access(%d)", int(a))
}

// Viewer is the signed-in person a request acts for.
type Viewer struct {
	UserID uint
	Email  string
	Role   string
	// teams holds the ids of every team the viewer may see: for a leader the
	// assigned teams and all their descendants, for an admin every team.
	teams map[uint]bool
}

// IsAdmin reports whether the viewer is an admin.
func (v *Viewer) IsAdmin() bool { return v != nil && v.Role == models.RoleAdmin }

// Sees reports whether the viewer may see team id's results.
func (v *Viewer) Sees(id uint) bool { return v != nil && (v.IsAdmin() || v.teams[id]) }

// NewViewer builds the viewer of user u: an admin sees every team, a leader
// the teams assigned to u and all their descendants.
func NewViewer(u models.User, all []models.Team) *Viewer {
	v := &Viewer{UserID: u.ID, Email: u.Email, Role: u.Role, teams: map[uint]bool{}}
	children := map[uint][]uint{}
	for _, t := range all {
		if t.ParentID != nil {
			children[*t.ParentID] = append(children[*t.ParentID], t.ID)
		}
		if v.IsAdmin() {
			v.teams[t.ID] = true
		}
	}
	var add func(id uint)
	add = func(id uint) {
		if v.teams[id] {
			return
		}
		v.teams[id] = true
		for _, c := range children[id] {
			add(c)
		}
	}
	for _, t := range u.Teams {
		add(t.ID)
	}
	return v
}

const viewerKey = "icare.viewer"

// viewerOf returns the request's signed-in viewer, or nil.
func viewerOf(c echo.Context) *Viewer {
	v, _ := c.Get(viewerKey).(*Viewer)
	return v
}

// setViewer records the signed-in viewer on the request.
func setViewer(c echo.Context, v *Viewer) {
	c.Set(viewerKey, v)
}

// accessMiddleware enforces a route's Access: a person who is not signed in
// is sent to the sign-in page (or gets 401 from the API and exports), a
// leader on an admin route gets 403.
func (s *Server) accessMiddleware(a Access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch a {
			case Public, Respondent:
				return next(c)
			case Internal:
				if !s.internal(c.Request()) {
					return echo.NewHTTPError(http.StatusForbidden, "This address is for the monitoring of the machine icare runs on.")
				}
				return next(c)
			}
			v := viewerOf(c)
			if v == nil {
				if c.Request().Method == http.MethodGet && !isData(c) {
					return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(localPath(c.Request().URL.RequestURI())))
				}
				return echo.NewHTTPError(http.StatusUnauthorized, "Please sign in first.")
			}
			if a == Admin && !v.IsAdmin() {
				return echo.NewHTTPError(http.StatusForbidden, "This page is for admins only.")
			}
			return next(c)
		}
	}
}

// isData reports whether the request is for a file or the API rather than a
// page a person reads.
func isData(c echo.Context) bool {
	p := c.Request().URL.Path
	return wantsJSON(c) || strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".xlsx")
}
