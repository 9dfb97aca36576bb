package handlers

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
	"github.com/icare-hr/icare/views"
)

// The questionnaire's pages: parseStep reads what one page posted and knows
// nothing of HTTP beyond the form's values; stepPage draws a page with the
// saved answers and whatever was just posted on top.

// steps are the questionnaire's pages in order: the perspective, one page
// per key, the comment.
var steps = func() []string {
	s := []string{views.StepPerspective}
	for _, id := range scoring.KeyIDs() {
		s = append(s, id)
	}
	return append(s, views.StepComment)
}()

func stepIndex(step string) int {
	for i, s := range steps {
		if s == step {
			return i
		}
	}
	return -1
}

func stepURL(step string) string { return "/s/" + step }

// flowOf is the pages round r asks, as indexes of steps: the perspective,
// the page of each key it asks (all five, but for a pulse round), the
// comment.
func flowOf(r models.Round) []int {
	flow := []int{0}
	for _, k := range r.AskedKeys() {
		flow = append(flow, k+1)
	}
	return append(flow, len(steps)-1)
}

// stepAfter is the page delta pages on from step idx in flow (−1 back, +1
// on), kept within the flow.
func stepAfter(flow []int, idx, delta int) string {
	pos := slices.Index(flow, idx) + delta
	return steps[flow[max(0, min(pos, len(flow)-1))]]
}

// keyOfStep is the key index asked on step idx, or −1 on the perspective
// and comment pages.
func keyOfStep(idx int) int {
	if idx >= 1 && idx <= scoring.NumKeys {
		return idx - 1
	}
	return -1
}

// actionBack is the Back button of a questionnaire page (the form's action
// field); Next and Submit move forward.
const actionBack = "back"

// stepInput is what one posted page says, checked.
type stepInput struct {
	// progress holds the page's valid values, to save when problems is empty.
	progress models.Progress
	// action is the button pressed: next, back or submit.
	action string
	// confirmedSkip: the page comes back after the respondent was asked to
	// confirm that they skip all of it.
	confirmedSkip bool
	// comment is the comment as posted, valid or not, to show it again.
	comment *string
	// itemErrors, fieldError and problems say what is wrong: beside each
	// statement, beside the page's one field, and in the summary on top.
	itemErrors map[int]string
	fieldError string
	problems   []string
}

// parseStep reads and checks the posted form of step idx.
func parseStep(idx int, form url.Values) stepInput {
	in := stepInput{action: form.Get("action"), confirmedSkip: form.Get("confirm_skip") == "1"}
	allowed := map[string]bool{"_csrf": true, "action": true, "confirm_skip": true}
	switch k := keyOfStep(idx); {
	case steps[idx] == views.StepPerspective:
		allowed["perspective"] = true
		in.parsePerspective(form.Get("perspective"))
	case steps[idx] == views.StepComment:
		allowed["comment"] = true
		in.parseComment(form.Get("comment"))
	default:
		for j := range scoring.ItemsPerKey {
			allowed[scoring.ItemID(k*scoring.ItemsPerKey+j)] = true
		}
		in.parseStatements(k, form)
	}
	for name := range form {
		if allowed[name] {
			continue
		}
		if _, isItem := scoring.ItemIndex(name); isItem {
			in.problems = append(in.problems, fmt.Sprintf("The form carried an answer to %s, which is not on this page; nothing was saved. Please send the page again.", truncate(name, 10)))
		} else {
			in.problems = append(in.problems, fmt.Sprintf("The form carried an unknown field “%s”; nothing was saved. Please send the page again.", truncate(name, 30)))
		}
	}
	return in
}

func (in *stepInput) parsePerspective(v string) {
	switch {
	case v == "":
		in.fieldError = "Choose the option that fits you best, or “Prefer not to say”."
	case !scoring.ValidPerspective(v):
		in.fieldError = "That is not one of the options: choose one of the roles below."
	default:
		in.progress.Perspective = &v
		return
	}
	in.problems = append(in.problems, in.fieldError)
}

func (in *stepInput) parseComment(v string) {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	in.comment = &v
	switch {
	case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
		in.fieldError = "The comment contains characters that are not text; please type or paste it again."
	case utf8.RuneCountInString(v) > models.MaxCommentLength:
		in.fieldError = fmt.Sprintf("The comment has %d characters; please shorten it to %d at most.", utf8.RuneCountInString(v), models.MaxCommentLength)
	default:
		in.progress.Comment = &v
		return
	}
	in.problems = append(in.problems, in.fieldError)
}

// parseStatements reads the five statements of key k. A statement missing
// from the form, or sent with the empty Skip value, counts as skipped.
func (in *stepInput) parseStatements(k int, form url.Values) {
	in.itemErrors = map[int]string{}
	for j := range scoring.ItemsPerKey {
		i := k*scoring.ItemsPerKey + j
		vals := form[scoring.ItemID(i)]
		v := ""
		if len(vals) > 0 {
			v = strings.TrimSpace(vals[len(vals)-1])
		}
		switch {
		case len(vals) > 1:
			in.itemErrors[i] = "Choose one answer only."
		case v == "":
			in.progress.Items = append(in.progress.Items, i)
		case len(v) == 1 && v[0] >= '1' && v[0] <= '5':
			in.progress.Items = append(in.progress.Items, i)
			in.progress.Answers[i] = v[0] - '0'
		default:
			in.itemErrors[i] = fmt.Sprintf("“%s” is not one of the answers: choose 1 to 5, or Skip.", truncate(v, 20))
		}
		if msg, bad := in.itemErrors[i]; bad {
			in.problems = append(in.problems, fmt.Sprintf("Statement %d: %s", j+1, msg))
		}
	}
}

// truncate cuts s to n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// isControl reports a control character other than tab and newline: such
// characters are never part of a comment someone typed (and PostgreSQL
// refuses NUL).
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// stepPage is one questionnaire page to draw.
type stepPage struct {
	idx int
	// flow is the pages of the response's round (see flowOf).
	flow      []int
	teamName  string
	resumeURL string
	// The response's values, with what was just posted on top.
	answers     scoring.Answers
	perspective string
	// perspectiveChosen says whether the respondent chose the perspective,
	// so it is marked (a new response's "unspecified" is no choice).
	perspectiveChosen bool
	comment           string
	in                stepInput
	notice            string
	confirmSkip       bool
	roundEnded        bool
}

// newStepPage is page idx of response r as saved.
func newStepPage(idx int, flow []int, r models.Response, teamName, resumeURL string) *stepPage {
	a := r.Answers()
	return &stepPage{idx: idx, flow: flow, teamName: teamName, resumeURL: resumeURL, answers: a, perspective: r.Perspective,
		perspectiveChosen: r.Perspective != "unspecified" || a.Answered() > 0, comment: r.Comment}
}

// show puts what was posted on the page: its valid values and its problems.
func (p *stepPage) show(in stepInput) {
	p.in = in
	for _, i := range in.progress.Items {
		p.answers[i] = in.progress.Answers[i]
	}
	if in.progress.Perspective != nil {
		p.perspective, p.perspectiveChosen = *in.progress.Perspective, true
	}
	if in.comment != nil {
		p.comment = *in.comment
	}
}

// asksToConfirmSkip reports whether the respondent, moving forward from
// page idx, skipped every statement of a key page without having confirmed
// it yet. (Input without problems holds all five statements of its page.)
func (in stepInput) asksToConfirmSkip(idx int) bool {
	k := keyOfStep(idx)
	if k < 0 || in.action == actionBack || in.confirmedSkip || len(in.problems) > 0 {
		return false
	}
	for j := range scoring.ItemsPerKey {
		if in.progress.Answers[k*scoring.ItemsPerKey+j] != 0 {
			return false
		}
	}
	return true
}

// surveyInstrument is the instrument the survey's pages show, made once:
// they only read it.
var surveyInstrument = scoring.V1()

// component is the page as a templ component.
func (p *stepPage) component() templ.Component {
	step := steps[p.idx]
	frame := views.SurveyFrame{
		TeamName:  p.teamName,
		Action:    stepURL(step),
		Progress:  progressOf(p.idx, p.flow),
		ResumeURL: p.resumeURL,
		Problems:  p.in.problems,
		Notice:    p.notice,
	}
	switch step {
	case views.StepPerspective:
		page := views.PerspectivePage{SurveyFrame: frame, Error: p.in.fieldError}
		for _, v := range scoring.Perspectives {
			page.Choices = append(page.Choices, views.Choice{Value: v, Label: scoring.PerspectiveLabel(v), Checked: v == p.perspective && p.perspectiveChosen})
		}
		return views.SurveyPerspective(page)
	case views.StepComment:
		return views.SurveyComment(views.CommentPage{SurveyFrame: frame, Comment: p.comment, Error: p.in.fieldError, MaxLength: models.MaxCommentLength, RoundEnded: p.roundEnded})
	}
	k := keyOfStep(p.idx)
	ins := surveyInstrument
	dim := ins.Dimensions[k]
	page := views.KeyPage{SurveyFrame: frame, KeyID: dim.ID, KeyName: dim.Name, Description: dim.Description, Labels: ins.Scale.Labels, ConfirmSkip: p.confirmSkip}
	for j, it := range dim.Items {
		i := k*scoring.ItemsPerKey + j
		page.Statements = append(page.Statements, views.Statement{ID: it.ID, Number: j + 1, Text: it.Text, Value: p.answers[i], Error: p.in.itemErrors[i]})
	}
	return views.SurveyKey(page)
}

// progressOf is where step idx stands in flow.
func progressOf(idx int, flow []int) views.Progress {
	return views.Progress{Value: slices.Index(flow, idx), Max: len(flow) - 1, Keys: len(flow) - 2}
}
