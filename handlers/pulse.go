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

// asksTeam reports whether round r asked team t or a team below it: a
// pulse round of chosen teams leaves the others off its pages (a team
// that was not asked has no responses to show, not too few). A round of
// every team asks them all.
func asksTeam(r models.Round, t *results.Team) bool {
	if r.AsksTeam(t.ID) {
		return true
	}
	for _, c := range t.Children {
		if asksTeam(r, c) {
			return true
		}
	}
	return false
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
