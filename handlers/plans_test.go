package handlers_test

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
)

// planFixture: Support answers every key at 25 (three people) and 50
// (three) in the first round, at 75 and 100 in the second; Tiny has two
// responses each round and Small three, both under the minimum (their sum,
// five, may show, so nothing else is hidden to protect them). It returns
// both closed rounds.
func planFixture(a *app) (first, second models.Round) {
	a.team("Support", "", intp(8))
	a.team("Tiny", "", intp(3))
	a.team("Small", "", intp(4))
	a.team("Billing", "", intp(9))
	first = a.openRound("2027 Q1")
	for _, v := range []uint8{2, 2, 2, 3, 3, 3} {
		a.submit("Support", "frontline", pattern(v), "")
	}
	for range 2 {
		a.submit("Tiny", "frontline", pattern(4), "")
	}
	for range 3 {
		a.submit("Small", "frontline", pattern(3), "")
	}
	for range 6 {
		a.submit("Billing", "frontline", pattern(4), "")
	}
	a.closeRound()
	second = a.openRound("2027 Q2")
	for _, v := range []uint8{4, 4, 4, 5, 5, 5} {
		a.submit("Support", "frontline", pattern(v), "")
	}
	for range 2 {
		a.submit("Tiny", "frontline", pattern(2), "")
	}
	for range 3 {
		a.submit("Small", "frontline", pattern(3), "")
	}
	for range 6 {
		a.submit("Billing", "frontline", pattern(4), "")
	}
	a.closeRound()
	first, _ = a.store.Round(context.Background(), first.ID)
	second, _ = a.store.Round(context.Background(), second.ID)
	return first, second
}

// planForm is a plan's form values: focus keys, rows of habit, owner, due
// and status, and notes.
func planForm(focus []string, notes string, rows ...[4]string) url.Values {
	f := url.Values{"focus": focus, "notes": {notes}}
	for _, r := range rows {
		f.Add("habit", r[0])
		f.Add("owner", r[1])
		f.Add("due", r[2])
		f.Add("status", r[3])
	}
	return f
}

// TestPlanIsMadeEditedAuditedAndExported: a leader makes the plan of their
// team for a closed round with the suggestions of its figures, changes it,
// and finds it on the team page, in the audit log and in plans.csv.
func TestPlanIsMadeEditedAuditedAndExported(t *testing.T) {
	a := newApp(t)
	first, _ := planFixture(a)
	lead := a.viewer("lead", "leader", "Support")
	a.setNow(time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC))
	support := strconv.Itoa(int(a.teams["Support"].ID))
	page := "/teams/" + support + "/plan?round=" + strconv.Itoa(int(first.ID))

	d := doc(t, lead.get(page))
	if d.Find(`[data-testid="plan-form"]`).Length() != 1 || !strings.Contains(d.Text(), "suggested: weakest key") {
		t.Fatal("the plan form with its suggestion is missing")
	}
	if d.Find(`datalist#habits option`).Length() != 15 {
		t.Error("the habit library is not offered (three habits per key)")
	}
	for _, bad := range []url.Values{
		planForm(nil, ""),
		planForm([]string{"I", "C", "E"}, ""),
		planForm([]string{"E"}, "", [4]string{"", "Sam", "2027-05-01", "planned"}),
		planForm([]string{"E"}, "", [4]string{"Call back", "Sam", "31/05/2027", "planned"}),
	} {
		if rec := lead.post(page, bad); rec.Code != http.StatusUnprocessableEntity || doc(t, rec).Find(`[data-testid="problems"]`).Length() != 1 {
			t.Errorf("an incomplete plan %v: got %d want 422 with the problems", bad, rec.Code)
		}
	}
	form := planForm([]string{"E", "C"}, "Start with the Monday huddle.",
		[4]string{"=Own a case from first call to close", "Sam Lee", "2027-05-15", "doing"},
		[4]string{"Share one customer story a week", "Ana", "2027-09-30", "planned"},
		[4]string{"", "", "", "planned"})
	wantRedirect(t, lead.post(page, form), "/teams/"+support+"?round=")
	plan, err := a.store.PlanOf(context.Background(), &[]uint{a.teams["Support"].ID}[0], first.ID)
	if err != nil || plan.FocusKeys != "C,E" || len(plan.Actions) != 2 || plan.Actions[0].Owner != "Sam Lee" || plan.Notes != "Start with the Monday huddle." {
		t.Fatalf("stored plan: %+v, %v", plan, err)
	}
	team := doc(t, lead.get("/teams/"+support+"?round="+strconv.Itoa(int(first.ID))))
	if got := team.Find(`[data-testid="plan-keys"]`).Text(); !strings.Contains(got, "Culture of Service") || !strings.Contains(got, "Empowerment") {
		t.Errorf("team page focus: %q", got)
	}
	if team.Find(`[data-testid="plan-actions"] tbody tr`).Length() != 2 || team.Find(`[data-testid="overdue"]`).Length() != 1 {
		t.Error("team page: want two habits, one overdue (due 15 May, not done, on 1 June)")
	}
	if got := doc(t, lead.get("/dashboard?round="+strconv.Itoa(int(first.ID)))).Find(`[data-testid="plans-overdue"]`).Text(); got != "1 overdue" {
		t.Errorf("the dashboard's plan list says %q, want 1 overdue", got)
	}

	form["status"] = []string{"done", "planned", "planned"} // the first habit is done
	wantRedirect(t, lead.post(page, form), "/teams/")
	plan, _ = a.store.PlanOf(context.Background(), &[]uint{a.teams["Support"].ID}[0], first.ID)
	if len(plan.Actions) != 2 || plan.Actions[0].Status != models.ActionDone || plan.Actions[1].Status != models.ActionPlanned {
		t.Errorf("after the edit: %+v", plan.Actions)
	}
	events, _ := a.store.AuditEvents(context.Background(), 20)
	var actions []string
	for _, ev := range events {
		if strings.HasPrefix(ev.Action, "plan.") {
			actions = append(actions, ev.Action+" by "+ev.ActorEmail)
		}
	}
	if strings.Join(actions, "; ") != "plan.update by lead@example.org; plan.create by lead@example.org" {
		t.Errorf("audit: %v", actions)
	}

	rows := parse(t, a.download("lead", "/export/plans.csv"), ',')
	if strings.Join(rows.header, ",") != "team,round,key,habit,owner,due,status,notes" || len(rows.rows) != 2 {
		t.Fatalf("plans.csv: %v %v", rows.header, rows.rows)
	}
	r := rows.rows[0]
	if r["team"] != "Support" || r["round"] != "2027 Q1" || r["key"] != "culture empowerment" || r["habit"] != "'=Own a case from first call to close" ||
		r["owner"] != "Sam Lee" || r["due"] != "2027-05-15" || r["status"] != "done" || r["notes"] != "Start with the Monday huddle." {
		t.Errorf("plans.csv row: %v", r)
	}
	if r := rows.rows[1]; r["habit"] != "Share one customer story a week" || r["owner"] != "Ana" || r["due"] != "2027-09-30" || r["status"] != "planned" {
		t.Errorf("plans.csv second row: %v", r)
	}
	if d := doc(t, lead.get("/dashboard?round="+strconv.Itoa(int(first.ID)))); !strings.Contains(d.Find(`[data-testid="plans"]`).Text(), "Support") {
		t.Error("the dashboard does not list the plan")
	}
}

// TestPlansAreTheirTeamsOwn: a leader of another team gets 403 on the plan
// and its form; the organization's plan is for admins; a plan waits for
// the round to close.
func TestPlansAreTheirTeamsOwn(t *testing.T) {
	a := newApp(t)
	first, _ := planFixture(a)
	other := a.viewer("other", "leader", "Billing")
	page := "/teams/" + strconv.Itoa(int(a.teams["Support"].ID)) + "/plan?round=" + strconv.Itoa(int(first.ID))
	if rec := other.get(page); rec.Code != http.StatusForbidden {
		t.Errorf("another team's plan form: %d want 403", rec.Code)
	}
	other.get("/home")
	if rec := other.post(page, planForm([]string{"E"}, "", [4]string{"Call back", "", "", "planned"})); rec.Code != http.StatusForbidden {
		t.Errorf("saving another team's plan: %d want 403", rec.Code)
	}
	if rec := other.get("/plan"); rec.Code != http.StatusForbidden {
		t.Errorf("the organization's plan for a leader: %d want 403", rec.Code)
	}
	admin := a.viewer("admin", "admin")
	admin.get("/plan")
	wantRedirect(t, admin.post("/plan", planForm([]string{"A"}, "All of us.")), "/dashboard")
	_, second := first, models.Round{}
	rounds, _ := a.store.Rounds(context.Background())
	second = rounds[0]
	for r, want := range map[uint]int{first.ID: 0, second.ID: 1} {
		if rows := parse(t, a.download("admin", "/export/plans.csv?round="+strconv.Itoa(int(r))), ',').rows; len(rows) != want {
			t.Errorf("plans.csv of round %d: %d rows want %d", r, len(rows), want)
		}
	}
	late := a.team("Made later", "", intp(5))
	if rec := admin.get("/teams/" + strconv.Itoa(int(late.ID)) + "/plan?round=" + strconv.Itoa(int(first.ID))); rec.Code != http.StatusNotFound {
		t.Errorf("the plan of a team the round does not know: %d want 404", rec.Code)
	}
	a.openRound("2027 Q3")
	open, _ := a.store.CurrentRound(context.Background())
	openPage := "/teams/" + strconv.Itoa(int(a.teams["Billing"].ID)) + "/plan?round=" + strconv.Itoa(int(open.ID))
	if d := doc(t, other.get(openPage)); d.Find(`[data-testid="plan-wait"]`).Length() != 1 {
		t.Error("a plan form for an open round")
	}
	if rec := other.post(openPage, planForm([]string{"E"}, "")); rec.Code != http.StatusConflict {
		t.Errorf("a plan for an open round: %d want 409", rec.Code)
	}
}

// TestPlanShowsTheChangeOfItsKeys: after a later round closes, the plan of
// the first shows each focus key's change with Welch's 95% interval, worked
// out by hand: a team under the minimum shows no number.
func TestPlanShowsTheChangeOfItsKeys(t *testing.T) {
	a := newApp(t)
	first, _ := planFixture(a)
	admin := a.viewer("admin", "admin")
	for _, team := range []string{"Support", "Tiny"} {
		page := "/teams/" + strconv.Itoa(int(a.teams[team].ID)) + "/plan?round=" + strconv.Itoa(int(first.ID))
		admin.get(page)
		wantRedirect(t, admin.post(page, planForm([]string{"E"}, "")), "/teams/")
	}
	// Empowerment: 25, 25, 25, 50, 50, 50 (mean 37.5) then 75, 75, 75, 100,
	// 100, 100 (mean 87.5); both SDs √(6 × 12.5² / 5) = √187.5. The change
	// is 50; se = √(187.5/6 + 187.5/6) = √62.5; Welch's df =
	// 62.5² / (2 × (187.5/6)² / 5) = 10, t(0.975, 10) = 2.228139.
	half := 2.228139 * math.Sqrt(62.5)
	low, high := strconv.FormatFloat(50-half, 'f', 1, 64), strconv.FormatFloat(50+half, 'f', 1, 64)
	support := doc(t, admin.get("/teams/"+strconv.Itoa(int(a.teams["Support"].ID))+"?round="+strconv.Itoa(int(first.ID))))
	got := strings.Join(strings.Fields(support.Find(`[data-testid="plan-change"]`).Text()), " ")
	if want := "up 50.0 points, a real change (+50.0, 95% CI " + low + " to " + high + ")"; !strings.Contains(got, want) {
		t.Errorf("Support's change: %q, want %q", got, want)
	}
	// The team page of the later round (the default) shows the plan made
	// before it, with its change, and the way to the next plan.
	later := doc(t, admin.get("/teams/"+strconv.Itoa(int(a.teams["Support"].ID))))
	if got := strings.Join(strings.Fields(later.Find(`[data-testid="plan-change"]`).Text()), " "); !strings.Contains(got, "up 50.0 points") {
		t.Errorf("Support's page of the later round shows the change %q", got)
	}
	if href, _ := later.Find(`[data-testid="plan-new"]`).Attr("href"); !strings.Contains(href, "/plan?round=") || strings.HasSuffix(href, "="+strconv.Itoa(int(first.ID))) {
		t.Errorf("the way to a plan for the later round: %q", href)
	}
	// The organization's plan, on the overview of the later round, shows
	// how its key moved since.
	org := "/plan?round=" + strconv.Itoa(int(first.ID))
	admin.get(org)
	wantRedirect(t, admin.post(org, planForm([]string{"E"}, "All of us.")), "/dashboard")
	overview := doc(t, admin.get("/dashboard"))
	card := overview.Find(`[data-testid="plan"]`)
	if title := card.Find("h2").Text(); title != "The organization's action plan" {
		t.Errorf("the overview's plan card: %q", title)
	}
	if got := strings.Join(strings.Fields(card.Find(`[data-testid="plan-change"]`).Text()), " "); !strings.Contains(got, "since then, in 2027 Q2") || !strings.Contains(got, "95% CI") {
		t.Errorf("the organization's change: %q", got)
	}
	tiny := doc(t, admin.get("/teams/"+strconv.Itoa(int(a.teams["Tiny"].ID))+"?round="+strconv.Itoa(int(first.ID))))
	got = strings.Join(strings.Fields(tiny.Find(`[data-testid="plan-change"]`).Text()), " ")
	if !strings.Contains(got, "not shown (fewer than 5 responses)") || strings.Contains(got, "points") || strings.Contains(got, "CI") {
		t.Errorf("Tiny's change: %q, want no number", got)
	}
}
