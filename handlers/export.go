package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// ExportStore is what the CSV exports need from the data layer.
type ExportStore interface {
	Teams(ctx context.Context) ([]models.Team, error)
	Round(ctx context.Context, id uint) (models.Round, error)
	DefaultRound(ctx context.Context) (models.Round, error)
	Cells(ctx context.Context, roundID uint) ([]models.Cell, error)
	ExportResponses(ctx context.Context, roundID uint, after uint64, limit int, fn func(*models.ExportRow) error) (more bool, err error)
}

var _ ExportStore = (*models.Store)(nil)

// exportBatch is how many responses responses.csv reads per query. Over a
// million responses, batches of 1,000 took 8 % longer than batches of 20,000
// and batches of 5,000 4 %; a batch of 5,000 is about a megabyte of memory.
const exportBatch = 5000

// writeWindow is how long a download may take to accept each batch: the
// export moves the connection's write deadline forward by this much at every
// batch, so a large file is never cut off by the server's overall
// WriteTimeout while it keeps moving, and a client that stops reading is let
// go.
const writeWindow = time.Minute

// exportOptions are a download's query parameters, checked.
type exportOptions struct {
	// round is the chosen round; nil only for the codebook with no rounds.
	round *models.Round
	comma byte
	bom   bool
}

var errNoRounds = echo.NewHTTPError(http.StatusNotFound,
	"No survey round has been opened yet, so there is nothing to export.")

// exportOptionsOf reads ?round=, ?bom= and ?delimiter=. A bad value is a 400
// that says what is allowed, an unknown round a 404; with no round given the
// open round is used, else the latest closed one (PRODUCT.md §7). needRound
// is false for the codebook, which does not depend on a round's data.
func exportOptionsOf(c echo.Context, es ExportStore, needRound bool) (exportOptions, error) {
	ctx := c.Request().Context()
	q := c.QueryParams()
	opt := exportOptions{comma: export.Comma}
	switch strings.ToLower(q.Get("delimiter")) {
	case "", "comma", ",":
	case "semicolon", ";":
		opt.comma = export.Semicolon
	default:
		return opt, echo.NewHTTPError(http.StatusBadRequest, "The delimiter must be comma or semicolon, such as ?delimiter=semicolon.")
	}
	switch strings.ToLower(q.Get("bom")) {
	case "", "0", "false":
	case "1", "true":
		opt.bom = true
	default:
		return opt, echo.NewHTTPError(http.StatusBadRequest, "bom must be 1 (add a byte order mark for Excel) or 0.")
	}
	raw := strings.TrimSpace(q.Get("round"))
	if raw == "" {
		r, err := es.DefaultRound(ctx)
		switch {
		case errors.Is(err, models.ErrNotFound) && !needRound:
			return opt, nil
		case errors.Is(err, models.ErrNotFound):
			return opt, errNoRounds
		case err != nil:
			return opt, err
		}
		opt.round = &r
		return opt, nil
	}
	id, err := strconv.ParseUint(raw, 10, 32)
	if err != nil {
		return opt, echo.NewHTTPError(http.StatusBadRequest, "The round must be given by its number, such as ?round=3.")
	}
	r, err := es.Round(ctx, uint(id))
	if errors.Is(err, models.ErrNotFound) {
		return opt, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("There is no survey round %d.", id))
	}
	if err != nil {
		return opt, err
	}
	opt.round = &r
	return opt, nil
}

// fileName is the download's name, such as icare-responses-2027-q1.csv: the
// file's kind and the round's name reduced to ASCII letters, digits and
// hyphens, so it is safe in a header and on every file system.
func (o exportOptions) fileName(kind string) string {
	if o.round == nil {
		return "icare-" + kind + ".csv"
	}
	slug := slugify(o.round.Name)
	if slug == "" {
		slug = "round-" + strconv.FormatUint(uint64(o.round.ID), 10)
	}
	return "icare-" + kind + "-" + slug + ".csv"
}

// slugify lower-cases s, drops accents (é → e), turns every run of other
// characters into one hyphen and keeps at most 60 characters.
func slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		default:
			hyphen = b.Len() > 0
			continue
		}
		if hyphen {
			b.WriteByte('-')
			hyphen = false
		}
		b.WriteRune(r)
	}
	slug := b.String()
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	return slug
}

// startCSV sends the headers of a CSV download and returns a Writer over the
// response with the byte order mark written when asked for.
func startCSV(c echo.Context, opt exportOptions, kind string) (*export.Writer, error) {
	w, err := export.NewWriter(c.Response(), opt.comma)
	if err != nil {
		return nil, err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+opt.fileName(kind)+`"`)
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	if opt.bom {
		w.BOM()
	}
	return w, nil
}

// flushCSV hands what is buffered to the client now, so the download starts
// at once and moves batch by batch, and gives the client another writeWindow
// to take the next batch.
func flushCSV(c echo.Context, w *export.Writer) error {
	if err := w.Flush(); err != nil {
		return err
	}
	rc := http.NewResponseController(c.Response())
	if err := rc.SetWriteDeadline(time.Now().Add(writeWindow)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("export: extend write deadline: %w", err)
	}
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("export: flush: %w", err)
	}
	return nil
}

// streamFailed ends a download that failed after its first bytes. A client
// that went away is no fault and is not logged as one. Otherwise the error is
// logged here (the response has started, so the error handler stays quiet)
// and the connection is cut, where the server allows it, so the client sees
// an interrupted download instead of a file that merely looks complete.
func (s *Server) streamFailed(c echo.Context, err error) error {
	if c.Request().Context().Err() != nil {
		return nil
	}
	s.log.Error("download failed after it started", "uri", c.Request().RequestURI,
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	if conn, _, herr := http.NewResponseController(c.Response()).Hijack(); herr == nil {
		_ = conn.Close()
	}
	return err
}

// exportResponses is GET /export/responses.csv (admins): one row per
// submitted response of the round, streamed from the database in batches by
// id, with the cells kept at submit copied as they are.
func (s *Server) exportResponses(c echo.Context) error {
	ctx := c.Request().Context()
	opt, err := exportOptionsOf(c, s.store, true)
	if err != nil {
		return err
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return err
	}
	w, err := startCSV(c, opt, "responses")
	if err != nil {
		return err
	}
	roundCell := w.Encode(opt.round.Name)
	teamCells := encodeTeams(w, teams)
	if err := w.Header(export.ResponseColumns()); err != nil {
		return s.streamFailed(c, err)
	}
	if err := flushCSV(c, w); err != nil {
		return s.streamFailed(c, err)
	}
	var after uint64
	row := func(r *models.ExportRow) error {
		after = r.ID
		tc, ok := teamCells[r.TeamID]
		if !ok {
			// A team added while the export runs: read the teams again.
			teams, err := s.store.Teams(ctx)
			if err != nil {
				return err
			}
			teamCells = encodeTeams(w, teams)
			if tc, ok = teamCells[r.TeamID]; !ok {
				return fmt.Errorf("export: response %d belongs to team %d, which does not exist", r.ID, r.TeamID)
			}
		}
		w.Uint(r.ID)
		w.Encoded(roundCell)
		w.Encoded(tc)
		if r.Cells != nil {
			w.StoredCells(r.Cells)
		} else {
			w.ResponseCells(r.Perspective, r.InstrumentVersion, r.SubmittedAt, r.Answers)
		}
		w.TextBytes(r.Comment)
		return w.EndRow()
	}
	for {
		more, err := s.store.ExportResponses(ctx, opt.round.ID, after, exportBatch, row)
		if err != nil {
			return s.streamFailed(c, fmt.Errorf("export responses.csv of round %d: %w", opt.round.ID, err))
		}
		if err := flushCSV(c, w); err != nil {
			return s.streamFailed(c, err)
		}
		if !more {
			return nil
		}
	}
}

// encodeTeams returns, per team id, the team and team_path cells encoded
// once for the whole download.
func encodeTeams(w *export.Writer, teams []models.Team) map[uint][]byte {
	cells := make(map[uint][]byte, len(teams))
	for _, t := range models.Hierarchy(teams) {
		b := w.Encode(t.Name)
		b = append(b, w.Delimiter())
		cells[t.ID] = append(b, w.Encode(export.TeamPath(t.Path))...)
	}
	return cells
}

// exportTeams is GET /export/teams.csv (leaders: their teams and the teams
// below them; admins: every team): one roll-up row per team in hierarchy
// order. A team's headcount counts everyone in it, sub-teams included, so
// response_rate compares it with the roll-up's n. A team the anonymity rules
// hide keeps its row, with its counts, suppressed=true and every score
// empty.
func (s *Server) exportTeams(c echo.Context) error {
	opt, err := exportOptionsOf(c, s.store, true)
	if err != nil {
		return err
	}
	res, err := s.roundResults(c, opt.round.ID)
	if err != nil {
		return err
	}
	v := viewerOf(c)
	w, err := startCSV(c, opt, "teams")
	if err != nil {
		return err
	}
	roundCell := w.Encode(opt.round.Name)
	if err := w.Header(export.TeamColumns()); err != nil {
		return s.streamFailed(c, err)
	}
	scoreCells := len(export.TeamColumns()) - 7
	for _, t := range res.Teams {
		if !v.Sees(t.ID) {
			continue
		}
		w.Encoded(roundCell)
		w.Text(t.Name)
		w.Text(export.TeamPath(t.Path))
		w.Int(int64(t.N()))
		if t.Headcount != nil {
			w.Int(int64(*t.Headcount))
		} else {
			w.Empty()
		}
		if rate, ok := t.ResponseRate(); ok {
			w.Number(rate)
		} else {
			w.Empty()
		}
		p, shown := res.TeamProfile(t)
		w.Bool(!shown)
		if !shown {
			for range scoreCells {
				w.Empty()
			}
		} else {
			// A key (or the index) too few members answered is empty even
			// in a shown team's row: results masks it.
			for k := range scoring.NumKeys {
				w.Score(p.Keys[k].Mean)
			}
			w.Score(p.Index.Mean)
			for k := range scoring.NumKeys {
				w.Score(p.Keys[k].FavorablePct)
			}
			w.Text(export.KeyWord(p.Strongest))
			w.Text(export.KeyWord(p.Weakest))
		}
		if err := w.EndRow(); err != nil {
			return s.streamFailed(c, err)
		}
	}
	if err := flushCSV(c, w); err != nil {
		return s.streamFailed(c, err)
	}
	return nil
}

// exportOrganization is GET /export/organization.csv (leaders and admins):
// one row per key and one for the ICARE index, over every response of the
// round. When the anonymity rules hide the organization (fewer than k
// responses), the six rows stay with every number empty; organization.csv
// has no suppressed column, and teams.csv carries the counts.
func (s *Server) exportOrganization(c echo.Context) error {
	opt, err := exportOptionsOf(c, s.store, true)
	if err != nil {
		return err
	}
	res, err := s.roundResults(c, opt.round.ID)
	if err != nil {
		return err
	}
	w, err := startCSV(c, opt, "organization")
	if err != nil {
		return err
	}
	roundCell := w.Encode(opt.round.Name)
	if err := w.Header(export.OrganizationColumns()); err != nil {
		return s.streamFailed(c, err)
	}
	p, shown := res.OrgProfile()
	row := func(key string, st scoring.Stats, favorable, alpha scoring.Value) error {
		w.Encoded(roundCell)
		w.Text(key)
		if !shown {
			for range len(export.OrganizationColumns()) - 2 {
				w.Empty()
			}
			return w.EndRow()
		}
		w.Int(int64(st.N))
		w.Score(st.Mean)
		w.Score(st.SD)
		w.Score(st.CILow)
		w.Score(st.CIHigh)
		w.Score(favorable)
		w.Score(alpha)
		return w.EndRow()
	}
	for k, slug := range scoring.KeySlugs() {
		ks := p.Keys[k]
		if err := row(slug, ks.Stats, ks.FavorablePct, ks.Alpha); err != nil {
			return s.streamFailed(c, err)
		}
	}
	if err := row(export.IndexKey, p.Index, scoring.Value{}, scoring.Value{}); err != nil {
		return s.streamFailed(c, err)
	}
	if err := flushCSV(c, w); err != nil {
		return s.streamFailed(c, err)
	}
	return nil
}

// exportCodebook is GET /export/codebook.csv (leaders and admins): one row per
// item — its id, its key, its statement, whether it is reverse-keyed and the
// instrument version — so that every score can be recomputed from
// responses.csv with the rules of PRODUCT.md §3. The round only names the
// file; with no round yet, the file is still served.
func (s *Server) exportCodebook(c echo.Context) error {
	opt, err := exportOptionsOf(c, s.store, false)
	if err != nil {
		return err
	}
	w, err := startCSV(c, opt, "codebook")
	if err != nil {
		return err
	}
	if err := w.Header(export.CodebookColumns()); err != nil {
		return s.streamFailed(c, err)
	}
	in := scoring.V1()
	for _, d := range in.Dimensions {
		for _, it := range d.Items {
			w.Text(it.ID)
			w.Text(d.Slug)
			w.Text(it.Text)
			w.Bool(it.Reverse)
			w.Text(in.Version)
			if err := w.EndRow(); err != nil {
				return s.streamFailed(c, err)
			}
		}
	}
	if err := flushCSV(c, w); err != nil {
		return s.streamFailed(c, err)
	}
	return nil
}
