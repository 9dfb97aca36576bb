package handlers_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/scoring"
)

// teamsFixture is an organization whose every number is worked out by hand
// in TestTeamsCSV. Everyone answers from the frontline perspective, so the
// perspective cells decide nothing.
//
//	=cmd|' /C calc'!A0  headcount 5   3 × pattern 5 (100), 2 × pattern 1 (0)
//	Ops                 headcount 16  no direct respondents (a headcount counts sub-teams)
//	  Billing           headcount 4   2 × pattern 5 (100)
//	  Contact           headcount 10  6 × pattern 4 (75)
//	Sales               no headcount  5 × I, C, R at 3 (50), A at 4 (75), E at 2 (25)
func teamsFixture(a *app) {
	a.team(formulaTeam, "", intp(5))
	a.team("Ops", "", intp(16))
	a.team("Contact", "Ops", intp(10))
	a.team("Billing", "Ops", intp(4))
	a.team("Sales", "", nil)
	a.openRound("2027 Q1")
	for range 3 {
		a.submit(formulaTeam, "frontline", pattern(5), "")
	}
	for range 2 {
		a.submit(formulaTeam, "frontline", pattern(1), "")
	}
	for range 2 {
		a.submit("Billing", "frontline", pattern(5), "")
	}
	for range 6 {
		a.submit("Contact", "frontline", pattern(4), "")
	}
	sales := pattern(3)
	a4, e2 := pattern(4), pattern(2)
	copy(sales[10:15], a4[10:15])
	copy(sales[20:25], e2[20:25])
	for range 5 {
		a.submit("Sales", "frontline", sales, "")
	}
	// Results are published when the round closes.
	a.closeRound()
}

func TestTeamsCSV(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		teamsFixture(a)
		a.viewer("admin", models.RoleAdmin)
		a.viewer("ops", models.RoleLeader, "Ops")
		a.viewer("contact", models.RoleLeader, "Contact")
		body := a.download("admin", "/export/teams.csv")
		fav := func(s string) string { return strings.TrimSuffix(strings.Repeat(s+",", 5), ",") }
		want := []string{
			strings.Join(export.TeamColumns(), ","),
			// 3 × 100 and 2 × 0: 60 everywhere; 15 of 25 item answers favorable; ties go to ideal.
			"2027 Q1,'" + formulaTeam + ",'" + formulaTeam + ",5,5,100.00,false," + fav("60.00") + ",60.00," + fav("60.00") + ",ideal,ideal",
			// Ops pools Billing and Contact: (2 × 100 + 6 × 75) / 8 = 81.25; 8 of 16 people answered.
			"2027 Q1,Ops,Ops,8,16,50.00,false," + fav("81.25") + ",81.25," + fav("100.00") + ",ideal,ideal",
			// Billing has 2 < k. Contact has 6, but showing it beside Ops would reveal Billing's 2.
			"2027 Q1,Billing,Ops / Billing,2,4,50.00,true,,,,,,,,,,,,,",
			"2027 Q1,Contact,Ops / Contact,6,10,60.00,true,,,,,,,,,,,,,",
			// Sales: no headcount, so no rate; index (50+50+75+50+25)/5 = 50.
			"2027 Q1,Sales,Sales,5,,,false,50.00,50.00,75.00,50.00,25.00,50.00,0.00,0.00,100.00,0.00,0.00,attentiveness,empowerment",
		}
		if got := strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("teams.csv:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		names := func(viewer string) string {
			var ns []string
			for _, row := range parse(t, a.download(viewer, "/export/teams.csv"), ',').rows {
				ns = append(ns, row["team"])
			}
			return strings.Join(ns, ",")
		}
		if got := names("ops"); got != "Ops,Billing,Contact" {
			t.Errorf("teams.csv of the leader of Ops: got %s want Ops,Billing,Contact", got)
		}
		if got := names("contact"); got != "Contact" {
			t.Errorf("teams.csv of the leader of Contact: got %s want Contact", got)
		}
		semi := a.download("admin", "/export/teams.csv?delimiter=semicolon&bom=1")
		if want := "\xef\xbb\xbfround;team;team_path;n;"; !bytes.HasPrefix(semi, []byte(want)) {
			t.Errorf("teams.csv?delimiter=semicolon&bom=1: got %.40q want it to start %q", semi, want)
		}
		// Semicolons come with decimal commas, as spreadsheets there read
		// numbers.
		if !bytes.Contains(semi, []byte("\r\n2027 Q1;Ops;Ops;8;16;50,00;false;81,25;81,25;81,25;81,25;81,25;81,25;100,00;")) {
			t.Errorf("teams.csv with semicolons: the Ops row is not as in the comma file, with decimal commas: %q", semi)
		}
	})
}

func TestOrganizationCSV(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		teamsFixture(a)
		a.viewer("lead", models.RoleLeader, "Contact")
		tb := parse(t, a.download("lead", "/export/organization.csv"), ',')
		if got := strings.Join(tb.header, ","); got != "round,key,n,mean_score,sd,ci_low,ci_high,favorable_pct,alpha" {
			t.Errorf("header: got %s", got)
		}
		var keys []string
		for _, row := range tb.rows {
			keys = append(keys, row["key"])
		}
		if got := strings.Join(keys, ","); got != "ideal,culture,attentiveness,responsiveness,empowerment,icare_index" {
			t.Fatalf("keys: got %s", got)
		}
		// By hand, ideal over all 18: (3·100 + 2·0 + 2·100 + 6·75 + 5·50) / 18 = 1200/18 = 66.67.
		if r := tb.rows[0]; r["n"] != "18" || r["mean_score"] != "66.67" || r["alpha"] != "" {
			t.Errorf("ideal: got n %q mean %q alpha %q want 18, 66.67 and no alpha (fewer than 30 respondents)", r["n"], r["mean_score"], r["alpha"])
		}
		// And every cell as the scoring module has it.
		var agg scoring.Aggregate
		for _, v := range []uint8{5, 5, 5, 1, 1, 5, 5, 4, 4, 4, 4, 4, 4} {
			agg.Add(pattern(v))
		}
		sales := pattern(3)
		a4, e2 := pattern(4), pattern(2)
		copy(sales[10:15], a4[10:15])
		copy(sales[20:25], e2[20:25])
		for range 5 {
			agg.Add(sales)
		}
		p := agg.Profile()
		check := func(row map[string]string, st scoring.Stats, favorable, alpha scoring.Value) {
			want := map[string]string{"round": "2027 Q1", "n": strconv.Itoa(st.N), "mean_score": decimal2(st.Mean), "sd": decimal2(st.SD),
				"ci_low": decimal2(st.CILow), "ci_high": decimal2(st.CIHigh), "favorable_pct": decimal2(favorable), "alpha": decimal2(alpha)}
			for col, w := range want {
				if row[col] != w {
					t.Errorf("%s %s: got %q want %q", row["key"], col, row[col], w)
				}
			}
		}
		for k := range scoring.NumKeys {
			check(tb.rows[k], p.Keys[k].Stats, p.Keys[k].FavorablePct, p.Keys[k].Alpha)
		}
		check(tb.rows[5], p.Index, scoring.Value{}, scoring.Value{})

		// A round of 5: 4 score 0 and 1 scores 100, so the interval reaches
		// below 0 and ci_low stays a negative number, not text.
		a.openRound("2027 Q2")
		for _, v := range []uint8{1, 1, 1, 1, 5} {
			a.submit("Sales", "frontline", pattern(v), "")
		}
		a.closeRound()
		tb = parse(t, a.download("lead", "/export/organization.csv"), ',')
		// mean 20, sd √(5·10000 − 100²)/√(5·4) = 44.72, t(0.975, 4) = 2.776: 20 ∓ 55.53.
		if r := tb.rows[0]; r["mean_score"] != "20.00" || r["sd"] != "44.72" || r["ci_low"] != "-35.53" || r["ci_high"] != "75.53" {
			t.Errorf("small round: got mean %q sd %q ci %q … %q want 20.00, 44.72, -35.53 … 75.53", r["mean_score"], r["sd"], r["ci_low"], r["ci_high"])
		}

		// A round of 4 hides the organization: the rows stay, every number empty.
		a.openRound("2027 Q3")
		for range 4 {
			a.submit("Sales", "frontline", pattern(4), "")
		}
		a.closeRound()
		body := a.download("lead", "/export/organization.csv")
		want := "round,key,n,mean_score,sd,ci_low,ci_high,favorable_pct,alpha\r\n" +
			"2027 Q3,ideal,,,,,,,\r\n2027 Q3,culture,,,,,,,\r\n2027 Q3,attentiveness,,,,,,,\r\n" +
			"2027 Q3,responsiveness,,,,,,,\r\n2027 Q3,empowerment,,,,,,,\r\n2027 Q3,icare_index,,,,,,,\r\n"
		if string(body) != want {
			t.Errorf("organization.csv of a hidden organization:\n got %q\nwant %q", body, want)
		}
	})
}

// TestOrganizationAlpha: with 30 respondents who answered every item,
// Cronbach's alpha appears, as the scoring module computes it.
func TestOrganizationAlpha(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		a.team("Sales", "", nil)
		a.openRound("2027 Q1")
		a.viewer("admin", models.RoleAdmin)
		rng := rand.New(rand.NewPCG(30, 1))
		var agg scoring.Aggregate
		for range 30 {
			base := 1 + rng.IntN(5)
			var ans scoring.Answers
			for i := range ans {
				ans[i] = uint8(min(5, max(1, base+rng.IntN(3)-1)))
			}
			agg.Add(ans)
			a.submit("Sales", "frontline", ans, "")
		}
		a.closeRound()
		p := agg.Profile()
		tb := parse(t, a.download("admin", "/export/organization.csv"), ',')
		for k, slug := range scoring.KeySlugs() {
			if !p.Keys[k].Alpha.OK {
				t.Fatalf("%s: the scoring module has no alpha for 30 complete respondents", slug)
			}
			if got, want := tb.rows[k]["alpha"], decimal2(p.Keys[k].Alpha); got != want {
				t.Errorf("%s alpha: got %q want %q", slug, got, want)
			}
		}
		if got := tb.rows[5]["alpha"]; got != "" {
			t.Errorf("icare_index alpha: got %q want empty", got)
		}
	})
}

// TestCodebookAndResponsesRecomputeTeams recomputes every shown team's row
// of teams.csv from codebook.csv and responses.csv alone, with the rules of
// scoring written out here, and finds the same numbers to 2 decimals.
func TestCodebookAndResponsesRecomputeTeams(t *testing.T) {
	forEngines(t, func(t *testing.T, a *app) {
		a.team("Ops", "", nil)
		a.team("Contact", "Ops", nil)
		a.team("Night shift", "Contact", nil)
		a.team("Field", "Ops", nil)
		a.team("Sales", "", nil)
		a.openRound("2027 Q1")
		rng := rand.New(rand.NewPCG(6, 6))
		// Ops 21 in all, Contact 11, Night shift 5, Field 7, Sales 9: Field is
		// hidden so that Ops's 3 direct respondents cannot be worked out.
		for _, tn := range []struct {
			team string
			n    int
		}{{"Ops", 3}, {"Contact", 6}, {"Night shift", 5}, {"Field", 7}, {"Sales", 9}} {
			team := tn.team
			for range tn.n {
				lean := rng.IntN(3)
				var ans scoring.Answers
				for i := range ans {
					if rng.IntN(9) != 0 {
						ans[i] = uint8(1 + min(4, lean+rng.IntN(3)))
					}
				}
				a.submit(team, "frontline", ans, "")
			}
		}
		a.closeRound()
		a.viewer("admin", models.RoleAdmin)
		code := parse(t, a.download("admin", "/export/codebook.csv"), ',')
		resp := parse(t, a.download("admin", "/export/responses.csv"), ',')
		teams := parse(t, a.download("admin", "/export/teams.csv"), ',')
		if len(code.rows) != 25 {
			t.Fatalf("codebook rows: got %d want 25", len(code.rows))
		}
		keys := []string{"ideal", "culture", "attentiveness", "responsiveness", "empowerment"}
		type group struct {
			n                   int
			scoreSum            [5]float64
			scoreN              [5]int
			indexSum            float64
			indexN              int
			favorable, answered [5]int
			// shareN counts the respondents who answered any statement of
			// a key: the respondents behind its favorable share.
			shareN [5]int
		}
		shown := 0
		for _, tr := range teams.rows {
			var g group
			for _, rr := range resp.rows {
				if rr["team_path"] != tr["team_path"] && !strings.HasPrefix(rr["team_path"], tr["team_path"]+" / ") {
					continue
				}
				g.n++
				var sum [5]float64
				var cnt [5]int
				for _, item := range code.rows {
					if item["instrument_version"] != rr["instrument_version"] || rr[item["item"]] == "" {
						continue
					}
					v, _ := strconv.Atoi(rr[item["item"]])
					if item["reverse"] == "true" {
						v = 6 - v
					}
					k := indexOf(keys, item["key"])
					sum[k] += float64(v)
					cnt[k]++
					g.answered[k]++
					if v >= 4 {
						g.favorable[k]++
					}
				}
				for k := range keys {
					if cnt[k] > 0 {
						g.shareN[k]++
					}
				}
				all, index := true, 0.0
				for k := range keys {
					if cnt[k] < 4 {
						all = false
						continue
					}
					s := (sum[k]/float64(cnt[k]) - 1) / 4 * 100
					g.scoreSum[k] += s
					g.scoreN[k]++
					index += s / 5
				}
				if all {
					g.indexSum += index
					g.indexN++
				}
			}
			if tr["n"] != strconv.Itoa(g.n) {
				t.Errorf("%s n: teams.csv %s, recomputed %d", tr["team"], tr["n"], g.n)
			}
			if tr["suppressed"] == "true" {
				continue
			}
			shown++
			// A key that fewer than k of the team's respondents answered
			// fully enough has no mean, and a favorable share that fewer
			// than k answered at all is left empty too: each figure counts
			// its own respondents. Every other number is recomputed from
			// the two files.
			means := make([]float64, 5)
			var left []int
			for k, key := range keys {
				if g.shareN[k] < 5 {
					if tr[key+"_favorable"] != "" {
						t.Errorf("%s %s_favorable: %d respondents, under k, yet shown: %q", tr["team"], key, g.shareN[k], tr[key+"_favorable"])
					}
				} else {
					near(t, tr["team"]+" "+key+"_favorable", tr[key+"_favorable"], 100*float64(g.favorable[k])/float64(g.answered[k]))
				}
				if g.scoreN[k] < 5 {
					if tr[key] != "" {
						t.Errorf("%s %s: %d respondents, under k, yet shown: %q", tr["team"], key, g.scoreN[k], tr[key])
					}
					continue
				}
				left = append(left, k)
				means[k] = g.scoreSum[k] / float64(g.scoreN[k])
				near(t, tr["team"]+" "+key, tr[key], means[k])
			}
			if g.indexN < 5 {
				if tr["icare_index"] != "" {
					t.Errorf("%s icare_index of %d respondents shown", tr["team"], g.indexN)
				}
			} else {
				near(t, tr["team"]+" icare_index", tr["icare_index"], g.indexSum/float64(g.indexN))
			}
			if len(left) == 0 {
				continue
			}
			best, worst := left[0], left[0]
			for _, k := range left {
				if means[k] > means[best]+1e-9 {
					best = k
				}
				if means[k] < means[worst]-1e-9 {
					worst = k
				}
			}
			if tr["strongest"] != keys[best] || tr["weakest"] != keys[worst] {
				t.Errorf("%s: strongest %s weakest %s, recomputed %s and %s", tr["team"], tr["strongest"], tr["weakest"], keys[best], keys[worst])
			}
		}
		if shown != 4 {
			t.Errorf("shown teams: got %d want 4 (all but Field)", shown)
		}
	})
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

// near checks a 2-decimal cell against a value computed in full precision.
func near(t *testing.T, what, cell string, want float64) {
	t.Helper()
	got, err := strconv.ParseFloat(cell, 64)
	if err != nil || math.Abs(got-want) > 0.005+1e-9 || cell != strconv.FormatFloat(got, 'f', 2, 64) {
		t.Errorf("%s: got %q want %.4f to 2 decimals", what, cell, want)
	}
}
