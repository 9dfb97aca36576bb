package handlers_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/load"
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
// the same writes in one transaction: read the response, mark it submitted
// with its result hash and export cells, and fold its answers into its
// cell's counters. PostgreSQL runs when ICARE_TEST_POSTGRES is set.
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

// rawSubmit is the baseline's table of responses and of cell counters.
type rawSubmit struct {
	sql *sql.DB   // SQLite
	pg  *pgx.Conn // PostgreSQL
}

const rawSchema = `CREATE TABLE raw_responses (id BIGINT PRIMARY KEY, team_id INT NOT NULL, perspective VARCHAR(16) NOT NULL,
	status VARCHAR(16) NOT NULL, submitted_at TIMESTAMP, result_hash VARCHAR(64), export_cells TEXT, %s);
CREATE TABLE raw_cells (team_id INT NOT NULL, perspective VARCHAR(16) NOT NULL, n INT NOT NULL, counters TEXT NOT NULL,
	PRIMARY KEY (team_id, perspective))`

func newRawSubmit(b *testing.B, e dbtest.Engine) *rawSubmit {
	cols := make([]string, scoring.NumItems)
	for i := range cols {
		cols[i] = fmt.Sprintf("a%d SMALLINT", i)
	}
	schema := fmt.Sprintf(rawSchema, strings.Join(cols, ", "))
	ctx := context.Background()
	empty, _ := json.Marshal(new(scoring.Aggregate).Counters())
	if e.Name == "postgres" {
		conn, err := pgx.Connect(ctx, dbtest.URL(b, e))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close(ctx) })
		for _, stmt := range strings.Split(schema, ";") {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := conn.Exec(ctx, "INSERT INTO raw_cells VALUES (1, 'frontline', 0, $1)", string(empty)); err != nil {
			b.Fatal(err)
		}
		return &rawSubmit{pg: conn}
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	for _, stmt := range strings.Split(schema, ";") {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec("INSERT INTO raw_cells VALUES (1, 'frontline', 0, ?)", string(empty)); err != nil {
		b.Fatal(err)
	}
	return &rawSubmit{sql: db}
}

// prepare stores response i in progress with 25 answers, untimed.
func (r *rawSubmit) prepare(b *testing.B, i int) int64 {
	cols, args := []string{"id", "team_id", "perspective", "status"}, []any{int64(i + 1), 1, "frontline", "in_progress"}
	for j := range scoring.NumItems {
		cols, args = append(cols, fmt.Sprintf("a%d", j)), append(args, 1+j%5)
	}
	marks := make([]string, len(cols))
	for j := range marks {
		marks[j] = "$" + strconv.Itoa(j+1)
	}
	q := "INSERT INTO raw_responses (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	var err error
	if r.pg != nil {
		_, err = r.pg.Exec(context.Background(), q, args...)
	} else {
		_, err = r.sql.Exec(q, args...)
	}
	if err != nil {
		b.Fatal(err)
	}
	return int64(i + 1)
}

// submit is the baseline's submit of response id: one transaction.
func (r *rawSubmit) submit(b *testing.B, id int64) {
	ctx := context.Background()
	var answers scoring.Answers
	cols := make([]string, scoring.NumItems)
	for j := range cols {
		cols[j] = fmt.Sprintf("a%d", j)
	}
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
	err := func() error {
		if r.pg != nil {
			tx, err := r.pg.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			dest := make([]any, scoring.NumItems)
			vals := make([]int16, scoring.NumItems)
			for j := range dest {
				dest[j] = &vals[j]
			}
			if err := tx.QueryRow(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM raw_responses WHERE id = $1 AND status = 'in_progress' FOR UPDATE", id).Scan(dest...); err != nil {
				return err
			}
			for j, v := range vals {
				answers[j] = uint8(v)
			}
			if _, err := tx.Exec(ctx, "UPDATE raw_responses SET status = 'submitted', submitted_at = $1, result_hash = $2, export_cells = $3 WHERE id = $4",
				now, fmt.Sprintf("%064x", id), export.StoredResponseCells("frontline", scoring.Version, now, answers), id); err != nil {
				return err
			}
			var counters string
			if err := tx.QueryRow(ctx, "SELECT counters FROM raw_cells WHERE team_id = 1 AND perspective = 'frontline' FOR UPDATE").Scan(&counters); err != nil {
				return err
			}
			folded, err := fold(counters)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE raw_cells SET n = n + 1, counters = $1 WHERE team_id = 1 AND perspective = 'frontline'", folded); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}
		tx, err := r.sql.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		dest := make([]any, scoring.NumItems)
		vals := make([]int16, scoring.NumItems)
		for j := range dest {
			dest[j] = &vals[j]
		}
		if err := tx.QueryRow("SELECT "+strings.Join(cols, ", ")+" FROM raw_responses WHERE id = ? AND status = 'in_progress'", id).Scan(dest...); err != nil {
			return err
		}
		for j, v := range vals {
			answers[j] = uint8(v)
		}
		if _, err := tx.Exec("UPDATE raw_responses SET status = 'submitted', submitted_at = ?, result_hash = ?, export_cells = ? WHERE id = ?",
			now, fmt.Sprintf("%064x", id), export.StoredResponseCells("frontline", scoring.Version, now, answers), id); err != nil {
			return err
		}
		var counters string
		if err := tx.QueryRow("SELECT counters FROM raw_cells WHERE team_id = 1 AND perspective = 'frontline'").Scan(&counters); err != nil {
			return err
		}
		folded, err := fold(counters)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE raw_cells SET n = n + 1, counters = ? WHERE team_id = 1 AND perspective = 'frontline'", folded); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		b.Fatalf("raw submit %d: %v", id, err)
	}
}
