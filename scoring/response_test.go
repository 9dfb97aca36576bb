package scoring

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/quick"
)

// ans builds Answers from five strings of five characters, one per key in
// I, C, A, R, E order: '1' … '5' is an answer and '-' a skipped item.
func ans(keys ...string) Answers {
	var a Answers
	for k, s := range keys {
		for j, c := range s {
			if c != '-' {
				a[k*ItemsPerKey+j] = uint8(c - '0')
			}
		}
	}
	return a
}

var missing = Value{}

func val(v float64) Value { return Value{V: v, OK: true} }

// mixed is the hand-worked respondent of TestScoreResponse; the reverse items
// are I4, C4, A4, R3 and E4.
//
//	I 54-25: item scores 5,4,_,6−2=4,5; 4 answered, sum 18, mean 4.5,
//	         score (4.5−1)/4×100 = 87.5; favorable 4/4 = 100%.
//	C 3--14: item scores 3,_,_,6−1=5,4; 3 answered < 4, so C is missing;
//	         favorable 2/3 = 66.67% (favorable does not need 4 of 5).
//	A 44444: item scores 4,4,4,6−4=2,4; sum 18, mean 3.6, score 65; favorable 4/5.
//	R 22523: item scores 2,2,6−5=1,2,3; sum 10, mean 2, score 25; favorable 0/5.
//	E 5551-: item scores 5,5,5,6−1=5,_; sum 20 over 4, mean 5, score 100; favorable 4/4.
//
// The index is missing because C is; strongest is E (100), weakest R (25).
var mixed = ans("54-25", "3--14", "44444", "22523", "5551-")

// agree4 answers 4 everywhere and 2 on the reverse items, so every item score
// is 4, every key scores (4−1)/4×100 = 75 and so does the index.
var agree4 = ans("44424", "44424", "44424", "44244", "44424")

func TestScoreResponse(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Answers
		want ResponseScore
	}{
		{
			name: "skips, a key below 4 of 5, reverse items",
			in:   mixed,
			want: ResponseScore{
				Dims:          [NumKeys]Value{val(87.5), missing, val(65), val(25), val(100)},
				Index:         missing,
				FavorablePct:  [NumKeys]Value{val(100), val(200.0 / 3), val(80), val(0), val(100)},
				Straightlined: false,
				Strongest:     4, Weakest: 3,
			},
		},
		{
			name: "all keys tied: the earlier key wins both",
			in:   agree4,
			want: ResponseScore{
				Dims:         [NumKeys]Value{val(75), val(75), val(75), val(75), val(75)},
				Index:        val(75),
				FavorablePct: [NumKeys]Value{val(100), val(100), val(100), val(100), val(100)},
				Strongest:    0, Weakest: 0,
			},
		},
		{
			// I all 3s: 50. C and A all item scores 4: 75 (tie, C wins
			// strongest). R all 3s: 50 (ties I for weakest, I wins). E
			// answers 4,4,3,3,3 (E4 reverse: 6−3 = 3) give item scores
			// 4,4,3,3,3: sum 17, mean 3.4, score 60. Index
			// (50+75+75+50+60)/5 = 62. Favorable E: 2/5 = 40%.
			name: "ties for strongest and weakest",
			in:   ans("33333", "44424", "44424", "33333", "44333"),
			want: ResponseScore{
				Dims:         [NumKeys]Value{val(50), val(75), val(75), val(50), val(60)},
				Index:        val(62),
				FavorablePct: [NumKeys]Value{val(0), val(100), val(100), val(0), val(40)},
				Strongest:    1, Weakest: 0,
			},
		},
		{
			// Every answer 3: item scores all 3 (6−3 = 3), every key 50.
			name: "straight-lined on the midpoint",
			in:   ans("33333", "33333", "33333", "33333", "33333"),
			want: ResponseScore{
				Dims:          [NumKeys]Value{val(50), val(50), val(50), val(50), val(50)},
				Index:         val(50),
				FavorablePct:  [NumKeys]Value{val(0), val(0), val(0), val(0), val(0)},
				Straightlined: true,
				Strongest:     0, Weakest: 0,
			},
		},
		{
			// Every answer 5: item scores 5,5,5,1,5 per key: sum 21, mean
			// 4.2, score 80; favorable 4/5 = 80%.
			name: "straight-lined on strongly agree",
			in:   ans("55555", "55555", "55555", "55555", "55555"),
			want: ResponseScore{
				Dims:          [NumKeys]Value{val(80), val(80), val(80), val(80), val(80)},
				Index:         val(80),
				FavorablePct:  [NumKeys]Value{val(80), val(80), val(80), val(80), val(80)},
				Straightlined: true,
				Strongest:     0, Weakest: 0,
			},
		},
		{
			// One skip breaks straight-lining; I is over 4 items: 5,5,5,1 →
			// sum 16, mean 4, score 75.
			name: "one skip is not straight-lining",
			in:   ans("5555-", "55555", "55555", "55555", "55555"),
			want: ResponseScore{
				Dims:         [NumKeys]Value{val(75), val(80), val(80), val(80), val(80)},
				Index:        val(79),
				FavorablePct: [NumKeys]Value{val(75), val(80), val(80), val(80), val(80)},
				Strongest:    1, Weakest: 0,
			},
		},
		{
			name: "nothing answered",
			in:   Answers{},
			want: ResponseScore{Strongest: -1, Weakest: -1},
		},
		{
			// Only R has 4 answers: 1,1,_,1 with R3 reverse 6−5 = 1, so 0.
			name: "one key defined is both strongest and weakest",
			in:   ans("-----", "1----", "-----", "115-1", "-----"),
			want: ResponseScore{
				Dims:         [NumKeys]Value{missing, missing, missing, val(0), missing},
				FavorablePct: [NumKeys]Value{missing, val(0), missing, val(0), missing},
				Strongest:    3, Weakest: 3,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ScoreResponse(tc.in)
			if !sameScore(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func sameScore(a, b ResponseScore) bool {
	near := func(x, y Value) bool { return x.OK == y.OK && math.Abs(x.V-y.V) < 1e-12 }
	for k := range NumKeys {
		if !near(a.Dims[k], b.Dims[k]) || !near(a.FavorablePct[k], b.FavorablePct[k]) {
			return false
		}
	}
	return near(a.Index, b.Index) && a.Straightlined == b.Straightlined &&
		a.Strongest == b.Strongest && a.Weakest == b.Weakest
}

func TestItemScore(t *testing.T) {
	i4, _ := ItemIndex("I4")
	i1, _ := ItemIndex("I1")
	for _, tc := range []struct {
		item int
		raw  uint8
		want uint8
	}{
		{i1, 1, 1}, {i1, 5, 5}, {i1, 0, 0}, {i1, 6, 0},
		{i4, 1, 5}, {i4, 2, 4}, {i4, 3, 3}, {i4, 5, 1}, {i4, 0, 0}, {i4, 200, 0},
	} {
		if got := ItemScore(tc.item, tc.raw); got != tc.want {
			t.Errorf("ItemScore(%s, %d): got %d want %d", ItemID(tc.item), tc.raw, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := mixed.Validate(); err != nil {
		t.Errorf("Validate(valid): got %v want nil", err)
	}
	bad := agree4
	bad[7] = 6 // C3
	err := bad.Validate()
	if !errors.Is(err, ErrAnswerOutOfRange) {
		t.Fatalf("Validate(C3 = 6): got %v want ErrAnswerOutOfRange", err)
	}
	if got := err.Error(); !strings.Contains(got, "C3") {
		t.Errorf("Validate(C3 = 6) message: got %q want it to name C3", got)
	}
	if got := mixed.Answered(); got != 21 {
		t.Errorf("Answered: got %d want 21", got)
	}
}

// randomAnswers maps arbitrary bytes to answers 0 … 5 so that testing/quick
// explores skipped and answered items alike.
func randomAnswers(raw [NumItems]uint8) Answers {
	var a Answers
	for i, v := range raw {
		a[i] = v % 6
	}
	return a
}

func TestScoresStayInRange(t *testing.T) {
	in := func(v Value) bool { return !v.OK || v.V >= 0 && v.V <= 100 }
	f := func(raw [NumItems]uint8) bool {
		a := randomAnswers(raw)
		r := ScoreResponse(a)
		for k := range NumKeys {
			if !in(r.Dims[k]) || !in(r.FavorablePct[k]) {
				return false
			}
		}
		if !in(r.Index) {
			return false
		}
		// The index is defined exactly when all five keys are, and is their mean.
		all := true
		sum := 0.0
		for _, d := range r.Dims {
			all = all && d.OK
			sum += d.V
		}
		if r.Index.OK != all || all && math.Abs(r.Index.V-sum/5) > 1e-12 {
			return false
		}
		return (r.Strongest < 0) == (r.Weakest < 0)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Errorf("got a score outside 0–100 or an inconsistent index: %v", err)
	}
}

func TestExtremes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		in           [NumKeys]Value
		strong, weak int
	}{
		{"none", [NumKeys]Value{}, -1, -1},
		{"within 1e-9 is a tie", [NumKeys]Value{val(70), val(70 + 5e-10), val(60), val(60 - 5e-10), missing}, 0, 2},
		{"beyond 1e-9 is not", [NumKeys]Value{val(70), val(70 + 2e-9), val(60), val(60 - 2e-9), missing}, 1, 3},
		{"missing keys are skipped", [NumKeys]Value{missing, val(10), missing, val(90), missing}, 3, 1},
	} {
		s, w := Extremes(tc.in)
		if s != tc.strong || w != tc.weak {
			t.Errorf("%s: got strongest %d weakest %d want %d %d", tc.name, s, w, tc.strong, tc.weak)
		}
	}
}
