package models

import (
	"strconv"
	"testing"
)

// TestAskedStaysBounded: asked holds at most maxAsked responses; a new one
// beyond them empties it, one it holds already does not; a submitted one
// goes.
func TestAskedStaysBounded(t *testing.T) {
	var a asked
	for i := range maxAsked {
		a.remember(strconv.Itoa(i), "C,E")
	}
	a.remember("0", "")
	if keys, ok := a.recall(strconv.Itoa(maxAsked - 1)); !ok || keys != "C,E" || len(a.keys) != maxAsked {
		t.Fatalf("after remembering one it held: %d entries, last %q %v; want all %d kept", len(a.keys), keys, ok, maxAsked)
	}
	a.remember("new", "A")
	if _, ok := a.recall("0"); ok || len(a.keys) != 1 {
		t.Errorf("one beyond the bound: %d entries, first still there %v; want only the new one", len(a.keys), ok)
	}
	if keys, ok := a.recall("new"); !ok || keys != "A" {
		t.Errorf("the new one: %q %v", keys, ok)
	}
	a.forget("new")
	if _, ok := a.recall("new"); ok {
		t.Error("a forgotten response is still recalled")
	}
}
