package load_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/icare-hr/icare/load"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// TestRushOf64Respondents: 64 respondents walk the survey at once on the
// real binary, on every engine. Not one request fails (no "database is
// locked", no 5xx, no refused start), and every submit acknowledged is one
// submitted response.
func TestRushOf64Respondents(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dbURL := dbtest.URL(t, e)
			invite := prepare(t, dbURL)
			p := serve(t, dbURL, freeAddr(t))
			var mu sync.Mutex
			var failures []error
			rep, err := load.Run(context.Background(), load.Plan{
				// Bounded by count, not time: the test proves nothing is
				// lost or refused, not how fast (CI runs it beside others
				// under the race detector).
				Link: p.base + invite, Respondents: 64, Surveys: 128, Duration: 2 * time.Minute, Seed: 64,
				OnError: func(err error) { mu.Lock(); failures = append(failures, err); mu.Unlock() },
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range failures {
				if i < 5 {
					t.Errorf("a respondent's walk failed: %v", f)
				}
			}
			if len(failures) > 0 {
				t.Fatalf("%d of %d walks failed\n%s", len(failures), len(failures)+rep.Completed, p.log.String())
			}
			if rep.Completed < 128 {
				t.Fatalf("only %d of 128 surveys completed in %v", rep.Completed, rep.Elapsed)
			}
			p.kill()
			store, err := models.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			round, err := store.CurrentRound(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			n, err := store.CountResponses(context.Background(), round.ID, models.StatusSubmitted)
			if err != nil {
				t.Fatal(err)
			}
			// Walks cut off by the end of the run may have submitted
			// without counting as completed: never fewer.
			if n < int64(rep.Completed) {
				t.Errorf("%d surveys completed, %d submitted", rep.Completed, n)
			}
			// The aggregates count each submitted response once.
			cells, err := store.Cells(context.Background(), round.ID)
			if err != nil {
				t.Fatal(err)
			}
			var counted int64
			for _, c := range cells {
				counted += c.Agg.N
			}
			if counted != n {
				t.Errorf("the aggregates count %d responses, %d are submitted", counted, n)
			}
			t.Logf("%s: %d surveys by 64 respondents in %v, %d submitted", e.Name, rep.Completed, rep.Elapsed.Round(time.Millisecond), n)
		})
	}
}
