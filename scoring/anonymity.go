package scoring

import (
	"errors"
	"fmt"
)

// DefaultMinGroup is the default minimum group size k: a group with fewer
// submitted responses shows "not enough responses yet" instead of scores.
const DefaultMinGroup = 5

// MinMinGroup is the lowest minimum group size icare accepts; a smaller k is
// raised to it.
const MinMinGroup = 3

// DefaultMinComments is the default number of responses a group needs before
// its comments are shown. A configured value must never be below k.
const DefaultMinComments = 8

// Shown reports whether a group of n responses may show its scores under
// minimum group size k, that is n ≥ k, with k raised to MinMinGroup when it is
// lower. Shown alone does not protect against differencing; use Suppress for
// groups that nest.
func Shown(n, k int) bool {
	return n >= max(k, MinMinGroup)
}

// CommentsShown reports whether a group of n responses may show its comments
// under comment threshold kComments, that is n ≥ kComments, with kComments
// raised to MinMinGroup when it is lower. Configuration must keep kComments at
// or above k, and a group that Suppress hides shows no comments either.
func CommentsShown(n, kComments int) bool {
	return n >= max(kComments, MinMinGroup)
}

// Group is a node of a hierarchy of nested respondent groups for Suppress: the
// organization over its top-level teams, a team over its child teams, a team
// over its perspective cells. N counts every respondent of the group, its
// direct respondents and all its descendants' alike, so the children's N add
// up to at most the parent's N. ID must be unique within a hierarchy; across
// the hierarchies given to SuppressAll, one ID means one group.
type Group struct {
	ID       string
	Name     string
	N        int
	Children []*Group
}

// ErrBadGroups is wrapped by the error Suppress and SuppressAll return for an
// inconsistent hierarchy.
var ErrBadGroups = errors.New("inconsistent group hierarchy")

// Suppress applies minimum group size k (raised to MinMinGroup when lower) and
// complementary suppression to one hierarchy and returns the IDs of the groups
// to hide; a group whose ID is absent is shown. It returns an error wrapping
// ErrBadGroups, and no result, when a group has a negative N, an empty or
// repeated ID, a nil child, or children whose N add up to more than its own.
//
// The rules, applied bottom-up so that a group hidden at its own level counts
// as hidden for its parent:
//
//  1. A group with N < k is hidden.
//  2. Within every shown group, the respondents that no shown group below it
//     covers (its direct respondents plus those of hidden groups that no
//     shown descendant covers) must number 0 or at least k. While they number
//     1 … k − 1, the smallest shown group below it that is not inside another
//     shown one is hidden (ties: the later Name, then the later ID goes
//     first); if none is left, the group itself is hidden. (With consistent
//     counts that last step never fires under this rule: once nothing below
//     is shown, N ≥ k respondents are uncovered. Rule 3 can reach it.)
//  3. No hidden group may be worked out exactly from shown ones. A hidden
//     group that is the union of shown groups (no uncovered respondents of
//     its own) has its smallest such group hidden. A hidden group whose
//     uncovered respondents are all the uncovered respondents of the nearest
//     shown group above it (so that it equals that group minus shown groups)
//     has the smallest shown group elsewhere below that group hidden, or, when
//     none is left, that group itself.
//
// Rule 2 speaks of shown groups below, not only of children, because hiding a
// child protects nothing while the child's own children stay shown: with a
// parent of 2 direct respondents, a child A made of two shown teams and a
// shown child B, hiding A alone would still let parent − B − A's teams reveal
// the 2.
//
// Why hiding a group never needs to hide its children as well: everything
// subtraction can isolate in one hierarchy is a union of the uncovered sets
// of shown groups, and rule 2 keeps each of those at 0 or at least k. A group
// hidden because N < k has only hidden groups below it and lies inside the
// uncovered set of its nearest shown ancestor, which holds at least k
// respondents, so it cannot be isolated. A group hidden by rule 2 has at least
// k respondents; if its children stay shown and cover it entirely, it can be
// rebuilt by adding them, which reveals no small group — but in SuppressAll
// another hierarchy could subtract such a rebuilt group, which is why rule 3
// hides one of those children too.
func Suppress(root *Group, k int) (map[string]bool, error) {
	return SuppressAll([]*Group{root}, k)
}

// SuppressAll is Suppress over several hierarchies of the same respondents,
// such as the team tree, one tree per perspective (organization × perspective
// over team × perspective cells) and each team over its perspective cells.
// Groups that share an ID in several hierarchies are one group and must have
// the same N. The hierarchies are processed in turn until no rule hides
// anything more, so every hierarchy satisfies the rules of Suppress with the
// hiding decided in the others.
//
// The rules hold within each hierarchy, and rule 3 defeats the chain that
// rebuilds a hidden group in one hierarchy and subtracts it in another. They
// are not a full audit of equations that mix groups of several hierarchies at
// once: in rare layouts a set worked out in one hierarchy (say a team's direct
// respondents, all of one perspective) can be subtracted from a set worked out
// in another (that perspective's organization total less shown cells) and
// leave fewer than k respondents. A brute-force search over sums and
// differences of shown groups found such a combination in about 2 of 1,000
// random organizations of two or three teams and two perspectives.
func SuppressAll(roots []*Group, k int) (map[string]bool, error) {
	return SuppressAllGiven(roots, k, nil)
}

// SuppressAllGiven is SuppressAll with the groups of given hidden from the
// start, by a decision made elsewhere (a team hidden as a whole is hidden for
// each of its keys too); they count as hidden in every rule. The returned
// set includes them.
func SuppressAllGiven(roots []*Group, k int, given map[string]bool) (map[string]bool, error) {
	k = max(k, MinMinGroup)
	sizes := map[string]int{}
	for t, root := range roots {
		if err := validateTree(root, sizes); err != nil {
			return nil, fmt.Errorf("scoring: hierarchy %d: %w", t, err)
		}
	}
	s := suppressor{k: k, hidden: make(map[string]bool, len(given))}
	for id, h := range given {
		if h {
			s.hidden[id] = true
		}
	}
	for {
		before := len(s.hidden)
		for _, root := range roots {
			s.visit(root)
		}
		if len(s.hidden) == before {
			return s.hidden, nil
		}
	}
}

// validateTree checks one hierarchy and records each group's N in sizes,
// rejecting an ID whose N differs from the one seen in another hierarchy.
func validateTree(root *Group, sizes map[string]int) error {
	if root == nil {
		return fmt.Errorf("nil root: %w", ErrBadGroups)
	}
	seen := map[string]bool{}
	var walk func(g *Group) error
	walk = func(g *Group) error {
		if g.ID == "" {
			return fmt.Errorf("group %q has an empty ID: %w", g.Name, ErrBadGroups)
		}
		if seen[g.ID] {
			return fmt.Errorf("group %q appears twice: %w", g.ID, ErrBadGroups)
		}
		seen[g.ID] = true
		if g.N < 0 {
			return fmt.Errorf("group %q has N = %d: %w", g.ID, g.N, ErrBadGroups)
		}
		if n, ok := sizes[g.ID]; ok && n != g.N {
			return fmt.Errorf("group %q has N = %d here and %d in another hierarchy: %w", g.ID, g.N, n, ErrBadGroups)
		}
		sizes[g.ID] = g.N
		sum := 0
		for _, c := range g.Children {
			if c == nil {
				return fmt.Errorf("group %q has a nil child: %w", g.ID, ErrBadGroups)
			}
			sum += c.N
			if err := walk(c); err != nil {
				return err
			}
		}
		if sum > g.N {
			return fmt.Errorf("children of group %q number %d, more than its N = %d: %w", g.ID, sum, g.N, ErrBadGroups)
		}
		return nil
	}
	return walk(root)
}

// suppressor carries the threshold and the hidden set shared by all
// hierarchies. The helpers recompute frontiers from the hidden set on demand:
// hierarchies have at most a few thousand groups, and the clarity is worth
// more than the time.
type suppressor struct {
	k      int
	hidden map[string]bool
}

// visit applies the rules to g's subtree, children first.
func (s *suppressor) visit(g *Group) {
	for _, c := range g.Children {
		s.visit(c)
	}
	if g.N < s.k {
		s.hidden[g.ID] = true
	}
	if s.hidden[g.ID] {
		// Rule 3, first half: a hidden group must not be the union of shown ones.
		for s.uncovered(g) == 0 {
			f := smallest(s.frontier(g, nil), nil)
			if f == nil {
				break
			}
			s.hidden[f.ID] = true
		}
		return
	}
	for {
		r := s.uncovered(g)
		if r == 0 {
			return
		}
		if r < s.k { // Rule 2.
			if !s.hideSmallest(g, nil) {
				return
			}
			continue
		}
		// Rule 3, second half: no hidden group below g may equal g minus
		// shown groups.
		h := s.exposed(g, r)
		if h == nil {
			return
		}
		if !s.hideSmallest(g, h) {
			return
		}
	}
}

// hideSmallest hides the smallest shown group below g that is not inside
// another shown group nor inside except, or g itself when there is none; it
// reports whether g is still shown.
func (s *suppressor) hideSmallest(g, except *Group) bool {
	f := smallest(s.frontier(g, nil), except)
	if f == nil {
		s.hidden[g.ID] = true
		return false
	}
	s.hidden[f.ID] = true
	return true
}

// frontier appends to dst the shown groups strictly below g that are not
// inside another shown group below g.
func (s *suppressor) frontier(g *Group, dst []*Group) []*Group {
	for _, c := range g.Children {
		if s.hidden[c.ID] {
			dst = s.frontier(c, dst)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// uncovered returns the number of g's respondents that no shown group below g
// covers.
func (s *suppressor) uncovered(g *Group) int {
	n := g.N
	for _, f := range s.frontier(g, nil) {
		n -= f.N
	}
	return n
}

// exposed returns a hidden group below g, reached through hidden groups only,
// whose uncovered respondents number r (all of g's uncovered ones), so that it
// equals g minus shown groups; outer groups are tried first. It returns nil
// when there is none.
func (s *suppressor) exposed(g *Group, r int) *Group {
	for _, c := range g.Children {
		if !s.hidden[c.ID] {
			continue
		}
		if s.uncovered(c) == r {
			return c
		}
		if h := s.exposed(c, r); h != nil {
			return h
		}
	}
	return nil
}

// smallest returns the group of fs with the smallest N, ties going to the
// later Name and then the later ID, skipping groups inside except (or except
// itself); it returns nil when none is left.
func smallest(fs []*Group, except *Group) *Group {
	var best *Group
	for _, f := range fs {
		if except != nil && contains(except, f) {
			continue
		}
		if best == nil || f.N < best.N ||
			f.N == best.N && (f.Name > best.Name || f.Name == best.Name && f.ID > best.ID) {
			best = f
		}
	}
	return best
}

// contains reports whether f is g or lies below g.
func contains(g, f *Group) bool {
	if g == f {
		return true
	}
	for _, c := range g.Children {
		if contains(c, f) {
			return true
		}
	}
	return false
}
