package results

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/icare-hr/icare/scoring"
)

// GroupRef names a group of respondents, as the dashboard writes it in
// ?g=: the organization (org), a team with its sub-teams (team:ID), one
// perspective of the organization (perspective:P) or of a team
// (team:ID/perspective:P).
type GroupRef struct {
	// Team is the team's id, 0 for the organization.
	Team uint
	// Perspective is "" for every perspective.
	Perspective string
}

// Org is the whole organization.
var Org = GroupRef{}

// TeamGroup is team id with its sub-teams.
func TeamGroup(id uint) GroupRef { return GroupRef{Team: id} }

// IsOrg reports whether g is the organization or one of its perspectives.
func (g GroupRef) IsOrg() bool { return g.Team == 0 }

// Whole is g without its perspective: the team, or the organization.
func (g GroupRef) Whole() GroupRef { return GroupRef{Team: g.Team} }

// String writes g as ?g= takes it.
func (g GroupRef) String() string {
	var s string
	if g.Team != 0 {
		s = "team:" + strconv.FormatUint(uint64(g.Team), 10)
	}
	switch {
	case g.Perspective == "" && s == "":
		return "org"
	case g.Perspective == "":
		return s
	case s == "":
		return "perspective:" + g.Perspective
	}
	return s + "/perspective:" + g.Perspective
}

// ErrBadGroup is wrapped by ParseGroup's error for text that names no group.
var ErrBadGroup = errors.New("not a group")

// ParseGroup reads a group as ?g= writes it. It checks the form only: the
// team may not exist.
func ParseGroup(s string) (GroupRef, error) {
	bad := fmt.Errorf("%q: want org, team:ID, perspective:P or team:ID/perspective:P: %w", s, ErrBadGroup)
	if s == "org" {
		return Org, nil
	}
	var g GroupRef
	rest := s
	if t, ok := strings.CutPrefix(rest, "team:"); ok {
		id, tail, _ := strings.Cut(t, "/")
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
			return GroupRef{}, bad
		}
		g.Team, rest = uint(n), tail
		if rest == "" {
			if strings.HasSuffix(s, "/") {
				return GroupRef{}, bad
			}
			return g, nil
		}
	}
	p, ok := strings.CutPrefix(rest, "perspective:")
	if !ok || !scoring.ValidPerspective(p) {
		return GroupRef{}, bad
	}
	g.Perspective = p
	return g, nil
}

// Reason says why a figure is not shown.
type Reason string

// Reasons a figure is hidden, as the API and the files name them.
const (
	// Shown: no reason, the figure shows.
	Shown Reason = ""
	// MinGroup: fewer respondents behind the figure than the minimum group
	// size (or a team with more responses than people).
	MinGroup Reason = "min_group"
	// Differencing: shown, it would let a hidden figure be worked out.
	Differencing Reason = "differencing"
	// RoundOpen: the round's results are published when it closes.
	RoundOpen Reason = "round_open"
)
