package scoring

import (
	"math/bits"
	"sort"
)

// The linear audit: what sums and differences of shown groups give away.
//
// Every shown group publishes its size and its sum (a mean times its n), so
// any combination of shown groups, with whole or fractional coefficients,
// gives the size and the sum — and so the mean — of the respondents it adds
// up to. Suppress and SuppressAll apply the anonymity rules hierarchy by
// hierarchy; LinearAudit checks their result across all hierarchies at
// once: a set of respondents can be worked out exactly when its indicator
// vector over the atoms (disjoint sets of respondents, such as one team's
// own respondents of one perspective) lies in the span of the shown groups'
// vectors.
//
// The span is computed exactly, by Gaussian elimination modulo the prime
// 2⁶¹ − 1: whole-number vectors independent over the rationals stay
// independent modulo so large a prime unless a determinant of their entries
// is one of its multiples, which for the small entries of group vectors
// does not happen. Vectors are sparse, and any invertible change of basis
// keeps what is in the span: a caller with nested groups can describe each
// by its two boundaries (see results), so elimination stays cheap.

// Vector is a sparse vector: coordinate → coefficient (whole numbers).
type Vector map[int]int64

// AuditFamily is the input of LinearAudit for one measure.
type AuditFamily struct {
	// Groups holds each group's vector.
	Groups []Vector
	// Shown says which groups are shown now.
	Shown []bool
	// Sensitive holds the vectors of the sets that must never be derivable
	// (every group or atom of 1 … k − 1 respondents, say). A zero vector
	// holds nobody and is not checked.
	Sensitive []Vector
	// HideFirst orders the groups to hide when a sensitive set is derivable:
	// HideFirst(i, j) reports whether group i goes before group j.
	HideFirst func(i, j int) bool
}

// LinearAudit hides shown groups until no sensitive set is a combination of
// shown ones, and returns the groups it hid, in the order it hid them. For
// each derivable set it hides, of the shown groups its derivation uses, the
// first by HideFirst, and checks again.
func LinearAudit(f AuditFamily) []int {
	shown := append([]bool(nil), f.Shown...)
	var hid []int
	for {
		basis := echelon{pivot: map[int]int{}}
		for i, g := range f.Groups {
			if shown[i] {
				basis.add(modVec(g), i)
			}
		}
		var uses []int
		for _, s := range f.Sensitive {
			if u, ok := basis.represent(modVec(s)); ok {
				uses = u
				break
			}
		}
		if uses == nil {
			return hid
		}
		sort.Slice(uses, func(a, b int) bool { return f.HideFirst(uses[a], uses[b]) })
		shown[uses[0]] = false
		hid = append(hid, uses[0])
	}
}

// p61 is the prime the elimination works modulo: 2⁶¹ − 1.
const p61 = 1<<61 - 1

func toMod(x int64) uint64 {
	if x >= 0 {
		return uint64(x) % p61
	}
	return p61 - uint64(-x)%p61
}

func subMod(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return a + p61 - b
}

func addMod(a, b uint64) uint64 { return subMod(a, p61-b) }

// mulMod multiplies modulo 2⁶¹ − 1: with 2⁶¹ ≡ 1, the 122-bit product
// hi·2⁶⁴ + lo folds to 8·hi + lo>>61 + lo&p.
func mulMod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	r := hi<<3 + lo>>61 + lo&p61
	for r >= p61 {
		r -= p61
	}
	return r
}

// invMod is a⁻¹ by Fermat: a^(p−2).
func invMod(a uint64) uint64 {
	r, e := uint64(1), uint64(p61-2)
	for e > 0 {
		if e&1 == 1 {
			r = mulMod(r, a)
		}
		a = mulMod(a, a)
		e >>= 1
	}
	return r
}

// modVec is v modulo the prime, without zero entries.
func modVec(v Vector) map[int]uint64 {
	m := make(map[int]uint64, len(v))
	for c, x := range v {
		if r := toMod(x); r != 0 {
			m[c] = r
		}
	}
	return m
}

func minKey(v map[int]uint64) int {
	first, k := true, 0
	for c := range v {
		if first || c < k {
			first, k = false, c
		}
	}
	return k
}

// echelon is a basis in echelon form: each row's smallest coordinate is its
// pivot, with coefficient 1, and no two rows share a pivot. Each row keeps
// the combination of original vectors it is made of.
type echelon struct {
	rows   []map[int]uint64
	origin []map[int]uint64
	pivot  map[int]int // coordinate → row
}

// reduce subtracts rows from v until v is zero or its smallest coordinate
// is no row's pivot, and returns the combination of original vectors
// subtracted. A nonzero v left over is outside the span: every vector of
// the span has a pivot as its smallest coordinate, since rows are zero
// below their pivots.
func (e *echelon) reduce(v map[int]uint64) map[int]uint64 {
	comb := map[int]uint64{}
	for len(v) > 0 {
		c := minKey(v)
		r, ok := e.pivot[c]
		if !ok {
			return comb
		}
		k := v[c]
		for j, y := range e.rows[r] {
			if nv := subMod(v[j], mulMod(k, y)); nv == 0 {
				delete(v, j)
			} else {
				v[j] = nv
			}
		}
		for id, o := range e.origin[r] {
			comb[id] = addMod(comb[id], mulMod(k, o))
		}
	}
	return comb
}

// add puts original vector id, v, into the basis unless it lies in its span.
func (e *echelon) add(v map[int]uint64, id int) {
	comb := e.reduce(v)
	if len(v) == 0 {
		return
	}
	origin := map[int]uint64{id: 1}
	for oid, k := range comb {
		if nv := subMod(origin[oid], k); nv == 0 {
			delete(origin, oid)
		} else {
			origin[oid] = nv
		}
	}
	c := minKey(v)
	inv := invMod(v[c])
	for j := range v {
		v[j] = mulMod(v[j], inv)
	}
	for oid := range origin {
		origin[oid] = mulMod(origin[oid], inv)
	}
	e.pivot[c] = len(e.rows)
	e.rows = append(e.rows, v)
	e.origin = append(e.origin, origin)
}

// represent reports whether v lies in the span, and if it does, which
// original vectors its combination uses. The zero vector is not counted as
// represented: it holds nobody.
func (e *echelon) represent(v map[int]uint64) ([]int, bool) {
	if len(v) == 0 {
		return nil, false
	}
	comb := e.reduce(v)
	if len(v) > 0 {
		return nil, false
	}
	var uses []int
	for id, k := range comb {
		if k != 0 {
			uses = append(uses, id)
		}
	}
	sort.Ints(uses)
	return uses, len(uses) > 0
}
