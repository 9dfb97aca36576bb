package views

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/icare-hr/icare/scoring"
)

func renderDoc(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(WithCSRF(context.Background(), "tok123"), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	d, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func keyPage() KeyPage {
	p := KeyPage{
		SurveyFrame: SurveyFrame{TeamName: "Sales", Action: "/s/C", Progress: Progress{Value: 2, Max: 6, Keys: 5}},
		KeyID:       "C", KeyName: "Culture of Service", Description: "d",
		Labels: []string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"},
	}
	for j := range 5 {
		p.Statements = append(p.Statements, Statement{ID: "C" + strconv.Itoa(j+1), Number: j + 1, Text: "Statement " + strconv.Itoa(j+1), Value: uint8(j)})
	}
	p.Statements[2].Error = "Choose one answer only."
	return p
}

func TestQuestionPage(t *testing.T) {
	d := renderDoc(t, SurveyKey(keyPage()))
	sets := d.Find("fieldset.statement")
	if sets.Length() != 5 {
		t.Fatalf("fieldsets: got %d want 5", sets.Length())
	}
	if d.Find("table").Length() != 0 {
		t.Error("the question page must not use a grid table")
	}
	sets.Each(func(j int, fs *goquery.Selection) {
		id := "C" + strconv.Itoa(j+1)
		if !strings.Contains(fs.Find("legend").Text(), "Statement "+strconv.Itoa(j+1)) {
			t.Errorf("%s legend: %q", id, fs.Find("legend").Text())
		}
		var values []string
		fs.Find(`input[type=radio]`).Each(func(_ int, in *goquery.Selection) {
			if name, _ := in.Attr("name"); name != id {
				t.Errorf("radio in %s named %q", id, name)
			}
			v, _ := in.Attr("value")
			values = append(values, v)
			// Each radio sits in a label, so it has an accessible name.
			if in.ParentsFiltered("label").Length() != 1 {
				t.Errorf("%s=%s has no label", id, v)
			}
		})
		if got := strings.Join(values, ","); got != "1,2,3,4,5," {
			t.Errorf("%s values: got %q want 1,2,3,4,5 and an empty Skip", id, got)
		}
		// Statement j was given answer j (0 = skipped → Skip checked).
		checked, _ := fs.Find("input:checked").Attr("value")
		want := strconv.Itoa(j)
		if j == 0 {
			want = ""
		}
		if checked != want {
			t.Errorf("%s checked %q want %q", id, checked, want)
		}
	})
	if d.Find(`[data-testid="statement-C3"] .field-error`).Text() != "Choose one answer only." {
		t.Error("the error is not beside its statement")
	}
	first := d.Find(`form[data-testid="key-form"] button`).First()
	if v, _ := first.Attr("value"); v != "next" || first.Text() != "Next" {
		t.Errorf("first button: %q (%s), want Next so Enter moves forward", first.Text(), v)
	}
	if tok, _ := d.Find(`input[name="_csrf"]`).Attr("value"); tok != "tok123" {
		t.Errorf("csrf field: %q", tok)
	}
	if got := d.Find(`[data-testid="progress"] .progress-label`).Text(); got != "Key 2 of 5" {
		t.Errorf("progress: %q", got)
	}
}

func resultPage(teamShown bool) PersonalResultPage {
	r := PersonalResultPage{TeamName: "Sales", RoundName: "2027 Q1", TeamShown: teamShown, TeamN: 9, MinGroup: 5, Strongest: 0, Grow: 3, ResultURL: "http://x/r/abc"}
	scores := []float64{87.5, 62.5, 50, 0, 100}
	for i, id := range []string{"I", "C", "A", "R", "E"} {
		r.Keys = append(r.Keys, PersonalKey{ID: id, Name: "Key " + id, Score: scoring.Value{V: scores[i], OK: id != "A"},
			TeamScore: scoring.Value{V: 70, OK: true}, Habits: []string{"h1", "h2", "h3"}})
	}
	return r
}

func TestResultChart(t *testing.T) {
	d := renderDoc(t, PersonalResult(resultPage(true)))
	chart := d.Find(`svg[data-testid="chart"]`)
	if chart.Length() != 1 {
		t.Fatal("no chart")
	}
	if role, _ := chart.Attr("role"); role != "img" || chart.Find("title").Length() != 1 {
		t.Error("the chart needs role=img and a title")
	}
	for _, id := range []string{"I", "C", "A", "R", "E"} {
		bar := chart.Find(`[data-testid="bar-` + id + `"]`)
		if bar.Length() != 1 {
			t.Errorf("bar %s: %d elements want 1", id, bar.Length())
			continue
		}
		v, _ := bar.Attr("data-value")
		if id == "A" {
			if v != "" {
				t.Errorf("A has no score but its bar says %q", v)
			}
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 100 {
			t.Errorf("bar %s value %q out of range", id, v)
		}
		w, _ := bar.Attr("width")
		if fw, _ := strconv.ParseFloat(w, 64); fw < 0 || fw > 180 {
			t.Errorf("bar %s width %s outside the axis", id, w)
		}
	}
	if d.Find(`[data-testid="score-table"] tbody tr`).Length() != 5 {
		t.Error("the text table needs a row per key")
	}
	if d.Find(`[data-testid="team-shown"]`).Length() != 1 || chart.Find(`[data-testid^="team-bar-"]`).Length() != 5 {
		t.Error("team shown: want the team block and five team bars")
	}
}

func TestResultWithoutTeam(t *testing.T) {
	d := renderDoc(t, PersonalResult(resultPage(false)))
	if d.Find(`[data-testid="team-shown"]`).Length() != 0 || d.Find(`[data-testid^="team-bar-"]`).Length() != 0 {
		t.Error("a suppressed team must not appear in the block or the chart")
	}
	if d.Find(`[data-testid="score-table"] th`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "Team" }).Length() != 0 {
		t.Error("a suppressed team must not have a table column")
	}
	if !strings.Contains(d.Find(`[data-testid="team-hidden"]`).Text(), "at least 5") {
		t.Error("the hidden team block should say why")
	}
	if got := d.Find(`[data-testid="grow"] h3`).Text(); got != "Your key to grow: Key R" {
		t.Errorf("grow: %q", got)
	}
	if d.Find(`[data-testid="grow"] li`).Length() != 3 {
		t.Error("want three habits for the key to grow")
	}
}

func TestProgressLabels(t *testing.T) {
	for _, tc := range []struct {
		value int
		want  string
	}{{0, "Before you start"}, {1, "Key 1 of 5"}, {5, "Key 5 of 5"}, {6, "Last step"}} {
		if got := (Progress{Value: tc.value, Max: 6, Keys: 5}).Label(); got != tc.want {
			t.Errorf("step %d: got %q want %q", tc.value, got, tc.want)
		}
	}
}

// TestPlanChangeInWords: a plan's change says up, down or no clear change,
// from Welch's interval of the two rounds. The groups are
// TestWelchByHand's: a (n 10, mean 70, SD 10) against b (n 8, mean 60,
// SD 12) gives +10 with 95% CI −1.4 to 21.4, not clear; two groups of 40
// with SD 10, 10 points apart, give 10 ∓ 4.45, clear.
func TestPlanChangeInWords(t *testing.T) {
	v := func(x float64) scoring.Value { return scoring.Value{V: x, OK: true} }
	stats := func(n int, mean, sd float64) scoring.Stats { return scoring.Stats{N: n, Mean: v(mean), SD: v(sd)} }
	change := func(after, before scoring.Stats) PlanChange {
		d := scoring.Difference(after, before)
		return PlanChange{Later: "2027 Q2", Estimate: d.Estimate, Low: d.CILow, High: d.CIHigh, Clear: d.Clear()}
	}
	for _, c := range []struct {
		name string
		ch   PlanChange
		want string
	}{
		{"unclear", change(stats(10, 70, 10), stats(8, 60, 12)), "no clear change (+10.0, 95% CI -1.4 to 21.4)"},
		{"up", change(stats(40, 70, 10), stats(40, 60, 10)), "up 10.0 points, a real change (+10.0, 95% CI 5.5 to 14.5)"},
		{"down", change(stats(40, 60, 10), stats(40, 70, 10)), "down 10.0 points, a real change (-10.0, 95% CI -14.5 to -5.5)"},
		{"missing", PlanChange{Later: "2027 Q2"}, "no figure to compare"},
	} {
		got := strings.TrimSpace(c.ch.Words() + " " + c.ch.Numbers())
		if strings.ReplaceAll(got, "−", "-") != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
