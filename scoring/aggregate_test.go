package scoring

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
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

func readSample(t testing.TB) []Answers {
	t.Helper()
	f, err := os.Open("testdata/sample40.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range rows[0] {
		if id != ItemID(i) {
			t.Fatalf("sample header column %d: got %q want %q", i, id, ItemID(i))
		}
	}
	var out []Answers
	for _, row := range rows[1:] {
		var a Answers
		for i, cell := range row {
			if cell == "" {
				continue
			}
			v, err := strconv.Atoi(cell)
			if err != nil {
				t.Fatal(err)
			}
			a[i] = uint8(v)
		}
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// TestProfileAgainstReference compares Profile on testdata/sample40.csv (40
// respondents; A2 skipped once, R1 and R4 by one respondent so R and the index
// are missing for them, E5 skipped once, C1, C2 and C5 by one respondent) with
// values computed independently by testdata/reference.py: plain Python that
// scores each respondent in floating point straight from the formulas of
// PRODUCT §3, takes means, standard deviations and variances from Python's
// statistics module (exact rationals, two-pass), and finds t(0.975, df) by
// bisection on a Simpson-rule integral of the t density. Its t values agree
// with the printed tables: t(0.975, 37) = 2.026192, t(0.975, 38) = 2.024394,
// t(0.975, 39) = 2.022691.
func TestProfileAgainstReference(t *testing.T) {
	var g Aggregate
	for _, a := range readSample(t) {
		g.Add(a)
	}
	p := g.Profile()
	if p.N != 40 {
		t.Fatalf("N: got %d want 40", p.N)
	}
	type ref struct {
		n                int
		mean, sd, lo, hi float64
		fav              float64
		complete         int
		alpha            float64
	}
	want := [NumKeys]ref{
		{40, 57.875000000000, 24.228810462139, 50.126250492272, 65.623749507728, 48.500000000000, 40, 0.892481777729},
		{39, 62.051282051282, 26.175469349785, 53.566176467109, 70.536387635455, 53.299492385787, 39, 0.914294859169},
		{40, 51.156250000000, 23.231326075322, 43.726511475638, 58.585988524362, 35.175879396985, 39, 0.860495125215},
		{39, 56.666666666667, 23.264308933975, 49.125250120903, 64.208083212430, 44.949494949495, 39, 0.904578606159},
		{40, 60.250000000000, 25.241144677201, 52.177490303431, 68.322509696569, 48.743718592965, 39, 0.891565932550},
	}
	const tol = 2e-9 // the reference prints 12 decimals
	for k, w := range want {
		got := p.Keys[k]
		name := KeySlugs()[k]
		if got.N != w.n || got.Complete != w.complete {
			t.Errorf("%s n/complete: got %d/%d want %d/%d", name, got.N, got.Complete, w.n, w.complete)
		}
		checkValue(t, name+" mean", got.Mean, w.mean, tol)
		checkValue(t, name+" sd", got.SD, w.sd, tol)
		checkValue(t, name+" ci low", got.CILow, w.lo, tol)
		checkValue(t, name+" ci high", got.CIHigh, w.hi, tol)
		checkValue(t, name+" favorable", got.FavorablePct, w.fav, tol)
		checkValue(t, name+" alpha", got.Alpha, w.alpha, tol)
	}
	if p.Index.N != 38 {
		t.Errorf("index n: got %d want 38", p.Index.N)
	}
	checkValue(t, "index mean", p.Index.Mean, 57.453947368421, tol)
	checkValue(t, "index sd", p.Index.SD, 21.158176432365, tol)
	checkValue(t, "index ci low", p.Index.CILow, 50.499427831276, tol)
	checkValue(t, "index ci high", p.Index.CIHigh, 64.408466905566, tol)
	// Culture 62.05 is the highest mean, attentiveness 51.16 the lowest.
	if p.Strongest != 1 || p.Weakest != 2 {
		t.Errorf("strongest/weakest: got %d/%d want 1/2", p.Strongest, p.Weakest)
	}
}

func TestTQuantile(t *testing.T) {
	// Printed-table values of the 0.975 quantile.
	for _, tc := range []struct {
		df   int
		want float64
	}{
		{1, 12.706205}, {2, 4.302653}, {5, 2.570582}, {10, 2.228139}, {29, 2.045230},
		{39, 2.022691}, {100, 1.983972}, {1000, 1.962339}, {1000000, 1.959966},
	} {
		if got := TQuantile(tc.df); !near(got, tc.want, 1e-6) {
			t.Errorf("TQuantile(%d): got %.7f want %.6f", tc.df, got, tc.want)
		}
	}
	if got := TQuantile(0); !math.IsNaN(got) {
		t.Errorf("TQuantile(0): got %v want NaN", got)
	}
}

// TestHugeGroups checks the 128-bit path: with ten million respondents n·Σx²
// no longer fits in an int64. Half score 0 and half 100: mean 50 and
// SD = 50·√(n/(n−1)); all at 100: SD 0.
func TestHugeGroups(t *testing.T) {
	const n = 10_000_000
	half := Moments{N: n, Sum: 400 * n / 2, SumSq: 400 * 400 * n / 2}
	s := statsOf(half, 4)
	checkValue(t, "mean", s.Mean, 50, 1e-12)
	checkValue(t, "sd", s.SD, 50*math.Sqrt(float64(n)/float64(n-1)), 1e-9)
	top := Moments{N: n, Sum: 400 * n, SumSq: 400 * 400 * n}
	s = statsOf(top, 4)
	checkValue(t, "sd of identical scores", s.SD, 0, 0)
	checkValue(t, "ci low of identical scores", s.CILow, 100, 0)
}

func TestCountersRoundTrip(t *testing.T) {
	var g Aggregate
	for _, a := range readSample(t) {
		g.Add(a)
	}
	c := g.Counters()
	if len(c) != NumCounters || len(CounterNames()) != NumCounters {
		t.Fatalf("counters: got %d values, %d names want %d", len(c), len(CounterNames()), NumCounters)
	}
	back, err := FromCounters(c)
	if err != nil || back != g {
		t.Errorf("FromCounters(Counters()): got %v, err %v want the original", back, err)
	}
	names := CounterNames()
	for p, want := range map[int]string{0: "n", 1: "index_n", 4: "ideal_n", 7: "ideal_complete", 8: "ideal_item1_sum", 19: "ideal_total_sumsq", 20: "culture_n", 84: "i1_n", NumCounters - 1: "e5_favorable"} {
		if names[p] != want {
			t.Errorf("CounterNames()[%d]: got %q want %q", p, names[p], want)
		}
	}
	if c[0] != g.N || c[84] != g.Items[0].N || c[NumCounters-1] != g.Items[NumItems-1].Favorable {
		t.Errorf("counter layout: got %d %d %d want N, I1 n, E5 favorable", c[0], c[84], c[NumCounters-1])
	}
	for _, tc := range []struct {
		name string
		edit func([]int64) []int64
	}{
		{"short", func(c []int64) []int64 { return c[:NumCounters-1] }},
		{"negative", func(c []int64) []int64 { c[5] = -1; return c }},
		{"count above N", func(c []int64) []int64 { c[84] = c[0] + 1; return c }},
		{"favorable above answers", func(c []int64) []int64 { c[87] = c[84] + 1; return c }},
	} {
		bad := tc.edit(append([]int64(nil), c...))
		if _, err := FromCounters(bad); !errors.Is(err, ErrBadCounters) {
			t.Errorf("FromCounters(%s): got %v want ErrBadCounters", tc.name, err)
		}
	}
}
