package models

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// TestHandReadColumnsAreTheStructs: each hand-written SELECT list names
// every column of its struct's table, and fields() points at the struct's
// field of each column in the list's order, so a field added to Team,
// Round or Response cannot go unread or be read into the wrong field.
func TestHandReadColumnsAreTheStructs(t *testing.T) {
	var team Team
	var round Round
	var response Response
	cases := []struct {
		table   string
		model   any
		columns string
		fields  []any
	}{
		{"teams", &team, teamColumns, team.fields()},
		{"rounds", &round, roundColumns, round.fields()},
		{"responses", &response, responseColumns, response.fields()},
	}
	for _, c := range cases {
		s, err := schema.Parse(c.model, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(c.model).Elem()
		columnAt := map[uintptr]string{}
		var table []string
		for _, f := range s.Fields {
			if f.DBName == "" { // an association, not a column
				continue
			}
			table = append(table, f.DBName)
			columnAt[v.FieldByIndex(f.StructField.Index).Addr().Pointer()] = f.DBName
		}
		var listed, pointed []string
		for _, col := range strings.Split(c.columns, ", ") {
			col = strings.TrimPrefix(strings.TrimPrefix(col, "COALESCE("), c.table+".")
			listed = append(listed, strings.TrimSuffix(col, ",'')"))
		}
		for _, f := range c.fields {
			if a, ok := f.(answerField); ok {
				f = a.f
			}
			pointed = append(pointed, columnAt[reflect.ValueOf(f).Pointer()])
		}
		if got, want := slices.Sorted(slices.Values(listed)), slices.Sorted(slices.Values(table)); !slices.Equal(got, want) {
			t.Errorf("%s: the hand-read columns are %v; the table's are %v", c.table, got, want)
		}
		if !slices.Equal(pointed, listed) {
			t.Errorf("%s: fields() reads into the fields of %v for the columns %v", c.table, pointed, listed)
		}
	}
}

// TestAnswerFieldScansEachDriversValues: an answer column reads as its
// value from SQLite's and PostgreSQL's int64 and MariaDB's text, as nil
// from NULL, and anything else is refused rather than read as 0.
func TestAnswerFieldScansEachDriversValues(t *testing.T) {
	var r AnswerColumns
	fs := r.scanFields()
	for i, src := range []any{int64(4), []byte("2"), nil} {
		if err := fs[i].(answerField).Scan(src); err != nil {
			t.Fatalf("scan %v: %v", src, err)
		}
	}
	if r.I1 == nil || *r.I1 != 4 || r.I2 == nil || *r.I2 != 2 || r.I3 != nil {
		t.Errorf("scanned 4, \"2\" and NULL into %v, %v, %v", r.I1, r.I2, r.I3)
	}
	for _, bad := range []any{"3", []byte("x"), 2.5} {
		if err := fs[3].(answerField).Scan(bad); err == nil {
			t.Errorf("scanning %#v into an answer succeeded", bad)
		}
	}
}
