package scoring

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Diff is the difference between two groups' means, a − b, with the 95%
// confidence interval of Welch's t-test, which does not assume the two
// groups spread alike. It is meant for groups with no respondent in common;
// for overlapping groups (a team and its own sub-team) the interval is too
// wide or too narrow and only a rough guide.
type Diff struct {
	// Estimate is a's mean minus b's, missing when either mean is.
	Estimate Value
	// CILow and CIHigh bound the 95% interval, missing unless both groups
	// have a standard deviation (n ≥ 2) and they are not both 0.
	CILow, CIHigh Value
	// DF is the Welch–Satterthwaite degrees of freedom (0 when the interval
	// is missing).
	DF float64
}

// Clear reports whether the interval excludes 0: the difference is unlikely
// to be chance alone.
func (d Diff) Clear() bool {
	return d.CILow.OK && d.CIHigh.OK && (d.CILow.V > 0 || d.CIHigh.V < 0)
}

// Difference returns a − b with Welch's 95% confidence interval:
// se = √(sa²/na + sb²/nb), df = se⁴ / ((sa²/na)²/(na−1) + (sb²/nb)²/(nb−1)),
// and the interval is the difference ∓ t(0.975, df) × se.
func Difference(a, b Stats) Diff {
	var d Diff
	if !a.Mean.OK || !b.Mean.OK {
		return d
	}
	est := a.Mean.V - b.Mean.V
	d.Estimate = some(est)
	if !a.SD.OK || !b.SD.OK {
		return d
	}
	va := a.SD.V * a.SD.V / float64(a.N)
	vb := b.SD.V * b.SD.V / float64(b.N)
	if va+vb == 0 {
		return d
	}
	df := (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	half := tQuantileReal(df) * math.Sqrt(va+vb)
	d.CILow, d.CIHigh, d.DF = some(est-half), some(est+half), df
	return d
}

// tQuantileReal is TQuantile for degrees of freedom that need not be whole,
// as Welch's are.
func tQuantileReal(df float64) float64 {
	if df == math.Trunc(df) && df <= math.MaxInt32 {
		return TQuantile(int(df))
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile((1 + Confidence) / 2)
}

// Excludes reports whether the 95% interval of s lies wholly above or below
// v: the group's mean differs from v by more than chance would make it.
func (s Stats) Excludes(v float64) bool {
	return s.CILow.OK && s.CIHigh.OK && (s.CILow.V > v || s.CIHigh.V < v)
}

// Gap is the perception gap of one key: how far apart the perspectives that
// may be shown see it, the highest mean minus the lowest.
type Gap struct {
	// Key is the key's index.
	Key int
	// Size is the highest shown mean minus the lowest, missing when fewer
	// than two perspectives have a mean.
	Size Value
	// High and Low index the perspectives given to PerceptionGaps with the
	// highest and the lowest mean (−1 when missing); ties go to the
	// earlier.
	High, Low int
}

// PerceptionGaps returns the gap of each key between the perspectives'
// means (means[p][k] is perspective p's mean of key k, missing where it may
// not be shown), the largest first; keys without a gap come last, in key
// order, as do equal gaps.
func PerceptionGaps(means [][NumKeys]Value) []Gap {
	gaps := make([]Gap, NumKeys)
	for k := range NumKeys {
		g := Gap{Key: k, High: -1, Low: -1}
		for p, m := range means {
			v := m[k]
			if !v.OK {
				continue
			}
			if g.High < 0 || v.V > means[g.High][k].V+TieEpsilon {
				g.High = p
			}
			if g.Low < 0 || v.V < means[g.Low][k].V-TieEpsilon {
				g.Low = p
			}
		}
		if g.High >= 0 && g.High != g.Low {
			g.Size = some(means[g.High][k].V - means[g.Low][k].V)
		} else if g.High >= 0 {
			// Only one perspective, or all equal: a gap needs two.
			n := 0
			for _, m := range means {
				if m[k].OK {
					n++
				}
			}
			if n >= 2 {
				g.Size = some(0)
			} else {
				g.High, g.Low = -1, -1
			}
		}
		gaps[k] = g
	}
	// Stable: largest first, missing last.
	for i := 1; i < len(gaps); i++ {
		for j := i; j > 0 && gapBefore(gaps[j], gaps[j-1]); j-- {
			gaps[j], gaps[j-1] = gaps[j-1], gaps[j]
		}
	}
	return gaps
}

func gapBefore(a, b Gap) bool {
	switch {
	case a.Size.OK && !b.Size.OK:
		return true
	case !a.Size.OK:
		return false
	}
	return a.Size.V > b.Size.V+TieEpsilon
}
