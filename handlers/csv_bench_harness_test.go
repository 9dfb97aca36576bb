//go:build exportbench

// The export benchmark's harness, run by scripts/bench-export.sh only:
// TestExportBenchSeed builds the database once and TestExportBenchExport, in
// a process of its own under /usr/bin/time -v, exports it through the real
// handler.

package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
)

// fileResponse is an http.ResponseWriter that streams the body into a file
// and notes when the first byte came.
type fileResponse struct {
	header http.Header
	f      *os.File
	status int
	first  time.Time
	bytes  int64
}

func (r *fileResponse) Header() http.Header { return r.header }
func (r *fileResponse) WriteHeader(s int)   { r.status = s }
func (r *fileResponse) Flush()              {}
func (r *fileResponse) Write(b []byte) (int, error) {
	if r.first.IsZero() {
		r.first = time.Now()
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.bytes += int64(len(b))
	return r.f.Write(b)
}

// TestExportBenchSeed builds the benchmark database at ICARE_EXPORT_BENCH_DB
// with ICARE_EXPORT_BENCH_N responses (1,000,000 by default) over 1,000
// teams, unless the file exists.
func TestExportBenchSeed(t *testing.T) {
	path := benchDB(t)
	if _, err := os.Stat(path); err == nil {
		t.Logf("%s exists", path)
		return
	}
	n := 1_000_000
	if s := os.Getenv("ICARE_EXPORT_BENCH_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("ICARE_EXPORT_BENCH_N=%q: %v", s, err)
		}
	}
	start := time.Now()
	seedRound(t, path, n, 1000, 0)
	t.Logf("seeded %d responses in %v", n, time.Since(start).Round(time.Millisecond))
}

// TestExportBenchExport exports the benchmark database's round through the
// real handler and middleware into ICARE_EXPORT_BENCH_OUT (/dev/null by
// default) and prints the time to the first byte and to the last.
func TestExportBenchExport(t *testing.T) {
	path := benchDB(t)
	out := os.Getenv("ICARE_EXPORT_BENCH_OUT")
	if out == "" {
		out = os.DevNull
	}
	a := newApp(t, atDatabase("sqlite:"+path))
	// A name of its own each run: the database is reused between runs.
	admin := fmt.Sprintf("admin%d", time.Now().UnixNano())
	a.viewer(admin, models.RoleAdmin)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rw := &fileResponse{header: http.Header{}, f: f}
	target := "/export/responses.csv"
	if p := os.Getenv("ICARE_EXPORT_BENCH_PATH"); p != "" {
		target = p // /export/responses.xlsx for the workbook
	}
	req := httptest.NewRequest(http.MethodGet, target, nil)
	a.viewers[admin].addCookies(req)
	start := time.Now()
	a.e.ServeHTTP(rw, req)
	total := time.Since(start)
	if rw.status != http.StatusOK {
		t.Fatalf("status %d", rw.status)
	}
	if err := f.Sync(); err != nil && out != os.DevNull {
		t.Fatal(err)
	}
	fmt.Printf("icare export: %d bytes, first byte after %v, done in %.3f s\n",
		rw.bytes, rw.first.Sub(start).Round(time.Microsecond), total.Seconds())
}

// benchDB is the benchmark database's path, which scripts/bench-export.sh sets.
func benchDB(t *testing.T) string {
	path := os.Getenv("ICARE_EXPORT_BENCH_DB")
	if path == "" {
		t.Fatal("set ICARE_EXPORT_BENCH_DB (scripts/bench-export.sh does)")
	}
	return path
}
