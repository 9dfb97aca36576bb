package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// Action plans: a team's leader, or an admin, picks after a closed round
// one or two keys and the habits to practise; the team page and the
// dashboard show each plan, and once a later round closes, how its keys
// moved. Every number a plan shows is a published figure of both rounds,
// under the anonymity rules.

// planRows is how many empty habit rows the form offers beyond the plan's.
const planRows = 3

// planTeam reads the team of :id the viewer may plan for, or nil for the
// organization's plan (/plan, admins only by the route table).
func (s *Server) planTeam(c echo.Context) (*uint, string, error) {
	if c.Param("id") == "" {
		return nil, "the organization", nil
	}
	id, err := idParam(c)
	if err != nil {
		return nil, "", err
	}
	t, err := s.store.Team(c.Request().Context(), id)
	if err != nil {
		return nil, "", err
	}
	if !viewerOf(c).Sees(id) {
		return nil, "", errOtherTeam
	}
	return &id, t.Name, nil
}

// planURL is the address of a plan's form for a round.
func planURL(teamID *uint, roundID uint) string {
	base := "/plan"
	if teamID != nil {
		base = "/teams/" + strconv.FormatUint(uint64(*teamID), 10) + "/plan"
	}
	return base + "?round=" + strconv.FormatUint(uint64(roundID), 10)
}

// planBack is the page a plan belongs to.
func planBack(teamID *uint, roundID uint) string {
	if teamID == nil {
		return "/dashboard?round=" + strconv.FormatUint(uint64(roundID), 10)
	}
	return "/teams/" + strconv.FormatUint(uint64(*teamID), 10) + "?round=" + strconv.FormatUint(uint64(roundID), 10)
}

// planGroup is the group of a plan's figures.
func planGroup(teamID *uint) results.GroupRef {
	if teamID == nil {
		return results.Org
	}
	return results.TeamGroup(*teamID)
}

// planDash opens the round of ?round= for a plan of team (nil for the
// organization); a team the round does not know (made after it) is 404.
func (s *Server) planDash(c echo.Context, teamID *uint) (*dash, error) {
	d, err := s.openDash(c, views.ViewTeam)
	if err != nil {
		return nil, err
	}
	if teamID != nil {
		if _, ok := d.res.Team(*teamID); !ok {
			return nil, echo.NewHTTPError(http.StatusNotFound, "This team has no results in that round: a plan is made from a round the team took part in.")
		}
	}
	return d, nil
}

// planForm is GET /teams/:id/plan and /plan: the plan of ?round= (the latest
// closed round by default), for making or changing.
func (s *Server) planForm(c echo.Context) error {
	teamID, title, err := s.planTeam(c)
	if err != nil {
		return err
	}
	d, err := s.planDash(c, teamID)
	if err != nil {
		return err
	}
	page, err := s.planPage(c, d, teamID, title)
	if err != nil {
		return err
	}
	if p, err := s.store.PlanOf(c.Request().Context(), teamID, d.round.ID); err == nil {
		fillPlanForm(&page, p)
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	return render(c, http.StatusOK, views.PlanForm(page))
}

// planPage is the plan form's frame: the keys with the suggestions of the
// round's figures, the habit library and empty rows.
func (s *Server) planPage(c echo.Context, d *dash, teamID *uint, title string) (views.PlanFormPage, error) {
	page := views.PlanFormPage{Title: title, RoundName: d.round.Name, Closed: d.round.Status == models.RoundClosed,
		Action: planURL(teamID, d.round.ID), BackURL: planBack(teamID, d.round.ID), Errors: views.FieldErrors{}}
	why := map[int]string{}
	if page.Closed {
		g := planGroup(teamID)
		f, err := d.figures(g)
		if err != nil {
			return page, err
		}
		if f.Shown() && f.Weakest >= 0 && f.Keys[f.Weakest].Reason == "" {
			why[f.Weakest] = "weakest key"
		}
		persp, err := d.perspectiveFigures(g)
		if err != nil {
			return page, err
		}
		if gaps := perceptionGaps(persp); len(gaps) > 0 && gaps[0].Size.OK {
			if why[gaps[0].Key] != "" {
				why[gaps[0].Key] += ", largest perception gap"
			} else {
				why[gaps[0].Key] = "largest perception gap"
			}
		}
	}
	names, ids := scoring.KeyNames(), scoring.KeyIDs()
	for k := range scoring.NumKeys {
		page.Keys = append(page.Keys, views.PlanKeyChoice{ID: ids[k], Name: names[k], Why: why[k]})
		page.Library = append(page.Library, views.HabitGroup{Key: names[k], Habits: scoring.HabitsFor(k)})
	}
	for range planRows {
		page.Rows = append(page.Rows, views.PlanRow{N: len(page.Rows) + 1, Status: models.ActionPlanned})
	}
	return page, nil
}

// fillPlanForm puts a stored plan into the form, with empty rows after it.
func fillPlanForm(page *views.PlanFormPage, p models.Plan) {
	for _, k := range p.Keys() {
		page.Keys[k].Checked = true
	}
	page.Notes = p.Notes
	page.Rows = nil
	for _, a := range p.Actions {
		due := ""
		if a.Due != nil {
			due = a.Due.UTC().Format(time.DateOnly)
		}
		page.Rows = append(page.Rows, views.PlanRow{N: len(page.Rows) + 1, Habit: a.Habit, Owner: a.Owner, Status: a.Status, Due: due})
	}
	for range planRows {
		page.Rows = append(page.Rows, views.PlanRow{N: len(page.Rows) + 1, Status: models.ActionPlanned})
	}
}

// savePlan is POST /teams/:id/plan and /plan.
func (s *Server) savePlan(c echo.Context) error {
	teamID, title, err := s.planTeam(c)
	if err != nil {
		return err
	}
	d, err := s.planDash(c, teamID)
	if err != nil {
		return err
	}
	if d.round.Status != models.RoundClosed {
		return echo.NewHTTPError(http.StatusConflict, "A plan is made after a round closes, from its published results.")
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
	}
	in, rows, problems := readPlanForm(form)
	in.TeamID, in.RoundID, in.By = teamID, d.round.ID, actor(c)
	var saveProblems models.PlanProblems
	if len(problems) == 0 {
		_, err = s.store.SavePlan(c.Request().Context(), in)
		if !errors.As(err, &saveProblems) && err != nil {
			return err
		}
		if err == nil {
			s.setFlash(c, "The action plan is saved.")
			return redirect(c, planBack(teamID, d.round.ID))
		}
		for f, msg := range saveProblems {
			problems[f] = msg
		}
	}
	page, err := s.planPage(c, d, teamID, title)
	if err != nil {
		return err
	}
	checked := map[string]bool{}
	for _, k := range form["focus"] {
		checked[k] = true
	}
	for i := range page.Keys {
		page.Keys[i].Checked = checked[page.Keys[i].ID]
	}
	page.Notes, page.Rows, page.Errors = form.Get("notes"), rows, problems
	return render(c, http.StatusUnprocessableEntity, views.PlanForm(page))
}

// readPlanForm reads the plan form: the focus keys, the rows of habits
// (habit, owner, due and status in turn) and the notes. It returns the rows
// as typed, to show again, and what cannot even be read.
func readPlanForm(form url.Values) (models.PlanInput, []views.PlanRow, views.FieldErrors) {
	problems := views.FieldErrors{}
	var in models.PlanInput
	for _, id := range form["focus"] {
		if k, ok := scoring.KeyIndex(id); ok {
			in.Keys = append(in.Keys, k)
		}
	}
	in.Notes = form.Get("notes")
	habits, owners, dues, statuses := form["habit"], form["owner"], form["due"], form["status"]
	n := max(len(habits), len(owners), len(dues), len(statuses))
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return vs[i]
		}
		return ""
	}
	if n > models.MaxPlanActions+planRows {
		problems["actions"] = fmt.Sprintf("At most %d habits: a few, practised, change more than many.", models.MaxPlanActions)
	}
	var rows []views.PlanRow
	for i := range min(n, models.MaxPlanActions+planRows) {
		a := models.ActionInput{Habit: at(habits, i), Owner: at(owners, i), Status: at(statuses, i)}
		row := views.PlanRow{N: i + 1, Habit: a.Habit, Owner: a.Owner, Status: a.Status, Due: at(dues, i)}
		if due := strings.TrimSpace(row.Due); due != "" {
			t, err := time.Parse(time.DateOnly, due)
			if err != nil {
				problems["action"+strconv.Itoa(i+1)] = "A due date is written 2027-03-31."
			} else {
				a.Due = &t
			}
		}
		if a.Status == "" {
			a.Status = models.ActionPlanned
		}
		in.Actions = append(in.Actions, a)
		rows = append(rows, row)
	}
	return in, rows, problems
}

// mayPlan reports whether the viewer may make or change the plan of team
// (the organization for nil).
func mayPlan(v *Viewer, teamID *uint) bool {
	if teamID == nil {
		return v.IsAdmin()
	}
	return v.Sees(*teamID)
}

// plansSeen are the plans the viewer may see, newest round first: the
// organization's and those of the viewer's teams.
func (s *Server) plansSeen(c echo.Context) ([]models.Plan, error) {
	all, err := s.store.Plans(c.Request().Context())
	if err != nil {
		return nil, err
	}
	v := viewerOf(c)
	var seen []models.Plan
	for _, p := range all {
		if p.TeamID == nil || v.Sees(*p.TeamID) {
			seen = append(seen, p)
		}
	}
	return seen, nil
}

// planSummaries is the dashboard's list of plans.
func (s *Server) planSummaries(c echo.Context, teams map[uint]string) ([]views.PlanSummary, error) {
	plans, err := s.plansSeen(c)
	if err != nil {
		return nil, err
	}
	names := scoring.KeyNames()
	today := s.store.Now()
	var out []views.PlanSummary
	for _, p := range plans {
		sum := views.PlanSummary{Label: "Organization", URL: planBack(p.TeamID, p.RoundID), Total: len(p.Actions)}
		if p.TeamID == nil {
			// The organization's plan has no page but its form, which
			// is for admins.
			sum.URL = ""
			if mayPlan(viewerOf(c), nil) {
				sum.URL = planURL(nil, p.RoundID)
			}
		}
		if p.Round != nil {
			sum.RoundName = p.Round.Name
		}
		if p.TeamID != nil {
			sum.Label = teams[*p.TeamID]
		}
		var keys []string
		for _, k := range p.Keys() {
			keys = append(keys, names[k])
		}
		sum.Keys = strings.Join(keys, ", ")
		for _, a := range p.Actions {
			if a.Status == models.ActionDone {
				sum.Done++
			}
			if a.Overdue(today) {
				sum.Overdue++
			}
		}
		out = append(out, sum)
	}
	return out, nil
}
