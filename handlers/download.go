package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
)

// The one way a file is downloaded, as CSV or as an Excel workbook (the
// same columns, rules and access): download reads the options, lets the
// file prepare what it needs (a failure then is still a clean error page),
// and writes the body. A CSV file streams, and a failure after its first
// byte cuts the connection, so it never looks like a complete file; a
// workbook is written to a temporary file row by row and sent at the end.

// csvBody writes a file's rows, header row first, to a CSV Writer or a
// workbook's Sheet.
type csvBody func(w export.Table) error

// download answers GET of the file kind. prepare, given the checked
// options, reads what the file needs and returns its body; pick says which
// round a request without ?round= gets.
func (s *Server) download(c echo.Context, kind string, pick roundPick, prepare func(opt exportOptions) (csvBody, error)) error {
	opt, err := s.exportOptionsOf(c, pick)
	if err != nil {
		return err
	}
	body, err := prepare(opt)
	if err != nil {
		return err
	}
	return s.writeFile(c, opt, kind, body)
}

// writeFile writes body as the file kind in the format of opt.
func (s *Server) writeFile(c echo.Context, opt exportOptions, kind string, body csvBody) error {
	if opt.xlsx {
		return s.writeWorkbook(c, opt, kind, body)
	}
	w, err := startCSV(c, opt, kind)
	if err != nil {
		return err
	}
	if err := body(w); err != nil {
		return s.streamFailed(c, err)
	}
	if err := flushCSV(c, w); err != nil {
		return s.streamFailed(c, err)
	}
	return nil
}

// writeWorkbook writes body as a workbook of one sheet named after kind,
// and the responses' workbook with the codebook as a second sheet.
func (s *Server) writeWorkbook(c echo.Context, opt exportOptions, kind string, body csvBody) error {
	wb, err := export.NewWorkbook()
	if err != nil {
		return err
	}
	defer wb.Close()
	// A sheet's name is the file's kind ("codes" for codes-sales-emea),
	// within the 31 characters Excel allows.
	name, _, _ := strings.Cut(kind, "-")
	sheet, err := wb.Sheet(name[:min(len(name), 31)])
	if err != nil {
		return err
	}
	if err := body(sheet); err != nil {
		return err
	}
	if kind == "responses" {
		book, err := wb.Sheet("codebook")
		if err != nil {
			return err
		}
		if err := export.WriteTable(book, export.CodebookFile, export.Codebook(scoring.V1())); err != nil {
			return err
		}
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, export.XLSX)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+opt.fileName(kind)+`"`)
	if err := extendDeadline(c); err != nil {
		return err
	}
	c.Response().WriteHeader(http.StatusOK)
	if err := wb.Write(&deadlineWriter{c: c, w: c.Response()}); err != nil {
		return s.streamFailed(c, err)
	}
	return nil
}

// deadlineWriter gives the client another writeWindow after every
// deadlineStep bytes of a workbook, as flushCSV does batch by batch.
type deadlineWriter struct {
	c    echo.Context
	w    io.Writer
	sent int
}

const deadlineStep = 8 << 20

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.sent/deadlineStep != (d.sent+len(p))/deadlineStep {
		if err := extendDeadline(d.c); err != nil {
			return 0, err
		}
	}
	d.sent += len(p)
	return d.w.Write(p)
}

// resultsDownload answers GET of a CSV file made from a round's group
// results, as every page of group figures is: rows turns them into the
// file's body.
func (s *Server) resultsDownload(c echo.Context, kind string, rows func(round models.Round, res *results.Round) csvBody) error {
	return s.download(c, kind, pickPublished, func(opt exportOptions) (csvBody, error) {
		res, err := s.roundResults(c, *opt.round)
		if err != nil {
			return nil, err
		}
		return rows(*opt.round, res), nil
	})
}

// rowsBody is the body of a file with a row per element of rows.
func rowsBody[R any](cols []export.Column[R], rows []R) csvBody {
	return func(w export.Table) error { return export.WriteTable(w, cols, rows) }
}

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
	// xlsx asks for an Excel workbook: a route ending in .xlsx, or a
	// view's ?format=xlsx.
	xlsx bool
}

// exportOptionsOf reads ?round= (see chosenRound), ?bom= and ?delimiter=. A
// bad value is a 400 that says what is allowed, an unknown round a 404.
func (s *Server) exportOptionsOf(c echo.Context, pick roundPick) (exportOptions, error) {
	opt, err := formatOptionsOf(c)
	if err != nil {
		return opt, err
	}
	r, err := s.chosenRound(c, pick)
	switch {
	case errors.Is(err, errNoRounds) && pick == pickOptional:
		return opt, nil
	case err != nil:
		return opt, err
	}
	opt.round = &r
	return opt, nil
}

// formatOptionsOf reads ?bom= and ?delimiter=, for any CSV file.
func formatOptionsOf(c echo.Context) (exportOptions, error) {
	q := c.QueryParams()
	opt := exportOptions{comma: export.Comma, xlsx: strings.HasSuffix(c.Path(), ".xlsx") || q.Get("format") == "xlsx"}
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
	return opt, nil
}

// fileName is the download's name, such as icare-responses-2027-q1.csv: the
// file's kind and the round's name reduced to ASCII letters, digits and
// hyphens, so it is safe in a header and on every file system.
func (o exportOptions) fileName(kind string) string {
	ext := ".csv"
	if o.xlsx {
		ext = ".xlsx"
	}
	if o.round == nil {
		return "icare-" + kind + ext
	}
	slug := slugify(o.round.Name)
	if slug == "" {
		slug = "round-" + strconv.FormatUint(uint64(o.round.ID), 10)
	}
	return "icare-" + kind + "-" + slug + ext
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
	c.Response().WriteHeader(http.StatusOK)
	if opt.bom {
		w.BOM()
	}
	return w, nil
}

// flushCSV hands what is buffered to the client now, so the download starts
// at once and moves batch by batch, and gives the client another writeWindow
// to take the next batch.
func flushCSV(c echo.Context, t export.Table) error {
	w, ok := t.(*export.Writer)
	if !ok {
		// A workbook's rows go to its temporary file; the connection has
		// only to stay open until it is sent.
		return extendDeadline(c)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := extendDeadline(c); err != nil {
		return err
	}
	if err := http.NewResponseController(c.Response()).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("export: flush: %w", err)
	}
	return nil
}

// extendDeadline gives the client another writeWindow to take the next
// part of a download.
func extendDeadline(c echo.Context) error {
	rc := http.NewResponseController(c.Response())
	if err := rc.SetWriteDeadline(time.Now().Add(writeWindow)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("export: extend write deadline: %w", err)
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
	s.log.Error("download failed after it started", "uri", s.redact.uri(c.Request().RequestURI),
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	if conn, _, herr := http.NewResponseController(c.Response()).Hijack(); herr == nil {
		_ = conn.Close()
	}
	return err
}
