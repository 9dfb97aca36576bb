package load_test

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/icare-hr/icare/config"
	"github.com/icare-hr/icare/models/dbtest"
)

// The fault tests stop and start database servers, which would break any
// other test using the same server at that moment (go test runs packages
// in parallel): each gets a private server of its own instead, on its own
// port and data directory, run as the service's own user, as the packages
// install it.

// dbServer is a private database server that a test may stop and start.
type dbServer struct {
	// Engine is the server, for dbtest.URL to make a database on.
	dbtest.Engine
	// start runs the server; stop ends it as an operator's restart does.
	start, stop func(t *testing.T)
}

// needServer gives the reason a private server cannot run here, or fails
// the test under CI=true, where every fault must be proven.
func needServer(t *testing.T, what string, missing error) {
	t.Helper()
	if missing == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %v (CI must run this test)", what, missing)
	}
	t.Skipf("skipping: %s: %v", what, missing)
}

// serviceDir is a fresh directory owned by the service's user, which the
// servers insist on.
func serviceDir(t *testing.T, account string) (string, *user.User) {
	t.Helper()
	u, err := user.Lookup(account)
	needServer(t, "the "+account+" account", err)
	if os.Geteuid() != 0 {
		needServer(t, "a private "+account+" server", fmt.Errorf("starting it as %s needs root", account))
	}
	dir, err := os.MkdirTemp("", "icare-"+account+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	return dir, u
}

// as runs a command as account and fails the test with its output.
func as(t *testing.T, account string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", account, "--", name}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

// privatePostgres makes a new PostgreSQL cluster with initdb and runs it
// with pg_ctl on a free port until the test ends.
func privatePostgres(t *testing.T) *dbServer {
	t.Helper()
	dir, _ := serviceDir(t, "postgres")
	return privatePostgresIn(t, dir)
}

// privatePostgresIn is privatePostgres with its files in dir, which the
// postgres account owns. Its WAL comes in segments of 1 MiB and keeps at
// most 8 MiB, so that it fits on a tiny disk.
func privatePostgresIn(t *testing.T, dir string) *dbServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		needServer(t, "a private PostgreSQL server", fmt.Errorf("no pg_ctl under /usr/lib/postgresql (Debian's postgresql package)"))
	}
	bin := filepath.Dir(bins[len(bins)-1])
	data := filepath.Join(dir, "data")
	as(t, "postgres", filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--wal-segsize=1")
	_, port, _ := strings.Cut(freeAddr(t), ":")
	opts := "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c min_wal_size=4MB -c max_wal_size=8MB"
	s := &dbServer{Engine: dbtest.Server(config.EnginePostgres, "postgres://postgres@127.0.0.1:"+port+"/postgres?sslmode=disable")}
	s.start = func(t *testing.T) {
		as(t, "postgres", filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start")
	}
	// A fast shutdown, as an upgrade or a restart by hand does: sessions
	// are ended, transactions in flight rolled back.
	s.stop = func(t *testing.T) {
		as(t, "postgres", filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
	}
	s.start(t)
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
	})
	return s
}

// privateMariaDB makes a new MariaDB data directory with
// mariadb-install-db and runs mariadbd on a free port until the test ends.
func privateMariaDB(t *testing.T) *dbServer {
	t.Helper()
	for _, b := range []string{"mariadb-install-db", "mariadbd"} {
		if _, err := exec.LookPath(b); err != nil {
			needServer(t, "a private MariaDB server", err)
		}
	}
	daemon, _ := exec.LookPath("mariadbd")
	dir, _ := serviceDir(t, "mysql")
	data := filepath.Join(dir, "data")
	install := exec.Command("mariadb-install-db", "--user=mysql", "--datadir="+data, "--auth-root-authentication-method=normal", "--skip-test-db")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	_, port, _ := strings.Cut(freeAddr(t), ":")
	var cmd *exec.Cmd
	s := &dbServer{Engine: dbtest.Server(config.EngineMySQL, "root@tcp(127.0.0.1:"+port+")/mysql")}
	s.start = func(t *testing.T) {
		cmd = exec.Command("runuser", "-u", "mysql", "--", daemon, "--no-defaults", "--datadir="+data, "--port="+port,
			"--bind-address=127.0.0.1", "--socket="+filepath.Join(dir, "sock"), "--pid-file="+filepath.Join(dir, "pid"),
			"--skip-log-bin", "--innodb-buffer-pool-size=64M", "--log-error="+filepath.Join(dir, "log"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForPort(t, "127.0.0.1:"+port)
	}
	// SIGTERM is mariadbd's normal shutdown.
	s.stop = func(t *testing.T) {
		pid, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err != nil {
			t.Fatalf("mariadbd's pid: %v", err)
		}
		if err := exec.Command("kill", "-TERM", strings.TrimSpace(string(pid))).Run(); err != nil {
			t.Fatalf("stop mariadbd: %v", err)
		}
		_ = cmd.Wait()
	}
	s.start(t)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			s.stop(t)
		}
	})
	return s
}
