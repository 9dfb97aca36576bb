package handlers_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/load"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

// The survey's two hot paths, each beside the least a server could do for
// it, measured in the same loop over real HTTP on loopback:
//
//	go test -run '^$' -bench 'KeyPageGet|FinalSubmit' -benchtime 500x ./handlers/
//
// The ratio is icare's throughput over the baseline's (the goal: at least
// 0.5).

// surveyServer serves a on a loopback port and gives the link of a team in
// an open round.
func surveyServer(b *testing.B, a *app) (*httptest.Server, *url.URL) {
	team := a.survey()
	srv := httptest.NewServer(a.e)
	b.Cleanup(srv.Close)
	link, _ := url.Parse(srv.URL + "/t/" + team.InviteToken)
	return srv, link
}

// walkTo starts a response on a new client and answers every page before
// the step stop ("comment" or a key); it returns the client and the step's
// URL.
func walkTo(b *testing.B, link *url.URL, stop string, r *rand.Rand) (*load.Client, *url.URL) {
	ctx := context.Background()
	c := load.NewClient(link, r)
	post := func(u *url.URL, form url.Values) *url.URL {
		page, err := c.Get(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		tok, err := load.CSRF(page)
		if err != nil {
			b.Fatal(err)
		}
		form.Set("_csrf", tok)
		next, err := c.Post(ctx, u, form)
		if err != nil {
			b.Fatal(err)
		}
		return next
	}
	next := post(link, url.Values{"action": {"start"}})
	next = post(next, url.Values{"action": {"next"}, "perspective": {"frontline"}})
	for k, id := range scoring.KeyIDs() {
		if id == stop {
			break
		}
		form := url.Values{"action": {"next"}}
		for j := range scoring.ItemsPerKey {
			form.Set(scoring.ItemID(k*scoring.ItemsPerKey+j), strconv.Itoa(1+r.IntN(5)))
		}
		next = post(next, form)
	}
	return c, next
}

// BenchmarkKeyPageGet: GET of a key page with saved answers, through
// icare's middleware, its one query and templ, against a bare echo handler
// that serves the same bytes.
func BenchmarkKeyPageGet(b *testing.B) {
	a := newApp(b)
	_, link := surveyServer(b, a)
	r := rand.New(rand.NewPCG(1, 2))
	c, _ := walkTo(b, link, "comment", r)
	page, _ := url.Parse(link.Scheme + "://" + link.Host + "/s/A")
	body, err := c.Get(context.Background(), page)
	if err != nil {
		b.Fatal(err)
	}
	body = bytes.Clone(body) // the client reuses its buffer
	e := echo.New()
	e.GET("/s/:step", func(c echo.Context) error { return c.HTMLBlob(http.StatusOK, body) })
	bare := httptest.NewServer(e)
	b.Cleanup(bare.Close)
	barePage, _ := url.Parse(bare.URL + "/s/A")
	bareClient := load.NewClient(barePage, r)
	var took [2]time.Duration
	for range b.N {
		start := time.Now()
		if _, err := c.Get(context.Background(), page); err != nil {
			b.Fatal(err)
		}
		took[0] += time.Since(start)
		start = time.Now()
		if _, err := bareClient.Get(context.Background(), barePage); err != nil {
			b.Fatal(err)
		}
		took[1] += time.Since(start)
	}
	report(b, took)
}

func report(b *testing.B, took [2]time.Duration) {
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(per(took[0]), "µs/icare")
	b.ReportMetric(per(took[1]), "µs/baseline")
	b.ReportMetric(float64(took[1])/float64(took[0]), "ratio")
}

// BenchmarkFinalSubmit: the comment page's Submit through icare's whole
// HTTP path, against raw database/sql (SQLite) or pgx (PostgreSQL) doing
// the submit's writes in one transaction, into the same tables (icare's
// schema, its indexes included, in a database of its own): read the
// response, mark it submitted with its result hash and export cells, and
// fold its answers into its cell's counters. (icare's one UPDATE also
// stores the last page's comment and answers; the baseline's stores only
// what the submit changes.) PostgreSQL runs when ICARE_TEST_POSTGRES is
// set.
func BenchmarkFinalSubmit(b *testing.B) {
	for _, e := range dbtest.Engines(b) {
		if e.Name == "mysql" {
			continue
		}
		b.Run(e.Name, func(b *testing.B) {
			a := newApp(b, onEngine(e))
			_, link := surveyServer(b, a)
			raw := newRawSubmit(b, e)
			r := rand.New(rand.NewPCG(3, 4))
			var took [2]time.Duration
			for i := range b.N {
				c, comment := walkTo(b, link, "comment", r)
				page, err := c.Get(context.Background(), comment)
				if err != nil {
					b.Fatal(err)
				}
				tok, _ := load.CSRF(page)
				form := url.Values{"_csrf": {tok}, "action": {"submit"}, "comment": {""}}
				start := time.Now()
				if _, err := c.Post(context.Background(), comment, form); err != nil {
					b.Fatal(err)
				}
				took[0] += time.Since(start)
				c.Close()

				id := raw.prepare(b, i)
				start = time.Now()
				raw.submit(b, id)
				took[1] += time.Since(start)
			}
			report(b, took)
		})
	}
}

// rawSubmit is the baseline: raw SQL on a database of its own with icare's
// schema (its migration, so the same tables, indexes and constraints), a
// team, an open round and the team's frontline cell.
type rawSubmit struct {
	sql          *sql.DB   // SQLite
	pg           *pgx.Conn // PostgreSQL
	round, team  uint
	answerColumn string // the 25 answer columns, comma-separated
}

func newRawSubmit(b *testing.B, e dbtest.Engine) *rawSubmit {
	ctx := context.Background()
	u := dbtest.URL(b, e)
	st, err := models.Open(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	team, err := st.CreateTeam(ctx, models.NewTeam{Name: "Raw"})
	if err != nil {
		b.Fatal(err)
	}
	round, err := st.CreateRound(ctx, models.NewRound{Name: "Raw", Open: true})
	if err != nil {
		b.Fatal(err)
	}
	r := &rawSubmit{round: round.ID, team: team.ID, answerColumn: strings.Join(models.AnswerColumnNames[:], ", ")}
	empty, _ := json.Marshal(new(scoring.Aggregate).Counters())
	const cell = "INSERT INTO cell_aggregates (round_id, team_id, perspective, n, counters, updated_at) VALUES ($1, $2, 'frontline', 0, $3, $4)"
	if e.Name == "postgres" {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close(ctx) })
		if _, err := conn.Exec(ctx, cell, r.round, r.team, string(empty), time.Now().UTC()); err != nil {
			b.Fatal(err)
		}
		r.pg = conn
		return r
	}
	db, err := sql.Open("sqlite3", "file:"+strings.TrimPrefix(u, "sqlite:")+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000&_txlock=immediate&_foreign_keys=on")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(cell, r.round, r.team, string(empty), time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	r.sql = db
	return r
}

// prepare stores response i in progress with 25 answers, untimed, and
// gives its id.
func (r *rawSubmit) prepare(b *testing.B, i int) int64 {
	now := time.Now().UTC()
	args := []any{r.round, r.team, "frontline", scoring.Version, "in_progress", now, now, "",
		fmt.Sprintf("r%063x", i), fmt.Sprintf("p%063x", i)}
	marks := make([]string, 0, len(args)+scoring.NumItems)
	for j := range scoring.NumItems {
		args = append(args, 1+j%5)
	}
	for j := range args {
		marks = append(marks, "$"+strconv.Itoa(j+1))
	}
	q := "INSERT INTO responses (round_id, team_id, perspective, instrument_version, status, started_at, updated_at, comment, " +
		"resume_token_hash, result_token_hash, " + r.answerColumn + ") VALUES (" + strings.Join(marks, ", ") + ")"
	var id int64
	if r.pg != nil {
		if err := r.pg.QueryRow(context.Background(), q+" RETURNING id", args...).Scan(&id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	res, err := r.sql.Exec(q, args...)
	if err == nil {
		id, err = res.LastInsertId()
	}
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// submit is the baseline's submit of response id, one transaction: read
// its answers (locked), mark it submitted with its result hash and export
// cells, and fold its answers into its cell's counters (locked).
func (r *rawSubmit) submit(b *testing.B, id int64) {
	ctx := context.Background()
	var answers scoring.Answers
	now := time.Now().UTC()
	fold := func(counters string) (string, error) {
		var cs []int64
		if err := json.Unmarshal([]byte(counters), &cs); err != nil {
			return "", err
		}
		agg, err := scoring.FromCounters(cs)
		if err != nil {
			return "", err
		}
		agg.Add(answers)
		out, err := json.Marshal(agg.Counters())
		return string(out), err
	}
	vals := make([]sql.NullInt16, scoring.NumItems)
	dest := make([]any, scoring.NumItems)
	for j := range dest {
		dest[j] = &vals[j]
	}
	read := func() {
		for j, v := range vals {
			answers[j] = uint8(v.Int16)
		}
	}
	const (
		lockResponse = " FROM responses WHERE id = $1 AND status = 'in_progress'"
		markDone     = "UPDATE responses SET status = 'submitted', submitted_at = $1, updated_at = $1, result_token_hash = $2, export_cells = $3 WHERE id = $4"
		lockCell     = "SELECT counters FROM cell_aggregates WHERE round_id = $1 AND team_id = $2 AND perspective = 'frontline'"
		foldCell     = "UPDATE cell_aggregates SET n = n + 1, counters = $1, updated_at = $2 WHERE round_id = $3 AND team_id = $4 AND perspective = 'frontline'"
	)
	err := func() error {
		if r.pg != nil {
			tx, err := r.pg.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			if err := tx.QueryRow(ctx, "SELECT "+r.answerColumn+lockResponse+" FOR UPDATE", id).Scan(dest...); err != nil {
				return err
			}
			read()
			if _, err := tx.Exec(ctx, markDone, now, fmt.Sprintf("%064x", id), export.StoredResponseCells("frontline", scoring.Version, now, answers), id); err != nil {
				return err
			}
			var counters string
			if err := tx.QueryRow(ctx, lockCell+" FOR UPDATE", r.round, r.team).Scan(&counters); err != nil {
				return err
			}
			folded, err := fold(counters)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, foldCell, folded, now, r.round, r.team); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}
		tx, err := r.sql.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := tx.QueryRow("SELECT "+r.answerColumn+lockResponse, id).Scan(dest...); err != nil {
			return err
		}
		read()
		if _, err := tx.Exec(markDone, now, fmt.Sprintf("%064x", id), export.StoredResponseCells("frontline", scoring.Version, now, answers), id); err != nil {
			return err
		}
		var counters string
		if err := tx.QueryRow(lockCell, r.round, r.team).Scan(&counters); err != nil {
			return err
		}
		folded, err := fold(counters)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(foldCell, folded, now, r.round, r.team); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		b.Fatalf("raw submit %d: %v", id, err)
	}
}
