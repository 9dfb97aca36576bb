// Command icare is a self-hosted server for the ICARE service-culture
// self-assessment. main.go is wiring only: settings → database → migration →
// handlers → serve → shutdown; the operator commands live in commands.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
)

func main() {
	ctx, stop := withSignals(context.Background())
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "icare:", err)
		os.Exit(1)
	}
}

// withSignals returns a context that is cancelled by SIGTERM or SIGINT.
func withSignals(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
}

// env bundles what a command reads and writes, so tests can run commands
// in-process.
type env struct {
	getenv config.Getenv
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run dispatches to a subcommand; serve is the default.
func run(ctx context.Context, args []string, getenv config.Getenv, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help" && args[0] != "-help") {
		return e.serve(ctx, args)
	}
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case cmd == "serve":
		return e.serve(ctx, rest)
	case cmd == "user" && sub == "add":
		return e.userAdd(ctx, rest[1:])
	case cmd == "team" && sub == "add":
		return e.teamAdd(ctx, rest[1:])
	case cmd == "team" && sub == "list":
		return e.teamList(ctx, rest[1:])
	case cmd == "round" && sub == "open":
		return e.roundOpen(ctx, rest[1:])
	case cmd == "round" && sub == "close":
		return e.roundClose(ctx, rest[1:])
	case cmd == "healthcheck":
		return e.healthcheck(ctx, rest)
	case cmd == "backup":
		return e.backup(ctx, rest)
	case cmd == "aggregates" && sub == "rebuild":
		return e.aggregatesRebuild(ctx, rest[1:])
	case cmd == "help" || cmd == "-h" || cmd == "--help" || cmd == "-help":
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
}

const usage = `Usage: icare [command] [flags]

Commands:
  serve             run the server (the default); --demo fills an empty database with sample data
  user add          add an admin or leader account
  team add          add a team and print its invite link
  team list         print every team with its invite link
  round open        open a new survey round
  round close       close the open round
  backup PATH       write a consistent copy of the SQLite database to PATH
  aggregates rebuild  recompute every round's score aggregates from the responses
  healthcheck       exit 0 when the server at --url answers /healthz (for Docker)

Run "icare COMMAND --help" for a command's flags. Every flag falls back to an
ICARE_* environment variable (ICARE_DATABASE_URL, ICARE_ADDR, …).
`

// serve runs the HTTP server until ctx is cancelled, then lets requests in
// flight finish within the shutdown timeout.
func (e env) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	load := config.Register(fs, e.getenv)
	demo := fs.Bool("demo", false, "fill an EMPTY database with a sample organization and print a demo login")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	cfg.Demo = *demo
	log := slog.New(slog.NewJSONHandler(e.stderr, nil))
	paceGC(e.getenv)

	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if cfg.AdminEmail != "" {
		created, err := store.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("create admin from ICARE_ADMIN_EMAIL: %w", err)
		}
		if created {
			log.Info("admin account created", "email", cfg.AdminEmail)
		}
	}
	demoPassword := ""
	if cfg.Demo {
		if demoPassword, err = store.SeedDemo(ctx); err != nil {
			return err
		}
		if demoPassword != "" {
			fmt.Fprintln(e.stdout, "icare: the empty database now holds a sample organization.")
		} else {
			fmt.Fprintln(e.stdout, "icare: the database is not empty, so no demo data was added; serving what is there.")
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	switch {
	case demoPassword != "":
		fmt.Fprintf(e.stdout, "icare: open %s (demo login %s / %s)\n", publicURL(cfg, ln), models.DemoEmail, demoPassword)
	case cfg.Demo:
		fmt.Fprintf(e.stdout, "icare: open %s (demo login %s, with the password printed when the demo data was made)\n", publicURL(cfg, ln), models.DemoEmail)
	default:
		fmt.Fprintf(e.stdout, "icare: serving on %s\n", publicURL(cfg, ln))
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", store.Engine())
	return serveHTTP(ctx, ln, handlers.New(store, cfg, log), cfg.ShutdownTimeout, log)
}

// gcPercent is the garbage collector's pace while icare serves, unless the
// GOGC environment variable sets one: a collection when the heap has grown
// by twice what was live after the last, where Go's default waits for once.
// icare keeps 2–3 MB live, and Go's default then collects whenever the
// heap reaches 4–6 MB: 40 times a second in BenchmarkKeyPageGet (handlers),
// a tenth of icare's CPU under a survey rush. At 200, cmd/icare-load measured
// 3.05–3.32 ms of server CPU per survey against 3.46–3.79 ms at 100, for a
// few MB more heap; the download of 1,000,000 rows of responses.csv
// (scripts/bench-export.sh) peaked at 52–56 MiB against 48 MiB. (At 400 it
// peaked at 62–64 MiB for little more.)
const gcPercent = 200

// paceGC sets gcPercent, unless GOGC is set: the operator's choice stands.
func paceGC(getenv config.Getenv) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// publicURL is the address to open: the base URL, or the listener's address
// when none is set and the port was chosen by the system.
func publicURL(cfg config.Config, ln net.Listener) string {
	if _, port, err := net.SplitHostPort(cfg.Addr); err == nil && port == "0" {
		if a, ok := ln.Addr().(*net.TCPAddr); ok {
			return fmt.Sprintf("http://localhost:%d", a.Port)
		}
	}
	return cfg.BaseURL
}

// serveHTTP serves h on ln until ctx is done, then shuts down gracefully: no
// new connections, requests in flight get up to timeout to finish.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, timeout time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      5 * time.Minute, // a large CSV export streams for a while
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", timeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// openStore connects to the configured database and migrates it.
func openStore(ctx context.Context, cfg config.Config) (*models.Store, error) {
	store, err := models.Open(ctx, cfg.DatabaseURL, models.WithPublisher(results.Publisher(cfg.MinGroup, cfg.MinComments)))
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}
