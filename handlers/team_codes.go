package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/views"
)

// teamCodesView is the access and codes section of team t's admin page: the
// counts and printable batches of the round codes are made for, and whether
// t's latest round has more responses than people. Nothing in it tells one
// code from another, so reloading it while people answer tells nobody who
// has started or submitted.
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
		counts, err := s.store.CodeCounts(ctx, t.ID, round.ID)
		if err != nil {
			return v, err
		}
		v.Unused, v.Started, v.Spent, v.Withdrawn = counts.Unused, counts.Started, counts.Spent, counts.Withdrawn
		batches, err := s.store.CodeBatches(ctx, t.ID, round.ID)
		if err != nil {
			return v, err
		}
		for _, b := range batches {
			v.Batches = append(v.Batches, views.CodeBatchRow{ID: b.ID, Made: b.CreatedAt, Codes: len(b.Codes())})
		}
		if t.Headcount != nil {
			v.Suggested = max(*t.Headcount-v.Unused-v.Started-v.Spent, 0)
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
	batch, round, err := s.store.GenerateCodes(c.Request().Context(),
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
	s.setFlash(c, fmt.Sprintf("%d codes made for round %s as batch %d. Print its slips or download it for a mail merge.", batch.Made, round.Name, batch.ID))
	return redirect(c, teamAdminURL(id))
}

// codesRefused shows the team page again with why the codes were not made.
func (s *Server) codesRefused(c echo.Context, id uint, problem string) error {
	s.setFlash(c, problem)
	return s.renderTeam(c, http.StatusUnprocessableEntity, id, nil, nil)
}

// adminRevokeCodes is POST /admin/teams/:id/codes/revoke: withdraw the
// codes named in the field codes (one per line), or the unused codes of
// the batch in the field batch.
func (s *Server) adminRevokeCodes(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if b := c.FormValue("batch"); b != "" {
		batch, err := strconv.ParseUint(b, 10, 64)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The chosen batch is not one of this page's.")
		}
		n, err := s.store.WithdrawBatch(ctx, actor(c), id, batch)
		if errors.Is(err, models.ErrNotFound) {
			return s.codesRefused(c, id, "That batch has been withdrawn, replaced or closed already.")
		}
		if err != nil {
			return err
		}
		s.setFlash(c, fmt.Sprintf("Batch %d withdrawn: its %d unused codes no longer work, and its slips can no longer be printed. Codes someone has started with still work for them.", batch, n))
		return redirect(c, teamAdminURL(id))
	}
	var codes []string
	for _, line := range strings.FieldsFunc(c.FormValue("codes"), func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		code, ok := models.NormalizeCode(line)
		if !ok {
			return s.codesRefused(c, id, fmt.Sprintf("“%s” is not a code: a code has 16 letters and digits, like K7QM-4T2P-XW9H-3NCF. Put one code on each line.", truncate(strings.TrimSpace(line), 40)))
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return s.codesRefused(c, id, "Type or paste the codes to withdraw, one per line.")
	}
	round, err := s.store.CodeRound(ctx)
	if errors.Is(err, models.ErrNoRoundForCodes) {
		return s.codesRefused(c, id, noCodeRound)
	}
	if err != nil {
		return err
	}
	n, err := s.store.WithdrawCodes(ctx, actor(c), id, round.ID, codes)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%d of %d codes withdrawn: they no longer work.", n, len(codes))
	if n < len(codes) {
		msg += " The others were mistyped, withdrawn before, or used already; which of these is not told, so that nobody learns who has answered."
	}
	s.setFlash(c, msg)
	return redirect(c, teamAdminURL(id))
}

// noCodeRound says why no code can be made or changed.
const noCodeRound = "Codes belong to a round, and there is no open or draft round: create a round first."

// adminReplaceCodes is POST /admin/teams/:id/codes/regenerate: every unused
// code (not started) is withdrawn and as many new ones are made, as a new
// batch, at once; the old batches can no longer be printed.
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
	batch, n, err := s.store.ReplaceCodes(ctx, actor(c), id, round.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		s.setFlash(c, "There were no unused codes to replace.")
	} else {
		s.setFlash(c, fmt.Sprintf("%d unused codes replaced by batch %d: print its slips; the old codes no longer work.", n, batch.ID))
	}
	return redirect(c, teamAdminURL(id))
}

// codeBatches is team id's codes to print: those of the batch in the query
// parameter batch, or of every printable batch of the code round. They are
// as they were made, used or not.
func (s *Server) codeBatches(c echo.Context) (models.Team, models.Round, uint64, []string, error) {
	var none []string
	id, err := idParam(c)
	if err != nil {
		return models.Team{}, models.Round{}, 0, none, err
	}
	ctx := c.Request().Context()
	team, err := s.store.Team(ctx, id)
	if err != nil {
		return models.Team{}, models.Round{}, 0, none, err
	}
	if b := c.QueryParam("batch"); b != "" {
		n, err := strconv.ParseUint(b, 10, 64)
		if err != nil {
			return models.Team{}, models.Round{}, 0, none, echo.NewHTTPError(http.StatusBadRequest, "batch must be the number of one of this team's batches of codes.")
		}
		batch, err := s.store.CodeBatch(ctx, id, n)
		if errors.Is(err, models.ErrNotFound) {
			return models.Team{}, models.Round{}, 0, none, echo.NewHTTPError(http.StatusNotFound, "This team has no such batch of codes.")
		}
		if err != nil {
			return models.Team{}, models.Round{}, 0, none, err
		}
		if batch.List == nil {
			return models.Team{}, models.Round{}, 0, none, echo.NewHTTPError(http.StatusGone, "This batch of codes was withdrawn, replaced or closed with its round: its codes are no longer kept.")
		}
		round, err := s.store.Round(ctx, batch.RoundID)
		if err != nil {
			return models.Team{}, models.Round{}, 0, none, err
		}
		return team, round, batch.ID, batch.Codes(), nil
	}
	round, err := s.store.CodeRound(ctx)
	if errors.Is(err, models.ErrNoRoundForCodes) {
		return models.Team{}, models.Round{}, 0, none, echo.NewHTTPError(http.StatusNotFound, "There are no codes: codes belong to a round, and there is no open or draft round.")
	}
	if err != nil {
		return models.Team{}, models.Round{}, 0, none, err
	}
	batches, err := s.store.CodeBatches(ctx, id, round.ID)
	if err != nil {
		return models.Team{}, models.Round{}, 0, none, err
	}
	var codes []string
	for _, b := range batches {
		codes = append(codes, b.Codes()...)
	}
	return team, round, 0, codes, nil
}

// codeURL is the link a code's QR code and mail merge carry.
func (s *Server) codeURL(code string) string { return s.cfg.BaseURL + "/c/" + url.PathEscape(code) }

// adminCodeSlips is GET /admin/teams/:id/codes/slips[?batch=N]: a slip per
// code of the batch, or of every printable batch of the code round.
func (s *Server) adminCodeSlips(c echo.Context) error {
	team, round, batch, codes, err := s.codeBatches(c)
	if err != nil {
		return err
	}
	page := views.CodeSlipsPage{TeamName: team.Name, RoundName: round.Name, Batch: batch, EntryURL: s.cfg.BaseURL + "/c", MinGroup: s.cfg.MinGroup}
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

// adminCodesCSV is GET /admin/teams/:id/codes.csv (and .xlsx), with
// ?batch=N as the slips: team, round, code and link of each code, for a
// mail merge.
func (s *Server) adminCodesCSV(c echo.Context) error {
	opt, err := formatOptionsOf(c)
	if err != nil {
		return err
	}
	team, round, batch, codes, err := s.codeBatches(c)
	if err != nil {
		return err
	}
	opt.round = &round
	rows := make([]codeRow, len(codes))
	for i, code := range codes {
		rows[i] = codeRow{team: team.Name, round: round.Name, code: code, link: s.codeURL(code)}
	}
	name := "codes-" + slugify(team.Name)
	if batch != 0 {
		name += "-batch-" + strconv.FormatUint(batch, 10)
	}
	return s.writeFile(c, opt, name, rowsBody(codeFile, rows))
}
