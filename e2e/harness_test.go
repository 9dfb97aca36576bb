// Package e2e proves icare the way its users meet it: the real binary on a
// free port over a fresh SQLite database, driven in Debian's headless
// Chromium by chromedp, a person's journey at a time, with a screenshot of
// each step. Without Chromium the tests say so and skip, except under
// CI=true, where a missing browser fails.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// adminEmail and adminPassword are the admin every server starts with.
const (
	adminEmail    = "admin@e2e.example"
	adminPassword = "an e2e admin password"
)

var (
	binary    string // the icare binary built for the run
	chromium  string // the browser, or "" with why in noBrowser
	noBrowser string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	chromium = os.Getenv("CHROME_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		noBrowser = fmt.Sprintf("no Chromium at %s (apt-get install chromium, or set CHROME_PATH)", chromium)
		if os.Getenv("CI") == "true" {
			fmt.Println("e2e: FAIL:", noBrowser, "— CI must run the browser tests")
			return 1
		}
		fmt.Println("e2e: skipped:", noBrowser)
		return m.Run()
	}
	// The summary of this run's steps and checks, which .ci/run prints.
	if err := os.MkdirAll(shotsDir(), 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(shotsDir(), "summary.txt"), nil, 0o644)
	}
	dir, err := os.MkdirTemp("", "icare-e2e-bin-")
	if err != nil {
		fmt.Println("e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "icare")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: build icare:", err)
		return 1
	}
	return m.Run()
}

// server is one icare process over a database of its own.
type server struct {
	base, db string
	// demoPassword is the demo admin's password, with --demo.
	demoPassword string
}

// needBrowser skips the test, saying why, when there is no Chromium.
func needBrowser(t *testing.T) {
	t.Helper()
	if noBrowser != "" {
		t.Skip("e2e skipped: " + noBrowser)
	}
}

// startServer runs icare serve (with --demo when demo) until the test ends.
func startServer(t *testing.T, demo bool) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{base: "http://" + addr, db: "sqlite:" + filepath.Join(t.TempDir(), "icare.db")}
	args := []string{"serve", "--database-url", s.db, "--addr", addr, "--base-url", s.base}
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "ICARE_ADMIN_EMAIL="+adminEmail, "ICARE_ADMIN_PASSWORD="+adminPassword)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	printed := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if m := regexp.MustCompile(`demo-[A-Za-z0-9_-]+`).FindString(sc.Text()); m != "" {
				printed <- m
			}
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("icare did not come up at %s: %v", s.base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if demo {
		select {
		case s.demoPassword = <-printed:
		case <-time.After(10 * time.Second):
			t.Fatal("serve --demo printed no password")
		}
	}
	return s
}

// command runs an icare command against the server's database and returns
// what it printed.
func (s *server) command(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary, append(args, "--database-url", s.db, "--base-url", s.base)...).CombinedOutput()
	if err != nil {
		t.Fatalf("icare %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// openBrowser opens a headless Chromium tab width × height px wide; the browser
// closes when the test ends.
func openBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	// The profile is removed after the browser has gone, which may take a
	// moment after its context ends (t.TempDir would fail the test then).
	profile, err := os.MkdirTemp("", "icare-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(width, height))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelT()
		cancel()
		cancelA()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// shots is where the journeys' screenshots go: $ICARE_E2E_SHOTS, or a
// folder in the system's temporary directory.
func shots(t *testing.T) string {
	dir := shotsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shotsDir() string {
	if dir := os.Getenv("ICARE_E2E_SHOTS"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "icare-e2e-shots")
}

// report logs a line of the run's summary and adds it to summary.txt beside
// the screenshots, which CI prints (go test shows no log of a passing test).
func report(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	f, err := os.OpenFile(filepath.Join(shots(t), "summary.txt"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s: %s\n", t.Name(), line)
}

// settled waits until the page in front has loaded and been laid out: a
// screenshot taken while a form's submit is still navigating finds a page of
// no width and fails.
func settled() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for range 100 {
			var ready bool
			err := chromedp.Evaluate(`document.readyState === "complete" && document.documentElement.clientWidth > 0`, &ready).Do(ctx)
			if err == nil && ready {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("the page never finished loading")
	})
}

// step runs a journey's step, logs it, and saves a screenshot named name.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action) {
	t.Helper()
	var png []byte
	actions = append(actions, settled(), chromedp.FullScreenshot(&png, 100)) // 100: a PNG
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("step %s: %v", name, err)
	}
	path := filepath.Join(shots(t), t.Name()+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	report(t, "step %s: ok (%s)", name, filepath.Base(path))
}
