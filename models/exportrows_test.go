package models_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/icare-hr/icare/export"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
	"github.com/icare-hr/icare/scoring"
)

// submitAnswers stores one submitted response of team with answers, a
// perspective and a comment.
func submitAnswers(t *testing.T, s *models.Store, teamID uint, persp string, a scoring.Answers, comment string) models.Response {
	t.Helper()
	ctx := context.Background()
	st, err := s.StartResponse(ctx, teamID)
	if err != nil {
		t.Fatal(err)
	}
	p := models.Progress{Answers: a, Perspective: &persp, Comment: &comment}
	for i := range scoring.NumItems {
		p.Items = append(p.Items, i)
	}
	if err := s.SaveProgress(ctx, st.Response.ID, p); err != nil {
		t.Fatal(err)
	}
	r, err := s.Submit(ctx, st.Response.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// exportLines reads every submitted response of round through
// ExportResponses in batches of limit and formats each as responses.csv
// would, from its kept cells or afresh. It also reports how many rows came
// with kept cells.
func exportLines(t *testing.T, s *models.Store, roundID uint, limit int) (lines []string, kept int) {
	t.Helper()
	var after uint64
	for {
		more, err := s.ExportResponses(context.Background(), roundID, after, limit, func(r *models.ExportRow) error {
			if r.ID <= after {
				return fmt.Errorf("response %d after %d: ids must rise", r.ID, after)
			}
			after = r.ID
			var buf bytes.Buffer
			w, _ := export.NewWriter(&buf, export.Comma)
			w.Uint(r.ID)
			w.Uint(uint64(r.TeamID))
			if r.Cells != nil {
				kept++
				w.StoredCells(r.Cells)
			} else {
				w.ResponseCells(r.Perspective, r.InstrumentVersion, r.SubmittedAt, r.Answers)
			}
			w.TextBytes(r.Comment)
			_ = w.EndRow()
			_ = w.Flush()
			lines = append(lines, buf.String())
			return nil
		})
		if err != nil {
			t.Fatalf("export after %d: %v", after, err)
		}
		if !more {
			return lines, kept
		}
	}
}

// TestExportResponsesKeptAndFresh: Submit keeps each response's cells;
// ExportResponses reads them in keyset batches, submitted responses of the
// round only; and with the kept cells gone every row comes out the same,
// formatted afresh from the answer columns.
func TestExportResponsesKeptAndFresh(t *testing.T) {
	// A clock away from whole seconds: MySQL rounds fractions to its column's
	// milliseconds, which could move a time read back past a second boundary.
	clock := models.WithNow(func() time.Time { return time.Date(2027, 2, 1, 9, 0, 0, 250_000_000, time.UTC) })
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testExportResponsesKeptAndFresh(t, dbtest.Open(t, e, clock)) })
	}
}

func testExportResponsesKeptAndFresh(t *testing.T, s *models.Store) {
	ctx := context.Background()
	sales, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Sales"})
	ops, _ := s.CreateTeam(ctx, models.NewTeam{Name: "Ops"})
	first, err := s.CreateRound(ctx, models.NewRound{Name: "R1", Open: true})
	if err != nil {
		t.Fatal(err)
	}
	submitAnswers(t, s, sales.ID, "manager", scoring.Answers{5, 4}, "earlier round")
	if _, err := s.CloseRound(ctx, models.CommandLine, first.ID); err != nil {
		t.Fatal(err)
	}
	round, err := s.CreateRound(ctx, models.NewRound{Name: "R2", Open: true})
	if err != nil {
		t.Fatal(err)
	}
	var want []models.Response
	for i := range 5 {
		var a scoring.Answers
		for j := range a {
			if (i+j)%6 != 0 {
				a[j] = uint8(1 + (i*7+j)%5)
			}
		}
		team := sales
		if i%2 == 1 {
			team = ops
		}
		want = append(want, submitAnswers(t, s, team.ID, scoring.Perspectives[i%4], a, fmt.Sprintf("comment %d, \"quoted\"\nline two", i)))
	}
	if _, err := s.StartResponse(ctx, sales.ID); err != nil { // in progress: never exported
		t.Fatal(err)
	}
	got, err := s.ResponseByID(ctx, want[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	wantCells := export.StoredResponseCells(got.Perspective, got.InstrumentVersion, *got.SubmittedAt, got.Answers())
	if got.ExportCells == "" || got.ExportCells != wantCells {
		t.Errorf("kept cells: got %q want %q", got.ExportCells, wantCells)
	}

	lines, kept := exportLines(t, s, round.ID, 2)
	if len(lines) != 5 || kept != 5 {
		t.Fatalf("rows: got %d (%d with kept cells) want 5 (5)", len(lines), kept)
	}
	for i, r := range want {
		if prefix := fmt.Sprintf("%d,%d,", r.ID, r.TeamID); lines[i][:len(prefix)] != prefix {
			t.Errorf("row %d: got %q want it to start %q", i, lines[i], prefix)
		}
		if suffix := fmt.Sprintf(",\"comment %d, \"\"quoted\"\"\r\nline two\"\r\n", i); !strings.HasSuffix(lines[i], suffix) {
			t.Errorf("row %d: got %q want it to end with the comment, %q", i, lines[i], suffix)
		}
	}
	if earlier, _ := exportLines(t, s, first.ID, 2); len(earlier) != 1 {
		t.Errorf("rows of the earlier round: got %d want 1", len(earlier))
	}
	if err := s.ForgetExportCellsForTest(ctx); err != nil {
		t.Fatal(err)
	}
	fresh, kept := exportLines(t, s, round.ID, 3)
	if kept != 0 {
		t.Errorf("rows with kept cells after forgetting them: got %d want 0", kept)
	}
	for i := range lines {
		if i >= len(fresh) || fresh[i] != lines[i] {
			t.Errorf("row %d formatted afresh:\n got %q\nwant %q", i, fresh[min(i, len(fresh)-1)], lines[i])
		}
	}
	if _, err := s.ExportResponses(ctx, round.ID, 0, 0, func(*models.ExportRow) error { return nil }); err == nil {
		t.Error("a batch size of 0 was accepted")
	}
}

// TestLongCommentsEndABatchEarly: 600 comments of 2,000 emoji (8,000 bytes
// each) would make a 4.8 MB batch; the batch ends at 4 MiB instead, says
// that more follow, and the next batch carries on where it stopped.
func TestLongCommentsEndABatchEarly(t *testing.T) {
	s := dbtest.Open(t, dbtest.SQLite)
	ctx := context.Background()
	team, err := s.CreateTeam(ctx, models.NewTeam{Name: "Talkative"})
	if err != nil {
		t.Fatal(err)
	}
	round, err := s.CreateRound(ctx, models.NewRound{Name: "R", Open: true})
	if err != nil {
		t.Fatal(err)
	}
	comment := strings.Repeat("🙂", models.MaxCommentLength)
	for range 600 {
		st, err := s.StartResponse(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveProgress(ctx, st.Response.ID, models.Progress{Comment: &comment}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, st.Response.ID); err != nil {
			t.Fatal(err)
		}
	}
	rows := 0
	more, err := s.ExportResponses(ctx, round.ID, 0, 5000, func(*models.ExportRow) error { rows++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !more || rows >= 600 || rows < 500 {
		t.Errorf("first batch: %d rows, more=%v; want it to stop near 4 MiB (about 524 rows) and say more follow", rows, more)
	}
	lines, _ := exportLines(t, s, round.ID, 5000)
	if len(lines) != 600 {
		t.Errorf("all batches: got %d rows want 600", len(lines))
	}
}
