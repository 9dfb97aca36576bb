package scoring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// scenario is a set of groups over atoms (disjoint sets of respondents) for the
// brute-force audit: each group is a union of atoms.
type scenario struct {
	counts []int             // respondents per atom
	groups map[string][]bool // group ID → membership of each atom
	trees  []*Group
}

// audit tries every sum and difference of the shown groups among ids (all
// groups when ids is nil), with coefficients −1, 0 and +1 (what a user with a
// spreadsheet would try), and returns a description of the first combination
// that isolates 1 … k−1 respondents or rebuilds a hidden group exactly; "" when
// there is none.
func (s *scenario) audit(hidden map[string]bool, k int, ids map[string]bool) string {
	var shown, hid []string
	for id := range s.groups {
		if ids != nil && !ids[id] {
			continue
		}
		if hidden[id] {
			hid = append(hid, id)
		} else {
			shown = append(shown, id)
		}
	}
	slices.Sort(shown)
	slices.Sort(hid)
	na := len(s.counts)
	w := make([]int, na)
	coef := make([]int, len(shown))
	var found string
	var rec func(i int)
	rec = func(i int) {
		if found != "" {
			return
		}
		if i == len(shown) {
			// Is w a 0/1 vector over non-empty atoms?
			size, nonzero := 0, false
			for a, x := range w {
				if s.counts[a] == 0 {
					continue
				}
				if x != 0 && x != 1 {
					return
				}
				if x == 1 {
					size += s.counts[a]
					nonzero = true
				}
			}
			if !nonzero {
				return
			}
			desc := func() string {
				var b strings.Builder
				for j, c := range coef {
					if c != 0 {
						fmt.Fprintf(&b, " %+d·%s", c, shown[j])
					}
				}
				return b.String()
			}
			if size < k {
				found = fmt.Sprintf("%d respondents isolated by%s", size, desc())
				return
			}
			for _, h := range hid {
				same := true
				for a, in := range s.groups[h] {
					if s.counts[a] != 0 && (w[a] == 1) != in {
						same = false
						break
					}
				}
				if same {
					found = fmt.Sprintf("hidden %s rebuilt by%s", h, desc())
					return
				}
			}
			return
		}
		for _, c := range []int{0, 1, -1} {
			coef[i] = c
			for a, in := range s.groups[shown[i]] {
				if in {
					w[a] += c
				}
			}
			rec(i + 1)
			for a, in := range s.groups[shown[i]] {
				if in {
					w[a] -= c
				}
			}
		}
		coef[i] = 0
	}
	rec(0)
	return found
}

// randomTree builds a random hierarchy of up to 9 groups, each with 0 … 8
// direct respondents (one atom per group).
func randomTree(r *rand.Rand) *scenario {
	m := 2 + r.IntN(8)
	parent := make([]int, m)
	direct := make([]int, m)
	for i := range m {
		if i > 0 {
			parent[i] = r.IntN(i)
		}
		if r.IntN(3) > 0 {
			direct[i] = 1 + r.IntN(8)
		}
	}
	s := &scenario{counts: direct, groups: map[string][]bool{}}
	nodes := make([]*Group, m)
	for i := range m {
		nodes[i] = &Group{ID: fmt.Sprintf("g%d", i), Name: fmt.Sprintf("g%d", r.IntN(3))}
		s.groups[nodes[i].ID] = make([]bool, m)
	}
	for i := range m { // atom i lies in group i and in all its ancestors
		for a := i; ; a = parent[a] {
			s.groups[nodes[a].ID][i] = true
			nodes[a].N += direct[i]
			if a == 0 {
				break
			}
		}
	}
	for i := 1; i < m; i++ {
		p := nodes[parent[i]]
		p.Children = append(p.Children, nodes[i])
	}
	s.trees = []*Group{nodes[0]}
	return s
}

// TestSuppressAudit checks Suppress on random hierarchies against the
// brute-force audit: no sum or difference of shown groups may isolate fewer
// than k respondents or rebuild a hidden group.
func TestSuppressAudit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for run := range 400 {
		s := randomTree(r)
		k := 3 + r.IntN(4)
		hidden, err := SuppressAll(s.trees, k)
		if err != nil {
			t.Fatalf("run %d: got error %v", run, err)
		}
		if leak := s.audit(hidden, k, nil); leak != "" {
			t.Fatalf("run %d, k %d, tree %s: got a leak (%s) want none; hidden %q", run, k, dump(s.trees[0]), leak, hiddenList(hidden))
		}
	}
}

// randomTeams builds an organization of up to 3 teams (maybe one nested) and
// 2 perspectives, with the hierarchies a dashboard shows: the team tree, one
// tree per perspective, and each of the organization and the teams over its
// perspective cells. Atoms are team × perspective direct respondents.
func randomTeams(r *rand.Rand) *scenario {
	const np = 2
	m := 1 + r.IntN(3)
	parent := make([]int, m) // −1 = top level
	for i := range m {
		parent[i] = -1
		if i > 0 && r.IntN(3) == 0 {
			parent[i] = r.IntN(i)
		}
	}
	s := &scenario{counts: make([]int, m*np), groups: map[string][]bool{}}
	for a := range s.counts {
		if r.IntN(4) > 0 {
			s.counts[a] = r.IntN(9)
		}
	}
	under := func(i, anc int) bool { // team i is anc or below it
		for ; i >= 0; i = parent[i] {
			if i == anc {
				return true
			}
		}
		return false
	}
	persp := []string{"f", "m"}
	size := func(members []bool) int {
		n := 0
		for a, in := range members {
			if in {
				n += s.counts[a]
			}
		}
		return n
	}
	mk := func(id string, member func(team, p int) bool) *Group {
		v := make([]bool, m*np)
		for i := range m {
			for p := range np {
				v[i*np+p] = member(i, p)
			}
		}
		s.groups[id] = v
		return &Group{ID: id, Name: id, N: size(v)}
	}
	team := func(i int) string { return fmt.Sprintf("T%d", i) }
	// Team tree and per-perspective trees share their shape.
	build := func(suffix string, pOK func(int) bool) *Group {
		nodes := make([]*Group, m)
		for i := range m {
			nodes[i] = mk(team(i)+suffix, func(tm, p int) bool { return under(tm, i) && pOK(p) })
		}
		root := mk("org"+suffix, func(_, p int) bool { return pOK(p) })
		for i := range m {
			if parent[i] < 0 {
				root.Children = append(root.Children, nodes[i])
			} else {
				nodes[parent[i]].Children = append(nodes[parent[i]].Children, nodes[i])
			}
		}
		return root
	}
	s.trees = append(s.trees, build("", func(int) bool { return true }))
	for p := range np {
		s.trees = append(s.trees, build("/"+persp[p], func(q int) bool { return q == p }))
	}
	for i := -1; i < m; i++ {
		id := "org"
		if i >= 0 {
			id = team(i)
		}
		g := &Group{ID: id, Name: id, N: size(s.groups[id])}
		for p := range np {
			cid := id + "/" + persp[p]
			g.Children = append(g.Children, &Group{ID: cid, Name: cid, N: size(s.groups[cid])})
		}
		s.trees = append(s.trees, g)
	}
	return s
}

// TestSuppressAllAudit runs the audit over teams × perspectives, where the
// hierarchies overlap, one hierarchy at a time: within each, no sum or
// difference of its shown groups may isolate fewer than k respondents or
// rebuild one of its hidden groups, whatever the other hierarchies hid. (Rule
// 3 of Suppress is what stops the chain that rebuilds a hidden group in one
// hierarchy and subtracts it in another; see TestSuppressAllPerspectives.
// Combinations that mix groups of several hierarchies at once are not fully
// audited by SuppressAll; its doc comment says so.)
func TestSuppressAllAudit(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for run := range 300 {
		s := randomTeams(r)
		k := 3 + r.IntN(3)
		hidden, err := SuppressAll(s.trees, k)
		if err != nil {
			t.Fatalf("run %d: got error %v", run, err)
		}
		for _, tree := range s.trees {
			ids := map[string]bool{}
			var walk func(g *Group)
			walk = func(g *Group) {
				ids[g.ID] = true
				for _, c := range g.Children {
					walk(c)
				}
			}
			walk(tree)
			if leak := s.audit(hidden, k, ids); leak != "" {
				t.Fatalf("run %d, k %d, hierarchy %s: got a leak (%s) want none; hidden %q", run, k, dump(tree), leak, hiddenList(hidden))
			}
		}
	}
}
