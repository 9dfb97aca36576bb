package load

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Plan bounds a run: Respondents walk at once, until Duration has passed or
// Surveys have been completed, whichever comes first.
type Plan struct {
	Link        string
	Respondents int
	Duration    time.Duration
	Surveys     int
	// Seed makes the answers repeatable.
	Seed uint64
	// OnWalk, when set, is called with every completed walk (from several
	// goroutines at once).
	OnWalk func(Walk)
	// OnError, when set, is called with every failed walk.
	OnError func(error)
}

// Report is what a run measured.
type Report struct {
	Completed int
	// Failed counts failed walks by the status that failed them (0: the
	// connection failed).
	Failed  map[int]int
	Elapsed time.Duration
	// Totals are the times of the completed walks, and Steps each step's
	// times in them.
	Totals []time.Duration
	Steps  map[string][]time.Duration
	// Sizes are the page sizes of the last completed walk.
	Sizes map[string]int
}

// Add counts the walks of o, a later run against the same server, into r.
func (r *Report) Add(o Report) {
	r.Completed += o.Completed
	if r.Failed == nil {
		r.Failed = map[int]int{}
	}
	for status, n := range o.Failed {
		r.Failed[status] += n
	}
	r.Elapsed += o.Elapsed
	r.Totals = append(r.Totals, o.Totals...)
	if r.Steps == nil {
		r.Steps = map[string][]time.Duration{}
	}
	for step, ds := range o.Steps {
		r.Steps[step] = append(r.Steps[step], ds...)
	}
	if o.Sizes != nil {
		r.Sizes = o.Sizes
	}
}

// PerSecond is completed surveys per second.
func (r Report) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Completed) / r.Elapsed.Seconds()
}

// Quantile is the q-quantile (0 < q ≤ 1) of ds, by the nearest rank.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Run walks the survey with p.Respondents respondents at once, each a new
// browser for every survey.
func Run(ctx context.Context, p Plan) (Report, error) {
	target, err := url.Parse(p.Link)
	if err != nil {
		return Report{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.Duration)
	defer cancel()
	rep := Report{Failed: map[int]int{}, Steps: map[string][]time.Duration{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	began := time.Now()
	for i := range p.Respondents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(p.Seed, uint64(i)))
			for ctx.Err() == nil {
				c := NewClient(target, r)
				w, err := c.Walk(ctx, p.Link, r)
				c.Close()
				if ctx.Err() != nil {
					return // cut off by the end of the run: counted neither way
				}
				mu.Lock()
				if err != nil {
					rep.Failed[Status(err)]++
				} else if p.Surveys == 0 || rep.Completed < p.Surveys {
					rep.Completed++
					rep.Totals = append(rep.Totals, w.Total)
					for step, d := range w.Took {
						rep.Steps[step] = append(rep.Steps[step], d)
					}
					rep.Sizes = w.Sizes
				}
				done := p.Surveys > 0 && rep.Completed >= p.Surveys
				mu.Unlock()
				if err != nil && p.OnError != nil {
					p.OnError(err)
				}
				if err == nil && p.OnWalk != nil {
					p.OnWalk(w)
				}
				if done {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(began)
	return rep, nil
}
