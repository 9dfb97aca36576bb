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
