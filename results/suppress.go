package results

import (
	"encoding/binary"
	"fmt"

	"github.com/icare-hr/icare/scoring"
)

// The rules' decisions for a published round: which groups each measure
// hides, hierarchy by hierarchy (scoring.SuppressAll) and then across all
// of them at once (audit.go).

// familyGroup is one group the rules decide on, with what they need of it.
type familyGroup struct {
	ref  GroupRef
	name string
	agg  *scoring.Aggregate
}

// family lists every group of the round with responses: the organization,
// its perspectives, every team and every team's perspectives with
// responses.
func (r *Round) family() []familyGroup {
	fam := []familyGroup{{Org, "organization", &r.Org}}
	for _, p := range scoring.Perspectives {
		if a := r.Perspectives[p]; a != nil && a.N > 0 {
			fam = append(fam, familyGroup{GroupRef{Perspective: p}, "organization " + p, a})
		}
	}
	for _, t := range r.Teams {
		fam = append(fam, familyGroup{TeamGroup(t.ID), t.Name, &t.Rollup})
		for _, p := range scoring.Perspectives {
			if a := t.Perspectives[p]; a != nil && a.N > 0 {
				fam = append(fam, familyGroup{GroupRef{t.ID, p}, t.Name + " " + p, a})
			}
		}
	}
	return fam
}

// suppress decides, measure by measure, which groups' figures hide.
func (r *Round) suppress() error {
	fam := r.family()
	byID := make(map[string]familyGroup, len(fam))
	for _, g := range fam {
		byID[g.ref.String()] = g
	}
	fillers := map[string]bool{}
	for _, g := range fam {
		if r.filler(g.ref) {
			fillers[g.ref.String()] = true
		}
	}
	// Measures whose respondents are the same in every group and cell (a
	// key nobody skipped has the index's) are decided alike: decided once.
	decided := map[string]map[string]bool{}
	for m := range measure(numMeasures) {
		k := r.k(m)
		sig := r.signature(m, k, fam)
		hidden, ok := decided[sig]
		if !ok {
			given := make(map[string]bool, len(fillers))
			for id := range fillers {
				given[id] = true
			}
			if m != measureAll {
				for g := range r.hidden[measureAll] {
					given[g.String()] = true
				}
			}
			var err error
			if hidden, err = scoring.SuppressAllGiven(r.hierarchies(m), k, given); err != nil {
				return fmt.Errorf("results: %s: %w", m.name(), err)
			}
			for _, i := range r.audit(m, k, fam, hidden) {
				hidden[fam[i].ref.String()] = true
			}
			decided[sig] = hidden
		}
		r.hidden[m] = map[GroupRef]Reason{}
		for id := range hidden {
			g, ok := byID[id]
			if !ok || (m != measureAll && r.hidden[measureAll][g.ref] != Shown) {
				continue
			}
			why := Differencing
			if fillers[id] || m.size(g.agg) < k {
				why = MinGroup
			}
			r.hidden[m][g.ref] = why
		}
	}
	return nil
}

// signature is what the decisions of measure m depend on: its threshold,
// whether it is the group as a whole, and the respondents behind it in
// every group and every team's own cells.
func (r *Round) signature(m measure, k int, fam []familyGroup) string {
	b := make([]byte, 0, 8*(len(fam)+len(r.Teams)*len(scoring.Perspectives)+2))
	b = binary.AppendUvarint(b, uint64(k))
	if m == measureAll {
		b = append(b, 1)
	}
	for _, g := range fam {
		b = binary.AppendUvarint(b, uint64(m.size(g.agg)))
	}
	for _, t := range r.Teams {
		for _, p := range scoring.Perspectives {
			n := 0
			if a := t.OwnPerspectives[p]; a != nil {
				n = m.size(a)
			}
			b = binary.AppendUvarint(b, uint64(n))
		}
	}
	return string(b)
}

// hierarchies builds the trees SuppressAll works on for measure m: the
// organization over the team tree; the organization and every team over
// its perspective cells; and, per perspective, the organization's cell over
// the top teams' cells, each over its child teams' cells. Without the last,
// the organization's frontline cell minus the shown teams' frontline cells
// would give away a hidden team's frontline cell.
func (r *Round) hierarchies(m measure) []*scoring.Group {
	var tops []*Team
	for _, t := range r.Teams {
		if t.parent == nil {
			tops = append(tops, t)
		}
	}
	var teamTree func(t *Team) *scoring.Group
	teamTree = func(t *Team) *scoring.Group {
		g := &scoring.Group{ID: TeamGroup(t.ID).String(), Name: t.Name, N: m.size(&t.Rollup)}
		for _, c := range t.Children {
			g.Children = append(g.Children, teamTree(c))
		}
		return g
	}
	org := &scoring.Group{ID: Org.String(), Name: "organization", N: m.size(&r.Org)}
	for _, t := range tops {
		org.Children = append(org.Children, teamTree(t))
	}
	roots := []*scoring.Group{org, cellsOf(m, Org, "organization", &r.Org, r.Perspectives)}
	for _, t := range r.Teams {
		roots = append(roots, cellsOf(m, TeamGroup(t.ID), t.Name, &t.Rollup, t.Perspectives))
	}
	for _, p := range scoring.Perspectives {
		if a, ok := r.Perspectives[p]; ok && a.N > 0 {
			root := &scoring.Group{ID: GroupRef{Perspective: p}.String(), Name: p, N: m.size(a)}
			root.Children = perspectiveTree(m, tops, p)
			roots = append(roots, root)
		}
	}
	return roots
}

// perspectiveTree mirrors the team tree for perspective p.
func perspectiveTree(m measure, ts []*Team, p string) []*scoring.Group {
	var gs []*scoring.Group
	for _, t := range ts {
		if a, ok := t.Perspectives[p]; ok && a.N > 0 {
			gs = append(gs, &scoring.Group{ID: GroupRef{t.ID, p}.String(), Name: t.Name, N: m.size(a),
				Children: perspectiveTree(m, t.Children, p)})
		}
	}
	return gs
}

// cellsOf is a group over its perspective cells.
func cellsOf(m measure, owner GroupRef, name string, whole *scoring.Aggregate, cells map[string]*scoring.Aggregate) *scoring.Group {
	g := &scoring.Group{ID: owner.String(), Name: name, N: m.size(whole)}
	for _, p := range scoring.Perspectives {
		if a, ok := cells[p]; ok && a.N > 0 {
			g.Children = append(g.Children, &scoring.Group{ID: GroupRef{owner.Team, p}.String(), Name: p, N: m.size(a)})
		}
	}
	return g
}
