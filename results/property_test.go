package results

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// rankMod is the rank of the rows over the integers modulo prime, by plain
// dense elimination: an implementation of its own, in the original atom
// coordinates, to check results' sparse one against.
func rankMod(rows [][]uint64, prime uint64) int {
	m := make([][]uint64, len(rows))
	for i, r := range rows {
		m[i] = append([]uint64(nil), r...)
	}
	if len(m) == 0 {
		return 0
	}
	cols, rank := len(m[0]), 0
	inv := func(a uint64) uint64 {
		r, e := uint64(1), prime-2
		for e > 0 {
			if e&1 == 1 {
				r = r * a % prime
			}
			a = a * a % prime
			e >>= 1
		}
		return r
	}
	for c := 0; c < cols && rank < len(m); c++ {
		p := -1
		for i := rank; i < len(m); i++ {
			if m[i][c] != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		iv := inv(m[rank][c])
		for j := c; j < cols; j++ {
			m[rank][j] = m[rank][j] * iv % prime
		}
		for i := range m {
			if i == rank || m[i][c] == 0 {
				continue
			}
			f := m[i][c]
			for j := c; j < cols; j++ {
				m[i][j] = (m[i][j] + prime - f*m[rank][j]%prime) % prime
			}
		}
		rank++
	}
	return rank
}

// primes are the two moduli the check computes ranks under.
var primes = []uint64{1_000_000_007, 998_244_353}

// derivable reports whether v is a combination of rows, whose ranks modulo
// primes are base: adding v leaves them unchanged.
func derivable(rows [][]uint64, base []int, v []uint64) bool {
	for i, prime := range primes {
		if rankMod(append(rows[:len(rows):len(rows)], v), prime) != base[i] {
			return false
		}
	}
	return true
}

// randomOrganization is a hierarchy of 1–7 teams (each under an earlier one
// or at the top) with a random number of respondents, 0–11, in each of two
// to four perspectives.
func randomOrganization(rng *rand.Rand) ([]models.Team, []models.Cell) {
	n := 1 + rng.IntN(7)
	persp := scoring.Perspectives[:2+rng.IntN(3)]
	var teams []models.Team
	var cells []models.Cell
	for i := 1; i <= n; i++ {
		t := models.Team{ID: uint(i), Name: fmt.Sprintf("T%d", i)}
		if i > 1 && rng.IntN(3) > 0 {
			p := uint(1 + rng.IntN(i-1))
			t.ParentID = &p
		}
		teams = append(teams, t)
		for _, p := range persp {
			if size := rng.IntN(12) - 2; size > 0 {
				cells = append(cells, cell(uint(i), p, agg(size, uint8(1+rng.IntN(5)))))
			}
		}
	}
	return teams, cells
}

// TestNoSmallGroupIsACombination builds 10,000 random organizations and
// checks, by the rank of the shown groups' membership matrix over the team
// × perspective cells, that no hidden group, no team's own respondents and
// no cell of 1 … k − 1 respondents is a sum or difference of shown groups.
func TestNoSmallGroupIsACombination(t *testing.T) {
	rng := rand.New(rand.NewPCG(2027, 10))
	runs := 10_000
	if testing.Short() {
		runs = 1000
	}
	for run := range runs {
		teams, cells := randomOrganization(rng)
		k := 3 + rng.IntN(4)
		r, err := Build(teams, cells, Options{K: k, KComments: k, Published: true})
		if err != nil {
			t.Fatal(err)
		}
		// Atoms: each team's own respondents of one perspective.
		type atom struct {
			team uint
			p    string
		}
		var atoms []atom
		size := map[atom]int{}
		for _, tm := range r.Teams {
			for _, p := range scoring.Perspectives {
				if a := tm.OwnPerspectives[p]; a != nil && a.N > 0 {
					at := atom{tm.ID, p}
					atoms = append(atoms, at)
					size[at] = int(a.N)
				}
			}
		}
		inGroup := func(g GroupRef, at atom) bool {
			if g.Perspective != "" && g.Perspective != at.p {
				return false
			}
			if g.Team == 0 {
				return true
			}
			for x, _ := r.Team(at.team); x != nil; x = x.parent {
				if x.ID == g.Team {
					return true
				}
			}
			return false
		}
		row := func(member func(atom) bool) ([]uint64, int) {
			v, n := make([]uint64, len(atoms)), 0
			for i, at := range atoms {
				if member(at) {
					v[i], n = 1, n+size[at]
				}
			}
			return v, n
		}
		var shown [][]uint64
		type secret struct {
			what string
			v    []uint64
		}
		var secrets []secret
		for _, g := range r.family() {
			v, n := row(func(at atom) bool { return inGroup(g.ref, at) })
			f, _ := r.Figures(g.ref)
			if f.Shown() {
				if n < k {
					t.Fatalf("run %d: %s of %d respondents is shown under k %d", run, g.ref, n, k)
				}
				shown = append(shown, v)
			} else if n >= 1 && n < k {
				secrets = append(secrets, secret{"hidden group " + g.ref.String(), v})
			}
		}
		for _, tm := range r.Teams {
			if v, n := row(func(at atom) bool { return at.team == tm.ID }); n >= 1 && n < k {
				secrets = append(secrets, secret{fmt.Sprintf("own respondents of team %d", tm.ID), v})
			}
		}
		for _, at := range atoms {
			if n := size[at]; n < k {
				v, _ := row(func(b atom) bool { return b == at })
				secrets = append(secrets, secret{fmt.Sprintf("cell team %d %s", at.team, at.p), v})
			}
		}
		var base []int
		if len(secrets) > 0 {
			for _, prime := range primes {
				base = append(base, rankMod(shown, prime))
			}
		}
		for _, s := range secrets {
			if derivable(shown, base, s.v) {
				t.Fatalf("run %d (k %d): the %s (%v) is a combination of the shown groups\nteams %+v\ncells %s",
					run, k, s.what, s.v, teams, describeCells(cells))
			}
		}
	}
}

func describeCells(cells []models.Cell) string {
	s := ""
	for _, c := range cells {
		s += fmt.Sprintf("team %d %s: %d; ", c.TeamID, c.Perspective, c.Agg.N)
	}
	return s
}
