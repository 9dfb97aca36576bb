package results

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// Figures is one group's results as the rules let them be seen: every
// figure that may not show is missing from Profile, with the reason beside
// it. Counts (N, and the n of each figure) always show: participation is
// public, scores are not.
type Figures struct {
	Group GroupRef
	// N is the group's number of submitted responses.
	N int
	// Reason says why no score of the group shows; Shown when they may.
	Reason Reason
	// Profile holds the figures that show; hidden ones are missing, and
	// Strongest and Weakest are chosen among the keys that show.
	Profile scoring.GroupProfile
	// KeyReason, ShareReason, IndexReason and ItemReason say why a key's
	// mean, a key's split, the index or a statement's figures are missing.
	KeyReason   [scoring.NumKeys]Reason
	ShareReason [scoring.NumKeys]Reason
	IndexReason Reason
	ItemReason  [scoring.NumItems]Reason
	// CommentsReason says why the group's comments do not show.
	CommentsReason Reason
	// Filler is set for a team with more responses than people (and its
	// cells): hidden as under the minimum, for a reason of its own.
	Filler bool
}

// Shown reports whether any score of the group shows.
func (f *Figures) Shown() bool { return f.Reason == Shown }

// ErrUnknownGroup is wrapped by Figures' error for a group of no team of
// the round.
var ErrUnknownGroup = errors.New("no such group")

// Figures returns group g's figures.
func (r *Round) Figures(g GroupRef) (Figures, error) {
	a, ok := r.aggregate(g)
	if !ok {
		return Figures{}, fmt.Errorf("results: %s: %w", g, ErrUnknownGroup)
	}
	f := Figures{Group: g, N: int(a.N), Reason: r.reason(measureAll, g), Filler: r.filler(g)}
	f.CommentsReason = r.reason(measureComments, g)
	if f.CommentsReason == Shown && f.N < r.Opts.KComments {
		f.CommentsReason = MinGroup
	}
	p := a.Profile()
	if f.Reason != Shown {
		f.Profile = blank(p)
		for k := range scoring.NumKeys {
			f.KeyReason[k], f.ShareReason[k] = f.Reason, f.Reason
		}
		for i := range scoring.NumItems {
			f.ItemReason[i] = f.Reason
		}
		f.IndexReason, f.CommentsReason = f.Reason, f.Reason
		return f, nil
	}
	var means [scoring.NumKeys]scoring.Value
	for k := range scoring.NumKeys {
		ks := &p.Keys[k]
		if f.KeyReason[k] = r.reason(measureKey+measure(k), g); f.KeyReason[k] != Shown {
			ks.Stats = scoring.Stats{N: ks.N}
			ks.Alpha = scoring.Value{}
		}
		if f.ShareReason[k] = r.reason(measureShare+measure(k), g); f.ShareReason[k] != Shown {
			ks.FavorablePct, ks.NeutralPct, ks.UnfavorablePct = scoring.Value{}, scoring.Value{}, scoring.Value{}
		}
		means[k] = ks.Mean
	}
	if f.IndexReason = r.reason(measureIndex, g); f.IndexReason != Shown {
		p.Index = scoring.Stats{N: p.Index.N}
	}
	for i := range scoring.NumItems {
		if f.ItemReason[i] = r.reason(measureItem+measure(i), g); f.ItemReason[i] != Shown {
			p.Items[i] = scoring.ItemStats{N: p.Items[i].N}
		}
	}
	p.Strongest, p.Weakest = scoring.Extremes(means)
	f.Profile = p
	return f, nil
}

// blank keeps only the counts of p.
func blank(p scoring.GroupProfile) scoring.GroupProfile {
	b := scoring.GroupProfile{N: p.N, Strongest: -1, Weakest: -1}
	b.Index.N = p.Index.N
	for k := range scoring.NumKeys {
		b.Keys[k].N, b.Keys[k].Answered, b.Keys[k].Complete = p.Keys[k].N, p.Keys[k].Answered, p.Keys[k].Complete
	}
	for i := range scoring.NumItems {
		b.Items[i].N = p.Items[i].N
	}
	return b
}

// OrgProfile is the organization's profile with every figure the rules
// hide left missing, or false when no score of it may show.
func (r *Round) OrgProfile() (scoring.GroupProfile, bool) {
	f, _ := r.Figures(Org)
	return f.Profile, f.Shown()
}

// TeamProfile is a team's rolled-up profile with every figure the rules
// hide left missing, or false when no score of it may show.
func (r *Round) TeamProfile(t *Team) (scoring.GroupProfile, bool) {
	f, _ := r.Figures(TeamGroup(t.ID))
	return f.Profile, f.Shown()
}

// Hidden is what a publication keeps of the rules' decisions: per measure
// (by name), the groups (as ?g= writes them) whose figure hides, and why.
// A group hidden as a whole is listed under "all" only.
type Hidden map[string]map[string]Reason

// Hidden returns the round's decisions, for a publication to keep.
func (r *Round) Hidden() Hidden {
	h := Hidden{}
	for m := range measure(numMeasures) {
		if len(r.hidden[m]) == 0 {
			continue
		}
		gs := make(map[string]Reason, len(r.hidden[m]))
		for g, why := range r.hidden[m] {
			gs[g.String()] = why
		}
		h[m.name()] = gs
	}
	return h
}

// Restore assembles a round's results from its teams and cells with the
// decisions a publication kept, instead of deciding anew: a closed round's
// figures are published once and never change. It fails on a decision it
// cannot read.
func Restore(teams []models.Team, cells []models.Cell, opts Options, h Hidden) (*Round, error) {
	opts.Published = true
	r, err := assemble(teams, cells, opts)
	if err != nil {
		return nil, err
	}
	for name, gs := range h {
		m, ok := measureNamed(name)
		if !ok {
			return nil, fmt.Errorf("results: publication names an unknown measure %q", name)
		}
		r.hidden[m] = make(map[GroupRef]Reason, len(gs))
		for s, why := range gs {
			g, err := ParseGroup(s)
			if err != nil {
				return nil, fmt.Errorf("results: publication: %w", err)
			}
			r.hidden[m][g] = why
		}
	}
	r.markTeams()
	return r, nil
}

// Publisher decides the publication of a closing round under minimum group
// size k and comment threshold kComments: it is the models.Publisher of an
// icare with those settings.
func Publisher(k, kComments int) models.Publisher {
	return func(teams []models.Team, cells []models.Cell) (models.Decided, error) {
		r, err := Build(teams, cells, Options{K: k, KComments: kComments, Published: true})
		if err != nil {
			return models.Decided{}, err
		}
		b, err := json.Marshal(r.Hidden())
		if err != nil {
			return models.Decided{}, fmt.Errorf("results: %w", err)
		}
		return models.Decided{Decisions: b, MinGroup: r.Opts.K, MinComments: r.Opts.KComments}, nil
	}
}

// FromPublication is a closed round's results as its publication keeps
// them: the teams as they stood (under their current names), its cells, and
// the decisions made when it closed.
func FromPublication(p models.Publication, current []models.Team, cells []models.Cell) (*Round, error) {
	teams, err := p.Teams(current)
	if err != nil {
		return nil, err
	}
	var h Hidden
	if err := json.Unmarshal([]byte(p.Decisions), &h); err != nil {
		return nil, fmt.Errorf("results: publication of round %d: %w", p.RoundID, err)
	}
	return Restore(teams, cells, Options{K: p.MinGroup, KComments: p.MinComments}, h)
}
