package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
)

// The CSV files (package export holds their columns), each through download.

// exportResponses is GET /export/responses.csv (admins), and its workbook
// .xlsx: one row per submitted response of the round, streamed from the
// database in batches by id; in the CSV file with the cells kept at submit
// copied as they are.
func (s *Server) exportResponses(c echo.Context) error {
	ctx := c.Request().Context()
	return s.download(c, "responses", pickCurrent, func(opt exportOptions) (csvBody, error) {
		if opt.xlsx {
			n, err := s.store.CountResponses(ctx, opt.round.ID, models.StatusSubmitted)
			if err != nil {
				return nil, err
			}
			if n >= export.MaxSheetRows {
				return nil, echo.NewHTTPError(http.StatusUnprocessableEntity, fmt.Sprintf(
					"This round has %d responses, more than an Excel sheet holds (%d rows): download responses.csv instead.", n, export.MaxSheetRows-1))
			}
		}
		teams, err := s.store.Teams(ctx)
		if err != nil {
			return nil, err
		}
		return func(w export.Table) error {
			row := s.responseRow(c, w, opt.round.Name, teams)
			if err := w.Header(export.ResponseColumns()); err != nil {
				return err
			}
			if err := flushCSV(c, w); err != nil {
				return err
			}
			var after uint64
			next := func(r *models.ExportRow) error {
				after = r.ID
				return row(r)
			}
			for {
				more, err := s.store.ExportResponses(ctx, opt.round.ID, after, exportBatch, next)
				if err != nil {
					return fmt.Errorf("export responses of round %d: %w", opt.round.ID, err)
				}
				if err := flushCSV(c, w); err != nil {
					return err
				}
				if !more {
					return nil
				}
			}
		}, nil
	})
}

// responseRow returns what writes one response's row to w: to a CSV file
// with the team and round cells encoded once and the stored cells copied,
// to a workbook cell by cell. A team added while the export runs makes it
// read the teams again.
func (s *Server) responseRow(c echo.Context, w export.Table, round string, teams []models.Team) func(r *models.ExportRow) error {
	ctx := c.Request().Context()
	placed := func() map[uint]models.Placed {
		m := map[uint]models.Placed{}
		for _, t := range models.Hierarchy(teams) {
			m[t.ID] = t
		}
		return m
	}
	byID := placed()
	team := func(id uint) (models.Placed, error) {
		t, ok := byID[id]
		if ok {
			return t, nil
		}
		fresh, err := s.store.Teams(ctx)
		if err != nil {
			return models.Placed{}, err
		}
		teams, byID = fresh, placed()
		if t, ok = byID[id]; !ok {
			return models.Placed{}, fmt.Errorf("export: a response belongs to team %d, which does not exist", id)
		}
		return t, nil
	}
	cw, isCSV := w.(*export.Writer)
	if !isCSV {
		return func(r *models.ExportRow) error {
			t, err := team(r.TeamID)
			if err != nil {
				return err
			}
			w.Uint(r.ID)
			w.Text(round)
			w.Text(t.Name)
			w.Text(export.TeamPath(t.Path))
			if r.Cells != nil {
				if err := export.StoredRow(w, r.Cells); err != nil {
					return fmt.Errorf("response %d: %w", r.ID, err)
				}
			} else {
				export.ResponseRow(w, r.Perspective, r.InstrumentVersion, r.SubmittedAt, r.Answers)
			}
			w.Text(string(r.Comment))
			return w.EndRow()
		}
	}
	roundCell := cw.Encode(round)
	teamCells := map[uint][]byte{}
	return func(r *models.ExportRow) error {
		tc, ok := teamCells[r.TeamID]
		if !ok {
			t, err := team(r.TeamID)
			if err != nil {
				return err
			}
			tc = append(append(cw.Encode(t.Name), cw.Delimiter()), cw.Encode(export.TeamPath(t.Path))...)
			teamCells[r.TeamID] = tc
		}
		cw.Uint(r.ID)
		cw.Encoded(roundCell)
		cw.Encoded(tc)
		if r.Cells != nil {
			cw.StoredCells(r.Cells)
		} else {
			cw.ResponseCells(r.Perspective, r.InstrumentVersion, r.SubmittedAt, r.Answers)
		}
		cw.TextBytes(r.Comment)
		return cw.EndRow()
	}
}

// exportTeams is GET /export/teams.csv (leaders: their teams and the teams
// below them; admins: every team; of a pulse round, the teams it asked):
// one roll-up row per team in hierarchy order. A team's headcount counts everyone in it, sub-teams included, so
// response_rate compares it with the roll-up's n. A team the anonymity rules
// hide keeps its row, with its counts, suppressed=true and every score
// empty; a key (or the index) too few members answered is empty even in a
// shown team's row, because results masks it.
func (s *Server) exportTeams(c echo.Context) error {
	return s.resultsDownload(c, "teams", func(round models.Round, res *results.Round) csvBody {
		v, asked := viewerOf(c), askedTeams(round, res.Teams)
		var rows []export.TeamRow
		for _, t := range res.Teams {
			if v.Sees(t.ID) && asked.has(t.ID) {
				rows = append(rows, teamCSVRow(round.Name, res, t))
			}
		}
		return rowsBody(export.TeamFile, rows)
	})
}

// teamCSVRow is team t's row of teams.csv.
func teamCSVRow(round string, res *results.Round, t *results.Team) export.TeamRow {
	row := export.TeamRow{Round: round, Team: t.Name, Path: t.Path, N: t.N(), Headcount: t.Headcount, ResponseRate: t.ResponseRate()}
	p, shown := res.TeamProfile(t)
	row.Suppressed, row.Profile = !shown, p
	return row
}

// exportOrganization is GET /export/organization.csv (leaders and admins):
// one row per key and one for the ICARE index, over every response of the
// round. When the anonymity rules hide the organization (fewer than k
// responses), the six rows stay with every number empty; organization.csv
// has no suppressed column, and teams.csv carries the counts.
func (s *Server) exportOrganization(c echo.Context) error {
	return s.resultsDownload(c, "organization", func(round models.Round, res *results.Round) csvBody {
		p, shown := res.OrgProfile()
		var rows []export.OrganizationRow
		// A pulse round's file covers the keys it asked, and no index.
		for _, k := range round.AskedKeys() {
			ks := p.Keys[k]
			rows = append(rows, export.OrganizationRow{Round: round.Name, Key: scoring.KeySlugs()[k], Shown: shown, Stats: ks.Stats, FavorablePct: ks.FavorablePct, Alpha: ks.Alpha})
		}
		if round.Keys == "" {
			rows = append(rows, export.OrganizationRow{Round: round.Name, Key: export.IndexKey, Shown: shown, Stats: p.Index})
		}
		return rowsBody(export.OrganizationFile, rows)
	})
}

// exportCodebook is GET /export/codebook.csv (leaders and admins): one row per
// item — its id, its key, its statement, whether it is reverse-keyed and the
// instrument version — so that every score can be recomputed from
// responses.csv with the scoring package's rules. The round only names the
// file; with no round yet, the file is still served.
func (s *Server) exportCodebook(c echo.Context) error {
	return s.download(c, "codebook", pickOptional, func(exportOptions) (csvBody, error) {
		return rowsBody(export.CodebookFile, export.Codebook(scoring.V1())), nil
	})
}

// planRow is a row of plans.csv: one habit of a plan (a plan without habits
// has one row with the habit cells empty).
type planRow struct {
	team, round, keys, habit, owner, status, notes string
	due                                            *time.Time
}

// planFile is plans.csv, column by column.
var planFile = []export.Column[planRow]{
	{Name: "team", Cell: func(w export.Cells, r *planRow) { w.Text(r.team) }},
	{Name: "round", Cell: func(w export.Cells, r *planRow) { w.Text(r.round) }},
	{Name: "key", Cell: func(w export.Cells, r *planRow) { w.Text(r.keys) }},
	{Name: "habit", Cell: func(w export.Cells, r *planRow) { w.Text(r.habit) }},
	{Name: "owner", Cell: func(w export.Cells, r *planRow) { w.Text(r.owner) }},
	{Name: "due", Cell: func(w export.Cells, r *planRow) {
		if r.due == nil {
			w.Empty()
			return
		}
		w.Date(*r.due)
	}},
	{Name: "status", Cell: func(w export.Cells, r *planRow) { w.Text(r.status) }},
	{Name: "notes", Cell: func(w export.Cells, r *planRow) { w.Text(r.notes) }},
}

// exportPlans is GET /export/plans.csv (and .xlsx): every plan the viewer
// may see (of ?round= only, when given), a row per habit: the team (empty
// for the organization's plan), the round, the focus keys (their slugs,
// such as "ideal attentiveness"), the habit, its owner, due date, status,
// and the plan's notes. Text cells are formula-safe like every export.
func (s *Server) exportPlans(c echo.Context) error {
	opt, err := formatOptionsOf(c)
	if err != nil {
		return err
	}
	// Every round's plans, or with ?round= that round's only.
	if c.QueryParam("round") != "" {
		r, err := s.chosenRound(c, pickPublished)
		if err != nil {
			return err
		}
		opt.round = &r
	}
	body, err := func() (csvBody, error) {
		plans, err := s.plansSeen(c)
		if err != nil {
			return nil, err
		}
		if opt.round != nil {
			kept := plans[:0]
			for _, p := range plans {
				if p.RoundID == opt.round.ID {
					kept = append(kept, p)
				}
			}
			plans = kept
		}
		teams, err := s.store.Teams(c.Request().Context())
		if err != nil {
			return nil, err
		}
		names := map[uint]string{}
		for _, t := range teams {
			names[t.ID] = t.Name
		}
		var rows []planRow
		for _, p := range plans {
			base := planRow{notes: p.Notes}
			if p.TeamID != nil {
				base.team = names[*p.TeamID]
			}
			if p.Round != nil {
				base.round = p.Round.Name
			}
			var keys []string
			for _, k := range p.Keys() {
				keys = append(keys, scoring.KeySlugs()[k])
			}
			base.keys = strings.Join(keys, " ")
			if len(p.Actions) == 0 {
				rows = append(rows, base)
			}
			for _, a := range p.Actions {
				r := base
				r.habit, r.owner, r.status, r.due = a.Habit, a.Owner, a.Status, a.Due
				rows = append(rows, r)
			}
		}
		return rowsBody(planFile, rows), nil
	}()
	if err != nil {
		return err
	}
	return s.writeFile(c, opt, "plans", body)
}
