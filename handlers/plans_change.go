package handlers

import (
	"errors"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// A plan as it is shown, and the change of its focus keys since its round.

// planView is plan p as the team page and the dashboard show it, with each
// focus key's change to the latest round that closed after p's, when both
// figures may be shown.
func (s *Server) planView(c echo.Context, p models.Plan, canEdit bool) (*views.PlanView, error) {
	ctx := c.Request().Context()
	base, err := s.store.Round(ctx, p.RoundID)
	if err != nil {
		return nil, err
	}
	v := &views.PlanView{RoundName: base.Name, Notes: p.Notes, Updated: p.UpdatedAt, MinGroup: s.cfg.MinGroup}
	if canEdit {
		v.EditURL = planURL(p.TeamID, p.RoundID)
	}
	today := s.store.Now()
	for _, a := range p.Actions {
		v.Actions = append(v.Actions, views.PlanActionView{Habit: a.Habit, Owner: a.Owner, Status: a.Status, Due: a.Due, Overdue: a.Overdue(today)})
	}
	rounds, err := s.store.Rounds(ctx)
	if err != nil {
		return nil, err
	}
	// Each key compares with the latest later round that asked it; the
	// figures of a round are read once, whichever keys use them.
	figures := map[uint]results.Figures{}
	figuresOf := func(r models.Round) (results.Figures, error) {
		if f, ok := figures[r.ID]; ok {
			return f, nil
		}
		f, err := s.planFigures(c, r, p.TeamID)
		figures[r.ID] = f
		return f, err
	}
	names := scoring.KeyNames()
	for _, k := range p.Keys() {
		pk := views.PlanKey{Name: names[k]}
		if later := laterRound(rounds, base, k, p.TeamID); later != nil {
			before, err := figuresOf(base)
			if err != nil {
				return nil, err
			}
			after, err := figuresOf(*later)
			if err != nil {
				return nil, err
			}
			pk.Change = planChange(later.Name, before, after, k)
		}
		v.Keys = append(v.Keys, pk)
	}
	return v, nil
}

// planChange is key k's change from before to after: a number only when
// both rounds show that key's mean.
func planChange(later string, before, after results.Figures, k int) views.PlanChange {
	ch := views.PlanChange{Later: later}
	for _, r := range []results.Reason{before.KeyReason[k], after.KeyReason[k]} {
		if r != results.Shown {
			ch.Reason = string(r)
			return ch
		}
	}
	d := scoring.Difference(after.Profile.Keys[k].Stats, before.Profile.Keys[k].Stats)
	ch.Estimate, ch.Low, ch.High, ch.Clear = d.Estimate, d.CILow, d.CIHigh, d.Clear()
	return ch
}

// planFigures are the published figures of a plan's group in round r.
func (s *Server) planFigures(c echo.Context, r models.Round, teamID *uint) (results.Figures, error) {
	res, err := s.roundResults(c, r)
	if err != nil {
		return results.Figures{}, err
	}
	f, err := res.Figures(planGroup(teamID))
	if errors.Is(err, results.ErrUnknownGroup) {
		// A team added after the round: nothing of it to compare.
		f = results.Figures{Reason: results.MinGroup}
		for k := range f.KeyReason {
			f.KeyReason[k] = results.MinGroup
		}
		return f, nil
	}
	return f, err
}

// laterRound is, of rounds, the latest that closed after base and asked key
// k of the plan's team (for the organization's plan, of every team), or nil:
// a pulse round that did not ask it says nothing of the plan.
func laterRound(rounds []models.Round, base models.Round, k int, teamID *uint) *models.Round {
	var later *models.Round
	for i, r := range rounds {
		if r.Status != models.RoundClosed || r.ID == base.ID || r.ClosesAt == nil || base.ClosesAt == nil || !r.ClosesAt.After(*base.ClosesAt) {
			continue
		}
		if !r.Asks(k) || (teamID == nil && r.Teams != "") || (teamID != nil && !r.AsksTeam(*teamID)) {
			continue
		}
		if later == nil || r.ClosesAt.After(*later.ClosesAt) {
			later = &rounds[i]
		}
	}
	return later
}

// earlierPlan is team's latest plan made for a round that closed before
// round did, or ErrNotFound.
func (s *Server) earlierPlan(c echo.Context, team uint, round models.Round) (models.Plan, error) {
	return s.latestPlan(c, &team, round, false)
}

// orgPlanView is the organization's latest plan made for round or one that
// closed before it, as the overview shows it, or nil.
func (s *Server) orgPlanView(c echo.Context, round models.Round) (*views.PlanView, error) {
	p, err := s.latestPlan(c, nil, round, true)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return s.planView(c, p, mayPlan(viewerOf(c), nil))
}

// latestPlan is the latest plan of team (nil: the organization) made for a
// round that closed before round did, or for round itself when this is
// set; ErrNotFound when there is none.
func (s *Server) latestPlan(c echo.Context, team *uint, round models.Round, this bool) (models.Plan, error) {
	plans, err := s.store.Plans(c.Request().Context())
	if err != nil {
		return models.Plan{}, err
	}
	var best *models.Plan
	for i, p := range plans {
		ours := (team == nil && p.TeamID == nil) || (team != nil && p.TeamID != nil && *p.TeamID == *team)
		if p.RoundID == round.ID && this && ours {
			return p, nil
		}
		if !ours || p.Round == nil || p.Round.ClosesAt == nil || p.RoundID == round.ID ||
			(round.ClosesAt != nil && !p.Round.ClosesAt.Before(*round.ClosesAt)) {
			continue
		}
		if best == nil || p.Round.ClosesAt.After(*best.Round.ClosesAt) {
			best = &plans[i]
		}
	}
	if best == nil {
		return models.Plan{}, fmt.Errorf("latest plan before round %d: %w", round.ID, models.ErrNotFound)
	}
	return *best, nil
}
