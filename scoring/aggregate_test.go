package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"testing/quick"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func checkValue(t *testing.T, what string, got Value, want float64, tol float64) {
	t.Helper()
	if !got.OK || !near(got.V, want, tol) {
		t.Errorf("%s: got %v (ok %v) want %.12g", what, got.V, got.OK, want)
	}
}

func checkMissing(t *testing.T, what string, got Value) {
	t.Helper()
	if got.OK {
		t.Errorf("%s: got %v want missing", what, got.V)
	}
}

// t1 is t(0.975, 1) from the printed tables: 12.7062047 (= tan(0.475π)).
const t1 = 12.706204736174707

// TestProfileOfTwo works through a group of two by hand: mixed (I 87.5,
// C missing, A 65, R 25, E 100) and agree4 (75 everywhere).
func TestProfileOfTwo(t *testing.T) {
	var g Aggregate
	g.Add(mixed)
	g.Add(agree4)
	p := g.Profile()
	if p.N != 2 {
		t.Errorf("N: got %d want 2", p.N)
	}
	i := p.Keys[0]
	// I: (87.5 + 75)/2 = 81.25. SD = |87.5 − 75|/√2 = 8.838834764831845.
	// CI half-width = t(0.975, 1) × SD/√2 = 12.7062047 × 6.25 = 79.41377960.
	if i.N != 2 {
		t.Errorf("I n: got %d want 2", i.N)
	}
	checkValue(t, "I mean", i.Mean, 81.25, 1e-12)
	checkValue(t, "I sd", i.SD, 12.5/math.Sqrt2, 1e-12)
	checkValue(t, "I ci low", i.CILow, 81.25-t1*6.25, 1e-9)
	checkValue(t, "I ci high", i.CIHigh, 81.25+t1*6.25, 1e-9)
	// I favorable: mixed 4 of 4 answered, agree4 5 of 5: 9/9.
	checkValue(t, "I favorable", i.FavorablePct, 100, 1e-12)
	if b, ok := i.Band(); !ok || b != Strong {
		t.Errorf("I band: got %v, %v want Strong", b, ok)
	}
	// C is defined for agree4 only: n 1, mean 75, no SD, no CI. Favorable
	// pools every answer: mixed 2 of 3, agree4 5 of 5: 7/8 = 87.5%.
	c := p.Keys[1]
	if c.N != 1 {
		t.Errorf("C n: got %d want 1", c.N)
	}
	checkValue(t, "C mean", c.Mean, 75, 0)
	checkMissing(t, "C sd", c.SD)
	checkMissing(t, "C ci low", c.CILow)
	checkMissing(t, "C ci high", c.CIHigh)
	checkValue(t, "C favorable", c.FavorablePct, 87.5, 1e-12)
	// A: (65+75)/2 = 70, SD 10/√2; favorable 4/5 + 5/5 = 90%.
	checkValue(t, "A mean", p.Keys[2].Mean, 70, 0)
	checkValue(t, "A sd", p.Keys[2].SD, 10/math.Sqrt2, 1e-12)
	checkValue(t, "A favorable", p.Keys[2].FavorablePct, 90, 1e-12)
	// R: (25+75)/2 = 50; favorable 0/5 + 5/5 = 50%. E: (100+75)/2 = 87.5.
	checkValue(t, "R mean", p.Keys[3].Mean, 50, 0)
	checkValue(t, "R favorable", p.Keys[3].FavorablePct, 50, 1e-12)
	checkValue(t, "E mean", p.Keys[4].Mean, 87.5, 0)
	// Index: only agree4 has one (mixed lacks C): n 1, mean 75.
	if p.Index.N != 1 {
		t.Errorf("index n: got %d want 1", p.Index.N)
	}
	checkValue(t, "index mean", p.Index.Mean, 75, 0)
	checkMissing(t, "index sd", p.Index.SD)
	if p.Strongest != 4 || p.Weakest != 3 {
		t.Errorf("strongest/weakest: got %d/%d want 4 (E)/3 (R)", p.Strongest, p.Weakest)
	}
	// Items: I3 skipped by mixed: n 1, mean 4. C1: 3 and 4: mean 3.5, SD
	// 1/√2, favorable 50%. I4 (reverse): raw 2 and 2 → item scores 4 and 4.
	i3 := p.Items[2]
	if i3.N != 1 || !i3.Mean.OK || i3.Mean.V != 4 || i3.SD.OK {
		t.Errorf("I3: got %+v want n 1, mean 4, SD missing", i3)
	}
	c1 := p.Items[5]
	checkValue(t, "C1 mean", c1.Mean, 3.5, 0)
	checkValue(t, "C1 sd", c1.SD, 1/math.Sqrt2, 1e-12)
	checkValue(t, "C1 favorable", c1.FavorablePct, 50, 0)
	checkValue(t, "I4 mean", p.Items[3].Mean, 4, 0)
	// Complete respondents: I has mixed's skip, so 1; alpha needs 30.
	if p.Keys[0].Complete != 1 || p.Keys[2].Complete != 2 {
		t.Errorf("complete: got I %d A %d want 1 and 2", p.Keys[0].Complete, p.Keys[2].Complete)
	}
	checkMissing(t, "I alpha", p.Keys[0].Alpha)
	// The three shares, pooled over answered items. C: mixed scores 3, 5, 4
	// (one neutral), agree4 five 4s: 7 favorable, 1 neutral of 8. A: mixed's
	// reverse A4 scores 2: 9 favorable, 1 unfavorable of 10. R: mixed scores
	// 2, 2, 1, 2, 3: 5 favorable, 1 neutral, 4 unfavorable of 10.
	checkValue(t, "C neutral", c.NeutralPct, 12.5, 1e-12)
	checkValue(t, "C unfavorable", c.UnfavorablePct, 0, 0)
	checkValue(t, "A neutral", p.Keys[2].NeutralPct, 0, 0)
	checkValue(t, "A unfavorable", p.Keys[2].UnfavorablePct, 10, 1e-12)
	checkValue(t, "R neutral", p.Keys[3].NeutralPct, 10, 1e-12)
	checkValue(t, "R unfavorable", p.Keys[3].UnfavorablePct, 40, 1e-12)
	checkValue(t, "C1 neutral", c1.NeutralPct, 50, 0)
	checkValue(t, "C1 unfavorable", c1.UnfavorablePct, 0, 0)
	for k := range NumKeys {
		if p.Keys[k].Answered != 2 {
			t.Errorf("key %d answered by %d respondents, want 2", k, p.Keys[k].Answered)
		}
	}
	// A third respondent who skips every R statement is behind no R share.
	skipR := agree4
	for j := range ItemsPerKey {
		skipR[3*ItemsPerKey+j] = 0
	}
	g.Add(skipR)
	if p := g.Profile(); p.Keys[3].Answered != 2 || p.Keys[0].Answered != 3 {
		t.Errorf("answered after a respondent skipped R: R %d, I %d want 2 and 3", p.Keys[3].Answered, p.Keys[0].Answered)
	}
}

func TestEmptyProfile(t *testing.T) {
	var g Aggregate
	p := g.Profile()
	if p.N != 0 || p.Strongest != -1 || p.Weakest != -1 || p.Keys[0].Mean.OK || p.Index.Mean.OK || p.Items[0].Mean.OK || p.Keys[0].FavorablePct.OK {
		t.Errorf("empty profile: got %+v want everything missing", p)
	}
}

// TestOrganizationPoolsResponses: team A has 6 respondents at 75 on every key,
// team B 2 at 50. The mean of team means is (75+50)/2 = 62.5; the pooled
// organization mean is (6×75 + 2×50)/8 = 68.75, which is what merging gives.
func TestOrganizationPoolsResponses(t *testing.T) {
	mid := ans("33333", "33333", "33333", "33333", "33333")
	var a, b, direct Aggregate
	for range 6 {
		a.Add(agree4)
		direct.Add(agree4)
	}
	for range 2 {
		b.Add(mid)
		direct.Add(mid)
	}
	pa, pb := a.Profile(), b.Profile()
	org := Merged(&a, &b)
	po := org.Profile()
	for k := range NumKeys {
		meanOfMeans := (pa.Keys[k].Mean.V + pb.Keys[k].Mean.V) / 2
		if meanOfMeans != 62.5 {
			t.Fatalf("key %d mean of team means: got %v want 62.5", k, meanOfMeans)
		}
		checkValue(t, fmt.Sprintf("key %d organization mean", k), po.Keys[k].Mean, 68.75, 1e-12)
		if po.Keys[k].N != 8 {
			t.Errorf("key %d organization n: got %d want 8", k, po.Keys[k].N)
		}
	}
	checkValue(t, "organization index", po.Index.Mean, 68.75, 1e-12)
	if org != direct {
		t.Errorf("merged teams: got %+v want the aggregate of all responses %+v", org, direct)
	}
	if got, want := fmt.Sprintf("%#v", po), fmt.Sprintf("%#v", direct.Profile()); got != want {
		t.Errorf("organization profile: got %s want %s", got, want)
	}
}

// randomResponses returns n deterministic responses: most items answered,
// some skipped, answers drawn around a per-respondent level so that the
// statistics are not degenerate.
func randomResponses(r *rand.Rand, n int) []Answers {
	out := make([]Answers, n)
	for i := range out {
		level := 1 + r.IntN(5)
		for j := range NumItems {
			switch x := r.IntN(20); {
			case x == 0:
				out[i][j] = 0
			case x < 12:
				out[i][j] = uint8(level)
			default:
				out[i][j] = uint8(1 + r.IntN(5))
			}
		}
	}
	return out
}

// TestMergeAnyOrder checks that splitting responses into groups, aggregating
// each and merging them in a random order and grouping gives exactly the
// aggregate, and a bit-identical profile, of adding all responses to one.
func TestMergeAnyOrder(t *testing.T) {
	f := func(seed uint64, groups uint8) bool {
		r := rand.New(rand.NewPCG(seed, 7))
		resp := randomResponses(r, 1+r.IntN(300))
		var all Aggregate
		for _, a := range resp {
			all.Add(a)
		}
		parts := make([]Aggregate, 1+int(groups)%12)
		for _, a := range resp {
			parts[r.IntN(len(parts))].Add(a)
		}
		// Merge in random pairs until one is left.
		aggs := make([]*Aggregate, len(parts))
		for i := range parts {
			aggs[i] = &parts[i]
		}
		for len(aggs) > 1 {
			i, j := r.IntN(len(aggs)), r.IntN(len(aggs))
			if i == j {
				continue
			}
			aggs[i].Merge(aggs[j])
			aggs = append(aggs[:j], aggs[j+1:]...)
		}
		got := *aggs[0]
		if got != all {
			t.Logf("seed %d: merged aggregate differs", seed)
			return false
		}
		if a, b := fmt.Sprintf("%#v", got.Profile()), fmt.Sprintf("%#v", all.Profile()); a != b {
			t.Logf("seed %d: profiles differ:\n%s\n%s", seed, a, b)
			return false
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 200}); err != nil {
		t.Errorf("merge in any order: got a different result want identical: %v", err)
	}
}

func TestGroupScoresStayInRange(t *testing.T) {
	f := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 11))
		var g Aggregate
		for _, a := range randomResponses(r, 1+r.IntN(50)) {
			g.Add(a)
		}
		p := g.Profile()
		in := func(v Value, lo, hi float64) bool { return !v.OK || v.V >= lo-1e-9 && v.V <= hi+1e-9 }
		for _, k := range p.Keys {
			if !in(k.Mean, 0, 100) || !in(k.FavorablePct, 0, 100) || !in(k.SD, 0, 100) || k.N > p.N {
				return false
			}
			if k.CILow.OK && (k.CILow.V > k.Mean.V || k.CIHigh.V < k.Mean.V) {
				return false
			}
		}
		for _, it := range p.Items {
			if !in(it.Mean, 1, 5) || !in(it.FavorablePct, 0, 100) {
				return false
			}
		}
		return in(p.Index.Mean, 0, 100)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 500}); err != nil {
		t.Errorf("group scores: got one out of range want 0–100: %v", err)
	}
}

// TestAlphaParallelItems: when every respondent gives the five items of a key
// the same item score x, each item's variance is v and the total's 25v, so
// α = 5/4 × (1 − 5v/25v) = 1.
func TestAlphaParallelItems(t *testing.T) {
	var g Aggregate
	for r := range 40 {
		x := uint8(1 + r%5)
		a := agree4
		for j := range ItemsPerKey {
			a[j] = x
		}
		a[3] = 6 - x // I4 is reverse-keyed
		g.Add(a)
	}
	p := g.Profile()
	checkValue(t, "alpha of parallel items", p.Keys[0].Alpha, 1, 1e-15)
	// Every other key has identical totals (all 20): no variance, no alpha.
	checkMissing(t, "alpha without variance", p.Keys[1].Alpha)
}

func TestAlphaNeedsThirty(t *testing.T) {
	var g Aggregate
	for _, a := range readSample(t)[:MinAlphaN-1] {
		g.Add(a)
	}
	if p := g.Profile(); p.Keys[0].Complete != MinAlphaN-1 || p.Keys[0].Alpha.OK {
		t.Errorf("alpha with %d complete respondents: got %+v want missing", MinAlphaN-1, p.Keys[0].Alpha)
	}
	g.Add(agree4)
	if p := g.Profile(); !p.Keys[0].Alpha.OK {
		t.Errorf("alpha with %d complete respondents: got missing want a value", MinAlphaN)
	}
}
