package scoring

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func atoms(as ...int) Vector {
	v := Vector{}
	for _, a := range as {
		v[a] = 1
	}
	return v
}

// TestLinearAuditBySubtraction: the organization (atoms 0–3) is shown, and
// so are teams A (0, 1) and B (2); team C (3) is hidden. C = org − A − B, so
// one of the three goes: B, the one HideFirst puts first; then nothing else
// works out C.
func TestLinearAuditBySubtraction(t *testing.T) {
	f := AuditFamily{
		Groups:    []Vector{atoms(0, 1, 2, 3), atoms(0, 1), atoms(2), atoms(3)},
		Shown:     []bool{true, true, true, false},
		Sensitive: []Vector{atoms(3)},
		HideFirst: func(i, j int) bool { return i > j }, // the later group first
	}
	hid := LinearAudit(f)
	if len(hid) != 1 || hid[0] != 2 {
		t.Errorf("hidden: got %v want [2] (B)", hid)
	}
	// Nothing derivable: nothing hidden.
	f.Shown = []bool{true, true, false, false}
	f.Sensitive = []Vector{atoms(3), atoms(2)}
	if hid := LinearAudit(f); len(hid) != 0 {
		t.Errorf("org and A alone give away neither B nor C; got %v hidden", hid)
	}
}

// TestLinearAuditAcrossHierarchies is the case hierarchy-by-hierarchy rules
// miss: team X's frontline cell (atom 0) and managers (atom 1), team Y's
// frontline (2) and managers (3). Shown: X (0+1), the organization's
// frontline (0+2) and Y's managers (3); the organization total (0+1+2+3)
// too. Hidden: X's frontline alone. X + org frontline − (org − Y managers)
// = 0 + 1 + 0 + 2 − 0 − 1 − 2 = 0: X's frontline cell, worked out.
func TestLinearAuditAcrossHierarchies(t *testing.T) {
	f := AuditFamily{
		Groups:    []Vector{atoms(0, 1), atoms(0, 2), atoms(3), atoms(0, 1, 2, 3), atoms(0)},
		Shown:     []bool{true, true, true, true, false},
		Sensitive: []Vector{atoms(0)},
		HideFirst: func(i, j int) bool { return i > j },
	}
	hid := LinearAudit(f)
	if len(hid) == 0 {
		t.Fatal("X's frontline cell can be worked out; want a group hidden")
	}
	// Check with exact rationals that it no longer can.
	var shown [][]int64
	for i, g := range f.Groups {
		if f.Shown[i] && !contains64(hid, i) {
			shown = append(shown, dense(g, 4))
		}
	}
	if inSpanRat(shown, dense(atoms(0), 4)) {
		t.Errorf("after hiding %v the cell is still derivable", hid)
	}
}

func contains64(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func dense(v Vector, n int) []int64 {
	d := make([]int64, n)
	for c, x := range v {
		d[c] = x
	}
	return d
}

// inSpanRat decides span membership with exact rationals: the reference
// the modular elimination is checked against.
func inSpanRat(rows [][]int64, v []int64) bool {
	n := len(v)
	rank := func(m [][]*big.Rat) int {
		r := 0
		for c := 0; c < n && r < len(m); c++ {
			p := -1
			for i := r; i < len(m); i++ {
				if m[i][c].Sign() != 0 {
					p = i
					break
				}
			}
			if p < 0 {
				continue
			}
			m[r], m[p] = m[p], m[r]
			for i := range m {
				if i != r && m[i][c].Sign() != 0 {
					f := new(big.Rat).Quo(m[i][c], m[r][c])
					for j := c; j < n; j++ {
						m[i][j].Sub(m[i][j], new(big.Rat).Mul(f, m[r][j]))
					}
				}
			}
			r++
		}
		return r
	}
	mat := func(withV bool) [][]*big.Rat {
		var m [][]*big.Rat
		add := func(row []int64) {
			rr := make([]*big.Rat, n)
			for j, x := range row {
				rr[j] = big.NewRat(x, 1)
			}
			m = append(m, rr)
		}
		for _, r := range rows {
			add(r)
		}
		if withV {
			add(v)
		}
		return m
	}
	return rank(mat(false)) == rank(mat(true))
}

// TestEchelonAgreesWithRationals: on random small families of 0/1 and ±1
// vectors, the modular elimination says a vector is in the span exactly
// when exact rational arithmetic does, and names a combination when it is.
func TestEchelonAgreesWithRationals(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 1))
	for run := range 3000 {
		n := 2 + rng.IntN(7)
		m := 1 + rng.IntN(8)
		var rows [][]int64
		basis := echelon{pivot: map[int]int{}}
		for i := range m {
			row := make([]int64, n)
			v := Vector{}
			for j := range row {
				switch rng.IntN(4) {
				case 0:
					row[j] = 1
				case 1:
					if run%2 == 0 {
						row[j] = -1
					}
				}
				if row[j] != 0 {
					v[j] = row[j]
				}
			}
			rows = append(rows, row)
			basis.add(modVec(v), i)
		}
		// A target that is sometimes in the span by construction.
		target := make([]int64, n)
		tv := Vector{}
		if rng.IntN(2) == 0 {
			for _, r := range rows {
				if rng.IntN(2) == 0 {
					for j := range target {
						target[j] += r[j]
					}
				}
			}
		} else {
			for j := range target {
				target[j] = int64(rng.IntN(2))
			}
		}
		for j, x := range target {
			if x != 0 {
				tv[j] = x
			}
		}
		zero := len(tv) == 0
		uses, got := basis.represent(modVec(tv))
		want := !zero && inSpanRat(rows, target)
		if got != want {
			t.Fatalf("run %d: rows %v target %v: in span %v, want %v", run, rows, target, got, want)
		}
		if got && len(uses) == 0 {
			t.Fatalf("run %d: in span but no combination", run)
		}
	}
}
