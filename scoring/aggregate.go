package scoring

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// MinAlphaN is the number of respondents who answered all five items of a key
// that Cronbach's alpha needs before it is reported; callers report it at
// organization level.
const MinAlphaN = 30

// Aggregate summarises a group of submitted responses as integer counters. It
// is built by Add, one response at a time, and by Merge, one group at a time;
// because every counter is an integer sum, any order of adds and merges over
// the same responses gives an identical Aggregate and a bit-identical Profile.
// The zero value is an empty group. An Aggregate is a comparable value, so two
// can be checked for equality with ==.
//
// All scores are counted in integer units. A key's mean is over 4 or 5 item
// scores, so 4 × key score = 100 × mean − 100 is an integer in 0 … 400, and
// 20 × ICARE index is the sum of the five (4 × key score) values, an integer in
// 0 … 2000.
type Aggregate struct {
	// N is the number of submitted responses added.
	N int64
	// Index counts 20 × ICARE index over the respondents whose index is
	// defined.
	Index Moments
	// Keys holds the counters of each key, in key order.
	Keys [NumKeys]KeyCounters
	// Items holds the counters of each item, in item order.
	Items [NumItems]ItemCounters
}

// KeyCounters are the counters of one key in an Aggregate.
type KeyCounters struct {
	// Score counts 4 × key score over the respondents for whom the key is
	// defined (at least 4 of its 5 items answered).
	Score Moments
	// Answered is the number of respondents who answered at least one item
	// of the key: the respondents behind its favorable, neutral and
	// unfavorable shares.
	Answered int64
	// Complete is the number of respondents who answered all five items of the
	// key; ItemSum, ItemSumSq, TotalSum and TotalSumSq are over them only and
	// feed Cronbach's alpha. ItemSum[j] and ItemSumSq[j] are the sum and the sum
	// of squares of item j's item score; TotalSum and TotalSumSq are the sum
	// and the sum of squares of the total of the five item scores.
	Complete             int64
	ItemSum, ItemSumSq   [ItemsPerKey]int64
	TotalSum, TotalSumSq int64
}

// ItemCounters are the counters of one item in an Aggregate: N answers, the sum
// and sum of squares of their item scores, and the number of Favorable answers
// (item score 4 or 5) and of Neutral ones (item score 3); the rest are
// unfavorable. A key's pooled shares come from its items' counters.
type ItemCounters struct {
	N, Sum, SumSq, Favorable, Neutral int64
}

// Add counts one submitted response. Answers outside 1 … 5 count as skipped;
// call Answers.Validate first to reject them.
func (g *Aggregate) Add(a Answers) {
	u := unitsOf(&a)
	g.N++
	if u.indexOK {
		g.Index.add(u.index)
	}
	for k := range NumKeys {
		kc := &g.Keys[k]
		if u.ok[k] {
			kc.Score.add(u.q[k])
		}
		complete, any := true, false
		var total int64
		for j := range ItemsPerKey {
			i := k*ItemsPerKey + j
			s := int64(u.score[i])
			if s == 0 {
				complete = false
				continue
			}
			any = true
			total += s
			ic := &g.Items[i]
			ic.N++
			ic.Sum += s
			ic.SumSq += s * s
			switch {
			case s >= 4:
				ic.Favorable++
			case s == 3:
				ic.Neutral++
			}
		}
		if any {
			kc.Answered++
		}
		if complete {
			kc.Complete++
			for j := range ItemsPerKey {
				s := int64(u.score[k*ItemsPerKey+j])
				kc.ItemSum[j] += s
				kc.ItemSumSq[j] += s * s
			}
			kc.TotalSum += total
			kc.TotalSumSq += total * total
		}
	}
}

// Merge adds the counters of o to g, so that g then summarises both groups. The
// groups must not share responses: merging a team into its own parent's
// aggregate counts the team twice.
func (g *Aggregate) Merge(o *Aggregate) {
	g.N += o.N
	g.Index.merge(&o.Index)
	for k := range NumKeys {
		a, b := &g.Keys[k], &o.Keys[k]
		a.Score.merge(&b.Score)
		a.Answered += b.Answered
		a.Complete += b.Complete
		for j := range ItemsPerKey {
			a.ItemSum[j] += b.ItemSum[j]
			a.ItemSumSq[j] += b.ItemSumSq[j]
		}
		a.TotalSum += b.TotalSum
		a.TotalSumSq += b.TotalSumSq
	}
	for i := range NumItems {
		a, b := &g.Items[i], &o.Items[i]
		a.N += b.N
		a.Sum += b.Sum
		a.SumSq += b.SumSq
		a.Favorable += b.Favorable
		a.Neutral += b.Neutral
	}
}

// Merged returns a new Aggregate that summarises all the given groups.
func Merged(groups ...*Aggregate) Aggregate {
	var g Aggregate
	for _, o := range groups {
		g.Merge(o)
	}
	return g
}

// NumCounters is the length of the slice Counters returns.
const NumCounters = 1 + 3 + NumKeys*17 + NumItems*5

// Counters returns the Aggregate flattened into NumCounters integers, for
// storage. The layout is, in order: N; Index.N, Index.Sum, Index.SumSq; then for
// each key in key order the 17 values Score.N, Score.Sum, Score.SumSq,
// Answered, Complete, ItemSum[0 … 4], ItemSumSq[0 … 4], TotalSum,
// TotalSumSq; then for each item in item order the 5 values N, Sum, SumSq,
// Favorable, Neutral. CounterNames names the positions. The layout is part
// of what gets persisted: change it only together with a migration that
// rebuilds stored aggregates.
func (g *Aggregate) Counters() []int64 {
	c := make([]int64, 0, NumCounters)
	c = append(c, g.N, g.Index.N, g.Index.Sum, g.Index.SumSq)
	for k := range NumKeys {
		kc := &g.Keys[k]
		c = append(c, kc.Score.N, kc.Score.Sum, kc.Score.SumSq, kc.Answered, kc.Complete)
		c = append(c, kc.ItemSum[:]...)
		c = append(c, kc.ItemSumSq[:]...)
		c = append(c, kc.TotalSum, kc.TotalSumSq)
	}
	for i := range NumItems {
		ic := &g.Items[i]
		c = append(c, ic.N, ic.Sum, ic.SumSq, ic.Favorable, ic.Neutral)
	}
	return c
}

// ErrBadCounters is wrapped by the error FromCounters returns for a slice that
// cannot be an Aggregate's counters.
var ErrBadCounters = errors.New("bad aggregate counters")

// FromCounters rebuilds an Aggregate from the slice Counters returned. It
// returns an error wrapping ErrBadCounters when the length is not NumCounters,
// when a counter is negative, or when a count exceeds N.
func FromCounters(c []int64) (Aggregate, error) {
	var g Aggregate
	if len(c) != NumCounters {
		return g, fmt.Errorf("scoring: %d counters, want %d: %w", len(c), NumCounters, ErrBadCounters)
	}
	for p, v := range c {
		if v < 0 {
			return g, fmt.Errorf("scoring: counter %s is %d: %w", counterNames[p], v, ErrBadCounters)
		}
	}
	p := 0
	next := func() int64 { v := c[p]; p++; return v }
	g.N = next()
	g.Index = Moments{N: next(), Sum: next(), SumSq: next()}
	counts := []int64{g.Index.N}
	for k := range NumKeys {
		kc := &g.Keys[k]
		kc.Score = Moments{N: next(), Sum: next(), SumSq: next()}
		kc.Answered = next()
		kc.Complete = next()
		for j := range ItemsPerKey {
			kc.ItemSum[j] = next()
		}
		for j := range ItemsPerKey {
			kc.ItemSumSq[j] = next()
		}
		kc.TotalSum = next()
		kc.TotalSumSq = next()
		counts = append(counts, kc.Score.N, kc.Answered, kc.Complete)
	}
	for i := range NumItems {
		g.Items[i] = ItemCounters{N: next(), Sum: next(), SumSq: next(), Favorable: next(), Neutral: next()}
		counts = append(counts, g.Items[i].N)
		if ic := g.Items[i]; ic.Favorable+ic.Neutral > ic.N {
			return Aggregate{}, fmt.Errorf("scoring: item %s: %d favorable and %d neutral of %d answers: %w", itemIDs[i], ic.Favorable, ic.Neutral, ic.N, ErrBadCounters)
		}
	}
	for _, n := range counts {
		if n > g.N {
			return Aggregate{}, fmt.Errorf("scoring: a count of %d exceeds N = %d: %w", n, g.N, ErrBadCounters)
		}
	}
	return g, nil
}

// counterNames names the positions of Counters; see CounterNames.
var counterNames = func() []string {
	names := []string{"n", "index_n", "index_sum", "index_sumsq"}
	for _, slug := range KeySlugs() {
		names = append(names, slug+"_n", slug+"_sum", slug+"_sumsq", slug+"_answered", slug+"_complete")
		for j := range ItemsPerKey {
			names = append(names, fmt.Sprintf("%s_item%d_sum", slug, j+1))
		}
		for j := range ItemsPerKey {
			names = append(names, fmt.Sprintf("%s_item%d_sumsq", slug, j+1))
		}
		names = append(names, slug+"_total_sum", slug+"_total_sumsq")
	}
	for i := range NumItems {
		id := strings.ToLower(itemIDs[i])
		names = append(names, id+"_n", id+"_sum", id+"_sumsq", id+"_favorable", id+"_neutral")
	}
	return names
}()

// CounterNames returns a name for each position of Counters, such as "n",
// "ideal_sumsq", "culture_item3_sum" or "e5_favorable", for column names or
// debugging.
func CounterNames() []string {
	return append([]string(nil), counterNames...)
}

// GroupProfile is the statistical profile of a group, computed by
// Aggregate.Profile.
type GroupProfile struct {
	// N is the number of submitted responses in the group.
	N int
	// Keys holds each key's statistics in key order; scores are 0–100.
	Keys [NumKeys]KeyStats
	// Index holds the statistics of the respondents' ICARE indexes (the
	// defined ones).
	Index Stats
	// Items holds each item's statistics in item order; means are item
	// scores on the 1–5 scale, after reverse scoring.
	Items [NumItems]ItemStats
	// Strongest and Weakest are the key indexes of the highest and the lowest
	// defined key mean (ties within TieEpsilon go to the earlier key), or −1
	// when no key mean is defined.
	Strongest, Weakest int
}

// KeyStats describes a group's scores on one key.
type KeyStats struct {
	Stats
	// FavorablePct is the percentage (0–100) of item answers of the key whose
	// item score is 4 or 5, pooled over all respondents (including those for
	// whom the key score is missing); missing when no item of the key is
	// answered. NeutralPct (item score 3) and UnfavorablePct (1 or 2) are
	// pooled alike; the three add up to 100.
	FavorablePct, NeutralPct, UnfavorablePct Value
	// Answered is the number of respondents who answered at least one item
	// of the key: the respondents behind the three shares.
	Answered int
	// Complete is the number of respondents who answered all five items of the
	// key: the respondents Alpha is computed over.
	Complete int
	// Alpha is Cronbach's alpha of the key's five items over the Complete
	// respondents: 5/4 × (1 − Σ var(item) / var(total)). It is missing unless
	// Complete ≥ MinAlphaN and the totals vary. It may be negative.
	Alpha Value
}

// ItemStats describes a group's answers to one item.
type ItemStats struct {
	// N is the number of respondents who answered the item.
	N int
	// Mean is the mean item score (1–5), missing when N is 0.
	Mean Value
	// SD is the sample standard deviation of the item scores (divisor N − 1),
	// missing when N < 2.
	SD Value
	// FavorablePct is the percentage (0–100) of answers with item score 4 or
	// 5, NeutralPct of those with 3 and UnfavorablePct of those with 1 or 2;
	// all missing when N is 0.
	FavorablePct, NeutralPct, UnfavorablePct Value
}

// Scores returns the group's key means in key order.
func (p *GroupProfile) Scores() [NumKeys]Value {
	var s [NumKeys]Value
	for k := range NumKeys {
		s[k] = p.Keys[k].Mean
	}
	return s
}

// Profile computes the group's statistics from its counters: per key and for
// the ICARE index the n, mean, standard deviation and 95% confidence interval;
// per key the pooled favorable percentage and Cronbach's alpha; per item the
// n, mean, standard deviation and favorable percentage; and the strongest and
// weakest key. Its cost does not depend on the number of responses.
func (g *Aggregate) Profile() GroupProfile {
	p := GroupProfile{N: int(g.N)}
	p.Index = statsOf(g.Index, 20)
	for i := range NumItems {
		ic := &g.Items[i]
		st := ItemStats{N: int(ic.N)}
		if ic.N > 0 {
			n := float64(ic.N)
			st.Mean = some(float64(ic.Sum) / n)
			st.FavorablePct, st.NeutralPct, st.UnfavorablePct = shares(ic.Favorable, ic.Neutral, ic.N)
			if ic.N > 1 {
				st.SD = some(math.Sqrt(spread(ic.N, ic.Sum, ic.SumSq) / (n * (n - 1))))
			}
		}
		p.Items[i] = st
	}
	for k := range NumKeys {
		kc := &g.Keys[k]
		ks := KeyStats{Stats: statsOf(kc.Score, 4), Answered: int(kc.Answered), Complete: int(kc.Complete)}
		var fav, neu, n int64
		for j := range ItemsPerKey {
			ic := &g.Items[k*ItemsPerKey+j]
			fav += ic.Favorable
			neu += ic.Neutral
			n += ic.N
		}
		if n > 0 {
			ks.FavorablePct, ks.NeutralPct, ks.UnfavorablePct = shares(fav, neu, n)
		}
		ks.Alpha = alpha(kc)
		p.Keys[k] = ks
	}
	p.Strongest, p.Weakest = Extremes(p.Scores())
	return p
}

// shares returns the favorable, neutral and unfavorable percentages of n > 0
// answers of which fav are favorable and neu neutral.
func shares(fav, neu, n int64) (Value, Value, Value) {
	f := float64(n)
	return some(100 * float64(fav) / f), some(100 * float64(neu) / f), some(100 * float64(n-fav-neu) / f)
}

// alpha returns Cronbach's alpha of one key over its complete respondents:
// with k = 5 items, α = k/(k−1) × (1 − Σ var(item) / var(total)). The sample
// variances (divisor c − 1) share the factor 1/(c·(c − 1)), which cancels, so
// the ratio is formed from the exact integers c·Σx² − (Σx)².
func alpha(kc *KeyCounters) Value {
	c := kc.Complete
	if c < MinAlphaN {
		return Value{}
	}
	total := spread(c, kc.TotalSum, kc.TotalSumSq)
	if total <= 0 {
		return Value{}
	}
	var items float64
	for j := range ItemsPerKey {
		items += spread(c, kc.ItemSum[j], kc.ItemSumSq[j])
	}
	const k = ItemsPerKey
	return some(k * (total - items) / ((k - 1) * total))
}
