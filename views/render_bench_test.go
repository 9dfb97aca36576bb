package views_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"testing"
	"time"

	"github.com/icare-hr/icare/views"
)

// keyPageTemplate is the markup of SurveyKey (with Layout, the progress bar,
// the statements, the buttons and the resume box) written for html/template,
// for the benchmark below; keyPageFixture checks that both give the same
// bytes.
var keyPageTemplate = template.Must(template.New("key").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	"eq8": func(v uint8, i int) bool { return int(v) == i },
}).Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>{{.KeyName}} · icare</title><link rel="stylesheet" href="/static/css/app.css"><link rel="icon" href="/static/img/icon.svg" type="image/svg+xml"></head><body><a class="skip-link" href="#main">Skip to content</a><header class="site-header"><a class="brand" href="/"><img src="/static/img/icon.svg" alt="" width="28" height="28"> <span>icare</span></a> </header><main id="main" class="content content--narrow" tabindex="-1"><div class="progress" data-testid="progress"><span class="progress-label">{{.Progress.Label}}</span> <progress class="progress-bar" max="{{.Progress.Max}}" value="{{.Progress.Value}}" aria-hidden="true"></progress></div> <h1 data-testid="key-name">{{.KeyName}}</h1><p class="lead">{{.Description}}</p> <form method="post" action="{{.Action}}" data-testid="key-form"><input type="hidden" name="_csrf" value="{{.CSRF}}">` +
	`{{$labels := .Labels}}{{range .Statements}}<fieldset class="statement" data-testid="statement-{{.ID}}"><legend>{{.Number}}. {{.Text}}</legend> <div class="scale">` +
	`{{$s := .}}{{range $i, $l := $labels}}<label class="scale-option"><input type="radio" name="{{$s.ID}}" value="{{inc $i}}"{{if eq8 $s.Value (inc $i)}} checked{{end}}> <span><b>{{inc $i}}</b> {{$l}}</span></label>{{end}}` +
	`</div><label class="skip-option"><input type="radio" name="{{.ID}}" value=""{{if eq8 .Value 0}} checked{{end}}> Skip this statement</label></fieldset>{{end}}` +
	`<div class="actions actions--wizard"><button type="submit" name="action" value="next">Next</button> <button type="submit" name="action" value="back" class="secondary" formnovalidate>Back</button></div></form><details class="card small"><summary>Continue on another device</summary><p>Keep this private link to come back to your answers, for example from another device. Anyone with the link can see and change your unfinished answers, so do not share it.</p><p class="copy-link" data-testid="resume-link">{{.ResumeURL}}</p></details></main><footer class="site-footer"><p>icare · the ICARE service-culture self-assessment</p></footer></body></html>`))

// keyPageFixture is a key page with saved answers, and the context its
// CSRF token comes from.
func keyPageFixture(tb testing.TB) (views.KeyPage, context.Context) {
	p := views.KeyPage{
		SurveyFrame: views.SurveyFrame{TeamName: "Contact Centre", Action: "/s/A", Progress: views.Progress{Value: 3, Max: 7, Keys: 5},
			ResumeURL: "https://icare.example.org/resume/Zx8kP2mQ7rT4vW9yB3nC6dF1gH5jK0lM"},
		KeyID: "A", KeyName: "Attentiveness", Description: "Noticing what people need before they have to ask, and acting on it.",
		Labels: []string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"},
	}
	for i := range 5 {
		p.Statements = append(p.Statements, views.Statement{ID: fmt.Sprintf("A%d", i+1), Number: i + 1,
			Text: "I notice when a colleague or customer needs help & offer it before they ask.", Value: uint8(i)})
	}
	ctx := views.WithCSRF(context.Background(), "Q2xPZ3RoaXNJc0FDc3JmVG9rZW4xMjM0")
	var a, b bytes.Buffer
	if err := views.SurveyKey(p).Render(ctx, &a); err != nil {
		tb.Fatal(err)
	}
	if err := renderKeyTemplate(&b, p); err != nil {
		tb.Fatal(err)
	}
	if a.String() != b.String() {
		tb.Fatalf("the html/template markup differs from templ's:\ntempl:    %s\ntemplate: %s", a.String(), b.String())
	}
	return p, ctx
}

func renderKeyTemplate(w io.Writer, p views.KeyPage) error {
	return keyPageTemplate.Execute(w, struct {
		views.KeyPage
		CSRF string
	}{p, "Q2xPZ3RoaXNJc0FDc3JmVG9rZW4xMjM0"})
}

// BenchmarkKeyPageRender renders a key page with saved answers with templ
// and, in the same loop, the same markup with html/template, and reports
// each one's time and templ's share of html/template's (the goal: at most
// 0.25).
//
//	go test -run '^$' -bench KeyPageRender ./views/
func BenchmarkKeyPageRender(b *testing.B) {
	p, ctx := keyPageFixture(b)
	var buf bytes.Buffer
	var took [2]time.Duration
	for range b.N {
		buf.Reset()
		start := time.Now()
		if err := views.SurveyKey(p).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
		took[0] += time.Since(start)
		buf.Reset()
		start = time.Now()
		if err := renderKeyTemplate(&buf, p); err != nil {
			b.Fatal(err)
		}
		took[1] += time.Since(start)
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(per(took[0]), "µs/templ")
	b.ReportMetric(per(took[1]), "µs/html-template")
	b.ReportMetric(float64(took[0])/float64(took[1]), "templ/html-template")
}

// TestKeyPageTemplateIsTheSameMarkup keeps the benchmark honest: its
// html/template page is byte for byte templ's.
func TestKeyPageTemplateIsTheSameMarkup(t *testing.T) { keyPageFixture(t) }
