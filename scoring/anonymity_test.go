package scoring

import (
	"errors"
	"fmt"
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
