// Package results turns a round's maintained cell aggregates into the group
// results people may see: each team's own and rolled-up aggregate (a parent
// pools its direct respondents and all its descendants'), the
// organization's, each perspective's, and which of their figures the
// anonymity rules hide, and why. Every page, chart, export
// and API that shows a group's figures asks this package, so the rules are
// applied in one place. It reads no database: callers pass the teams and
// the cells.
//
// The rules, in the order Build applies them:
//   - publication: while a round is open, no score of it shows;
//   - every figure counts its own respondents (a key's mean those who have
//     that key, a statement's those who answered it, …) against the minimum
//     group size, and the comments against the comment threshold;
//   - a team with more responses than people counts as under the minimum;
//   - complementary suppression hierarchy by hierarchy (scoring.SuppressAll);
//   - then an exact check across all hierarchies at once
//     (scoring.LinearAudit): no hidden group, team's own respondents or
//     team-and-perspective cell of 1 … k − 1 respondents may be a sum or
//     difference of shown groups.
package results

import (
	"fmt"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// Options are the rules a round's results are built under.
type Options struct {
	// K is the minimum group size; KComments the responses a group needs
	// before its comments show (never below K).
	K, KComments int
	// Published is false while the round is open: participation shows,
	// nothing else.
	Published bool
}

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
	// OwnPerspectives and Perspectives hold Own and Rollup per perspective.
	OwnPerspectives, Perspectives map[string]*scoring.Aggregate
	// Hidden is true when no score of the team shows.
	Hidden bool
	// Filler is true when the team has more responses than people (filler
	// answers through an open link): it counts as under the minimum.
	Filler bool

	parent *Team
	// pos and span place the team and its sub-teams in hierarchy order:
	// they are Round.Teams[pos : pos+span].
	pos, span int
}

// N is the number of submitted responses in the team's roll-up.
func (t *Team) N() int { return int(t.Rollup.N) }

// ResponseRate is the team's submitted responses as a percentage of its
// headcount. A team's headcount counts everyone in it, its sub-teams
// included, so the rate compares it with the roll-up. It is missing when the
// headcount is unknown or zero.
func (t *Team) ResponseRate() scoring.Value {
	if t.Headcount == nil || *t.Headcount <= 0 {
		return scoring.Value{}
	}
	return scoring.Value{V: float64(t.N()) / float64(*t.Headcount) * 100, OK: true}
}

// Round holds every group's results of one round.
type Round struct {
	Opts Options
	// Org pools every response of the round; Perspectives per perspective.
	Org          scoring.Aggregate
	Perspectives map[string]*scoring.Aggregate
	// Teams lists the teams in hierarchy order: each parent before its
	// children, siblings by name.
	Teams []*Team
	byID  map[uint]*Team
	// hidden holds, per measure, the groups whose figure of that measure
	// does not show and why; a group hidden as a whole (measureAll) is
	// hidden for every measure.
	hidden [numMeasures]map[GroupRef]Reason
}

// Team returns the results of one team.
func (r *Round) Team(id uint) (*Team, bool) {
	t, ok := r.byID[id]
	return t, ok
}

// Subtree lists team t and every team below it, in hierarchy order.
func (r *Round) Subtree(t *Team) []*Team { return r.Teams[t.pos : t.pos+t.span] }

// OrgHidden reports whether no score of the organization shows.
func (r *Round) OrgHidden() bool { return r.reason(measureAll, Org) != Shown }

// Build assembles a round's results from its teams and its cells under
// opts. Cells of teams that are not listed are an error: their respondents
// would vanish from the organization.
func Build(teams []models.Team, cells []models.Cell, opts Options) (*Round, error) {
	r, err := assemble(teams, cells, opts)
	if err != nil {
		return nil, err
	}
	if opts.Published {
		if err := r.suppress(); err != nil {
			return nil, err
		}
	}
	r.markTeams()
	return r, nil
}

// assemble places the teams and pools the cells, applying no rule yet.
func assemble(teams []models.Team, cells []models.Cell, opts Options) (*Round, error) {
	opts.K = max(opts.K, scoring.MinMinGroup)
	opts.KComments = max(opts.KComments, opts.K)
	r := &Round{Opts: opts, byID: make(map[uint]*Team, len(teams)), Perspectives: map[string]*scoring.Aggregate{}}
	// Hierarchy puts each parent before its children, so a child always
	// finds its parent made.
	for i, mt := range models.Hierarchy(teams) {
		t := &Team{ID: mt.ID, Name: mt.Name, ParentID: mt.ParentID, Headcount: mt.Headcount,
			Archived: mt.ArchivedAt != nil, Path: mt.Path, Depth: mt.Depth, pos: i, span: 1,
			OwnPerspectives: map[string]*scoring.Aggregate{}, Perspectives: map[string]*scoring.Aggregate{}}
		r.byID[t.ID] = t
		r.Teams = append(r.Teams, t)
		if mt.Depth > 0 {
			t.parent = r.byID[*t.ParentID]
			t.parent.Children = append(t.parent.Children, t)
		}
	}
	for i := len(r.Teams) - 1; i >= 0; i-- {
		if t := r.Teams[i]; t.parent != nil {
			t.parent.span += t.span
		}
	}
	for _, c := range cells {
		t, ok := r.byID[c.TeamID]
		if !ok {
			return nil, fmt.Errorf("results: cell of unknown team %d", c.TeamID)
		}
		t.Own.Merge(&c.Agg)
		addTo(t.OwnPerspectives, c.Perspective, &c.Agg)
		r.Org.Merge(&c.Agg)
		addTo(r.Perspectives, c.Perspective, &c.Agg)
		for a := t; a != nil; a = a.parent {
			a.Rollup.Merge(&c.Agg)
			addTo(a.Perspectives, c.Perspective, &c.Agg)
		}
	}
	for _, t := range r.Teams {
		t.Filler = t.Headcount != nil && t.N() > *t.Headcount
	}
	return r, nil
}

// markTeams sets each team's Hidden from the rules' outcome.
func (r *Round) markTeams() {
	for _, t := range r.Teams {
		t.Hidden = r.reason(measureAll, TeamGroup(t.ID)) != Shown
	}
}

func addTo(m map[string]*scoring.Aggregate, p string, a *scoring.Aggregate) {
	if m[p] == nil {
		m[p] = &scoring.Aggregate{}
	}
	m[p].Merge(a)
}

// aggregate is group g's aggregate (empty when it has no responses), and
// false when g names no team of the round.
func (r *Round) aggregate(g GroupRef) (*scoring.Aggregate, bool) {
	var whole *scoring.Aggregate
	var parts map[string]*scoring.Aggregate
	if g.Team == 0 {
		whole, parts = &r.Org, r.Perspectives
	} else {
		t, ok := r.byID[g.Team]
		if !ok {
			return nil, false
		}
		whole, parts = &t.Rollup, t.Perspectives
	}
	if g.Perspective == "" {
		return whole, true
	}
	if a := parts[g.Perspective]; a != nil {
		return a, true
	}
	return &scoring.Aggregate{}, true
}

// reason says why measure m of group g does not show, or Shown.
func (r *Round) reason(m measure, g GroupRef) Reason {
	if !r.Opts.Published {
		return RoundOpen
	}
	if why, ok := r.hidden[measureAll][g]; ok {
		return why
	}
	a, ok := r.aggregate(g)
	if !ok || a.N == 0 {
		return MinGroup
	}
	if why, ok := r.hidden[m][g]; ok {
		return why
	}
	return Shown
}

// filler reports whether group g is a filler team or one of its cells.
func (r *Round) filler(g GroupRef) bool {
	t, ok := r.byID[g.Team]
	return ok && t.Filler
}

// k is the threshold of measure m.
func (r *Round) k(m measure) int {
	if m == measureComments {
		return r.Opts.KComments
	}
	return r.Opts.K
}
