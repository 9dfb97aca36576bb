package handlers_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// BenchmarkDashboardScale serves /dashboard and /dashboard/heatmap over 200
// teams with 1,000,000 responses and, in the same run and loop, over the
// same 200 teams with 1,000 responses, and reports each page's time at both
// sizes and their ratio (the dashboard's cost grows with teams, not
// responses). The two databases are built once (about a minute for the
// large one) in $ICARE_BENCH_DIR, default the system's temporary folder:
//
//	go test -run '^$' -bench DashboardScale -benchtime 200x ./handlers/
func BenchmarkDashboardScale(b *testing.B) {
	dir := os.Getenv("ICARE_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	small := newApp(b, atDatabase("sqlite:"+benchRound(b, dir, 1000)))
	large := newApp(b, atDatabase("sqlite:"+benchRound(b, dir, 1_000_000)))
	for _, a := range []*app{small, large} {
		a.viewers["admin"] = a.signIn("admin@example.org")
	}
	for _, page := range []string{"/dashboard", "/dashboard/heatmap"} {
		b.Run(page, func(b *testing.B) {
			var took [2]time.Duration
			for range b.N {
				for i, a := range []*app{small, large} {
					start := time.Now()
					if rec := a.get("admin", page); rec.Code != http.StatusOK {
						b.Fatalf("%s: %d", page, rec.Code)
					}
					took[i] += time.Since(start)
				}
			}
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
			b.ReportMetric(per(took[0]), "µs/1k-responses")
			b.ReportMetric(per(took[1]), "µs/1M-responses")
			b.ReportMetric(float64(took[1])/float64(took[0]), "ratio")
		})
	}
}

// benchRound is the path of a database with 200 teams and a closed,
// published round of n responses, built once.
func benchRound(b *testing.B, dir string, n int) string {
	path := filepath.Join(dir, "icare-dashboard-"+strconv.Itoa(n)+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".part"
	_ = os.Remove(tmp)
	round, _ := seedRound(b, tmp, n, 200, 0)
	ctx := context.Background()
	s, err := models.Open(ctx, "sqlite:"+tmp, dbtest.DefaultPublisher())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.RebuildCells(ctx, round.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CloseRound(ctx, models.CommandLine, round.ID); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.CreateUser(ctx, models.NewUser{Email: "admin@example.org", Password: testPassword, Role: models.RoleAdmin}); err != nil {
		b.Fatal(err)
	}
	s.Close()
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}
