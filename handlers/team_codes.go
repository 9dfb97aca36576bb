package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// teamCodesView is the access and codes section of team t's admin page: the
// codes of the round they are made for, and whether t's latest round has
// more responses than people.
func (s *Server) teamCodesView(c echo.Context, t models.Team) (views.TeamCodes, error) {
	ctx := c.Request().Context()
	v := views.TeamCodes{Access: t.Access, Headcount: t.Headcount}
	round, err := s.store.CodeRound(ctx)
	switch {
	case errors.Is(err, models.ErrNoRoundForCodes):
	case err != nil:
		return v, err
	default:
		v.RoundName = round.Name
		codes, err := s.store.TeamCodes(ctx, t.ID, round.ID)
		if err != nil {
			return v, err
		}
		for _, pc := range codes {
			switch pc.Status {
			case models.CodeUnspent:
				v.Unspent++
				// A started code is its holder's: only counted, never
				// listed, so no one can tell when which code started.
				if pc.ResponseID != nil {
					v.Started++
				} else if pc.Code != nil && len(*pc.Code) >= 4 {
					v.Codes = append(v.Codes, views.CodeRow{ID: pc.ID, Ending: (*pc.Code)[len(*pc.Code)-4:]})
				}
			case models.CodeRevoked:
				v.Revoked++
			case models.CodeExpired:
				v.Expired++
			}
		}
		if v.Spent, err = s.store.SpentCodes(ctx, t.ID, round.ID); err != nil {
			return v, err
		}
		if t.Headcount != nil {
			v.Suggested = max(*t.Headcount-v.Unspent-v.Spent, 0)
		}
	}
	latest, err := s.store.DefaultRound(ctx)
	switch {
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrNoOpenRound):
		return v, nil
	case err != nil:
		return v, err
	}
	res, err := s.roundResults(c, latest)
	if err != nil {
		return v, err
	}
	if rt, ok := res.Team(t.ID); ok && rt.Filler {
		v.Filler, v.FillerRound = true, latest.Name
	}
	return v, nil
}

// adminTeamAccess is POST /admin/teams/:id/access: open link or codes only.
func (s *Server) adminTeamAccess(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	access := c.FormValue("access")
	if access != models.AccessLink && access != models.AccessCodes {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose the open link or personal codes only.")
	}
	if _, err := s.store.SetTeamAccess(c.Request().Context(), actor(c), id, access); err != nil {
		return err
	}
	if access == models.AccessCodes {
		s.setFlash(c, "The team now answers with personal codes only; its open link is refused.")
	} else {
		s.setFlash(c, "The team now answers through its open link.")
	}
	return redirect(c, teamAdminURL(id))
}

// adminMakeCodes is POST /admin/teams/:id/codes: count new codes, at most
// the headcount unless beyond is ticked.
func (s *Server) adminMakeCodes(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.FormValue("count"))
	if err != nil || n < 1 || n > models.MaxCodesAtOnce {
		return s.codesRefused(c, id, fmt.Sprintf("The number of codes must be a whole number from 1 to %d.", models.MaxCodesAtOnce))
	}
	codes, round, err := s.store.GenerateCodes(c.Request().Context(),
		models.NewCodes{TeamID: id, Count: n, BeyondHeadcount: c.FormValue("beyond") == "1", By: actor(c)})
	switch {
	case errors.Is(err, models.ErrBeyondHeadcount):
		return s.codesRefused(c, id, "That is more codes than the team's headcount. Tick “More than the headcount” to make them anyway, or correct the headcount.")
	case errors.Is(err, models.ErrNoRoundForCodes):
		return s.codesRefused(c, id, noCodeRound)
	case errors.Is(err, models.ErrNotAsked):
		return s.codesRefused(c, id, "The round that codes are made for is a pulse round that does not ask this team.")
	case err != nil:
		return err
	}
	s.setFlash(c, fmt.Sprintf("%d codes made for round %s. Print the slips or download the codes for a mail merge.", len(codes), round.Name))
	return redirect(c, teamAdminURL(id))
}

// codesRefused shows the team page again with why the codes were not made.
func (s *Server) codesRefused(c echo.Context, id uint, problem string) error {
	s.setFlash(c, problem)
	return s.renderTeam(c, http.StatusUnprocessableEntity, id, nil, nil)
}

// adminRevokeCodes is POST /admin/teams/:id/codes/revoke: withdraw the
// chosen unused codes.
func (s *Server) adminRevokeCodes(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	var ids []uint64
	for _, v := range form["code_id"] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "A chosen code is not one of this page's.")
		}
		ids = append(ids, n)
	}
	if len(ids) == 0 {
		return s.codesRefused(c, id, "Choose the codes to withdraw.")
	}
	round, err := s.store.CodeRound(c.Request().Context())
	if errors.Is(err, models.ErrNoRoundForCodes) {
		return s.codesRefused(c, id, noCodeRound)
	}
	if err != nil {
		return err
	}
	n, _, err := s.store.RevokeCodes(c.Request().Context(), actor(c), id, round.ID, ids, false)
	if err != nil {
		return err
	}
	s.setFlash(c, fmt.Sprintf("%d codes withdrawn: they no longer work.", n))
	return redirect(c, teamAdminURL(id))
}

// noCodeRound says why no code can be made or changed.
const noCodeRound = "Codes belong to a round, and there is no open or draft round: create a round first."

// adminReplaceCodes is POST /admin/teams/:id/codes/regenerate: every unused
// code (not started) is withdrawn and as many new ones are made, at once.
func (s *Server) adminReplaceCodes(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	round, err := s.store.CodeRound(ctx)
	if errors.Is(err, models.ErrNoRoundForCodes) {
		return s.codesRefused(c, id, noCodeRound)
	}
	if err != nil {
		return err
	}
	n, _, err := s.store.RevokeCodes(ctx, actor(c), id, round.ID, nil, true)
	if err != nil {
		return err
	}
	s.setFlash(c, fmt.Sprintf("%d unused codes replaced: print the new slips; the old codes no longer work.", n))
	return redirect(c, teamAdminURL(id))
}

// unspentCodes is team id's unused codes of the code round, in clear.
func (s *Server) unspentCodes(c echo.Context) (models.Team, models.Round, []string, error) {
	id, err := idParam(c)
	if err != nil {
		return models.Team{}, models.Round{}, nil, err
	}
	ctx := c.Request().Context()
	team, err := s.store.Team(ctx, id)
	if err != nil {
		return models.Team{}, models.Round{}, nil, err
	}
	round, err := s.store.CodeRound(ctx)
	if errors.Is(err, models.ErrNoRoundForCodes) {
		return models.Team{}, models.Round{}, nil, echo.NewHTTPError(http.StatusNotFound, "There are no codes: codes belong to a round, and there is no open or draft round.")
	}
	if err != nil {
		return models.Team{}, models.Round{}, nil, err
	}
	all, err := s.store.TeamCodes(ctx, id, round.ID)
	if err != nil {
		return models.Team{}, models.Round{}, nil, err
	}
	var codes []string
	for _, pc := range all {
		if pc.Status == models.CodeUnspent && pc.Code != nil {
			codes = append(codes, *pc.Code)
		}
	}
	return team, round, codes, nil
}

// codeURL is the link a code's QR code and mail merge carry.
func (s *Server) codeURL(code string) string { return s.cfg.BaseURL + "/c/" + url.PathEscape(code) }

// adminCodeSlips is GET /admin/teams/:id/codes/slips: a slip per unused code.
func (s *Server) adminCodeSlips(c echo.Context) error {
	team, round, codes, err := s.unspentCodes(c)
	if err != nil {
		return err
	}
	page := views.CodeSlipsPage{TeamName: team.Name, RoundName: round.Name, EntryURL: s.cfg.BaseURL + "/c", MinGroup: s.cfg.MinGroup}
	for _, code := range codes {
		page.Slips = append(page.Slips, views.CodeSlip{Code: code, URL: s.codeURL(code), QR: qrMatrix(s.codeURL(code))})
	}
	return render(c, http.StatusOK, views.CodeSlips(page))
}

// codeRow is a row of the codes file.
type codeRow struct {
	team, round, code, link string
}

// codeFile is the mail-merge file of a team's unused codes.
var codeFile = []export.Column[codeRow]{
	{Name: "team", Cell: func(w export.Cells, r *codeRow) { w.Text(r.team) }},
	{Name: "round", Cell: func(w export.Cells, r *codeRow) { w.Text(r.round) }},
	{Name: "code", Cell: func(w export.Cells, r *codeRow) { w.Text(r.code) }},
	{Name: "link", Cell: func(w export.Cells, r *codeRow) { w.Text(r.link) }},
}

// adminCodesCSV is GET /admin/teams/:id/codes.csv (and .xlsx): team, round,
// code and link of every unused code, for a mail merge.
func (s *Server) adminCodesCSV(c echo.Context) error {
	opt, err := formatOptionsOf(c)
	if err != nil {
		return err
	}
	team, round, codes, err := s.unspentCodes(c)
	if err != nil {
		return err
	}
	opt.round = &round
	rows := make([]codeRow, len(codes))
	for i, code := range codes {
		rows[i] = codeRow{team: team.Name, round: round.Name, code: code, link: s.codeURL(code)}
	}
	return s.writeFile(c, opt, "codes-"+slugify(team.Name), rowsBody(codeFile, rows))
}
