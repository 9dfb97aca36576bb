// Package load walks icare's survey as a browser does — the team link, Start,
// the perspective, the five key pages, the comment and Submit, with cookies
// and CSRF tokens — so that the load driver (cmd/icare-load) and the crash and
// scale-out tests drive the real server the way respondents do.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/icare-hr/icare/scoring"
)

// Step names, in the order a walk takes them: each is one request.
const (
	StepWelcome = "welcome"
	StepStart   = "start"
	StepResult  = "result"
)

// Steps lists every request of a walk by name: the welcome page, Start, then a
// GET and a POST of each page of the survey, and the result page.
func Steps() []string {
	steps := []string{StepWelcome, StepStart}
	for _, p := range Pages() {
		steps = append(steps, "GET "+p, "POST "+p)
	}
	return append(steps, StepResult)
}

// Pages are the survey's pages in order, as named in its /s/ paths.
func Pages() []string {
	keys := scoring.KeyIDs()
	return append(append([]string{"perspective"}, keys[:]...), "comment")
}

// Walk is one respondent's finished walk.
type Walk struct {
	// Result is the path of the result page the submit led to; it is set
	// once the submit has been acknowledged, even when a later step fails.
	Result string
	// Answers are the 25 answers submitted, in item order.
	Answers scoring.Answers
	// Perspective is the role chosen.
	Perspective string
	// Took is each step's time by name, and Total the whole walk's.
	Took  map[string]time.Duration
	Total time.Duration
	// Sizes are the bytes of each page's body by step name.
	Sizes map[string]int
}

// StatusError is a step answered with another status than a browser walking
// the survey expects.
type StatusError struct {
	Step   string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.Step, e.Status, e.Body)
}

// Client is one respondent's browser: a cookie jar, no redirect following
// (each redirect is the next step's GET, timed on its own), and connections
// from an address of its own in 127.0.0.0/8, so that icare's per-address
// limit on starting responses sees separate people, as it would in an
// office with many devices behind separate addresses.
type Client struct {
	http *http.Client
	// replicas, when set, take the requests in turn, as a load balancer
	// without sticky sessions would hand them out.
	replicas []*url.URL
	sent     int
	// wait and patience, when set, make a 503 be met as a person meets
	// it (Patient).
	wait, patience time.Duration
	// Seen counts the statuses of every answer the client got, each 503
	// it waited out included.
	Seen map[int]int
	// body holds the last answer's body. A load driver shares the machine
	// with the server it measures: reading every page into a new slice
	// (io.ReadAll, growing from 512 bytes) made a quarter of all the
	// bytes allocated in a run of icare-load, client and server together.
	body bytes.Buffer
}

// Patient makes the client meet a 503 as a person does: wait as Retry-After
// asks (at most wait) and send the same request again — the page's "Send
// again", or a reload — for up to patience in all before it gives up.
func (c *Client) Patient(wait, patience time.Duration) { c.wait, c.patience = wait, patience }

// Spread sends each following request to the next of the replicas' base
// URLs in turn (the same host on other ports shares the cookies, as a
// browser's do across one load-balanced address).
func (c *Client) Spread(bases ...*url.URL) { c.replicas = bases }

// NewClient makes a respondent's browser. With a loopback target, its
// connections come from a random 127.x.y.z of its own.
func NewClient(target *url.URL, r *rand.Rand) *Client {
	jar, _ := cookiejar.New(nil) // New never fails without options
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	// (Only Linux answers on all of 127.0.0.0/8; elsewhere every client
	// comes from 127.0.0.1.)
	if ip := net.ParseIP(target.Hostname()); runtime.GOOS == "linux" && ip != nil && ip.To4() != nil && ip.IsLoopback() {
		local := net.IPv4(127, byte(1+r.IntN(254)), byte(r.IntN(256)), byte(1+r.IntN(254)))
		dialer.LocalAddr = &net.TCPAddr{IP: local}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	return &Client{Seen: map[int]int{}, http: &http.Client{
		Jar:           jar,
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Close drops the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Walk answers the survey behind a team link with random answers (one in
// ten statements skipped, never a whole page) and submits it.
func (c *Client) Walk(ctx context.Context, link string, r *rand.Rand) (Walk, error) {
	w := *newWalk()
	target, err := url.Parse(link)
	if err != nil {
		return w, fmt.Errorf("team link %q: %w", link, err)
	}
	began := time.Now()
	body, err := c.get(ctx, &w, StepWelcome, target)
	if err != nil {
		return w, err
	}
	token, err := csrfOf(StepWelcome, body)
	if err != nil {
		return w, err
	}
	next, err := c.post(ctx, &w, StepStart, target, url.Values{"_csrf": {token}, "action": {"start"}})
	if err != nil {
		return w, err
	}
	w.Perspective = scoring.Perspectives[r.IntN(len(scoring.Perspectives))]
	for i, page := range Pages() {
		body, err := c.get(ctx, &w, "GET "+page, next)
		if err != nil {
			return w, err
		}
		if token, err = csrfOf(page, body); err != nil {
			return w, err
		}
		form := url.Values{"_csrf": {token}, "action": {"next"}}
		switch {
		case page == "perspective":
			form.Set("perspective", w.Perspective)
		case page == "comment":
			form.Set("action", "submit")
			form.Set("comment", "")
		default:
			k := i - 1
			kept := r.IntN(scoring.ItemsPerKey) // always answered, so no page is all skipped
			for j := range scoring.ItemsPerKey {
				item := k*scoring.ItemsPerKey + j
				if j != kept && r.IntN(10) == 0 {
					continue // skipped
				}
				w.Answers[item] = uint8(1 + r.IntN(scoring.ScaleMax))
				form.Set(scoring.ItemID(item), fmt.Sprint(w.Answers[item]))
			}
		}
		if next, err = c.post(ctx, &w, "POST "+page, next, form); err != nil {
			return w, err
		}
	}
	// The submit was acknowledged: the answers are in, whatever the
	// result page does.
	w.Result = next.Path
	if _, err := c.get(ctx, &w, StepResult, next); err != nil {
		return w, err
	}
	w.Total = time.Since(began)
	return w, nil
}

// Get fetches a page outside a walk; it must answer 200. The body is valid
// until the client's next request.
func (c *Client) Get(ctx context.Context, u *url.URL) ([]byte, error) {
	return c.get(ctx, newWalk(), u.Path, u)
}

// Post sends a form outside a walk; it must answer 303, and where it leads
// comes back.
func (c *Client) Post(ctx context.Context, u *url.URL, form url.Values) (*url.URL, error) {
	return c.post(ctx, newWalk(), u.Path, u, form)
}

// CSRF is the CSRF token of a page's form.
func CSRF(page []byte) (string, error) { return csrfOf("page", page) }

func newWalk() *Walk { return &Walk{Took: map[string]time.Duration{}, Sizes: map[string]int{}} }

// post sends a form, expects 303 See Other and returns where it leads.
func (c *Client) post(ctx context.Context, w *Walk, step string, u *url.URL, form url.Values) (*url.URL, error) {
	_, loc, err := c.send(ctx, w, step, http.MethodPost, u, form, http.StatusSeeOther)
	return loc, err
}

// get fetches a page, which must answer 200, and returns its body.
func (c *Client) get(ctx context.Context, w *Walk, step string, u *url.URL) ([]byte, error) {
	body, _, err := c.send(ctx, w, step, http.MethodGet, u, nil, http.StatusOK)
	return body, err
}

// send sends one request and reads the whole answer, which must have the
// status want; a redirect's target comes back too.
func (c *Client) send(ctx context.Context, w *Walk, step, method string, u *url.URL, form url.Values, want int) ([]byte, *url.URL, error) {
	if len(c.replicas) > 0 {
		to := *u
		to.Scheme, to.Host = c.replicas[c.sent%len(c.replicas)].Scheme, c.replicas[c.sent%len(c.replicas)].Host
		u, c.sent = &to, c.sent+1
	}
	began := time.Now()
	var res *http.Response
	var got []byte
	for {
		var err error
		if res, got, err = c.do(ctx, method, u, form); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", step, err)
		}
		c.Seen[res.StatusCode]++
		if res.StatusCode != http.StatusServiceUnavailable || time.Since(began) >= c.patience {
			break
		}
		wait := c.wait
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
			wait = min(wait, time.Duration(s)*time.Second)
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%s: %w", step, ctx.Err())
		case <-time.After(wait):
		}
	}
	w.Took[step] = time.Since(began)
	w.Sizes[step] = len(got)
	if res.StatusCode != want {
		return nil, nil, &StatusError{Step: step, Status: res.StatusCode, Body: excerpt(got)}
	}
	if want != http.StatusSeeOther {
		return got, nil, nil
	}
	loc, err := res.Location()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", step, err)
	}
	return got, loc, nil
}

// do sends one request and reads its whole answer.
func (c *Client) do(ctx context.Context, method string, u *url.URL, form url.Values) (*http.Response, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	c.body.Reset()
	if _, err := c.body.ReadFrom(res.Body); err != nil {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	return res, c.body.Bytes(), nil
}

// csrfAttrs precede the CSRF token in a page's hidden field.
var csrfAttrs = []byte(`name="_csrf" value="`)

// csrfOf finds the CSRF token of a page's form, as a browser posts it back.
// (A plain search: a regular expression over each 20 KB page cost the
// client more than all its other parsing.)
func csrfOf(page string, body []byte) (string, error) {
	_, rest, ok := bytes.Cut(body, csrfAttrs)
	tok, _, closed := bytes.Cut(rest, []byte{'"'})
	if !ok || !closed || len(tok) == 0 {
		return "", fmt.Errorf("%s: the page has no CSRF token", page)
	}
	return string(tok), nil
}

// excerpt is the start of a body, for an error message.
func excerpt(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Status is the HTTP status of a step's error, or 0 when it has none (the
// connection failed).
func Status(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}
