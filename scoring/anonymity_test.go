package scoring

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestShown(t *testing.T) {
	for _, tc := range []struct {
		n, k int
		want bool
	}{
		{0, 5, false}, {4, 5, false}, {5, 5, true}, {100, 5, true},
		{3, 3, true}, {2, 3, false},
		{2, 1, false}, {3, 1, true}, // k below MinMinGroup is raised to 3
	} {
		if got := Shown(tc.n, tc.k); got != tc.want {
			t.Errorf("Shown(%d, %d): got %v want %v", tc.n, tc.k, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n, k int
		want bool
	}{
		{7, 8, false}, {8, 8, true}, {2, 0, false}, {3, 0, true},
	} {
		if got := CommentsShown(tc.n, tc.k); got != tc.want {
			t.Errorf("CommentsShown(%d, %d): got %v want %v", tc.n, tc.k, got, tc.want)
		}
	}
	if DefaultMinGroup != 5 || MinMinGroup != 3 || DefaultMinComments != 8 {
		t.Errorf("defaults: got %d %d %d want 5 3 8", DefaultMinGroup, MinMinGroup, DefaultMinComments)
	}
}

// grp builds a Group whose ID is its name.
func grp(name string, n int, children ...*Group) *Group {
	return &Group{ID: name, Name: name, N: n, Children: children}
}

func hiddenList(h map[string]bool) string {
	var ids []string
	for id, v := range h {
		if v {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, " ")
}

func TestSuppress(t *testing.T) {
	for _, tc := range []struct {
		name string
		root *Group
		k    int
		want string // hidden IDs, sorted, space-separated
	}{
		{
			// Organization minus all shown teams: Small (3) is hidden, which
			// would leave 3 = org − A − B. The smallest shown team goes too;
			// A and B tie at 10 and the later name, B, goes first. Now
			// org − A = 13.
			name: "organization minus all shown teams",
			root: grp("org", 23, grp("A", 10), grp("B", 10), grp("Small", 3)),
			k:    5,
			want: "B Small",
		},
		{
			// Parent minus its children: Parent has 2 direct respondents and
			// shown children X (10) and Y (5): 17 − 10 − 5 = 2. Hiding the
			// smaller Y makes it 7.
			name: "parent minus its children",
			root: grp("org", 17, grp("Parent", 17, grp("X", 10), grp("Y", 5))),
			k:    5,
			want: "Y",
		},
		{
			// Team minus its perspective cells: manager (2), unspecified (2)
			// and senior leader (0) are hidden by size; 12 − 8 = 4 would
			// reveal them together, so frontline goes as well. The team
			// itself stays shown: nothing inside it can be isolated.
			name: "team minus its perspective cells",
			root: grp("T", 12, grp("T/frontline", 8), grp("T/manager", 2), grp("T/senior_leader", 0), grp("T/unspecified", 2)),
			k:    5,
			want: "T/frontline T/manager T/senior_leader T/unspecified",
		},
		{
			// Nothing to protect: every group is large and the organization is
			// exactly its teams.
			name: "nothing hidden",
			root: grp("org", 30, grp("A", 10), grp("B", 20, grp("B1", 8), grp("B2", 12))),
			k:    5,
			want: "",
		},
		{
			// The tie rule: equal sizes, the later name goes first.
			name: "tie goes to the later name",
			root: grp("org", 13, grp("Alpha", 6), grp("Beta", 6), grp("Gamma", 1)),
			k:    5,
			want: "Beta Gamma",
		},
		{
			// Smallest first even when a larger child is later by name.
			name: "smallest first",
			root: grp("org", 20, grp("Zed", 12), grp("Abe", 6), grp("Mini", 2)),
			k:    5,
			want: "Abe Mini",
		},
		{
			// Cascade upwards: inside Dept, T2 (4) is hidden and 11 − 7 = 4
			// would reveal it, so T1 goes too and Dept's uncovered 11 ≥ 5.
			// The organization then sees Dept (shown, 11) and Ops (9): 0 left.
			name: "cascade inside a department",
			root: grp("org", 20, grp("Dept", 11, grp("T1", 7), grp("T2", 4)), grp("Ops", 9)),
			k:    5,
			want: "T1 T2",
		},
		{
			// Cascade through a hidden child: Small (2) leaves 2 uncovered at
			// the organization. The smallest shown group is Dept (10), but
			// Dept is exactly T1 + T2, so hiding it gains nothing while T1 and
			// T2 stay shown (org − Big − T1 − T2 = 2). The search continues
			// below Dept: T1 and T2 tie at 5, the later name T2 goes, and
			// now 7 are uncovered. Dept = T1 + T2 must not be rebuilt from
			// shown groups, which it cannot be with T2 hidden.
			name: "cascade through a hidden child",
			root: grp("org", 24, grp("Dept", 10, grp("T1", 5), grp("T2", 5)), grp("Small", 2), grp("Big", 12)),
			k:    5,
			want: "Dept Small T2",
		},
		{
			// A group below k hides its whole subtree by size.
			name: "small group hides its children",
			root: grp("org", 30, grp("Tiny", 4, grp("Tiny/a", 3), grp("Tiny/b", 1)), grp("Rest", 26)),
			k:    5,
			want: "Rest Tiny Tiny/a Tiny/b",
		},
		{
			// The organization itself below k.
			name: "everything below k",
			root: grp("org", 4, grp("A", 4)),
			k:    5,
			want: "A org",
		},
		{
			// k below the floor is raised to 3: B (2) is hidden, 2 would be
			// uncovered, so A goes too.
			name: "k raised to 3",
			root: grp("org", 12, grp("A", 10), grp("B", 2)),
			k:    1,
			want: "A B",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Suppress(tc.root, tc.k)
			if err != nil {
				t.Fatalf("got error %v want none", err)
			}
			if g := hiddenList(got); g != tc.want {
				t.Errorf("hidden: got %q want %q", g, tc.want)
			}
		})
	}
}

func TestSuppressRejectsBadTrees(t *testing.T) {
	shared := grp("S", 3)
	for _, tc := range []struct {
		name string
		root *Group
	}{
		{"nil root", nil},
		{"children exceed parent", grp("org", 10, grp("A", 6), grp("B", 5))},
		{"negative N", grp("org", 10, grp("A", -1))},
		{"empty ID", grp("org", 10, &Group{Name: "nameless", N: 3})},
		{"duplicate ID", grp("org", 10, grp("A", 3), grp("A", 3))},
		{"shared node", grp("org", 10, grp("B", 5, shared), grp("C", 5, shared))},
		{"nil child", grp("org", 10, nil)},
	} {
		if _, err := Suppress(tc.root, 5); !errors.Is(err, ErrBadGroups) {
			t.Errorf("%s: got %v want ErrBadGroups", tc.name, err)
		}
	}
	_, err := SuppressAll([]*Group{grp("org", 10, grp("A", 5)), grp("A", 6)}, 5)
	if !errors.Is(err, ErrBadGroups) {
		t.Errorf("one ID with two sizes: got %v want ErrBadGroups", err)
	}
}

// TestSuppressAllPerspectives is the case of hiding a parent because no child
// is left: a team whose respondents are all frontline equals its frontline
// cell. Teams T1 (2 frontline, 10 managers) and T2 (10 frontline) with
// hierarchies: the teams, one per perspective (org × p over team × p), and
// each of org, T1 and T2 over its perspective cells.
//
//   - T1/frontline (2) is hidden by size; T1 − T1/frontline would reveal it,
//     so T1/manager goes.
//   - org/frontline − T2/frontline would reveal T1/frontline, so T2/frontline
//     goes.
//   - T2 now equals its hidden frontline cell and has no other cell to hide,
//     so T2 itself is hidden; then org − T1 would give T2, so T1 goes; and
//     org/manager equals the hidden T1/manager, so it goes too; org minus
//     org/manager would then rebuild it, so org/frontline goes.
//
// Only the organization total stays: two teams of which one is a single
// perspective and the other holds a frontline pair leave nothing else safe.
func TestSuppressAllPerspectives(t *testing.T) {
	trees := []*Group{
		grp("org", 22, grp("T1", 12), grp("T2", 10)),
		grp("org/frontline", 12, grp("T1/frontline", 2), grp("T2/frontline", 10)),
		grp("org/manager", 10, grp("T1/manager", 10), grp("T2/manager", 0)),
		grp("org", 22, grp("org/frontline", 12), grp("org/manager", 10)),
		grp("T1", 12, grp("T1/frontline", 2), grp("T1/manager", 10)),
		grp("T2", 10, grp("T2/frontline", 10), grp("T2/manager", 0)),
	}
	got, err := SuppressAll(trees, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := "T1 T1/frontline T1/manager T2 T2/frontline T2/manager org/frontline org/manager"
	if g := hiddenList(got); g != want {
		t.Errorf("hidden: got %q want %q", g, want)
	}
}

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

func dump(g *Group) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%d", g.ID, g.N)
	for _, c := range g.Children {
		b.WriteString(" ")
		b.WriteString(dump(c))
	}
	b.WriteString(")")
	return b.String()
}
