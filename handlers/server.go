// Package handlers is icare's HTTP layer: the route table with its access
// rules, the middleware chain, the one error handler and one file per
// resource. Handlers consume one Store interface (store.go), satisfied by
// *models.Store.
package handlers

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/icare-hr/icare/config"
)

// Server holds the handlers' dependencies.
type Server struct {
	store    Store
	sessions *scs.SessionManager
	cfg      config.Config
	log      *slog.Logger
	starts   startLimiter
	guesses  *guessLimiter
	apiLimit *middleware.RateLimiterMemoryStore
	redact   redactor
	// respondent holds "METHOD path" of every Respondent route, which the
	// session middleware passes by.
	respondent map[string]bool
	metrics    *metrics
	// notReadyUntil is when /readyz may say ready again after a request
	// met the database's trouble (UnixNano; see unavailable).
	notReadyUntil atomic.Int64
}

// New builds the echo instance: middleware, routes, the error handler and the
// static files.
func New(store Store, cfg config.Config, log *slog.Logger) *echo.Echo {
	s := &Server{store: store, cfg: cfg, log: log, starts: newStartLimiter(), guesses: newGuessLimiter(), apiLimit: newAPILimiter()}
	s.sessions = s.newSessions()
	s.metrics = newMetrics(store)
	routes := s.routes()
	s.redact = newRedactor(routes)
	s.respondent = map[string]bool{}
	for _, r := range routes {
		if r.Access == Respondent {
			s.respondent[r.Method+" "+r.Path] = true
			s.respondent[http.MethodHead+" "+r.Path] = true
		}
	}
	e := echo.New()
	// The client's address is the connection's, unless it comes through a
	// configured reverse proxy: an X-Forwarded-For header from anyone else
	// cannot dodge the per-address sign-in limit.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	s.useMiddleware(e)
	for _, r := range routes {
		// The route's name records its access level, so that e.Routes()
		// lists the whole table with its rules (the access-matrix test
		// reads it).
		e.Add(r.Method, r.Path, r.Handler, s.accessMiddleware(r.Access)).Name = r.Access.String()
		if r.Method == http.MethodGet {
			// HEAD is GET without the body (net/http drops it), under
			// the same rule: monitors and link checkers use it.
			e.Add(http.MethodHead, r.Path, r.Handler, s.accessMiddleware(r.Access)).Name = r.Access.String()
		}
	}
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
	return e
}

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string
	Access  Access
	Handler echo.HandlerFunc
}

// routes is the route table: every URL icare answers, with who may use it.
func (s *Server) routes() []Route {
	return []Route{
		{http.MethodGet, "/", Public, s.home},
		{http.MethodGet, "/healthz", Public, s.healthz},
		{http.MethodGet, "/readyz", Public, s.readyz},
		{http.MethodGet, "/metrics", Internal, s.serveMetrics},
		{http.MethodGet, "/api/v1/instrument", Public, s.instrument},
		{http.MethodGet, "/api/v1/openapi.json", Public, s.apiOpenAPI},
		{http.MethodGet, "/api/v1/rounds", Leader, s.apiRounds},
		{http.MethodGet, "/api/v1/rounds/:id/profiles", Leader, s.apiProfiles},
		{http.MethodGet, "/api/v1/rounds/:id/teams", Leader, s.apiTeams},
		{http.MethodGet, "/static/*", Public, staticHandler()},
		{http.MethodGet, "/robots.txt", Public, robots},

		{http.MethodGet, "/export/responses.csv", Admin, s.exportResponses},
		{http.MethodGet, "/export/teams.csv", Leader, s.exportTeams},
		{http.MethodGet, "/export/organization.csv", Leader, s.exportOrganization},
		{http.MethodGet, "/export/codebook.csv", Leader, s.exportCodebook},
		{http.MethodGet, "/export/responses.xlsx", Admin, s.exportResponses},
		{http.MethodGet, "/export/teams.xlsx", Leader, s.exportTeams},
		{http.MethodGet, "/export/organization.xlsx", Leader, s.exportOrganization},
		{http.MethodGet, "/export/codebook.xlsx", Leader, s.exportCodebook},
		{http.MethodGet, "/export/plans.csv", Leader, s.exportPlans},
		{http.MethodGet, "/export/plans.xlsx", Leader, s.exportPlans},

		{http.MethodGet, "/t/:token", Respondent, s.surveyWelcome},
		{http.MethodPost, "/t/:token", Respondent, s.surveyStart},
		{http.MethodGet, "/s/:step", Respondent, s.surveyStep},
		{http.MethodPost, "/s/:step", Respondent, s.surveySave},
		{http.MethodGet, "/resume/:token", Respondent, s.surveyResume},
		{http.MethodGet, "/r/:token", Respondent, s.personalResult},
		{http.MethodGet, "/c", Respondent, s.codeForm},
		{http.MethodPost, "/c", Respondent, s.codeTyped},
		{http.MethodGet, "/c/:token", Respondent, s.codeWelcome},
		{http.MethodPost, "/c/:token", Respondent, s.codeStart},

		{http.MethodGet, "/login", Public, s.signInForm},
		{http.MethodPost, "/login", Public, s.signIn},
		{http.MethodPost, "/logout", Public, s.signOut},
		{http.MethodGet, "/set-password/:token", Public, s.setPasswordForm},
		{http.MethodPost, "/set-password/:token", Public, s.setPassword},
		{http.MethodGet, "/account/password", Leader, s.passwordForm},
		{http.MethodPost, "/account/password", Leader, s.changePassword},
		{http.MethodGet, "/account/tokens", Leader, s.accountTokens},
		{http.MethodPost, "/account/tokens", Leader, s.createToken},
		{http.MethodPost, "/account/tokens/:id/revoke", Leader, s.revokeToken},
		{http.MethodGet, "/home", Leader, s.leaderHome},
		{http.MethodGet, "/dashboard", Leader, s.dashboard},
		{http.MethodGet, "/dashboard/heatmap", Leader, s.heatmap},
		{http.MethodGet, "/dashboard/compare", Leader, s.compare},
		{http.MethodGet, "/dashboard/trend", Leader, s.trend},
		{http.MethodGet, "/dashboard/perspectives", Leader, s.perspectives},
		{http.MethodGet, "/dashboard/comments", Leader, s.comments},
		{http.MethodGet, "/teams/:id", Leader, s.teamPage},
		{http.MethodGet, "/teams/:id/plan", Leader, s.planForm},
		{http.MethodPost, "/teams/:id/plan", Leader, s.savePlan},
		{http.MethodGet, "/plan", Admin, s.planForm},
		{http.MethodPost, "/plan", Admin, s.savePlan},

		{http.MethodGet, "/admin/teams", Admin, s.adminTeams},
		{http.MethodPost, "/admin/teams", Admin, s.adminCreateTeam},
		{http.MethodGet, "/admin/teams/:id", Admin, s.adminTeam},
		{http.MethodPost, "/admin/teams/:id", Admin, s.adminUpdateTeam},
		{http.MethodPost, "/admin/teams/:id/archive", Admin, s.adminArchiveTeam},
		{http.MethodPost, "/admin/teams/:id/invite", Admin, s.adminNewInvite},
		{http.MethodPost, "/admin/teams/:id/access", Admin, s.adminTeamAccess},
		{http.MethodPost, "/admin/teams/:id/codes", Admin, s.adminMakeCodes},
		{http.MethodPost, "/admin/teams/:id/codes/regenerate", Admin, s.adminReplaceCodes},
		{http.MethodPost, "/admin/teams/:id/codes/revoke", Admin, s.adminRevokeCodes},
		{http.MethodGet, "/admin/teams/:id/codes/slips", Admin, s.adminCodeSlips},
		{http.MethodGet, "/admin/teams/:id/codes.csv", Admin, s.adminCodesCSV},
		{http.MethodGet, "/admin/teams/:id/codes.xlsx", Admin, s.adminCodesCSV},
		{http.MethodGet, "/admin/rounds", Admin, s.adminRounds},
		{http.MethodPost, "/admin/rounds", Admin, s.adminCreateRound},
		{http.MethodPost, "/admin/rounds/:id", Admin, s.adminSetRound},
		{http.MethodGet, "/admin/users", Admin, s.adminUsers},
		{http.MethodPost, "/admin/users", Admin, s.adminInviteUser},
		{http.MethodGet, "/admin/users/:id", Admin, s.adminUser},
		{http.MethodPost, "/admin/users/:id", Admin, s.adminUpdateUser},
		{http.MethodPost, "/admin/users/:id/password-link", Admin, s.adminPasswordLink},
		{http.MethodGet, "/admin/audit", Admin, s.adminAudit},
	}
}
