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
)

// The limits on what a client without an account can make icare do. Each
// stops one abuse without getting in the way of the people it protects.
//
// Sign-in. Failures are counted over a sliding window of signInWindow, in
// the database so that every replica agrees, against three buckets:
//
//   - the pair (account, address): 5 failures. This is the limit that stops
//     guessing from one place, and the only one a person typing their own
//     password wrong will ever meet.
//   - the address: 20 failures over any accounts, so one place cannot try a
//     few passwords on every account instead.
//   - the account: 50 failures from all addresses together, for guessing
//     spread over many addresses. Because one address can add at most 5 to
//     it, whoever wants to lock an owner out needs at least ten addresses,
//     and the owner's own address keeps its own count of 5: a stranger with
//     a handful of addresses can no longer lock anyone out, admins included.
//
// An IPv6 client counts by its /64 network, the block one subscriber gets,
// so that cycling through the addresses of one block buys nothing. A request
// refused by a limit is not counted at all (it never reached the password
// check), so refused tries cannot keep a lock going; a good sign-in clears
// the failures of its pair. Each attempt forgets the attempts older than the
// window, so the table holds one window of attempts at most.
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
	maxFailuresPerAddress = 20
	maxFailuresPerAccount = 50

	startBurst = 100
	startRate  = rate.Limit(1)
)

// signInLimit is one bucket of the sign-in policy.
type signInLimit struct {
	bucket string
	max    int64
}

// signInLimits are the buckets an attempt on email from address counts
// against, the pair first: the one a good sign-in clears.
func signInLimits(email, address string) []signInLimit {
	return []signInLimit{
		{"pair:" + address + " " + email, maxFailuresPerPair},
		{"ip:" + address, maxFailuresPerAddress},
		{"email:" + email, maxFailuresPerAccount},
	}
}

// clientAddress is the address the limits count a client by: its IPv4
// address, or its IPv6 /64 network.
func clientAddress(c echo.Context) string {
	ip := net.ParseIP(c.RealIP())
	if ip == nil {
		return c.RealIP()
	}
	if ip.To4() != nil {
		return ip.To4().String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
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
	g.mu.Lock()
	defer g.mu.Unlock()
	cl, ok := g.clients[clientAddress(c)]
	return ok && cl.lim.Tokens() < 1
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
