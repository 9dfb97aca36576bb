package views

import (
	"time"

	"github.com/icare-hr/icare/scoring"
)

// PlanView is an action plan as the team page and the dashboard show it.
type PlanView struct {
	RoundName string
	Keys      []PlanKey
	Actions   []PlanActionView
	Notes     string
	Updated   time.Time
	// EditURL is set for a viewer who may change the plan.
	EditURL  string
	MinGroup int
}

// PlanKey is a focus key with its change since the plan's round.
type PlanKey struct {
	Name   string
	Change PlanChange
}

// PlanChange is a focus key's change from the plan's round to a later
// closed one, a − b with the 95% CI of Welch's test; Later is empty when no
// later round has closed, Reason set when a figure may not be shown.
type PlanChange struct {
	Later    string
	Estimate scoring.Value
	Low      scoring.Value
	High     scoring.Value
	Clear    bool
	Reason   string
}

// Words says the change in a sentence.
func (c PlanChange) Words() string {
	switch {
	case c.Later == "":
		return ""
	case !c.Estimate.OK:
		return "no figure to compare"
	case c.Clear && c.Estimate.V > 0:
		return "up " + signedAbs(c.Estimate.V) + " points, a real change"
	case c.Clear:
		return "down " + signedAbs(c.Estimate.V) + " points, a real change"
	}
	return "no clear change"
}

// Numbers is the change and its interval in brackets, "" when missing.
func (c PlanChange) Numbers() string {
	if !c.Estimate.OK {
		return ""
	}
	out := "(" + signed(c.Estimate)
	if c.Low.OK {
		out += ", 95% CI " + interval(c.Low, c.High)
	}
	return out + ")"
}

func signedAbs(v float64) string {
	if v < 0 {
		v = -v
	}
	return score(scoring.Value{V: v, OK: true})
}

// PlanActionView is one habit of a plan.
type PlanActionView struct {
	Habit, Owner, Status string
	Due                  *time.Time
	Overdue              bool
}

// PlanFormPage is /teams/{id}/plan (or /plan for the organization).
type PlanFormPage struct {
	Title     string
	RoundName string
	// Closed is false for a round that has not closed: no plan yet.
	Closed  bool
	Action  string
	BackURL string
	Keys    []PlanKeyChoice
	Library []HabitGroup
	Rows    []PlanRow
	Notes   string
	Errors  FieldErrors
}

// PlanKeyChoice is a key on the plan form.
type PlanKeyChoice struct {
	ID, Name string
	Checked  bool
	// Why is set for a suggested key: "weakest key", "largest perception gap".
	Why string
}

// HabitGroup is a key's habits from the library the result page uses.
type HabitGroup struct {
	Key    string
	Habits []string
}

// PlanRow is a row of the plan form's habits.
type PlanRow struct {
	N                    int
	Habit, Owner, Status string
	Due                  string
}

// PlanSummary is one plan in the dashboard's list.
type PlanSummary struct {
	Label, URL, RoundName, Keys string
	Done, Total, Overdue        int
}

// day shows a date.
func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
