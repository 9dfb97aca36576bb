package scoring

import (
	"errors"
	"fmt"
)

// ErrAnswerOutOfRange is wrapped by the error that Answers.Validate returns
// when an answer is not 0 (skipped) or 1 … 5.
var ErrAnswerOutOfRange = errors.New("answer out of range")

// MinAnsweredPerKey is the number of a key's items that must be answered for
// the key's mean (and score) to be defined: 4 of 5, the usual 75% rule.
const MinAnsweredPerKey = 4

// TieEpsilon is the distance within which two scores are tied when the
// strongest and weakest key are chosen.
const TieEpsilon = 1e-9

// Answers holds the raw answers of one response in item order (see NumItems):
// 0 means skipped and 1 … 5 is the answer as given, not reverse-scored.
type Answers [NumItems]uint8

// Validate returns an error wrapping ErrAnswerOutOfRange, naming the first
// item whose answer is neither 0 (skipped) nor 1 … 5.
func (a Answers) Validate() error {
	for i, v := range a {
		if v > ScaleMax {
			return fmt.Errorf("scoring: item %s: answer %d, want 1 … %d or skipped: %w", itemIDs[i], v, ScaleMax, ErrAnswerOutOfRange)
		}
	}
	return nil
}

// Answered returns the number of answered items (answers in 1 … 5).
func (a Answers) Answered() int {
	n := 0
	for _, v := range a {
		if answered(v) {
			n++
		}
	}
	return n
}

// Straightlined reports whether all 25 items are answered with one and the same
// answer. Such a response contradicts the reverse-keyed items, so it is
// probably careless.
func (a Answers) Straightlined() bool {
	if !answered(a[0]) {
		return false
	}
	for _, v := range a[1:] {
		if v != a[0] {
			return false
		}
	}
	return true
}

func answered(raw uint8) bool { return raw >= ScaleMin && raw <= ScaleMax }

// ItemScore returns the item score of raw answer raw to item index i: the
// answer itself, or 6 − answer when the item is reverse-keyed. It returns 0
// for a skipped answer and also for any value outside 1 … 5, which is scored as
// skipped.
func ItemScore(i int, raw uint8) uint8 {
	if !answered(raw) {
		return 0
	}
	if ItemReverse(i) {
		return ScaleMin + ScaleMax - raw
	}
	return raw
}

// Value is a number that may be missing: OK is false when V is undefined (too
// few answers or respondents), and V is then 0 and means nothing.
type Value struct {
	V  float64
	OK bool
}

func some(v float64) Value { return Value{V: v, OK: true} }

// ResponseScore is the scored form of one response.
type ResponseScore struct {
	// Dims holds each key's score (0–100) in key order, missing when fewer
	// than 4 of the key's 5 items are answered.
	Dims [NumKeys]Value
	// Index is the ICARE index, the mean of the five key scores, missing
	// unless all five are defined.
	Index Value
	// FavorablePct holds, per key, the percentage (0–100) of the key's answered
	// items whose item score is 4 or 5; it is missing only when none of the
	// key's items is answered, so it does not follow the 4-of-5 rule.
	FavorablePct [NumKeys]Value
	// Straightlined is true when all 25 items carry the same answer.
	Straightlined bool
	// Strongest and Weakest are the key indexes of the highest and the lowest
	// defined key score (ties within TieEpsilon go to the earlier key), or −1
	// when no key is defined.
	Strongest, Weakest int
}

// respUnits holds one response in the integer units an Aggregate counts in.
type respUnits struct {
	// q[k] is 4 × the score of key k, an integer in 0 … 400, valid when
	// ok[k]. With s item scores summing to S, the mean is S/s and
	// 4 × score = 100 × mean − 100, which is 25·S − 100 for s = 4 and
	// 20·S − 100 for s = 5.
	q  [NumKeys]int64
	ok [NumKeys]bool
	// index is 20 × the ICARE index = q[0] + … + q[4], valid when indexOK.
	index   int64
	indexOK bool
	// score[i] is item i's item score, 0 when skipped.
	score [NumItems]uint8
}

func unitsOf(a *Answers) respUnits {
	var u respUnits
	u.indexOK = true
	for k := range NumKeys {
		var sum, cnt int64
		for j := range ItemsPerKey {
			i := k*ItemsPerKey + j
			s := ItemScore(i, a[i])
			u.score[i] = s
			if s != 0 {
				sum += int64(s)
				cnt++
			}
		}
		if cnt >= MinAnsweredPerKey {
			// 100 × mean − 100 = 100·sum/cnt − 100; 100/cnt is 25 or 20.
			u.q[k] = 100*sum/cnt - 100
			u.ok[k] = true
			u.index += u.q[k]
		} else {
			u.indexOK = false
		}
	}
	if !u.indexOK {
		u.index = 0
	}
	return u
}

// ScoreResponse scores one response: item scores, each key's score under the
// 4-of-5 rule, the ICARE index, each key's favorable percentage, the
// straight-lining flag and the strongest and weakest key. Answers outside
// 1 … 5 count as skipped; call Answers.Validate first to reject them.
func ScoreResponse(a Answers) ResponseScore {
	u := unitsOf(&a)
	var r ResponseScore
	for k := range NumKeys {
		if u.ok[k] {
			r.Dims[k] = some(float64(u.q[k]) / 4)
		}
		var fav, n int
		for j := range ItemsPerKey {
			s := u.score[k*ItemsPerKey+j]
			if s != 0 {
				n++
				if s >= 4 {
					fav++
				}
			}
		}
		if n > 0 {
			r.FavorablePct[k] = some(100 * float64(fav) / float64(n))
		}
	}
	if u.indexOK {
		r.Index = some(float64(u.index) / 20)
	}
	r.Straightlined = a.Straightlined()
	r.Strongest, r.Weakest = Extremes(r.Dims)
	return r
}

// Extremes returns the key indexes of the highest and the lowest defined
// score in scores. Scores within TieEpsilon of the best so far are tied, and a
// tie goes to the earlier key in I, C, A, R, E order. Both are −1 when no score
// is defined.
func Extremes(scores [NumKeys]Value) (strongest, weakest int) {
	strongest, weakest = -1, -1
	for k, s := range scores {
		if !s.OK {
			continue
		}
		if strongest < 0 || s.V > scores[strongest].V+TieEpsilon {
			strongest = k
		}
		if weakest < 0 || s.V < scores[weakest].V-TieEpsilon {
			weakest = k
		}
	}
	return strongest, weakest
}
