package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/models/dbtest"
)

// icare runs one command in-process and returns what it printed.
func icare(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCommands(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			env := map[string]string{"ICARE_DATABASE_URL": dbtest.URL(t, e), "ICARE_BASE_URL": "https://icare.example.org"}
			out, err := icare(t, env, "", "team", "add", "--name", "Customer Operations", "--headcount", "12")
			if err != nil || !strings.Contains(out, "invite link: https://icare.example.org/t/") {
				t.Fatalf("team add: got %q, %v", out, err)
			}
			if out, err = icare(t, env, "", "team", "add", "--name", "Contact Centre", "--parent", "Customer Operations"); err != nil {
				t.Fatalf("team add child: %q, %v", out, err)
			}
			if out, err = icare(t, env, "", "team", "add", "--name", "Lost", "--parent", "Nowhere"); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Errorf("unknown parent: got %q, %v want not found", out, err)
			}
			if _, err = icare(t, env, "", "team", "add", "--name", "Customer Operations"); err == nil || !strings.Contains(err.Error(), "exists already") {
				t.Errorf("duplicate team: got %v want exists already", err)
			}
			out, err = icare(t, env, "", "team", "list")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "Contact Centre") && !strings.HasPrefix(lines[0], "Customer Operations / Contact Centre") {
				t.Errorf("team list: got %q", out)
			}
			if !strings.Contains(out, "Customer Operations / Contact Centre\thttps://icare.example.org/t/") {
				t.Errorf("team list: got %q want the child's path and invite link", out)
			}

			if out, err = icare(t, env, "", "round", "open", "--name", "2027 Q1"); err != nil || !strings.Contains(out, "opened round 2027 Q1") {
				t.Errorf("round open: got %q, %v", out, err)
			}
			if _, err = icare(t, env, "", "round", "open", "--name", "2027 Q2"); !errors.Is(err, models.ErrRoundOpen) {
				t.Errorf("second round open: got %v want ErrRoundOpen", err)
			}
			if out, err = icare(t, env, "", "round", "close"); err != nil || !strings.Contains(out, "closed round 2027 Q1") {
				t.Errorf("round close: got %q, %v", out, err)
			}
			if _, err = icare(t, env, "", "round", "close"); !errors.Is(err, models.ErrNoOpenRound) {
				t.Errorf("round close with none open: got %v", err)
			}
			if out, err = icare(t, env, "", "aggregates", "rebuild"); err != nil || !strings.Contains(out, "rebuilt round 2027 Q1: 0 responses") {
				t.Errorf("aggregates rebuild: got %q, %v", out, err)
			}
			if _, err = icare(t, env, "", "aggregates", "rebuild", "--round", "999"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("aggregates rebuild of an unknown round: got %v want ErrNotFound", err)
			}

			if out, err = icare(t, env, "a leader's password\n", "user", "add", "--email", "lead@example.org", "--team", "Contact Centre"); err != nil || !strings.Contains(out, "added leader lead@example.org") {
				t.Errorf("user add: got %q, %v", out, err)
			}
			if _, err = icare(t, env, "short\n", "user", "add", "--email", "x@example.org"); err == nil || !strings.Contains(err.Error(), "at least") {
				t.Errorf("short password: got %v", err)
			}
			if _, err = icare(t, env, "\n", "user", "add", "--email", "blank@example.org"); err == nil || !strings.Contains(err.Error(), "at least") {
				t.Errorf("blank password: got %v want refused, not an invitation nobody sees", err)
			}
			if _, err = icare(t, env, "", "user", "add", "--email", "y@example.org", "--role", "boss", "--password", "long enough pw"); err == nil || !strings.Contains(err.Error(), "admin or leader") {
				t.Errorf("bad role: got %v", err)
			}
			// A team named twice counts once, as on the admin pages.
			out, err = icare(t, env, "", "user", "add", "--email", "twice@example.org", "--password", "long enough pw",
				"--team", "Contact Centre", "--team", "Contact Centre")
			if err != nil || !strings.Contains(out, "added leader twice@example.org") {
				t.Errorf("user add with a team named twice: got %q, %v", out, err)
			}
		})
	}
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ICARE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "icare.db")}
	if _, err := icare(t, env, "", "team", "add", "--name", "Sales"); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "backup.db")
	if out, err := icare(t, env, "", "backup", copyPath); err != nil || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %q, %v", out, err)
	}
	out, err := icare(t, map[string]string{"ICARE_DATABASE_URL": "sqlite:" + copyPath}, "", "team", "list")
	if err != nil || !strings.HasPrefix(out, "Sales\t") {
		t.Errorf("team list on the backup: got %q, %v", out, err)
	}
	if _, err := icare(t, env, "", "backup"); err == nil || !strings.Contains(err.Error(), "takes 1 argument") {
		t.Errorf("backup without a path: got %v", err)
	}
}

func TestHelpAndUnknownCommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"team", "add", "--help"}, {"round", "open", "-h"}, {"backup", "--help"}, {"serve", "--help"}} {
		out, err := icare(t, nil, "", args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "Usage") {
			t.Errorf("%v: got %q, %v want usage and ErrHelp", args, out, err)
		}
	}
	if _, err := icare(t, nil, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: got %v", err)
	}
}

func TestBadSettingStopsWithOneLine(t *testing.T) {
	_, err := icare(t, map[string]string{"ICARE_DATABASE_URL": "oracle://x/y"}, "", "serve")
	if err == nil || strings.Count(err.Error(), "\n") > 0 || !strings.Contains(err.Error(), "unknown engine") {
		t.Errorf("got %q want one line naming the unknown engine", err)
	}
	_, err = icare(t, nil, "", "serve", "--addr", ":70000")
	if err == nil || !strings.Contains(err.Error(), "bad port") {
		t.Errorf("got %v want bad port", err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveDemo starts serve --demo on dbURL, waits for the printed address, and
// returns it with a function that stops the server.
func serveDemo(t *testing.T, dbURL string, extraEnv ...string) (string, string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	env := map[string]string{"ICARE_DATABASE_URL": dbURL}
	for i := 0; i+1 < len(extraEnv); i += 2 {
		env[extraEnv[i]] = extraEnv[i+1]
	}
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), out, io.Discard)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "icare: open ") {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v; printed %q", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve printed no address: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	line := out.String()[strings.Index(out.String(), "icare: open ")+len("icare: open "):]
	addr := strings.Fields(line)[0]
	return addr, out.String(), func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

func TestServeDemo(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dbURL := dbtest.URL(t, e)
			addr, printed, stop := serveDemo(t, dbURL)
			_, login, _ := strings.Cut(printed, "demo login ")
			email, password, _ := strings.Cut(strings.TrimSuffix(strings.TrimSpace(login), ")"), " / ")
			if email != models.DemoEmail || password == "" {
				t.Errorf("serve --demo printed %q, want the demo login", printed)
			}
			resp, err := http.Get(addr + "/readyz")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("readyz: %v %v", resp, err)
			}
			if resp != nil {
				resp.Body.Close()
			}
			stop()

			ctx := context.Background()
			s, err := models.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			count := func() (teams, rounds int, submitted int64) {
				ts, _ := s.Teams(ctx)
				rs, _ := s.Rounds(ctx)
				for _, r := range rs {
					n, _ := s.CountResponses(ctx, r.ID, models.StatusSubmitted)
					submitted += n
				}
				return len(ts), len(rs), submitted
			}
			if _, err := s.Authenticate(ctx, email, password); err != nil {
				t.Errorf("the printed demo login does not work: %v", err)
			}
			teams, rounds, submitted := count()
			if teams < 5 || rounds != 3 || submitted < 200 {
				t.Errorf("after demo: %d teams, %d rounds, %d submitted; want ≥5, 3 (a full round, a pulse round, the open one), ≥200", teams, rounds, submitted)
			}

			_, printed, stop = serveDemo(t, dbURL)
			stop()
			if !strings.Contains(printed, "not empty") {
				t.Errorf("second start printed %q, want it to say the database is not empty", printed)
			}
			t2, r2, s2 := count()
			if t2 != teams || r2 != rounds || s2 != submitted {
				t.Errorf("second start changed the data: %d/%d/%d, was %d/%d/%d", t2, r2, s2, teams, rounds, submitted)
			}
		})
	}
}

// TestSIGTERMLetsSlowRequestFinish sends the process a real SIGTERM while a
// slow request is in flight and checks that the request completes and the
// server then stops.
func TestSIGTERMLetsSlowRequestFinish(t *testing.T) {
	ctx, stop := withSignals(context.Background())
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(700 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	})
	served := make(chan error, 1)
	go func() {
		served <- serveHTTP(ctx, ln, slow, 10*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(bufio.NewReader(resp.Body))
		got <- result{string(b), err}
	}()
	<-started
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Errorf("slow request: got %q, %v want finished", r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

// TestAdminFromEnvironment: ICARE_ADMIN_EMAIL and ICARE_ADMIN_PASSWORD create
// that admin at start, once.
func TestAdminFromEnvironment(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "icare.db")
	for range 2 {
		_, _, stop := serveDemo(t, dbURL, "ICARE_ADMIN_EMAIL", "Boss@Example.org", "ICARE_ADMIN_PASSWORD", "a strong admin password")
		stop()
	}
	s, err := models.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.Authenticate(context.Background(), "boss@example.org", "a strong admin password")
	if err != nil || u.Role != models.RoleAdmin {
		t.Fatalf("admin from the environment: got %+v, %v", u, err)
	}
}

// TestServePacesTheGCUnlessGOGCIsSet: icare serve collects garbage at
// gcPercent, and an operator's GOGC stands.
func TestServePacesTheGCUnlessGOGCIsSet(t *testing.T) {
	was := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(was) })
	paceGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("without GOGC the pace is %d, want %d", got, gcPercent)
	}
	paceGC(func(k string) string { return map[string]string{"GOGC": "50"}[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the pace became %d; the runtime's (here 100) should stand", got)
	}
}
