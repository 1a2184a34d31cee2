package server

import (
	"net/http"
	"net/netip"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/trendgraph/trendgraph/graph"
)

// rateLimiter allows each client RatePerSecond requests with bursts of RateBurst. Clients are
// keyed by rateKey, a fixed-size value, so the table is bounded in bytes as well as entries.
type rateLimiter struct {
	perSecond rate.Limit
	burst     int
	clients   *lru.Cache[netip.Addr, *rate.Limiter]
}

// maxRateClients bounds the limiter table: a flood of addresses evicts the least recent,
// never grows memory.
const maxRateClients = 10_000

// newRateLimiter allows perSecond requests per client, in bursts of burst.
func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	clients, _ := lru.New[netip.Addr, *rate.Limiter](maxRateClients)
	return &rateLimiter{perSecond: rate.Limit(perSecond), burst: burst, clients: clients}
}

// allow takes a token from the bucket of the client at addr.
func (rl *rateLimiter) allow(addr netip.Addr) bool { return rl.allowN(addr, 1) }

// allowN takes n tokens from the bucket of the client at addr, or none.
func (rl *rateLimiter) allowN(addr netip.Addr, n int) bool {
	key := rateKey(addr)
	l, ok := rl.clients.Get(key)
	if !ok {
		l = rate.NewLimiter(rl.perSecond, rl.burst)
		rl.clients.Add(key, l)
	}
	return l.AllowN(time.Now(), n)
}

// rateKey is the limiter's key for a client address. An IPv6 address counts as its /64: a
// single host or home network is usually given a whole /64, and keying by the full address
// would let it take a fresh bucket per address. IPv4 addresses count as themselves. An
// address that could not be read (the zero Addr) is one shared bucket.
func rateKey(addr netip.Addr) netip.Addr {
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.Addr()
	}
	return addr
}

// rateLimited answers a request past its client's rate.
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	s.reject(w, r, http.StatusTooManyRequests, graph.CodeRateLimited, "rate",
		"too many requests: the limit is "+strconv.FormatFloat(s.cfg.RatePerSecond, 'f', -1, 64)+" per second per client, each operation of a batch counting as one")
}

// chargeBatch takes from the client's rate the operations of a batch beyond the one its request
// was counted as, and answers 429 when they do not fit.
func (s *Server) chargeBatch(w http.ResponseWriter, r *http.Request, operations int) bool {
	if s.rate == nil || operations <= 1 || s.rate.allowN(s.clients.clientAddress(r), operations-1) {
		return true
	}
	s.rateLimited(w, r)
	return false
}
