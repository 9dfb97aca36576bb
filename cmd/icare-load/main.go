// Command icare-load measures icare under a survey rush beside the baseline
// it is held to. It starts icare in this process on a fresh database, and a
// bare server beside it (bare.go) that serves pages of the same sizes with
// one raw database/sql transaction per POST; then, for each number of
// respondents, it walks the survey on both for the same time, in halves
// taken in the order bare, icare, icare, bare, as browsers do (package
// load), and prints completed surveys/s, p50 and p99
// per survey and per step, and icare's ratio to the baseline.
//
//	go run ./cmd/icare-load                      # SQLite, 16 and 64 respondents, 10 s each
//	go run ./cmd/icare-load -database-url postgres://postgres@127.0.0.1:5432/load
//	go run ./cmd/icare-load -link http://127.0.0.1:8080/t/TOKEN   # a running icare, alone
//
// It only ever talks to loopback addresses.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	_ "github.com/go-sql-driver/mysql" // the baseline's database/sql drivers
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"

	"github.com/icare-hr/icare/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "icare-load:", err)
		}
		os.Exit(1)
	}
}

type options struct {
	link        string
	databaseURL string
	levels      []int
	duration    time.Duration
	surveys     int
	cpuProfile  string
	memProfile  string
	icare       string
	bare        struct{ addr, engine, dsn, sizes string }
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("icare-load", flag.ContinueOnError)
	fs.StringVar(&o.link, "link", "", "walk this running icare's team link (loopback only) instead of starting icare and the baseline")
	fs.StringVar(&o.databaseURL, "database-url", "", "database for icare and the baseline: sqlite:PATH, postgres://… or mysql://… naming an empty database (default: a fresh SQLite file)")
	levels := fs.String("c", "16,64", "respondents walking at once, one run per number")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "how long each run lasts (at most 5m)")
	fs.IntVar(&o.surveys, "n", 0, "stop a run after this many completed surveys (0: no limit)")
	fs.StringVar(&o.icare, "icare", "", "the icare binary to run (default: go build it from the current directory, the repository's root)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of icare's runs to this file (icare then runs in this process)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a profile of the allocations during icare's runs to this file (icare then runs in this process)")
	// The baseline's own process (startBare) runs this program again with:
	fs.StringVar(&o.bare.addr, "serve-bare", "", "(internal) serve the baseline at this address")
	fs.StringVar(&o.bare.engine, "bare-engine", "", "(internal)")
	fs.StringVar(&o.bare.dsn, "bare-dsn", "", "(internal)")
	fs.StringVar(&o.bare.sizes, "bare-sizes", "", "(internal)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.duration <= 0 || o.duration > 5*time.Minute {
		return o, fmt.Errorf("-d %s: a run lasts more than 0 and at most 5m", o.duration)
	}
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return o, fmt.Errorf("-c %q: give numbers of respondents from 1 to 1024, comma-separated", *levels)
		}
		o.levels = append(o.levels, n)
	}
	if o.link != "" {
		u, err := url.Parse(o.link)
		if err != nil || !loopback(u.Hostname()) {
			return o, fmt.Errorf("-link %q: only a loopback address (127.0.0.1, ::1, localhost) may be loaded", o.link)
		}
	}
	return o, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	if o.link != "" {
		for _, n := range o.levels {
			rep, err := load.Run(ctx, load.Plan{Link: o.link, Respondents: n, Duration: o.duration, Surveys: o.surveys, Seed: 1})
			if err != nil {
				return err
			}
			printReports(out, n, []named{{"icare", rep, 0}})
		}
		return nil
	}
	if o.bare.addr != "" {
		return serveBare(o.bare.addr, o.bare.engine, o.bare.dsn, o.bare.sizes)
	}
	target, err := o.startIcare(ctx)
	if err != nil {
		return err
	}
	defer target.close()
	// One walk learns the sizes of icare's pages, which the baseline copies.
	warm, err := load.Run(ctx, load.Plan{Link: target.link, Respondents: 1, Duration: time.Minute, Surveys: 1, Seed: 99})
	if err != nil || warm.Completed != 1 {
		return fmt.Errorf("a first walk of icare failed: %v %v", err, warm.Failed)
	}
	baseline, err := startBare(target, warm.Sizes)
	if err != nil {
		return err
	}
	defer baseline.close()
	where := "its own process"
	if target.store != nil {
		where = "this process, for its profile"
	}
	fmt.Fprintf(out, "icare-load: icare on %s in %s, %s per run; every figure beside the bare baseline's from the same run\n", target.engine, where, o.duration)
	for _, n := range o.levels {
		stopProfile, err := profile(o.cpuProfile, n)
		if err != nil {
			return err
		}
		runs, err := alternate(ctx, o, n, []*server{baseline, target})
		stopProfile()
		if err != nil {
			return err
		}
		if err := writeHeapProfile(o.memProfile, n); err != nil {
			return err
		}
		runs[0].name, runs[1].name = "bare", "icare"
		printReports(out, n, runs)
	}
	return ctx.Err()
}

// alternate runs n respondents against each of servers for o.duration in
// all, in halves taken in the order A B B A, so that a change in the shared
// machine's speed during the runs weighs on both alike; the halves of each
// server add up to its report.
func alternate(ctx context.Context, o options, n int, servers []*server) ([]named, error) {
	runs := make([]named, len(servers))
	for half, order := range [][]int{{0, 1}, {1, 0}} {
		for _, k := range order {
			before := servers[k].cpu()
			rep, err := load.Run(ctx, load.Plan{Link: servers[k].link, Respondents: n, Duration: o.duration / 2,
				Surveys: (o.surveys + 1) / 2, Seed: uint64(n)<<1 | uint64(half)})
			if err != nil {
				return nil, err
			}
			runs[k].cpu += servers[k].cpu() - before
			runs[k].rep.Add(rep)
		}
	}
	return runs, nil
}

// profile starts a CPU profile of a run into file, suffixed by the number of
// respondents when there are several runs.
func profile(file string, n int) (func(), error) {
	if file == "" {
		return func() {}, nil
	}
	ext := filepath.Ext(file)
	f, err := os.Create(strings.TrimSuffix(file, ext) + "-" + strconv.Itoa(n) + ext)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes the allocations so far to file, suffixed by the
// number of respondents.
func writeHeapProfile(file string, n int) error {
	if file == "" {
		return nil
	}
	ext := filepath.Ext(file)
	f, err := os.Create(strings.TrimSuffix(file, ext) + "-" + strconv.Itoa(n) + ext)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

type named struct {
	name string
	rep  load.Report
	// cpu is the server process's CPU time during the run (0: unknown).
	cpu time.Duration
}

// printReports prints the runs at n respondents, each step's p50 and p99,
// and the last run's ratio to the first.
func printReports(out io.Writer, n int, runs []named) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\n%d respondents\t", n)
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t", r.name)
	}
	if len(runs) == 2 {
		fmt.Fprint(tw, "ratio\t")
	}
	fmt.Fprintln(tw)
	row := func(label string, f func(load.Report) float64, unit string, higherBetter bool) {
		fmt.Fprintf(tw, "%s\t", label)
		for _, r := range runs {
			fmt.Fprintf(tw, "%.1f%s\t", f(r.rep), unit)
		}
		if len(runs) == 2 {
			a, b := f(runs[0].rep), f(runs[1].rep)
			ratio := b / a
			if !higherBetter {
				ratio = a / b
			}
			if a > 0 && b > 0 {
				fmt.Fprintf(tw, "%.2f×\t", ratio)
			} else {
				fmt.Fprint(tw, "–\t")
			}
		}
		fmt.Fprintln(tw)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	row("surveys/s", load.Report.PerSecond, "", true)
	row("p50 per survey", func(r load.Report) float64 { return ms(load.Quantile(r.Totals, 0.5)) }, " ms", false)
	row("p99 per survey", func(r load.Report) float64 { return ms(load.Quantile(r.Totals, 0.99)) }, " ms", false)
	if runs[0].cpu > 0 && runs[len(runs)-1].cpu > 0 {
		fmt.Fprintf(tw, "server CPU per survey\t")
		per := make([]float64, len(runs))
		for i, r := range runs {
			per[i] = float64(r.cpu.Microseconds()) / float64(max(1, r.rep.Completed)) / 1000
			fmt.Fprintf(tw, "%.2f ms\t", per[i])
		}
		if len(runs) == 2 {
			fmt.Fprintf(tw, "%.2f×\t", per[0]/per[1])
		}
		fmt.Fprintln(tw)
	}
	for _, step := range load.Steps() {
		row("  "+step+" p50", func(r load.Report) float64 { return ms(load.Quantile(r.Steps[step], 0.5)) }, " ms", false)
		row("  "+step+" p99", func(r load.Report) float64 { return ms(load.Quantile(r.Steps[step], 0.99)) }, " ms", false)
	}
	fmt.Fprintf(tw, "failed walks\t")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t", failures(r.rep.Failed))
	}
	fmt.Fprintln(tw)
	tw.Flush()
}

func failures(m map[int]int) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for status, n := range m {
		name := "connection"
		if status != 0 {
			name = strconv.Itoa(status)
		}
		parts = append(parts, fmt.Sprintf("%d×%s", n, name))
	}
	return strings.Join(parts, " ")
}

// startIcare starts icare: in this process when it is to be profiled, else
// the binary (built first when none is given).
func (o options) startIcare(ctx context.Context) (*server, error) {
	if o.cpuProfile != "" || o.memProfile != "" {
		return startIcareHere(ctx, o.databaseURL)
	}
	bin := o.icare
	if bin == "" {
		dir, err := os.MkdirTemp("", "icare-load-bin-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir) // the running binary stays open
		bin = filepath.Join(dir, "icare")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build icare (run from the repository's root, or give -icare): %w: %s", err, out)
		}
	}
	return startIcare(ctx, bin, o.databaseURL)
}
