package scoring

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"testing"
)

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
// doc.go, takes means, standard deviations and variances from Python's
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
	for p, want := range map[int]string{0: "n", 1: "index_n", 4: "ideal_n", 7: "ideal_answered", 8: "ideal_complete", 9: "ideal_item1_sum",
		20: "ideal_total_sumsq", 21: "culture_n", 89: "i1_n", 92: "i1_favorable", 93: "i1_neutral", NumCounters - 1: "e5_neutral"} {
		if names[p] != want {
			t.Errorf("CounterNames()[%d]: got %q want %q", p, names[p], want)
		}
	}
	if c[0] != g.N || c[7] != g.Keys[0].Answered || c[89] != g.Items[0].N || c[NumCounters-1] != g.Items[NumItems-1].Neutral {
		t.Errorf("counter layout: got %d %d %d %d want N, ideal answered, I1 n, E5 neutral", c[0], c[7], c[89], c[NumCounters-1])
	}
	for _, tc := range []struct {
		name string
		edit func([]int64) []int64
	}{
		{"short", func(c []int64) []int64 { return c[:NumCounters-1] }},
		{"negative", func(c []int64) []int64 { c[5] = -1; return c }},
		{"count above N", func(c []int64) []int64 { c[89] = c[0] + 1; return c }},
		{"answered above N", func(c []int64) []int64 { c[7] = c[0] + 1; return c }},
		{"favorable above answers", func(c []int64) []int64 { c[92] = c[89] + 1; return c }},
		{"favorable and neutral above answers", func(c []int64) []int64 { c[92], c[93] = c[89]-1, 2; return c }},
	} {
		bad := tc.edit(append([]int64(nil), c...))
		if _, err := FromCounters(bad); !errors.Is(err, ErrBadCounters) {
			t.Errorf("FromCounters(%s): got %v want ErrBadCounters", tc.name, err)
		}
	}
}
