package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/handlers"
	"github.com/icare-hr/icare/models"
	"github.com/icare-hr/icare/results"
)

// server is one of the two servers under load, on a loopback port: a child
// process, or icare in this process when it is being profiled.
type server struct {
	engine string
	dsn    string // the database's, without the engine
	url    string
	link   string
	cmd    *exec.Cmd
	store  *models.Store
	srv    *http.Server
	tmp    string
	// lifeline is the write end of the child's standard input: the child
	// stops when it closes, as it does when this process ends however it
	// ends.
	lifeline io.Closer
}

func (s *server) close() {
	if s.lifeline != nil {
		s.lifeline.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
	if s.srv != nil {
		s.srv.Close()
	}
	if s.store != nil {
		s.store.Close()
	}
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// newServer chooses the database: databaseURL, or a fresh SQLite file in a
// folder of its own.
func newServer(databaseURL string) (*server, string, error) {
	s := &server{}
	dir, err := os.MkdirTemp("", "icare-load-")
	if err != nil {
		return nil, "", err
	}
	s.tmp = dir
	if databaseURL == "" {
		databaseURL = "sqlite:" + filepath.Join(dir, "icare.db")
	}
	if s.engine, s.dsn, err = config.SplitDatabaseURL(databaseURL); err != nil {
		s.close()
		return nil, "", err
	}
	return s, databaseURL, nil
}

// startIcare runs the icare binary at bin: a team and an open round made
// with its commands, then icare serve with its defaults.
func startIcare(ctx context.Context, bin, databaseURL string) (*server, error) {
	s, databaseURL, err := newServer(databaseURL)
	if err != nil {
		return nil, err
	}
	icare := func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, bin, append(args, "--database-url", databaseURL)...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("icare %v: %w: %s", args, err, out)
		}
		return string(out), nil
	}
	out, err := icare("team", "add", "--name", "Load "+time.Now().Format(time.RFC3339Nano))
	if err != nil {
		s.close()
		return nil, err
	}
	invite := regexp.MustCompile(`/t/[A-Za-z0-9_-]+`).FindString(out)
	// A database given with a round open already keeps it.
	if _, err := icare("round", "open", "--name", "Load"); err != nil && !regexp.MustCompile(`(?i)already|conflict`).MatchString(err.Error()) {
		s.close()
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		s.close()
		return nil, err
	}
	s.url = "http://" + addr
	s.cmd = exec.Command(bin, "serve", "--database-url", databaseURL, "--addr", addr, "--base-url", s.url)
	if err := s.start(filepath.Join(s.tmp, "icare.log")); err != nil {
		return nil, err
	}
	s.link = s.url + invite
	return s, nil
}

// start runs s.cmd with its output in logFile and waits until it answers.
func (s *server) start(logFile string) error {
	dieWithParent(s.cmd)
	log, err := os.Create(logFile)
	if err != nil {
		s.close()
		return err
	}
	defer log.Close()
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		s.close()
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", s.url[len("http://"):]); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logFile)
			s.close()
			return fmt.Errorf("%s did not come up: %s", s.cmd.Path, b)
		}
	}
}

// startIcareHere serves icare in this process, for a profile of it, on a
// fresh database holding one team and an open round.
func startIcareHere(ctx context.Context, databaseURL string) (*server, error) {
	s, databaseURL, err := newServer(databaseURL)
	if err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	loadCfg := config.Register(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--database-url", databaseURL, "--base-url", "http://127.0.0.1"}); err != nil {
		return nil, err
	}
	cfg, err := loadCfg()
	if err != nil {
		return nil, err
	}
	if s.store, err = models.Open(ctx, databaseURL, models.WithPublisher(results.Publisher(cfg.MinGroup, cfg.MinComments))); err != nil {
		s.close()
		return nil, err
	}
	if err := s.store.Migrate(ctx); err != nil {
		s.close()
		return nil, err
	}
	team, err := s.store.CreateTeam(ctx, models.NewTeam{Name: "Load " + time.Now().Format(time.RFC3339Nano)})
	if err != nil {
		s.close()
		return nil, err
	}
	if _, err := s.store.CurrentRound(ctx); errors.Is(err, models.ErrNoOpenRound) {
		if _, err := s.store.CreateRound(ctx, models.NewRound{Name: "Load", Open: true}); err != nil {
			s.close()
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.close()
		return nil, err
	}
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	s.srv = &http.Server{Handler: handlers.New(s.store, cfg, quiet), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	s.url = "http://" + ln.Addr().String()
	s.link = s.url + "/t/" + team.InviteToken
	return s, nil
}

// startBare runs the baseline (bare.go) in a child process of this program,
// on icare's engine: on SQLite a file of its own with icare's pragmas and
// one writer connection, elsewhere icare's database.
func startBare(icare *server, sizes map[string]int) (*server, error) {
	s := &server{engine: icare.engine, dsn: icare.dsn, tmp: ""}
	dir, err := os.MkdirTemp("", "icare-load-bare-")
	if err != nil {
		return nil, err
	}
	s.tmp = dir
	if s.engine == config.EngineSQLite {
		s.dsn = "file:" + filepath.Join(dir, "bare.db") + "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000&_txlock=immediate"
	}
	addr, err := freeAddr()
	if err != nil {
		s.close()
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		s.close()
		return nil, err
	}
	js, err := json.Marshal(sizes)
	if err != nil {
		s.close()
		return nil, err
	}
	s.url = "http://" + addr
	s.cmd = exec.Command(self, "-serve-bare", addr, "-bare-engine", s.engine, "-bare-dsn", s.dsn, "-bare-sizes", string(js))
	r, w, err := os.Pipe()
	if err != nil {
		s.close()
		return nil, err
	}
	s.cmd.Stdin, s.lifeline = r, w
	err = s.start(filepath.Join(dir, "bare.log"))
	r.Close()
	if err != nil {
		return nil, err
	}
	s.link = s.url + "/t/bare"
	return s, nil
}

// serveBare is the child process of startBare: the baseline at addr until
// it is killed.
func serveBare(addr, engine, dsn, sizesJSON string) error {
	var sizes map[string]int
	if err := json.Unmarshal([]byte(sizesJSON), &sizes); err != nil {
		return fmt.Errorf("bare: sizes: %w", err)
	}
	driver := map[string]string{config.EngineSQLite: "sqlite3", config.EnginePostgres: "pgx", config.EngineMySQL: "mysql"}[engine]
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if engine == config.EngineSQLite {
		db.SetMaxOpenConns(1)
	}
	b, err := newBare(db, engine, sizes)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: b.handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		// The parent's end of standard input closes when it goes away.
		_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// cpu is the CPU time the server's process has used so far, user and
// system, as Linux's /proc tells it; 0 for icare in this process or where
// there is no /proc.
func (s *server) cpu() time.Duration {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses and
	// may hold spaces: utime and stime are the 12th and 13th of them.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	const ticks = 100 // USER_HZ, 100 on every Linux
	return time.Duration(utime+stime) * time.Second / ticks
}
