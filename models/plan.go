package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/icare-hr/icare/scoring"
)

// Plan is an action plan: the one or two keys a team (or, with no team, the
// organization) chose to work on after a closed round, the habits it will
// practise, and notes. Scope is "org" or "team:ID", unique per round.
type Plan struct {
	ID      uint   `gorm:"primaryKey"`
	Scope   string `gorm:"size:32;not null;uniqueIndex:idx_plans_scope_round,priority:1"`
	TeamID  *uint  `gorm:"index"`
	Team    *Team  `gorm:"constraint:OnDelete:RESTRICT"`
	RoundID uint   `gorm:"not null;uniqueIndex:idx_plans_scope_round,priority:2"`
	Round   *Round `gorm:"constraint:OnDelete:RESTRICT"`
	// FocusKeys are the key ids, such as "E" or "E,C".
	FocusKeys string       `gorm:"size:16;not null"`
	Notes     string       `gorm:"type:text;not null"`
	Actions   []PlanAction `gorm:"constraint:OnDelete:CASCADE"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PlanAction is one habit of a plan, with who looks after it, by when, and
// how far it is.
type PlanAction struct {
	ID       uint       `gorm:"primaryKey"`
	PlanID   uint       `gorm:"not null;index"`
	Position int        `gorm:"not null"`
	Habit    string     `gorm:"size:300;not null"`
	Owner    string     `gorm:"size:120;not null"`
	Due      *time.Time `gorm:"type:date"`
	Status   string     `gorm:"size:8;not null;check:chk_plan_actions_status,status IN ('planned','doing','done')"`
}

// Action statuses.
const (
	ActionPlanned = "planned"
	ActionDoing   = "doing"
	ActionDone    = "done"
)

// Limits of a plan.
const (
	MaxFocusKeys   = 2
	MaxPlanActions = 12
	MaxHabitLength = 300
	MaxOwnerLength = 120
	MaxNotesLength = 4000
)

// ErrPlanRound is returned for a plan of a round that has not closed.
var ErrPlanRound = errors.New("a plan is made for a round that has closed, from its published results")

// PlanScope is the scope of a team's plan, or the organization's for nil.
func PlanScope(teamID *uint) string {
	if teamID == nil {
		return "org"
	}
	return "team:" + strconv.FormatUint(uint64(*teamID), 10)
}

// Keys returns the plan's focus keys as key indexes.
func (p Plan) Keys() []int {
	var ks []int
	for _, id := range strings.Split(p.FocusKeys, ",") {
		if k, ok := scoring.KeyIndex(id); ok {
			ks = append(ks, k)
		}
	}
	return ks
}

// Overdue reports whether action a is due before day and not done.
func (a PlanAction) Overdue(day time.Time) bool {
	return a.Status != ActionDone && a.Due != nil && a.Due.Before(truncateDay(day))
}

func truncateDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// PlanInput is a plan as a form gives it.
type PlanInput struct {
	TeamID  *uint
	RoundID uint
	Keys    []int
	Notes   string
	Actions []ActionInput
	By      Actor
}

// ActionInput is one action as a form gives it.
type ActionInput struct {
	Habit, Owner, Status string
	Due                  *time.Time
}

// PlanProblems are what is wrong with a plan, by form field.
type PlanProblems map[string]string

func (p PlanProblems) Error() string {
	fields := make([]string, 0, len(p))
	for f := range p {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + ": " + p[f]
	}
	return "the plan is not complete: " + strings.Join(parts, "; ")
}

// cleanText trims s and checks it is text of at most n characters.
func cleanText(s string, n int) (string, bool) {
	s = strings.TrimSpace(s)
	return s, utf8.ValidString(s) && utf8.RuneCountInString(s) <= n && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	})
}

// check cleans a plan's input and says what is wrong with it.
func (in *PlanInput) check() PlanProblems {
	probs := PlanProblems{}
	seen := map[int]bool{}
	var keys []int
	for _, k := range in.Keys {
		if k >= 0 && k < scoring.NumKeys && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Ints(keys)
	in.Keys = keys
	switch {
	case len(keys) == 0:
		probs["focus"] = "Choose one or two keys to work on."
	case len(keys) > MaxFocusKeys:
		probs["focus"] = "Choose at most two keys: a plan works best with a clear focus."
	}
	var ok bool
	if in.Notes, ok = cleanText(in.Notes, MaxNotesLength); !ok {
		probs["notes"] = fmt.Sprintf("Notes are text of at most %d characters.", MaxNotesLength)
	}
	var actions []ActionInput
	for i, a := range in.Actions {
		habit, okH := cleanText(a.Habit, MaxHabitLength)
		owner, okO := cleanText(a.Owner, MaxOwnerLength)
		if habit == "" && owner == "" && a.Due == nil {
			continue // an empty row of the form
		}
		field := "action" + strconv.Itoa(i+1)
		switch {
		case habit == "":
			probs[field] = "Name the habit, or clear the row."
		case !okH:
			probs[field] = fmt.Sprintf("A habit is text of at most %d characters.", MaxHabitLength)
		case !okO:
			probs[field] = fmt.Sprintf("An owner's name is text of at most %d characters.", MaxOwnerLength)
		case a.Status != ActionPlanned && a.Status != ActionDoing && a.Status != ActionDone:
			probs[field] = "The status is planned, doing or done."
		}
		actions = append(actions, ActionInput{Habit: habit, Owner: owner, Status: a.Status, Due: a.Due})
	}
	if len(actions) > MaxPlanActions {
		probs["actions"] = fmt.Sprintf("At most %d habits: a few, practised, change more than many.", MaxPlanActions)
	}
	in.Actions = actions
	return probs
}

// SavePlan makes or replaces the plan of in's scope and round, with its
// actions, and audits it. A round that has not closed is ErrPlanRound;
// incomplete input is a PlanProblems.
func (s *Store) SavePlan(ctx context.Context, in PlanInput) (Plan, error) {
	if probs := in.check(); len(probs) > 0 {
		return Plan{}, probs
	}
	ids := make([]string, len(in.Keys))
	for i, k := range in.Keys {
		ids[i] = scoring.KeyIDs()[k]
	}
	scope := PlanScope(in.TeamID)
	var p Plan
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Round
		if err := tx.First(&r, in.RoundID).Error; err != nil {
			return err
		}
		if r.Status != RoundClosed {
			return ErrPlanRound
		}
		where := "the organization"
		if in.TeamID != nil {
			var t Team
			if err := tx.First(&t, *in.TeamID).Error; err != nil {
				return err
			}
			where = fmt.Sprintf("team %d “%s”", t.ID, t.Name)
		}
		err := s.forUpdate(tx).Where("scope = ? AND round_id = ?", scope, r.ID).First(&p).Error
		action := "plan.update"
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			action = "plan.create"
			p = Plan{Scope: scope, TeamID: in.TeamID, RoundID: r.ID}
		case err != nil:
			return err
		}
		p.FocusKeys, p.Notes = strings.Join(ids, ","), in.Notes
		if err := tx.Omit("Actions", "Team", "Round").Save(&p).Error; err != nil {
			return err
		}
		if err := tx.Where("plan_id = ?", p.ID).Delete(&PlanAction{}).Error; err != nil {
			return err
		}
		p.Actions = nil
		var statuses []string
		for i, a := range in.Actions {
			pa := PlanAction{PlanID: p.ID, Position: i + 1, Habit: a.Habit, Owner: a.Owner, Due: a.Due, Status: a.Status}
			p.Actions = append(p.Actions, pa)
			statuses = append(statuses, a.Status)
		}
		if len(p.Actions) > 0 {
			if err := tx.Create(&p.Actions).Error; err != nil {
				return err
			}
		}
		return s.audit(tx, in.By, action, fmt.Sprintf("%s, round %d “%s”: focus %s, %d habits (%s)",
			where, r.ID, r.Name, p.FocusKeys, len(p.Actions), strings.Join(statuses, ", ")))
	})
	if err != nil {
		return Plan{}, fmt.Errorf("save the plan of %s: %w", scope, translate(err))
	}
	return p, nil
}

// PlanOf returns the plan of a team (the organization for nil) for a round,
// or ErrNotFound.
func (s *Store) PlanOf(ctx context.Context, teamID *uint, roundID uint) (Plan, error) {
	var p Plan
	err := s.rdb.WithContext(ctx).Preload("Actions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("scope = ? AND round_id = ?", PlanScope(teamID), roundID).First(&p).Error
	if err != nil {
		return Plan{}, fmt.Errorf("plan of %s in round %d: %w", PlanScope(teamID), roundID, translate(err))
	}
	return p, nil
}

// Plans returns every plan with its actions and round, newest round first,
// then by scope.
func (s *Store) Plans(ctx context.Context) ([]Plan, error) {
	return list[Plan](ctx, s.rdb.Preload("Round").Preload("Actions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Order("round_id DESC").Order("scope"), "plans")
}
