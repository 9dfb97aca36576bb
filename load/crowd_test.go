package load_test

import (
	"context"
	"math/rand/v2"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/icare-hr/icare/load"
	"github.com/icare-hr/icare/models"
)

// crowd is respondents walking the survey behind one invite link over and
// over, each walk a new browser, until stopped.
type crowd struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	acked  []load.Walk
	seen   map[int]int // statuses of every answer, 503s waited out included
	errs   []error     // walks that failed, but for the stop
}

// patience is how a patient crowd meets a 503: it waits as Retry-After asks,
// at most wait, and gives up after patience in all (load.Client.Patient).
type patience struct{ wait, patience time.Duration }

// startCrowd sets n respondents walking at base+invite; with p, they are
// patient with 503s.
func startCrowd(t *testing.T, base, invite string, n int, seed uint64, p *patience) *crowd {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &crowd{cancel: cancel, seen: map[int]int{}}
	t.Cleanup(c.stop)
	target, _ := url.Parse(base)
	for i := range n {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			for ctx.Err() == nil {
				cl := load.NewClient(target, r)
				if p != nil {
					cl.Patient(p.wait, p.patience)
				}
				w, err := cl.Walk(ctx, base+invite, r)
				cl.Close()
				c.mu.Lock()
				if w.Result != "" {
					c.acked = append(c.acked, w)
				}
				for s, k := range cl.Seen {
					c.seen[s] += k
				}
				if err != nil && ctx.Err() == nil {
					c.errs = append(c.errs, err)
				}
				c.mu.Unlock()
			}
		}()
	}
	return c
}

// acks is how many submits have been acknowledged so far.
func (c *crowd) acks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.acked)
}

// waitAcks waits until n submits are acknowledged, or fails the test after
// limit with why's text.
func (c *crowd) waitAcks(t *testing.T, n int, limit time.Duration, why func() string) {
	t.Helper()
	for deadline := time.Now().Add(limit); c.acks() < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d submits acknowledged in %s:\n%s", c.acks(), n, limit, why())
		}
	}
}

// stop ends the walks and waits for them.
func (c *crowd) stop() {
	c.cancel()
	c.wg.Wait()
}

// wantNoServerErrors fails the test for any answer of 500 or more but 503,
// and for any walk that failed (a patient crowd rides through 503s), with
// icare's log.
func (c *crowd) wantNoServerErrors(t *testing.T, log string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, err := range c.errs {
		t.Errorf("a walk failed: %v", err)
	}
	for s, k := range c.seen {
		if s >= 500 && s != 503 {
			t.Errorf("%d answers of status %d", k, s)
		}
	}
	if t.Failed() {
		t.Logf("icare's log:\n%s", log)
	}
}

// checkStored proves that every acknowledged walk is stored intact, that no
// response is half-written, and that the round's aggregates count exactly
// the submitted responses.
func checkStored(t *testing.T, dbURL string, acked []load.Walk) {
	t.Helper()
	ctx := context.Background()
	store, err := models.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, w := range acked {
		r, err := store.ResponseByResultToken(ctx, w.Result[len("/r/"):])
		if err != nil {
			t.Errorf("an acknowledged submit (%s…) is missing: %v", w.Result[:8], err)
			continue
		}
		if !r.Submitted() || r.Answers() != w.Answers || r.Perspective != w.Perspective || r.ExportCells == "" {
			t.Errorf("response %d differs from what was sent: status %s, %v %s, sent %v %s", r.ID, r.Status, r.Answers(), r.Perspective, w.Answers, w.Perspective)
		}
	}
	round, err := store.CurrentRound(ctx)
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := store.CountResponses(ctx, round.ID, models.StatusSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := store.Cells(ctx, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	var counted int64
	for _, c := range cells {
		counted += c.Agg.N
	}
	if counted != submitted || submitted < int64(len(acked)) {
		t.Errorf("aggregates count %d, %d responses are submitted, %d were acknowledged", counted, submitted, len(acked))
	}
}

// waitForPort waits until something listens at addr.
func waitForPort(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s after 30 s: %v", addr, err)
		}
	}
}
