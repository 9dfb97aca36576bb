package models

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestSQLiteExportLineKeepsEveryComment: the one value SQLite returns per
// row comes apart into the same id, team, cells and comment that went in,
// whatever the comment holds: commas and digits that look like the line's
// own numbers, quotes, line breaks, emoji, a NUL byte, nothing at all.
func TestSQLiteExportLineKeepsEveryComment(t *testing.T) {
	db, err := openSQLite(context.Background(), sqliteDSN(":memory:", false), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(1) // each connection to :memory: is a database of its own
	t.Cleanup(func() { _ = sqlDB.Close() })
	if err := db.Exec("CREATE TABLE responses (id integer PRIMARY KEY, team_id integer, comment text NOT NULL, export_cells text)").Error; err != nil {
		t.Fatal(err)
	}
	comments := []string{"", "12,3,", "\"quoted\", twice\r\nand a line", strings.Repeat("🙂", 2000), "a\x00b", ",", "7"}
	cells := []any{"v1:manager,1,2", nil, "", "v0:old", "v1:x", "v1:frontline", nil}
	for i, c := range comments {
		if err := db.Exec("INSERT INTO responses VALUES (?, ?, ?, ?)", 1000+i, 40+i, c, cells[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Raw("SELECT " + sqliteExportLine + " FROM responses ORDER BY id").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var line []byte
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		id, team, gotCells, gotComment, err := splitExportLine(line)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		wantCells, _ := cells[i].(string)
		if id != int64(1000+i) || team != int64(40+i) || string(gotComment) != comments[i] || string(gotCells) != wantCells {
			t.Errorf("row %d: got %d, %d, cells %q, comment %.30q; want %d, %d, %q, %.30q",
				i, id, team, gotCells, gotComment, 1000+i, 40+i, wantCells, comments[i])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(comments) {
		t.Errorf("rows: got %d want %d", i, len(comments))
	}
}

// TestSplitExportLineRefusesWhatItCannotRead: a value that is not three
// numbers and a comment that fits is an error, never a row read wrong.
func TestSplitExportLineRefusesWhatItCannotRead(t *testing.T) {
	for _, bad := range []string{"", "1,2,", "1,2,3", "1,2,9,short", "-1,2,0,", "1,,0,", "a,2,0,", "1,2,0", "12345678901234567890,1,0,"} {
		if id, team, cells, comment, err := splitExportLine([]byte(bad)); err == nil {
			t.Errorf("%q: read as %d, %d, %q, %q; want an error", bad, id, team, cells, comment)
		}
	}
	id, team, cells, comment, err := splitExportLine([]byte("5,6,3,a,bv1:c"))
	if err != nil || id != 5 || team != 6 || !bytes.Equal(comment, []byte("a,b")) || !bytes.Equal(cells, []byte("v1:c")) {
		t.Errorf("got %d, %d, %q, %q, %v", id, team, cells, comment, err)
	}
}
