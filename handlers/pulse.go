package handlers

import (
	"strings"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// Pulse rounds on the pages: what they did not ask, and how they are named.

// markNotAsked gives the keys round r did not ask, and then the index, the
// reason that says so.
func markNotAsked(v *views.Figures, r models.Round) {
	if r.Keys == "" {
		return
	}
	for k := range v.Keys {
		if !r.Asks(k) {
			v.Keys[k].Reason, v.Keys[k].ShareReason = views.ReasonNotAsked, views.ReasonNotAsked
			for j := range scoring.ItemsPerKey {
				v.Items[k*scoring.ItemsPerKey+j].Reason = views.ReasonNotAsked
			}
		}
	}
	v.IndexReason = views.ReasonNotAsked
}

// teamsAsked are the teams a pulse round of chosen teams asked, with the
// teams above them (whose figures pool those below); nil for a round of
// every team. The others have no place on the round's pages, files and
// API: a team that was not asked has no responses to show, not too few.
type teamsAsked map[uint]bool

func (a teamsAsked) has(id uint) bool { return a == nil || a[id] }

// askedTeams is teamsAsked of round r among its teams.
func askedTeams(r models.Round, teams []*results.Team) teamsAsked {
	if r.Teams == "" {
		return nil
	}
	byID := make(map[uint]*results.Team, len(teams))
	for _, t := range teams {
		byID[t.ID] = t
	}
	asked := teamsAsked{}
	for _, id := range r.TeamIDs() {
		for t := byID[id]; t != nil && !asked[t.ID]; {
			asked[t.ID] = true
			if t.ParentID == nil {
				break
			}
			t = byID[*t.ParentID]
		}
	}
	return asked
}

// pulseLabel names a pulse round's keys and teams, "" for a full round.
func pulseLabel(r models.Round, teams map[uint]string) string {
	if !r.Pulse() {
		return ""
	}
	var who []string
	for _, t := range r.TeamIDs() {
		who = append(who, teams[t])
	}
	label := askedKeyNames(r)
	if len(who) > 0 {
		label += " · " + strings.Join(who, ", ")
	}
	return label
}

// askedKeyNames names the keys round r asks, such as "Culture of Service,
// Empowerment".
func askedKeyNames(r models.Round) string {
	var names []string
	for _, k := range r.AskedKeys() {
		names = append(names, scoring.KeyNames()[k])
	}
	return strings.Join(names, ", ")
}
