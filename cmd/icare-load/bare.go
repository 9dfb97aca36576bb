package main

import (
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/load"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// bare is the baseline icare is measured against: the least a survey server
// can do for the same walk. Each page is a fixed string of the size of
// icare's page for that step, with a CSRF token checked against a cookie;
// each POST is one raw database/sql transaction on one writer connection (a
// read of the response by its token and one write), and answers 303 to the
// next page, as icare does.
type bare struct {
	db     *sql.DB
	rebind func(string) string
	// pages are the bodies by step name, before the CSRF token.
	pages map[string]string
}

const bareSchema = `CREATE TABLE bare_responses (
	id %s PRIMARY KEY,
	token VARCHAR(64) NOT NULL UNIQUE,
	perspective VARCHAR(20),
	%s,
	comment TEXT,
	submitted BOOLEAN NOT NULL DEFAULT FALSE)`

// newBare makes the baseline's table in db (dropping an earlier one) and
// its pages, each as long as sizes gives for its step.
func newBare(db *sql.DB, engine string, sizes map[string]int) (*bare, error) {
	id, rebind := "INTEGER", func(q string) string { return q }
	switch engine {
	case "postgres":
		id, rebind = "BIGSERIAL", models.DollarPlaceholders
	case "mysql":
		id = "BIGINT AUTO_INCREMENT"
	}
	cols := make([]string, scoring.NumItems)
	for i := range cols {
		cols[i] = fmt.Sprintf("a%d SMALLINT", i)
	}
	if _, err := db.Exec("DROP TABLE IF EXISTS bare_responses"); err != nil {
		return nil, fmt.Errorf("bare: drop table: %w", err)
	}
	if _, err := db.Exec(fmt.Sprintf(bareSchema, id, strings.Join(cols, ", "))); err != nil {
		return nil, fmt.Errorf("bare: create table: %w", err)
	}
	b := &bare{db: db, rebind: rebind, pages: map[string]string{}}
	for step, n := range sizes {
		page := `<!doctype html><html lang="en"><head><title>Survey</title></head><body><form method="post"><input type="hidden" name="_csrf" value="` +
			strings.Repeat("x", 32) + `"><button name="action" value="next">Next</button></form><p>`
		b.pages[step] = page + strings.Repeat("a", max(0, n-len(page)-len("</p></body></html>"))) + "</p></body></html>"
	}
	return b, nil
}

func (b *bare) handler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/t/:token", func(c echo.Context) error { return b.page(c, load.StepWelcome) })
	e.POST("/t/:token", b.start)
	e.GET("/s/:step", func(c echo.Context) error { return b.page(c, "GET "+c.Param("step")) })
	e.POST("/s/:step", b.save)
	e.GET("/r/:token", func(c echo.Context) error { return b.page(c, load.StepResult) })
	return e
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// page serves a step's page with this browser's CSRF token.
func (b *bare) page(c echo.Context, step string) error {
	page, ok := b.pages[step]
	if !ok {
		return echo.ErrNotFound
	}
	token := ""
	if ck, err := c.Cookie("csrf"); err == nil && len(ck.Value) == 32 {
		token = ck.Value
	} else {
		token = newToken()
		c.SetCookie(&http.Cookie{Name: "csrf", Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return c.HTML(http.StatusOK, strings.Replace(page, strings.Repeat("x", 32), token, 1))
}

// csrf checks the form's token against the cookie's.
func csrf(c echo.Context) error {
	ck, err := c.Cookie("csrf")
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(c.FormValue("_csrf"))) != 1 {
		return echo.NewHTTPError(http.StatusForbidden, "bad CSRF token")
	}
	return nil
}

func (b *bare) start(c echo.Context) error {
	if err := csrf(c); err != nil {
		return err
	}
	token := newToken()
	if err := b.tx(c, func(tx *sql.Tx) error {
		_, err := tx.Exec(b.rebind("INSERT INTO bare_responses (token) VALUES (?)"), token)
		return err
	}); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: "resume", Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, "/s/"+load.Pages()[0])
}

// save stores a page's answers in one transaction and moves on.
func (b *bare) save(c echo.Context) error {
	if err := csrf(c); err != nil {
		return err
	}
	ck, err := c.Cookie("resume")
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "no response")
	}
	pages := load.Pages()
	at := slices.Index(pages, c.Param("step"))
	if at < 0 {
		return echo.ErrNotFound
	}
	var set []string
	var args []any
	switch step := pages[at]; step {
	case "perspective":
		set, args = []string{"perspective = ?"}, []any{c.FormValue("perspective")}
	case "comment":
		set, args = []string{"comment = ?", "submitted = ?"}, []any{c.FormValue("comment"), true}
	default:
		k := at - 1
		for j := range scoring.ItemsPerKey {
			item := k*scoring.ItemsPerKey + j
			v, _ := strconv.Atoi(c.FormValue(scoring.ItemID(item)))
			set, args = append(set, fmt.Sprintf("a%d = ?", item)), append(args, v)
		}
	}
	err = b.tx(c, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRow(b.rebind("SELECT id FROM bare_responses WHERE token = ? AND NOT submitted"), ck.Value).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(b.rebind("UPDATE bare_responses SET "+strings.Join(set, ", ")+" WHERE id = ?"), append(args, id)...)
		return err
	})
	if err != nil {
		return err
	}
	if at == len(pages)-1 {
		return c.Redirect(http.StatusSeeOther, "/r/"+ck.Value)
	}
	return c.Redirect(http.StatusSeeOther, "/s/"+pages[at+1])
}

func (b *bare) tx(c echo.Context, f func(*sql.Tx) error) error {
	tx, err := b.db.BeginTx(c.Request().Context(), nil)
	if err != nil {
		return fmt.Errorf("bare: begin: %w", err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("bare: %w", err)
	}
	return tx.Commit()
}
