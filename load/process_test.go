package load_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests of this package run the real icare binary, built once here, as
// separate processes: killed mid-load, or two of them over one database.

var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "icare-load-bin-")
	if err != nil {
		fmt.Println("load:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "icare")
	build := exec.Command("go", "build", "-o", binary, "../")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("load: build icare:", err)
		return 1
	}
	return m.Run()
}

// adminEmail and adminPassword are the admin every process starts with.
const (
	adminEmail    = "admin@load.example"
	adminPassword = "a load test admin password"
)

// icare runs an icare command over databaseURL and returns what it printed.
func icare(t *testing.T, databaseURL string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--database-url", databaseURL)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("icare %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// prepare makes a team and opens a round, and returns the team's invite
// path (/t/…).
func prepare(t *testing.T, databaseURL string) string {
	t.Helper()
	out := icare(t, databaseURL, "team", "add", "--name", "Contact Centre")
	m := regexp.MustCompile(`/t/[A-Za-z0-9_-]+`).FindString(out)
	if m == "" {
		t.Fatalf("team add printed no invite link: %s", out)
	}
	icare(t, databaseURL, "round", "open", "--name", "2027 Q1")
	return m
}

// process is one running icare serve.
type process struct {
	base string
	cmd  *exec.Cmd
	log  *syncBuffer
}

// syncBuffer is a process's output, safe to read while it writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serve starts icare serve at addr over databaseURL, with further flags
// args, and waits until it answers; the test's end stops it.
func serve(t *testing.T, databaseURL, addr string, args ...string) *process {
	t.Helper()
	p := &process{base: "http://" + addr, log: &syncBuffer{}}
	p.cmd = exec.Command(binary, append([]string{"serve", "--database-url", databaseURL, "--addr", addr, "--base-url", p.base}, args...)...)
	p.cmd.Env = append(os.Environ(), "ICARE_ADMIN_EMAIL="+adminEmail, "ICARE_ADMIN_PASSWORD="+adminPassword)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(p.base + "/healthz")
		if err == nil {
			res.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("icare did not come up at %s: %v\n%s", p.base, err, p.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process at once, as a power cut or the OOM killer would:
// SIGKILL, no shutdown.
func (p *process) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// within is a context that ends after d or with the test.
func within(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
