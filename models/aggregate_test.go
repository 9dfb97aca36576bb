package models

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/icare-hr/icare/scoring"
)

func sampleAggregate() scoring.Aggregate {
	var g scoring.Aggregate
	for i := range 40 {
		var a scoring.Answers
		for j := range a {
			a[j] = uint8(1 + (i*7+j*3)%5)
			if (i+j)%11 == 0 {
				a[j] = 0
			}
		}
		g.Add(a)
	}
	return g
}

// TestCountersDecodeAsJSONWould: the quick reader gives what encoding/json
// gives on what encodeAggregate writes, and declines anything else.
func TestCountersDecodeAsJSONWould(t *testing.T) {
	g := sampleAggregate()
	enc, err := encodeAggregate(&g)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := parseCounters(enc)
	var want []int64
	if err := json.Unmarshal([]byte(enc), &want); err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("parseCounters: got %v, %v want %v", got, ok, want)
	}
	back, err := decodeAggregate(enc)
	if err != nil || back != g {
		t.Errorf("decodeAggregate: got %v want the original", err)
	}
	for _, bad := range []string{"", "[", "[1,]", "[1,,2]", "[ 1, 2]", "[1.5]", "{}", "[1,x]"} {
		if _, ok := parseCounters(bad); ok {
			t.Errorf("parseCounters(%q): want false", bad)
		}
	}
	// Spaces are JSON all the same: encoding/json reads them.
	if _, err := decodeAggregate("[ 1 ]"); err == nil {
		t.Error("a one-counter aggregate: want ErrBadCounters from the fallback")
	}
	if a, err := decodeAggregate("[]"); err != nil || a.N != 0 {
		t.Errorf("empty counters: got %v, %v", a, err)
	}
}

func BenchmarkDecodeAggregate(b *testing.B) {
	g := sampleAggregate()
	enc, _ := encodeAggregate(&g)
	b.Run("parseCounters", func(b *testing.B) {
		for range b.N {
			if _, ok := parseCounters(enc); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for range b.N {
			var cs []int64
			if err := json.Unmarshal([]byte(enc), &cs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
