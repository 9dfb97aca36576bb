package scoring

import (
	"math"
	"math/bits"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the confidence level of the intervals in a GroupProfile.
const Confidence = 0.95

// TQuantile returns the two-sided critical value of Student's t distribution
// with df degrees of freedom at the Confidence level, that is the
// (1 + Confidence) / 2 = 0.975 quantile; t(0.975, 39) ≈ 2.022691. It returns
// NaN when df < 1. It is safe for concurrent use.
func TQuantile(df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	tCache.Lock()
	t, ok := tCache.m[df]
	tCache.Unlock()
	if ok {
		return t
	}
	t = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile((1 + Confidence) / 2)
	tCache.Lock()
	if len(tCache.m) < tCacheMax {
		tCache.m[df] = t
	}
	tCache.Unlock()
	return t
}

// tCache remembers t quantiles by degrees of freedom: gonum's inverse of the
// incomplete beta function takes 3 µs at df 1 and about 100 µs near a million,
// and a dashboard asks for the same few values for every team and key. A
// cached value is the computed one, bit for bit; the cache stops growing at
// tCacheMax entries.
var tCache = struct {
	sync.Mutex
	m map[int]float64
}{m: map[int]float64{}}

const tCacheMax = 1 << 14

// spread returns n·sumSq − sum², which is n·(n−1) times the sample variance of
// n integers with the given sum and sum of squares. It is computed exactly in
// 128 bits (n·sumSq overflows int64 beyond a few million respondents) and
// rounded once to float64, so it depends only on the three counters and never
// on the order in which they were accumulated. Inconsistent counters that would
// make it negative give 0.
func spread(n, sum, sumSq int64) float64 {
	if n <= 0 || sum < 0 || sumSq < 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(n), uint64(sumSq))
	h2, l2 := bits.Mul64(uint64(sum), uint64(sum))
	lo, borrow := bits.Sub64(lo, l2, 0)
	hi, borrow = bits.Sub64(hi, h2, borrow)
	if borrow != 0 {
		return 0
	}
	return float64(hi)*0x1p64 + float64(lo)
}

// Moments counts n integer observations x with their sum and sum of squares;
// Profile derives the mean, the standard deviation and the confidence interval
// from them.
type Moments struct {
	N, Sum, SumSq int64
}

func (m *Moments) add(x int64) {
	m.N++
	m.Sum += x
	m.SumSq += x * x
}

func (m *Moments) merge(o *Moments) {
	m.N += o.N
	m.Sum += o.Sum
	m.SumSq += o.SumSq
}

// Stats describes a group's scores on one key or on the ICARE index.
type Stats struct {
	// N is the number of respondents whose score is defined.
	N int
	// Mean is the mean score (0–100), missing when N is 0.
	Mean Value
	// SD is the sample standard deviation (divisor N − 1), missing when N < 2.
	SD Value
	// CILow and CIHigh bound the 95% confidence interval of the mean,
	// Mean ∓ t(0.975, N − 1) × SD / √N, missing when N < 2. They are not
	// clipped to 0–100.
	CILow, CIHigh Value
}

// Band returns the band of the mean score, and false when the mean is missing.
func (s Stats) Band() (Band, bool) {
	if !s.Mean.OK {
		return Emerging, false
	}
	return BandOf(s.Mean.V), true
}

// statsOf turns the moments of observations counted in units of 1/unit of the
// reported scale (x = unit × score) into Stats on the reported scale.
func statsOf(m Moments, unit float64) Stats {
	s := Stats{N: int(m.N)}
	if m.N < 1 {
		return s
	}
	n := float64(m.N)
	mean := float64(m.Sum) / (n * unit)
	s.Mean = some(mean)
	if m.N < 2 {
		return s
	}
	sd := math.Sqrt(spread(m.N, m.Sum, m.SumSq)/(n*(n-1))) / unit
	half := TQuantile(int(m.N-1)) * sd / math.Sqrt(n)
	s.SD = some(sd)
	s.CILow = some(mean - half)
	s.CIHigh = some(mean + half)
	return s
}
