package views

import (
	"context"
	"strings"
	"sync"

	"github.com/a-h/templ"
)

// Survey steps, in order: the perspective page, one page per key, the comment.
const (
	StepPerspective = "perspective"
	StepComment     = "comment"
)

// Progress is where a page stands in the questionnaire: step Value of
// Max, the keys' pages being steps 1 … Keys.
type Progress struct {
	Value, Max, Keys int
}

// Label names the step: "Before you start", "Key 2 of 5", "Last step".
func (p Progress) Label() string {
	switch {
	case p.Value == 0:
		return "Before you start"
	case p.Value <= p.Keys:
		return "Key " + itoa(p.Value) + " of " + itoa(p.Keys)
	}
	return "Last step"
}

// Choice is one radio option.
type Choice struct {
	Value, Label, Hint string
	Checked            bool
}

// Statement is one statement of a key page: a radio group named by its item
// id, with the saved or posted answer (0 = none) and a problem to mark.
type Statement struct {
	ID     string
	Number int
	Text   string
	Value  uint8
	Error  string
}

// SurveyFrame is what every step page shares.
type SurveyFrame struct {
	TeamName  string
	Action    string // the URL the form posts to
	Progress  Progress
	ResumeURL string
	// Problems lists the page's errors for the summary at the top.
	Problems []string
	// Notice is a calm message at the top (e.g. the skip confirmation).
	Notice string
}

// PerspectivePage is the step that asks from which perspective the
// respondent answers.
type PerspectivePage struct {
	SurveyFrame
	Choices []Choice
	Error   string
}

// KeyPage is one key's five statements.
type KeyPage struct {
	SurveyFrame
	KeyID, KeyName, Description string
	Statements                  []Statement
	Labels                      []string
	// ConfirmSkip is set when the page was sent with every statement skipped
	// and the respondent is asked once to confirm.
	ConfirmSkip bool
}

// CommentPage is the last step: the optional comment and Submit.
type CommentPage struct {
	SurveyFrame
	Comment    string
	Error      string
	MaxLength  int
	RoundEnded bool
}

// Welcome is the first page behind a team link.
type Welcome struct {
	TeamName  string
	RoundName string
	Action    string
	MinGroup  int
	Resumable bool // an unfinished response of this device can continue
	// Code is set when the welcome is for a personal code: one response,
	// which continues on whichever device holds the code.
	Code bool
}

// drawnStatements holds each statement as statement draws it without an
// error, by its value: every key page draws the same few statements again
// and again, and drawing one anew costs more than the rest of the page.
// The statements and labels come from the instrument, so it stays small
// (six values of each item, per language).
var drawnStatements sync.Map // statementKey → string

type statementKey struct {
	s      Statement
	labels string
}

// drawnStatement is statement(s, labels), from drawnStatements when s has
// no error to show.
func drawnStatement(s Statement, labels []string) templ.Component {
	if s.Error != "" {
		return statement(s, labels)
	}
	key := statementKey{s, strings.Join(labels, "\x00")}
	if html, ok := drawnStatements.Load(key); ok {
		return templ.Raw(html.(string))
	}
	var b strings.Builder
	if err := statement(s, labels).Render(context.Background(), &b); err != nil {
		return statement(s, labels)
	}
	drawnStatements.Store(key, b.String())
	return templ.Raw(b.String())
}
