package scoring

import (
	"math"
	"testing"
)

func statsOfMeanSD(n int, mean, sd float64) Stats {
	return Stats{N: n, Mean: some(mean), SD: some(sd)}
}

// TestWelchByHand: group a has n 10, mean 70, SD 10; b has n 8, mean 60,
// SD 12. sa²/na = 10, sb²/nb = 18, se = √28 = 5.291503;
// df = 28² / (10²/9 + 18²/7) = 784 / 57.3968 = 13.659292; t(0.975, 13.6593)
// = 2.149817 (bisection on the t density, testdata/reference.py's method);
// the interval is 10 ∓ 11.375760.
func TestWelchByHand(t *testing.T) {
	d := Difference(statsOfMeanSD(10, 70, 10), statsOfMeanSD(8, 60, 12))
	checkValue(t, "estimate", d.Estimate, 10, 1e-12)
	if math.Abs(d.DF-13.659292035398) > 1e-9 {
		t.Errorf("df: got %.9f want 13.659292035", d.DF)
	}
	checkValue(t, "ci low", d.CILow, -1.37576, 1e-4)
	checkValue(t, "ci high", d.CIHigh, 21.37576, 1e-4)
	if d.Clear() {
		t.Error("an interval from −1.4 to 21.4 holds 0: not a clear difference")
	}
	// Tighter groups: n 40 each, SD 10: se = √5, df = 78, t(0.975, 78) =
	// 1.990847; 10 ∓ 4.451671 excludes 0.
	d = Difference(statsOfMeanSD(40, 70, 10), statsOfMeanSD(40, 60, 10))
	checkValue(t, "ci low (n 40)", d.CILow, 10-1.990847*math.Sqrt(5), 1e-5)
	if !d.Clear() || d.DF != 78 {
		t.Errorf("n 40 each: got %+v want a clear difference on 78 df", d)
	}
	// Missing pieces: no mean, no estimate; no SD, no interval.
	if d := Difference(Stats{}, statsOfMeanSD(5, 50, 1)); d.Estimate.OK || d.CILow.OK {
		t.Errorf("a missing mean: got %+v", d)
	}
	if d := Difference(Stats{N: 1, Mean: some(80)}, statsOfMeanSD(5, 50, 1)); !d.Estimate.OK || d.Estimate.V != 30 || d.CILow.OK {
		t.Errorf("one respondent: got %+v want the estimate without an interval", d)
	}
	if d := Difference(statsOfMeanSD(5, 50, 0), statsOfMeanSD(5, 50, 0)); d.CILow.OK {
		t.Errorf("no spread at all: got %+v want no interval", d)
	}
}

func TestExcludes(t *testing.T) {
	s := Stats{N: 20, Mean: some(70), CILow: some(65), CIHigh: some(75)}
	for _, tc := range []struct {
		v    float64
		want bool
	}{{64.9, true}, {65, false}, {70, false}, {75, false}, {75.1, true}} {
		if got := s.Excludes(tc.v); got != tc.want {
			t.Errorf("[65, 75] excludes %v: got %v want %v", tc.v, got, tc.want)
		}
	}
	if (Stats{Mean: some(1)}).Excludes(0) {
		t.Error("no interval excludes nothing")
	}
}

// TestPerceptionGaps: frontline, managers and senior leaders see I as 60,
// 70, 85 (gap 25: senior high, frontline low); C as 50, 50, 50 (gap 0); A
// only from the front line (no gap); R as 80 and 72 with senior leaders
// hidden (gap 8); E as 40, 70, 61 (gap 30). Largest first: E, I, R, C, A.
func TestPerceptionGaps(t *testing.T) {
	means := [][NumKeys]Value{
		{some(60), some(50), some(66), some(80), some(40)},
		{some(70), some(50), {}, some(72), some(70)},
		{some(85), some(50), {}, {}, some(61)},
	}
	gaps := PerceptionGaps(means)
	order := ""
	for _, g := range gaps {
		order += KeyIDs()[g.Key]
	}
	if order != "EIRCA" {
		t.Errorf("order: got %s want EIRCA", order)
	}
	byKey := map[int]Gap{}
	for _, g := range gaps {
		byKey[g.Key] = g
	}
	want := []struct {
		size      float64
		ok        bool
		high, low int
	}{{25, true, 2, 0}, {0, true, 0, 0}, {0, false, -1, -1}, {8, true, 0, 1}, {30, true, 1, 0}}
	for k, w := range want {
		g := byKey[k]
		if g.Size.OK != w.ok || (w.ok && math.Abs(g.Size.V-w.size) > 1e-12) || g.High != w.high || g.Low != w.low {
			t.Errorf("key %s: got %+v want size %v (%v) high %d low %d", KeyIDs()[k], g, w.size, w.ok, w.high, w.low)
		}
	}
}
