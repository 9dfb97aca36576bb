package scoring

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkProfileFromRaw1M adds 1,000,000 responses to one Aggregate and
// computes its Profile: the cost of scanning every response.
func BenchmarkProfileFromRaw1M(b *testing.B) {
	resp := randomResponses(rand.New(rand.NewPCG(1, 1)), 1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var g Aggregate
		for i := range resp {
			g.Add(resp[i])
		}
		p := g.Profile()
		if p.N != len(resp) {
			b.Fatalf("N: got %d want %d", p.N, len(resp))
		}
	}
}

// BenchmarkProfileFrom200Aggregates merges 200 prebuilt team aggregates of
// 5,000 responses each (1,000,000 in all) and computes the Profile: the
// dashboard's path, whose cost depends on the number of teams only.
func BenchmarkProfileFrom200Aggregates(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	teams := make([]Aggregate, 200)
	for i := range teams {
		for _, a := range randomResponses(r, 5000) {
			teams[i].Add(a)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var org Aggregate
		for i := range teams {
			org.Merge(&teams[i])
		}
		p := org.Profile()
		if p.N != 1_000_000 {
			b.Fatalf("N: got %d want 1000000", p.N)
		}
	}
}

// BenchmarkSuppress runs complementary suppression over a team tree of 1,111
// teams, 10 per parent, with sizes from 0 to 40.
func BenchmarkSuppress(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	var build func(depth int) *Group
	id := 0
	build = func(depth int) *Group {
		id++
		g := &Group{ID: fmt.Sprint("t", id), Name: fmt.Sprint("team ", id%7), N: r.IntN(41)}
		if depth < 3 {
			for range 10 {
				c := build(depth + 1)
				g.Children = append(g.Children, c)
				g.N += c.N
			}
		}
		return g
	}
	root := build(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Suppress(root, DefaultMinGroup); err != nil {
			b.Fatal(err)
		}
	}
}
