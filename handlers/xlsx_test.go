package handlers_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbook downloads target as viewer, wants a workbook, and opens it.
func workbook(t *testing.T, a *app, viewer, target string) (*excelize.File, []byte) {
	t.Helper()
	rec := a.get(viewer, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %.200s", target, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, ".xlsx\"") {
		t.Errorf("GET %s: Content-Disposition %q", target, cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("GET %s: not a workbook: %v", target, err)
	}
	t.Cleanup(func() { f.Close() })
	return f, rec.Body.Bytes()
}

// sameCell compares a CSV cell with the raw value of the workbook's cell of
// type typ: numbers as numbers (the file rounds to 2 decimals), times as
// date-times, true and false as booleans, text as text (the CSV's leading '
// against formulas aside).
func sameCell(f *excelize.File, c, raw string, typ excelize.CellType) bool {
	if c == "" {
		return raw == ""
	}
	if c == "true" || c == "false" {
		return typ == excelize.CellTypeBool && (raw == "1") == (c == "true")
	}
	if day, err := time.Parse(time.DateOnly, c); err == nil {
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return false
		}
		got, err := excelize.ExcelDateToTime(serial, false)
		return err == nil && got.Equal(day)
	}
	if at, err := time.Parse(time.RFC3339, c); err == nil {
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return false
		}
		got, err := excelize.ExcelDateToTime(serial, false)
		return err == nil && math.Abs(got.Sub(at).Seconds()) < 1
	}
	if want, err := strconv.ParseFloat(c, 64); err == nil && !strings.HasPrefix(c, "'") {
		got, err := strconv.ParseFloat(raw, 64)
		return err == nil && typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString &&
			math.Abs(math.Round(got*100)/100-want) < 1e-9
	}
	return typ != excelize.CellTypeNumber && (raw == c || "'"+raw == c)
}

// compareSheet holds every cell of sheet against the CSV body.
func compareSheet(t *testing.T, f *excelize.File, sheet string, body []byte) {
	t.Helper()
	want, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%s: %d rows, the CSV has %d", sheet, len(rows), len(want))
	}
	for i, row := range want {
		for j, c := range row {
			name, _ := excelize.CoordinatesToCellName(j+1, i+1)
			raw := ""
			if j < len(rows[i]) {
				raw = rows[i][j]
			}
			typ, _ := f.GetCellType(sheet, name)
			if !sameCell(f, c, raw, typ) {
				t.Errorf("%s!%s (%s): workbook %q (type %d), CSV %q", sheet, name, want[0][j], raw, typ, c)
			}
			if formula, _ := f.GetCellFormula(sheet, name); formula != "" {
				t.Errorf("%s!%s holds a formula: %q", sheet, name, formula)
			}
		}
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("%s: the header row is not frozen: %+v %v", sheet, panes, err)
	}
	if w, _ := f.GetColWidth(sheet, "A"); w < 8 {
		t.Errorf("%s: column A is %v wide", sheet, w)
	}
}

// TestWorkbooksEqualTheCSVFiles: every download's workbook holds the CSV
// file's cells, each as the kind of cell it is, under the same access.
func TestWorkbooksEqualTheCSVFiles(t *testing.T) {
	a := newApp(t)
	closed := apiFixture(a)
	a.viewer("admin", "admin")
	a.viewer("lead", "leader", "Support")
	q := "?round=" + strconv.Itoa(int(closed.ID))
	support := strconv.Itoa(int(a.teams["Support"].ID))
	plan := "/teams/" + support + "/plan" + q
	a.viewers["admin"].get(plan)
	wantRedirect(t, a.viewers["admin"].post(plan, planForm([]string{"E"}, "=notes", [4]string{"Call back the same day", "Sam", "2027-05-15", "doing"})), "/teams/")
	long := a.team("Customer Success Operations EMEA North", "", intp(5))
	longPage := "/admin/teams/" + strconv.Itoa(int(long.ID))
	a.viewers["admin"].get(longPage)
	wantRedirect(t, a.viewers["admin"].post(longPage+"/codes", url.Values{"count": {"2"}}), longPage)
	for _, c := range []struct{ viewer, csv, xlsx, sheet string }{
		{"admin", "/export/teams.csv" + q, "/export/teams.xlsx" + q, "teams"},
		{"lead", "/export/teams.csv" + q, "/export/teams.xlsx" + q, "teams"},
		{"admin", "/export/organization.csv" + q, "/export/organization.xlsx" + q, "organization"},
		{"lead", "/export/codebook.csv" + q, "/export/codebook.xlsx" + q, "codebook"},
		{"admin", "/dashboard/compare" + q + "&g=org&g=team:" + support + "&format=csv", "/dashboard/compare" + q + "&g=org&g=team:" + support + "&format=xlsx", "compare"},
		{"lead", "/export/plans.csv", "/export/plans.xlsx", "plans"},
		{"admin", longPage + "/codes.csv", longPage + "/codes.xlsx", "codes"},
	} {
		f, _ := workbook(t, a, c.viewer, c.xlsx)
		compareSheet(t, f, c.sheet, a.download(c.viewer, c.csv))
	}
	if rec := a.get("lead", "/export/responses.xlsx"+q); rec.Code != http.StatusForbidden {
		t.Errorf("responses.xlsx for a leader: %d want 403", rec.Code)
	}
	if rec := a.get("", "/export/teams.xlsx"+q); rec.Code != http.StatusUnauthorized {
		t.Errorf("teams.xlsx signed out: %d want 401", rec.Code)
	}
}

// TestResponsesWorkbook: the raw responses as a workbook, with the
// codebook as its second sheet; and, where LibreOffice is installed (CI
// installs it), a real spreadsheet reads the workbook back to the CSV's
// values.
func TestResponsesWorkbook(t *testing.T) {
	a := newApp(t)
	roundTripFixture(a)
	a.viewer("admin", "admin")
	f, raw := workbook(t, a, "admin", "/export/responses.xlsx")
	body := a.download("admin", "/export/responses.csv")
	compareSheet(t, f, "responses", body)
	compareSheet(t, f, "codebook", a.download("admin", "/export/codebook.csv"))
	if got := f.GetSheetList(); strings.Join(got, " ") != "responses codebook" {
		t.Errorf("sheets: %v", got)
	}

	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("LibreOffice (soffice) is missing; .ci/run installs libreoffice-calc-nogui")
		}
		t.Skip("LibreOffice (soffice) is not installed: the round trip through a real spreadsheet is left to CI")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "responses.xlsx")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	converted, err := os.ReadFile(filepath.Join(dir, "responses.csv"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(bytes.NewReader(converted)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if len(got) != len(want) {
		t.Fatalf("LibreOffice read %d rows, the CSV has %d", len(got), len(want))
	}
	t.Logf("LibreOffice read the workbook back: %d rows of %d cells, compared with the CSV", len(got), len(want[0]))
	for i := range want {
		for j, c := range want[i] {
			g := ""
			if j < len(got[i]) {
				g = got[i][j]
			}
			if at, err := time.Parse(time.RFC3339, c); err == nil {
				g2, err := time.Parse("2006-01-02 15:04:05", g)
				if err != nil || !g2.Equal(at) {
					t.Errorf("row %d %s: LibreOffice %q, CSV %q", i, want[0][j], g, c)
				}
				continue
			}
			if strings.EqualFold(g, c) || "'"+g == c {
				continue
			}
			t.Errorf("row %d %s: LibreOffice %q, CSV %q", i, want[0][j], g, c)
		}
	}
}
