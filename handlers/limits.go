package handlers

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/icare-hr/icare/models"
)

// The limits on what a client without an account can make icare do. Each
// stops one abuse without getting in the way of the people it protects.
//
// Sign-in. Failures are counted over a sliding window of signInWindow, in
// the database so that every replica agrees, against four buckets:
//
//   - the pair (account, address): 5 failures. This is the limit that stops
//     guessing from one place, and the one a person typing their own
//     password wrong meets (someone guessing at the same account from the
//     owner's own address or network can hold it there for the window).
//   - the account and the address's network (an IPv4 /24, an IPv6 /48): 10,
//     so that the many addresses of one network count as one place.
//   - the address: 20 failures over any accounts, so one place cannot try a
//     few passwords on every account instead.
//   - the account: 50 failures from all addresses together, for guessing
//     spread over many networks, which needs at least five of them to reach.
//     A place where the account signed in during the last knownPlaceFor is
//     exempt from this one (its pair limit still holds), so whoever guesses
//     from many networks cannot lock the owner out of the places they use.
//
// An IPv6 client counts by its /64, the block one subscriber gets, so that
// cycling through the addresses of one block buys nothing. A request that a
// limit refuses is refused before anything is written and its password is
// never checked, so refused tries cannot keep a lock going; parallel tries
// that slip past that first look are recorded, counted again, and taken back
// when over. A good sign-in clears the failures of its pair. Each attempt
// forgets the attempts older than the window, so the table holds one window
// of attempts and the known places at most.
//
// Starting a response. POST /t/:token makes an unfinished response; a client
// address may start startBurst at once and startRate a second after that,
// held in this process's memory only. An office of 1,000 people behind one
// address can all start within a quarter of an hour after an all-hands mail,
// while a flood makes one row a second instead of hundreds. Replicas count
// on their own, which only makes the limit more generous. Unfinished
// responses are removed when their round closes (models.Store.CloseRound).
const (
	signInWindow          = 15 * time.Minute
	maxFailuresPerPair    = 5
	maxFailuresPerNetwork = 10
	maxFailuresPerAddress = 20
	maxFailuresPerAccount = 50
	knownPlaceFor         = 90 * 24 * time.Hour

	startBurst = 100
	startRate  = rate.Limit(1)
)

// signInLimit is one bucket of the sign-in policy.
type signInLimit struct {
	bucket string
	max    int64
	// account is set for the per-account limit, which a known place skips.
	account bool
}

// signInLimits are the buckets an attempt on email from c counts against,
// the pair first: the one a good sign-in clears.
func signInLimits(email string, c echo.Context) []signInLimit {
	address := clientAddress(c)
	return []signInLimit{
		{bucket: "pair:" + address + " " + email, max: maxFailuresPerPair},
		{bucket: "net:" + clientNetwork(c) + " " + email, max: maxFailuresPerNetwork},
		{bucket: "ip:" + address, max: maxFailuresPerAddress},
		{bucket: "email:" + email, max: maxFailuresPerAccount, account: true},
	}
}

// knownPlace is the bucket that remembers a good sign-in of email from c.
func knownPlace(email string, c echo.Context) string {
	return models.KnownPlacePrefix + clientAddress(c) + " " + email
}

// admitSignIn applies the sign-in policy to an attempt on email. When the
// attempt may go on to the password, it is recorded and its rows' ids are
// returned with ok; when a limit refuses it, nothing is written.
func (s *Server) admitSignIn(c echo.Context, email string) (ids []uint64, ok bool, err error) {
	ctx := c.Request().Context()
	limits := signInLimits(email, c)
	buckets := make([]string, len(limits))
	for i, l := range limits {
		buckets[i] = l.bucket
	}
	now := s.store.Now()
	since := now.Add(-signInWindow)
	known, err := s.store.SignInFailures(ctx, now.Add(-knownPlaceFor), knownPlace(email, c))
	if err != nil {
		return nil, false, err
	}
	over := func(counts map[string]int64, slack int64) bool {
		for _, l := range limits {
			if l.account && len(known) > 0 {
				continue
			}
			if counts[l.bucket]+slack > l.max {
				return true
			}
		}
		return false
	}
	counts, err := s.store.SignInFailures(ctx, since, buckets...)
	if err != nil || over(counts, 1) {
		return nil, false, err
	}
	if ids, err = s.store.RecordSignInAttempt(ctx, since, buckets...); err != nil {
		return nil, false, err
	}
	if counts, err = s.store.SignInFailures(ctx, since, buckets...); err != nil {
		return nil, false, err
	}
	if over(counts, 0) {
		return nil, false, s.store.ForgetSignInAttempts(ctx, ids)
	}
	return ids, true, nil
}

// clientAddress is the address the limits count a client by: its IPv4
// address, or its IPv6 /64 network.
func clientAddress(c echo.Context) string {
	return maskedAddress(c, 32, 64)
}

// clientNetwork is the client's network: an IPv4 /24 or an IPv6 /48.
func clientNetwork(c echo.Context) string {
	return maskedAddress(c, 24, 48)
}

func maskedAddress(c echo.Context, v4, v6 int) string {
	ip := net.ParseIP(c.RealIP())
	switch {
	case ip == nil:
		return c.RealIP()
	case ip.To4() != nil:
		m := net.CIDRMask(v4, 32)
		return (&net.IPNet{IP: ip.To4().Mask(m), Mask: m}).String()
	}
	m := net.CIDRMask(v6, 128)
	return (&net.IPNet{IP: ip.Mask(m), Mask: m}).String()
}

// startLimiter counts response starts per client address.
type startLimiter struct {
	store *middleware.RateLimiterMemoryStore
}

func newStartLimiter() startLimiter {
	return startLimiter{middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: startRate, Burst: startBurst, ExpiresIn: 10 * time.Minute,
	})}
}

// allow reports whether the client may start one more response, or returns
// the 429 that says when it may.
func (l startLimiter) allow(c echo.Context) error {
	if ok, err := l.store.Allow(clientAddress(c)); err != nil {
		return fmt.Errorf("start limit: %w", err)
	} else if ok {
		return nil
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(1/float64(startRate)))))
	return echo.NewHTTPError(http.StatusTooManyRequests,
		"Very many surveys were started from your network just now. Please wait a few seconds and press Start again.")
}

// Typed personal codes. A code has 80 bits, so guessing one is hopeless at
// any rate; still, a client address may get codeGuessBurst codes wrong at
// once and one more every codeGuessEvery after that, so that nobody can
// churn through codes (a person who mistypes theirs a few times is not
// affected, and an office behind one address gets the same allowance for
// its typos). Only wrong codes count, in this process's memory; no address
// is ever stored with a response.
const (
	codeGuessBurst = 20
	codeGuessEvery = 10 * time.Second
)

// guessLimiter counts wrong codes per client address.
type guessLimiter struct {
	mu      sync.Mutex
	clients map[string]*guesses
	swept   time.Time
}

type guesses struct {
	lim  *rate.Limiter
	seen time.Time
}

func newGuessLimiter() *guessLimiter { return &guessLimiter{clients: map[string]*guesses{}} }

// blocked reports whether the client has no wrong guess left for now.
func (g *guessLimiter) blocked(c echo.Context) bool {
	return g.wait(c) > 0
}

// wait is how long the client must wait before its next code is looked
// up: 0 when it need not.
func (g *guessLimiter) wait(c echo.Context) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	cl, ok := g.clients[clientAddress(c)]
	if !ok {
		return 0
	}
	if t := cl.lim.Tokens(); t < 1 {
		return time.Duration((1 - t) * float64(codeGuessEvery))
	}
	return 0
}

// wrong counts one wrong code of the client.
func (g *guessLimiter) wrong(c echo.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if now.Sub(g.swept) > time.Minute {
		// A client whose allowance is full again is forgotten.
		for k, cl := range g.clients {
			if now.Sub(cl.seen) > codeGuessEvery*codeGuessBurst {
				delete(g.clients, k)
			}
		}
		g.swept = now
	}
	addr := clientAddress(c)
	cl, ok := g.clients[addr]
	if !ok {
		cl = &guesses{lim: rate.NewLimiter(rate.Every(codeGuessEvery), codeGuessBurst)}
		g.clients[addr] = cl
	}
	cl.seen = now
	cl.lim.Allow()
}
