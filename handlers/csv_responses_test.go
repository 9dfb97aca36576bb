package handlers_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// formulaTeam is a team name that is also a spreadsheet command.
const formulaTeam = "=cmd|' /C calc'!A0"

// roundTripFixture stores responses that exercise every rule of the files: skipped
// items, a straightlined response, every perspective, and comments with
// delimiters, quotes, line breaks and formula starts. It returns them in
// submission order.
func roundTripFixture(a *app) []models.Response {
	a.team("Customer Operations", "", intp(3))
	a.team("Contact Centre – Zoë's", "Customer Operations", intp(12))
	a.team(formulaTeam, "", nil)
	a.openRound("2027 Q0")
	a.submit(formulaTeam, "frontline", pattern(2), "an earlier round")
	a.closeRound()
	a.openRound("2027 Q1")
	skipped := pattern(4)
	skipped[2] = 0                          // I3 skipped: I keeps 4 of 5
	skipped[10], skipped[11] = 0, 0         // A1, A2 skipped: A is missing, and so is the index
	mixed := scoring.Answers{5, 4, 3, 2, 1} // I answered, everything else skipped
	for i := 5; i < scoring.NumItems; i++ {
		mixed[i] = uint8(1 + (i*3)%5)
	}
	rs := []models.Response{
		a.submit("Contact Centre – Zoë's", "frontline", mixed, `Plain comment, with a comma and "quotes"; and a semicolon`),
		a.submit("Contact Centre – Zoë's", "manager", skipped, "first line\nsecond line"),
		a.submit(formulaTeam, "senior_leader", pattern(4), `=HYPERLINK("http://evil.example","click")`),
		a.submit("Customer Operations", "unspecified", pattern(5), "+1 for training"),
		a.submit("Contact Centre – Zoë's", "frontline", pattern(3), "-2 points for handovers"),
		a.submit("Contact Centre – Zoë's", "frontline", pattern(1), " @here please read"),
		a.submit(formulaTeam, "frontline", scoring.Answers{}, ""),
	}
	var same scoring.Answers
	for i := range same {
		same[i] = 4
	}
	rs = append(rs, a.submit("Customer Operations", "manager", same, "\ttabbed"))
	if _, err := a.store.StartResponse(context.Background(), a.teams[formulaTeam].ID); err != nil { // in progress: never exported
		a.t.Fatal(err)
	}
	return rs
}

func decimal2(v scoring.Value) string {
	if !v.OK {
		return ""
	}
	return strconv.FormatFloat(v.V, 'f', 2, 64)
}

// TestResponsesCSVRoundTrip exports a round, parses it with encoding/csv and
// compares every cell with what the database holds and what the scoring
// module computes from it.
func TestResponsesCSVRoundTrip(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		submitted := roundTripFixture(a)
		a.viewer("admin", models.RoleAdmin)
		tb := parse(t, a.download("admin", "/export/responses.csv"), ',')
		if got, want := strings.Join(tb.header, ","), strings.Join(export.ResponseColumns(), ","); got != want {
			t.Errorf("header:\n got %s\nwant %s", got, want)
		}
		if len(tb.rows) != len(submitted) {
			t.Fatalf("rows: got %d want %d (submitted responses of the round only)", len(tb.rows), len(submitted))
		}
		paths := map[string]string{
			"Customer Operations":    "Customer Operations",
			"Contact Centre – Zoë's": "Customer Operations / Contact Centre – Zoë's",
			formulaTeam:              "'" + formulaTeam,
		}
		teamOf := map[uint]string{}
		for name, tm := range a.teams {
			teamOf[tm.ID] = name
		}
		for i, row := range tb.rows {
			id, err := strconv.ParseUint(row["response_id"], 10, 64)
			if err != nil || id != submitted[i].ID {
				t.Fatalf("row %d: response_id %q want %d (id order)", i, row["response_id"], submitted[i].ID)
			}
			r, err := a.store.ResponseByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"response_id":        row["response_id"], // checked above
				"round":              "2027 Q1",
				"team":               export.Neutralise(teamOf[r.TeamID]),
				"team_path":          paths[teamOf[r.TeamID]],
				"perspective":        r.Perspective,
				"instrument_version": "icare-v1",
				"submitted_at":       r.SubmittedAt.UTC().Format(time.RFC3339),
				"comment":            export.Neutralise(r.Comment),
			}
			ans := r.Answers()
			for j, item := range scoring.ItemIDs() {
				want[item] = ""
				if ans[j] != 0 {
					want[item] = strconv.Itoa(int(ans[j]))
				}
			}
			sc := scoring.ScoreResponse(ans)
			for k, slug := range scoring.KeySlugs() {
				want[slug] = decimal2(sc.Dims[k])
			}
			want["icare_index"] = decimal2(sc.Index)
			want["straightlined"] = strconv.FormatBool(sc.Straightlined)
			for _, col := range tb.header {
				if row[col] != want[col] {
					t.Errorf("response %d, %s: got %q want %q", id, col, row[col], want[col])
				}
			}
		}
		// A few cells worked out by hand. Row 2: I3 skipped, I = 4 of 5 at 4 → 75;
		// A has 3 of 5 → missing, and so is the index.
		if r := tb.rows[1]; r["I3"] != "" || r["ideal"] != "75.00" || r["attentiveness"] != "" || r["icare_index"] != "" || r["straightlined"] != "false" {
			t.Errorf("skipped items: got I3 %q ideal %q attentiveness %q index %q straightlined %q want \"\", 75.00, \"\", \"\", false",
				r["I3"], r["ideal"], r["attentiveness"], r["icare_index"], r["straightlined"])
		}
		// Row 8: 4 to every item (reverse ones included): straightlined, keys (4·4+2)/5 = 3.6 → 65.
		if r := tb.rows[7]; r["straightlined"] != "true" || r["empowerment"] != "65.00" || r["icare_index"] != "65.00" || r["I4"] != "4" {
			t.Errorf("straightlined row: got %v", r)
		}
		// Row 7: everything skipped.
		if r := tb.rows[6]; r["E5"] != "" || r["ideal"] != "" || r["icare_index"] != "" || r["straightlined"] != "false" || r["comment"] != "" {
			t.Errorf("all-skipped row: got %v", r)
		}
	})
}

// TestResponsesCSVDetails checks each detail of the CSV contract in the bytes of the file.
func TestResponsesCSVDetails(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		roundTripFixture(a)
		a.viewer("admin", models.RoleAdmin)
		plain := a.download("admin", "/export/responses.csv")
		if bytes.HasPrefix(plain, []byte(export.BOM)) || !bytes.HasPrefix(plain, []byte("response_id,round,")) {
			t.Errorf("without bom=1 the file must start with the header: got %.30q", plain)
		}
		withBOM := a.download("admin", "/export/responses.csv?bom=1")
		if !bytes.Equal(withBOM, append([]byte("\xef\xbb\xbf"), plain...)) {
			t.Errorf("bom=1: want EF BB BF before the same bytes; got %.30q", withBOM)
		}
		// Every line ends with \r\n, line breaks inside comments too.
		if bytes.Contains(bytes.ReplaceAll(plain, []byte("\r\n"), nil), []byte("\n")) || !bytes.HasSuffix(plain, []byte("\r\n")) {
			t.Error("a line ends without \\r\\n")
		}
		for _, want := range []string{
			`,"Plain comment, with a comma and ""quotes""; and a semicolon"` + "\r\n",
			`,"first line` + "\r\n" + `second line"` + "\r\n",
			`,"'=HYPERLINK(""http://evil.example"",""click"")"` + "\r\n",
			",'+1 for training\r\n",
			",'-2 points for handovers\r\n",
			",' @here please read\r\n", // spaces before a formula sign too
			",'\ttabbed\r\n",
			",'" + formulaTeam + ",'" + formulaTeam + ",",
			",Contact Centre – Zoë's,Customer Operations / Contact Centre – Zoë's,",
		} {
			if !bytes.Contains(plain, []byte(want)) {
				t.Errorf("comma file: want %q in it", want)
			}
		}
		semi := a.download("admin", "/export/responses.csv?delimiter=semicolon")
		for _, want := range []string{
			`;"Plain comment, with a comma and ""quotes""; and a semicolon"` + "\r\n",
			";'+1 for training\r\n",
			";frontline;icare-v1;",
		} {
			if !bytes.Contains(semi, []byte(want)) {
				t.Errorf("semicolon file: want %q in it", want)
			}
		}
		pc, ps := parse(t, plain, ','), parse(t, semi, ';')
		if len(pc.rows) != len(ps.rows) || strings.Join(pc.header, "|") != strings.Join(ps.header, "|") {
			t.Fatalf("semicolon file: %d rows, header %v; want %d rows, header %v", len(ps.rows), ps.header, len(pc.rows), pc.header)
		}
		// The same cells, with decimal commas in the numbers.
		numbers := map[string]bool{"ideal": true, "culture": true, "attentiveness": true, "responsiveness": true, "empowerment": true, "icare_index": true}
		for i := range pc.rows {
			for _, col := range pc.header {
				want := pc.rows[i][col]
				if numbers[col] {
					want = strings.ReplaceAll(want, ".", ",")
				}
				if ps.rows[i][col] != want {
					t.Errorf("row %d %s: semicolon file %q, comma file %q", i, col, ps.rows[i][col], pc.rows[i][col])
				}
			}
		}
		if got := pc.rows[1]["comment"]; got != "first line\nsecond line" {
			t.Errorf("comment with a line break read back: got %q", got)
		}
		// The same file once more: the export is reproducible.
		if again := a.download("admin", "/export/responses.csv"); !bytes.Equal(again, plain) {
			t.Error("two exports of the same round differ")
		}
	})
}

// TestEmptyRound: a round with no submitted response gives the header only
// in responses.csv, every team with n 0 and suppressed in teams.csv, and the
// organization's rows with empty numbers.
func TestEmptyRound(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		a.team("Sales", "", intp(4))
		a.openRound("2027 Q1")
		if _, err := a.store.StartResponse(context.Background(), a.teams["Sales"].ID); err != nil {
			t.Fatal(err)
		}
		a.viewer("admin", models.RoleAdmin)
		body := a.download("admin", "/export/responses.csv")
		if want := strings.Join(export.ResponseColumns(), ",") + "\r\n"; string(body) != want {
			t.Errorf("responses.csv of an empty round: got %q want the header only", body)
		}
		body = a.download("admin", "/export/teams.csv")
		if want := "2027 Q1,Sales,Sales,0,4,0.00,true" + strings.Repeat(",", 13) + "\r\n"; !strings.HasSuffix(string(body), want) {
			t.Errorf("teams.csv of an empty round: got %q want a row %q", body, want)
		}
		org := parse(t, a.download("admin", "/export/organization.csv"), ',')
		if len(org.rows) != 6 {
			t.Fatalf("organization.csv rows: got %d want 6", len(org.rows))
		}
		for _, row := range org.rows {
			for _, col := range org.header[2:] {
				if row[col] != "" {
					t.Errorf("organization.csv of an empty round, %s %s: got %q want empty", row["key"], col, row[col])
				}
			}
		}
	})
}
