package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ledongthuc/pdf"
)

// TestDashboardPrintsCleanly: the dashboard views printed to PDF by
// Chromium (A4) carry no navigation and keep their heading, on a few pages
// (the print styles keep each chart and table whole on a page).
func TestDashboardPrintsCleanly(t *testing.T) {
	needBrowser(t)
	srv := startServer(t, true)
	ctx := openBrowser(t, 1280, 1000)
	if err := chromedp.Run(ctx, signIn("demo@icare.example", srv.demoPassword, srv.base)); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ path, heading string }{
		{"/dashboard", "Organization overview"},
		{"/dashboard/heatmap", "Heatmap"},
		{"/dashboard/compare?g=org&g=perspective:manager", "Compare"},
		{"/dashboard/trend?g=org", "Trend"},
	} {
		var buf []byte
		err := chromedp.Run(ctx, chromedp.Navigate(srv.base+v.path), chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			buf, _, err = page.PrintToPDF().WithPaperWidth(8.27).WithPaperHeight(11.69).WithPrintBackground(false).Do(ctx)
			return err
		}))
		if err != nil {
			t.Fatalf("print %s: %v", v.path, err)
		}
		r, err := pdf.NewReader(bytes.NewReader(buf), int64(len(buf)))
		if err != nil {
			t.Fatalf("%s: not a PDF: %v", v.path, err)
		}
		var text strings.Builder
		for i := 1; i <= r.NumPage(); i++ {
			s, err := r.Page(i).GetPlainText(nil)
			if err != nil {
				t.Fatalf("%s page %d: %v", v.path, i, err)
			}
			text.WriteString(s)
		}
		all := text.String()
		for _, nav := range []string{"Sign out", "Audit log", "Skip to content"} {
			if strings.Contains(all, nav) {
				t.Errorf("%s printed with its navigation (%q)", v.path, nav)
			}
		}
		if !strings.Contains(all, v.heading) {
			t.Errorf("%s printed without its heading %q", v.path, v.heading)
		}
		report(t, "print %s: %d pages, %d characters of text", v.path, r.NumPage(), len(all))
		if r.NumPage() < 1 || r.NumPage() > 6 {
			t.Errorf("%s printed on %d pages", v.path, r.NumPage())
		}
	}
}
