package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestExportLinks(t *testing.T) {
	d := renderDoc(t, ExportLinks(7, true))
	for _, kind := range []string{"teams", "organization", "codebook", "responses"} {
		item := d.Find(`[data-testid="export-` + kind + `"]`)
		var hrefs []string
		item.Find("a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			hrefs = append(hrefs, href)
			if _, ok := a.Attr("download"); !ok {
				t.Errorf("%s link %s has no download attribute", kind, href)
			}
		})
		want := "/export/" + kind + ".csv?round=7 " +
			"/export/" + kind + ".xlsx?round=7 " +
			"/export/" + kind + ".csv?bom=1&delimiter=semicolon&round=7"
		if got := strings.Join(hrefs, " "); got != want {
			t.Errorf("%s links:\n got %s\nwant %s", kind, got, want)
		}
		if strings.TrimSpace(item.Find(".hint").Text()) == "" {
			t.Errorf("%s has no description", kind)
		}
	}
	leader := renderDoc(t, ExportLinks(7, false))
	if n := leader.Find(`[data-testid="export-responses"]`).Length(); n != 0 {
		t.Error("a leader is offered the raw responses, which are for admins only")
	}
	if n := leader.Find(`[data-testid="export-links"] a.button`).Length(); n != 3 {
		t.Errorf("a leader's downloads: got %d want 3 (teams, organization, codebook)", n)
	}
}
