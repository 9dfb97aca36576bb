// Package results turns a round's maintained cell aggregates into the group
// results people may see: each team's own and rolled-up aggregate (a parent
// pools its direct respondents and all its descendants'), the organization's,
// each perspective's, and which of them the anonymity rules of PRODUCT.md §4
// hide. Every page, chart, export and API that shows a group's scores asks
// this package, so the rules are applied in one place. It reads no database:
// callers pass the teams and the cells.
package results

import (
	"fmt"
	"strconv"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// Team is one team's results in a round.
type Team struct {
	ID        uint
	Name      string
	ParentID  *uint
	Headcount *int
	Archived  bool
	// Path is the chain of names from the top team down to this one.
	Path []string
	// Depth is 0 for a top-level team.
	Depth    int
	Children []*Team
	// Own pools the team's direct respondents; Rollup adds every descendant's.
	Own, Rollup scoring.Aggregate
	// Perspectives holds the roll-up per perspective.
	Perspectives map[string]*scoring.Aggregate
	// Hidden is true when the anonymity rules forbid showing the team's scores.
	Hidden bool
	// HiddenPerspectives names the perspective cells of the team that may not
	// be shown.
	HiddenPerspectives map[string]bool
}

// N is the number of submitted responses in the team's roll-up.
func (t *Team) N() int { return int(t.Rollup.N) }

// Round holds every group's results of one round.
type Round struct {
	K int
	// Org pools every response of the round; OrgHidden says whether it may show.
	Org       scoring.Aggregate
	OrgHidden bool
	// Perspectives pools the organization per perspective.
	Perspectives       map[string]*scoring.Aggregate
	HiddenPerspectives map[string]bool
	// Teams lists the teams in hierarchy order: each parent before its
	// children, siblings by name.
	Teams []*Team
	byID  map[uint]*Team
	// hidden holds every group id the rules hide, as a whole (team:ID,
	// org, …/perspective) or for one measure (m<measure>|team:ID, …).
	hidden map[string]bool
}

// OrgProfile is the organization's profile with every statistic the rules
// hide left missing, or false when the organization may not be shown.
func (r *Round) OrgProfile() (scoring.GroupProfile, bool) {
	return r.profile(orgID, &r.Org)
}

// TeamProfile is a team's rolled-up profile with every statistic the rules
// hide left missing, or false when the team may not be shown.
func (r *Round) TeamProfile(t *Team) (scoring.GroupProfile, bool) {
	return r.profile(teamID(t.ID), &t.Rollup)
}

// profile masks the profile of group id.
func (r *Round) profile(id string, a *scoring.Aggregate) (scoring.GroupProfile, bool) {
	if r.hidden[id] {
		return scoring.GroupProfile{}, false
	}
	return Mask(a.Profile(), func(m int) bool { return r.hidden[measurePrefix(m)+id] }), true
}

// Mask removes from p the statistics of every measure hide reports (0–4 the
// keys, 5 the ICARE index): means, spreads, intervals, favorable shares,
// alpha and the key's item statistics; counts stay. Strongest and weakest are
// chosen again among the keys left, so they say nothing of a hidden one.
func Mask(p scoring.GroupProfile, hide func(measure int) bool) scoring.GroupProfile {
	var means [scoring.NumKeys]scoring.Value
	for k := range scoring.NumKeys {
		if hide(k) {
			ks := &p.Keys[k]
			ks.Mean, ks.SD, ks.CILow, ks.CIHigh, ks.FavorablePct, ks.Alpha = scoring.Value{}, scoring.Value{}, scoring.Value{}, scoring.Value{}, scoring.Value{}, scoring.Value{}
			for j := range scoring.ItemsPerKey {
				it := &p.Items[k*scoring.ItemsPerKey+j]
				it.Mean, it.SD, it.FavorablePct = scoring.Value{}, scoring.Value{}, scoring.Value{}
			}
		}
		means[k] = p.Keys[k].Mean
	}
	if hide(indexMeasure) {
		p.Index.Mean, p.Index.SD, p.Index.CILow, p.Index.CIHigh = scoring.Value{}, scoring.Value{}, scoring.Value{}, scoring.Value{}
	}
	p.Strongest, p.Weakest = scoring.Extremes(means)
	return p
}

// Team returns the results of one team.
func (r *Round) Team(id uint) (*Team, bool) {
	t, ok := r.byID[id]
	return t, ok
}

const orgID = "org"

func teamID(id uint) string             { return "team:" + strconv.FormatUint(uint64(id), 10) }
func cellID(owner, persp string) string { return owner + "/" + persp }

// Build assembles a round's results from its teams and its cells under
// minimum group size k. Cells of teams that are not listed are an error:
// their respondents would vanish from the organization.
func Build(teams []models.Team, cells []models.Cell, k int) (*Round, error) {
	r := &Round{K: k, byID: make(map[uint]*Team, len(teams)), Perspectives: map[string]*scoring.Aggregate{}}
	// Hierarchy puts each parent before its children, so a child always
	// finds its parent made.
	var tops []*Team
	for _, mt := range models.Hierarchy(teams) {
		t := &Team{ID: mt.ID, Name: mt.Name, ParentID: mt.ParentID, Headcount: mt.Headcount,
			Archived: mt.ArchivedAt != nil, Path: mt.Path, Depth: mt.Depth, Perspectives: map[string]*scoring.Aggregate{}}
		r.byID[t.ID] = t
		r.Teams = append(r.Teams, t)
		if mt.Depth == 0 {
			tops = append(tops, t)
		} else {
			p := r.byID[*t.ParentID]
			p.Children = append(p.Children, t)
		}
	}
	for _, c := range cells {
		t, ok := r.byID[c.TeamID]
		if !ok {
			return nil, fmt.Errorf("results: cell of unknown team %d", c.TeamID)
		}
		t.Own.Merge(&c.Agg)
		r.Org.Merge(&c.Agg)
		addTo(r.Perspectives, c.Perspective, &c.Agg)
		// The cell counts in the roll-up of the team and of every ancestor
		// (the depth bound guards against a cycle in bad data).
		for a, depth := t, 0; a != nil && depth <= len(teams); a, depth = r.parent(a), depth+1 {
			a.Rollup.Merge(&c.Agg)
			addTo(a.Perspectives, c.Perspective, &c.Agg)
		}
	}
	if err := r.suppress(tops); err != nil {
		return nil, err
	}
	return r, nil
}

// suppress applies §4 over the team tree, the organization over its
// perspectives, every team over its perspective cells and one tree per
// perspective, all together. Then it does the same again for each key and
// for the ICARE index, counting only the respondents for whom that measure
// is defined (a respondent who skipped a key is not in its mean), with the
// groups hidden as a whole hidden for every measure: otherwise a key answered
// by fewer than k people in a shown group, or the organization's key mean
// minus the shown teams', would give those people's scores away.
func (r *Round) suppress(tops []*Team) error {
	overall, err := scoring.SuppressAll(r.hierarchies(tops, "", func(a *scoring.Aggregate) int { return int(a.N) }), r.K)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	r.hidden = map[string]bool{}
	for id := range overall {
		r.hidden[id] = true
	}
	for m := range numMeasures {
		prefix := measurePrefix(m)
		given := make(map[string]bool, len(overall))
		for id := range overall {
			given[prefix+id] = true
		}
		hidden, err := scoring.SuppressAllGiven(r.hierarchies(tops, prefix, measureSize(m)), r.K, given)
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		for id := range hidden {
			r.hidden[id] = true
		}
	}
	r.OrgHidden = r.hidden[orgID]
	r.HiddenPerspectives = hiddenCells(r.hidden, orgID)
	for _, t := range r.Teams {
		t.Hidden = r.hidden[teamID(t.ID)]
		t.HiddenPerspectives = hiddenCells(r.hidden, teamID(t.ID))
	}
	return nil
}

// The measures checked one by one: the five keys, then the ICARE index.
const (
	numMeasures  = scoring.NumKeys + 1
	indexMeasure = scoring.NumKeys
)

func measurePrefix(m int) string { return "m" + strconv.Itoa(m) + "|" }

// measureSize counts the respondents of a group for whom measure m is
// defined.
func measureSize(m int) func(*scoring.Aggregate) int {
	if m == indexMeasure {
		return func(a *scoring.Aggregate) int { return int(a.Index.N) }
	}
	return func(a *scoring.Aggregate) int { return int(a.Keys[m].Score.N) }
}

// hierarchies builds the trees suppression works on, with group ids
// prefixed and sizes counted by size.
func (r *Round) hierarchies(tops []*Team, prefix string, size func(*scoring.Aggregate) int) []*scoring.Group {
	var teamGroup func(t *Team) *scoring.Group
	teamGroup = func(t *Team) *scoring.Group {
		g := &scoring.Group{ID: prefix + teamID(t.ID), Name: t.Name, N: size(&t.Rollup)}
		for _, c := range t.Children {
			g.Children = append(g.Children, teamGroup(c))
		}
		return g
	}
	org := &scoring.Group{ID: prefix + orgID, Name: "organization", N: size(&r.Org)}
	for _, t := range tops {
		org.Children = append(org.Children, teamGroup(t))
	}
	roots := []*scoring.Group{org, perspectiveGroup(prefix, orgID, "organization", size(&r.Org), r.Perspectives, size)}
	for _, t := range r.Teams {
		roots = append(roots, perspectiveGroup(prefix, teamID(t.ID), t.Name, size(&t.Rollup), t.Perspectives, size))
	}
	// One more tree per perspective: the organization's cell over the top
	// teams' cells, each over its child teams' cells. Without it, the
	// organization's frontline cell minus the shown teams' frontline cells
	// would give away a hidden team's frontline cell.
	for _, p := range scoring.Perspectives {
		if a, ok := r.Perspectives[p]; ok {
			root := &scoring.Group{ID: prefix + cellID(orgID, p), Name: p, N: size(a)}
			root.Children = perspectiveTree(tops, p, prefix, size)
			roots = append(roots, root)
		}
	}
	return roots
}

// perspectiveTree mirrors the team tree for perspective p, with the same
// cell ids as the teams' own perspective hierarchies.
func perspectiveTree(ts []*Team, p, prefix string, size func(*scoring.Aggregate) int) []*scoring.Group {
	var gs []*scoring.Group
	for _, t := range ts {
		if a, ok := t.Perspectives[p]; ok && a.N > 0 {
			gs = append(gs, &scoring.Group{ID: prefix + cellID(teamID(t.ID), p), Name: t.Name, N: size(a),
				Children: perspectiveTree(t.Children, p, prefix, size)})
		}
	}
	return gs
}

func perspectiveGroup(prefix, owner, name string, n int, cells map[string]*scoring.Aggregate, size func(*scoring.Aggregate) int) *scoring.Group {
	g := &scoring.Group{ID: prefix + owner, Name: name, N: n}
	for _, p := range scoring.Perspectives {
		if a, ok := cells[p]; ok {
			g.Children = append(g.Children, &scoring.Group{ID: prefix + cellID(owner, p), Name: p, N: size(a)})
		}
	}
	return g
}

func hiddenCells(hidden map[string]bool, owner string) map[string]bool {
	m := map[string]bool{}
	for _, p := range scoring.Perspectives {
		if hidden[cellID(owner, p)] {
			m[p] = true
		}
	}
	return m
}

func addTo(m map[string]*scoring.Aggregate, p string, a *scoring.Aggregate) {
	if m[p] == nil {
		m[p] = &scoring.Aggregate{}
	}
	m[p].Merge(a)
}

// parent is t's parent team, or nil for a top-level team (or a parent that
// is not listed, or a team Hierarchy put at the top to break a cycle).
func (r *Round) parent(t *Team) *Team {
	if t.ParentID == nil || t.Depth == 0 {
		return nil
	}
	return r.byID[*t.ParentID]
}

// ResponseRate is the team's submitted responses as a percentage of its
// headcount. A team's headcount counts everyone in it, its sub-teams
// included, so the rate compares it with the roll-up. It is not defined when
// the headcount is unknown or zero.
func (t *Team) ResponseRate() (float64, bool) {
	if t.Headcount == nil || *t.Headcount <= 0 {
		return 0, false
	}
	return float64(t.N()) / float64(*t.Headcount) * 100, true
}
