package models

import (
	"strings"
	"testing"
)

func TestHierarchy(t *testing.T) {
	id := func(n uint) *uint { return &n }
	teams := []Team{
		{ID: 1, Name: "Sales"},
		{ID: 2, Name: "Ops"},
		{ID: 3, Name: "Zulu desk", ParentID: id(2)},
		{ID: 4, Name: "Alpha desk", ParentID: id(2)},
		{ID: 5, Name: "Night shift", ParentID: id(4)},
		{ID: 6, Name: "Orphan", ParentID: id(99)}, // its parent is not listed
		{ID: 7, Name: "Loop A", ParentID: id(8)},  // a cycle, as bad data might hold
		{ID: 8, Name: "Loop B", ParentID: id(7)},
	}
	var got []string
	for _, p := range Hierarchy(teams) {
		got = append(got, strings.Repeat("  ", p.Depth)+strings.Join(p.Path, " / "))
	}
	want := []string{
		"Ops", "  Ops / Alpha desk", "    Ops / Alpha desk / Night shift", "  Ops / Zulu desk",
		"Orphan", "Sales",
		"Loop A", "  Loop A / Loop B",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hierarchy:\n got %q\nwant %q", got, want)
	}
}
