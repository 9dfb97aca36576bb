package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/views"
)

// auditPageSize is how many of the latest changes the audit page shows.
const auditPageSize = 500

// adminAudit is GET /admin/audit: the latest changes, newest first.
func (s *Server) adminAudit(c echo.Context) error {
	evs, err := s.store.AuditEvents(c.Request().Context(), auditPageSize)
	if err != nil {
		return err
	}
	rows := make([]views.AuditRow, len(evs))
	for i, ev := range evs {
		rows[i] = views.AuditRow{At: ev.At, Actor: ev.ActorEmail, Action: ev.Action, Detail: ev.Detail}
	}
	return render(c, http.StatusOK, views.AdminAudit(rows))
}
