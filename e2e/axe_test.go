package e2e

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeScript is axe-core from e2e/node_modules.
const axeScript = "node_modules/axe-core/axe.min.js"

// axeViolation is one rule axe found broken on a page.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// axeCheck runs axe-core on the open page with WCAG 2.1 A and AA and the
// best-practice rules, and returns the violations.
func axeCheck(ctx context.Context, script string) ([]axeViolation, error) {
	var raw string
	err := chromedp.Run(ctx, chromedp.Evaluate(script, nil), chromedp.Evaluate(`
		axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
			.then(r => JSON.stringify(r.violations))`, &raw, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		return nil, err
	}
	var vs []axeViolation
	return vs, json.Unmarshal([]byte(raw), &vs)
}

// TestEveryPageHasNoAxeViolations: axe-core finds nothing on the pages of
// the journeys, in light and in dark mode.
func TestEveryPageHasNoAxeViolations(t *testing.T) {
	needBrowser(t)
	needNode(t)
	script, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, true)
	link := regexp.MustCompile(`(?m)^Sales\t(\S+/t/\S+)$`).FindStringSubmatch(srv.command(t, "team", "list"))
	if link == nil {
		t.Fatal("no Sales team in the demo")
	}
	ctx := openBrowser(t, 1280, 1000)
	visit := []string{link[1], "/s/perspective", "/s/I", "/s/comment", "/c", "/login"}
	if err := chromedp.Run(ctx, chromedp.Navigate(link[1]), chromedp.Click(`button[value="start"]`, chromedp.ByQuery), at("/s/perspective")); err != nil {
		t.Fatal(err)
	}
	leader := []string{"/home", "/dashboard", "/dashboard/heatmap", "/dashboard/compare?g=org&g=perspective:manager",
		"/dashboard/trend?g=org", "/dashboard/perspectives?g=org", "/dashboard/comments?g=org", "/admin/teams", "/admin/rounds",
		"/admin/users", "/admin/audit", "/account/password", "/account/tokens", "/teams/1", "/teams/1/plan", "/admin/teams/1",
		"/admin/users/1"}
	checked, found := 0, 0
	run := func(pages []string) {
		for _, mode := range []string{"light", "dark"} {
			if err := chromedp.Run(ctx, emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: mode}})); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				target := p
				if strings.HasPrefix(p, "/") {
					target = srv.base + p
				}
				if err := chromedp.Run(ctx, chromedp.Navigate(target)); err != nil {
					t.Fatal(err)
				}
				vs, err := axeCheck(ctx, string(script))
				if err != nil {
					t.Fatalf("axe on %s: %v", p, err)
				}
				checked++
				for _, v := range vs {
					found++
					var where []string
					for _, n := range v.Nodes {
						where = append(where, strings.Join(n.Target, " "))
					}
					t.Errorf("%s (%s): %s — %s at %s", p, mode, v.ID, v.Help, strings.Join(where, ", "))
				}
			}
		}
	}
	run(visit)
	var result string
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.base+"/s/comment"), chromedp.Click(`button[value="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="score-table"]`, chromedp.ByQuery), chromedp.Location(&result)); err != nil {
		t.Fatal(err)
	}
	run([]string{result})
	if err := chromedp.Run(ctx, signIn("demo@icare.example", srv.demoPassword, srv.base)); err != nil {
		t.Fatal(err)
	}
	run(leader)
	report(t, "axe-core: %d page views (light and dark), %d violations", checked, found)
}
