package results

import (
	"github.com/icare-hr/icare/scoring"
)

// audit runs the exact check across hierarchies (scoring.LinearAudit) for
// measure m over the groups fam, given the groups hidden so far, and
// returns the indexes in fam of the groups it hides on top.
//
// The atoms are each team's own respondents of one perspective. Rather than
// by its atoms, each group is written by its boundaries: in hierarchy order
// a team and its sub-teams are the consecutive teams pos … pos+span−1, so
// within one perspective the group is "the suffix from pos minus the suffix
// from pos+span", a vector with two entries (+1, −1) over the boundaries; a
// team as a whole is that in every perspective. This change of basis keeps
// what is and is not a combination of what, and keeps every vector short.
// An atom with nobody in it joins its two boundaries into one coordinate.
//
// The sensitive sets are every team-and-perspective atom and every team's
// own respondents of 1 … k − 1 people, every hidden group of as few, and
// every group of a filler team.
func (r *Round) audit(m measure, k int, fam []familyGroup, hidden map[string]bool) []int {
	n := len(r.Teams)
	persp := scoring.Perspectives
	// One union-find per perspective over the boundaries 0 … n.
	parent := make([][]int, len(persp))
	for pi := range persp {
		parent[pi] = make([]int, n+1)
		for b := range parent[pi] {
			parent[pi][b] = b
		}
	}
	find := func(pi, b int) int {
		for parent[pi][b] != b {
			parent[pi][b] = parent[pi][parent[pi][b]]
			b = parent[pi][b]
		}
		return b
	}
	for _, t := range r.Teams {
		for pi, p := range persp {
			if a := t.OwnPerspectives[p]; a == nil || m.size(a) == 0 {
				x, y := find(pi, t.pos), find(pi, t.pos+1)
				parent[pi][x] = y
			}
		}
	}
	coord := func(pi, b int) int { return pi*(n+1) + find(pi, b) }
	// span adds the boundaries of [from, to) in perspective pi to v.
	span := func(v scoring.Vector, pi, from, to int) {
		l, h := coord(pi, from), coord(pi, to)
		if l == h {
			return
		}
		v[l]++
		v[h]--
		if v[l] == 0 {
			delete(v, l)
		}
		if v[h] == 0 {
			delete(v, h)
		}
	}
	// vector is the group of teams [from, to) in perspective p, or in
	// every perspective when p is "".
	vector := func(from, to int, p string) scoring.Vector {
		v := scoring.Vector{}
		for pi, q := range persp {
			if p == "" || p == q {
				span(v, pi, from, to)
			}
		}
		return v
	}
	groupVector := func(g GroupRef) scoring.Vector {
		if g.Team == 0 {
			return vector(0, n, g.Perspective)
		}
		t := r.byID[g.Team]
		return vector(t.pos, t.pos+t.span, g.Perspective)
	}

	small := func(size int) bool { return size >= 1 && size < k }
	f := scoring.AuditFamily{Groups: make([]scoring.Vector, len(fam)), Shown: make([]bool, len(fam))}
	for i, g := range fam {
		f.Groups[i] = groupVector(g.ref)
		f.Shown[i] = !hidden[g.ref.String()]
		if !f.Shown[i] && (small(m.size(g.agg)) || r.filler(g.ref)) {
			f.Sensitive = append(f.Sensitive, f.Groups[i])
		}
	}
	for _, t := range r.Teams {
		if small(m.size(&t.Own)) {
			f.Sensitive = append(f.Sensitive, vector(t.pos, t.pos+1, ""))
		}
		for _, p := range persp {
			if a := t.OwnPerspectives[p]; a != nil && small(m.size(a)) {
				f.Sensitive = append(f.Sensitive, vector(t.pos, t.pos+1, p))
			}
		}
	}
	if len(f.Sensitive) == 0 {
		return nil
	}
	// As the anonymity rules suppress: the smallest first, ties to the later
	// name, then the later id.
	f.HideFirst = func(i, j int) bool {
		si, sj := m.size(fam[i].agg), m.size(fam[j].agg)
		if si != sj {
			return si < sj
		}
		if fam[i].name != fam[j].name {
			return fam[i].name > fam[j].name
		}
		return fam[i].ref.String() > fam[j].ref.String()
	}
	return scoring.LinearAudit(f)
}
