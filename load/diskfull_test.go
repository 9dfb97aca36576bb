package load_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the integrity check reads the file itself

	"github.com/icare-hr/icare/models/dbtest"
)

// TestDiskFull puts icare's database — a SQLite file, and a private
// PostgreSQL server's data directory — on a tmpfs of a few MiB, fills it
// while respondents walk the survey, and frees it again: meanwhile requests
// get 503 with a log line naming the full disk and never a 500, and nothing
// is half-written; once space is back icare carries on by itself, and every
// submit acknowledged is stored intact.
func TestDiskFull(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		disk := tinyDisk(t, 16, "")
		dbURL := "sqlite:" + filepath.Join(disk, "icare.db")
		fillUnderLoad(t, disk, dbURL)
		integrity(t, strings.TrimPrefix(dbURL, "sqlite:"))
	})
	t.Run("postgres", func(t *testing.T) {
		disk := tinyDisk(t, 64, "postgres")
		srv := privatePostgresIn(t, disk)
		fillUnderLoad(t, disk, dbtest.URL(t, srv.Engine))
	})
}

// fillUnderLoad fills disk, where the database at dbURL keeps its files,
// while respondents walk the survey, then frees it, and checks what the
// respondents met and what is stored.
func fillUnderLoad(t *testing.T, disk, dbURL string) {
	t.Helper()
	invite := prepare(t, dbURL)
	p := serve(t, dbURL, freeAddr(t))
	c := startCrowd(t, p.base, invite, 8, 27, &patience{wait: 250 * time.Millisecond, patience: 60 * time.Second})
	c.waitAcks(t, 10, 30*time.Second, p.log.String)

	filler := fill(t, disk)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(p.log.String(), "database disk full"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the disk is full, yet icare logged no full disk in 30 s:\n%s", p.log.String())
		}
	}
	if ready := get(t, p.base+"/readyz"); ready != 503 {
		t.Errorf("/readyz answers %d while the disk is full, want 503", ready)
	}
	full := c.acks()
	time.Sleep(time.Second) // the walkers meet the full disk a while
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	c.waitAcks(t, full+20, 30*time.Second, p.log.String)
	c.stop()
	c.wantNoServerErrors(t, p.log.String())
	p.kill()
	checkStored(t, dbURL, c.acked)
	t.Logf("disk full: %d submits acknowledged in all, %d 503s", len(c.acked), c.seen[503])
	for _, l := range strings.Split(p.log.String(), "\n") {
		if strings.Contains(l, "disk full") {
			t.Log(l)
			break
		}
	}
}

// tinyDisk mounts a tmpfs of mib MiB for the test (which needs root),
// owned by account when one is named, and returns its path.
func tinyDisk(t *testing.T, mib int, account string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "icare-disk-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm,mode=0755", mib), "icare-test", dir).CombinedOutput()
	if err != nil {
		needServer(t, "a tiny filesystem (mount -t tmpfs)", fmt.Errorf("%v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v: %s", dir, err, out)
		}
	})
	if account != "" {
		if out, err := exec.Command("chown", account, dir).CombinedOutput(); err != nil {
			t.Fatalf("chown %s %s: %v: %s", account, dir, err, out)
		}
	}
	return dir
}

// fill writes a file into dir until no space is left, and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// integrity runs SQLite's integrity check on the database file at path.
func integrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&got); err != nil || got != "ok" {
		t.Errorf("integrity check: %q, %v", got, err)
	}
}
