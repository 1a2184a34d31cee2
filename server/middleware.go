package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/trendgraph/trendgraph/graph"
)

// requestInfo collects what the access log and metrics report of one request; the GraphQL
// layer fills in the operation as it learns it.
type requestInfo struct {
	mu     sync.Mutex
	id     string
	opName string
	opType string
	cost   int
	codes  []string
	authed bool
	// tokenScope identifies the caller's token (a digest prefix), for cache keys.
	tokenScope string
	cached     bool
	rejected   string
	// spentCost and spentIntrospection are what the operations of this request (a batch has
	// several) have used of their shared budget.
	spentCost, spentIntrospection int
}

// spend adds an operation's cost and introspection fields to the request's totals and
// returns the new totals.
func (i *requestInfo) spend(cost, introspection int) (int, int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.spentCost = satAdd(i.spentCost, cost)
	i.spentIntrospection = satAdd(i.spentIntrospection, introspection)
	return i.spentCost, i.spentIntrospection
}

// scope is what of the caller can change an answer: their token, or nothing.
func (i *requestInfo) scope() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.tokenScope
}

func (i *requestInfo) setCached() {
	i.mu.Lock()
	i.cached = true
	i.mu.Unlock()
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

func (i *requestInfo) setOperation(name, typ string) {
	i.mu.Lock()
	i.opName, i.opType = name, typ
	i.mu.Unlock()
}

func (i *requestInfo) setCost(c int) {
	i.mu.Lock()
	i.cost = c
	i.mu.Unlock()
}

func (i *requestInfo) addCode(code string) {
	i.mu.Lock()
	if !slices.Contains(i.codes, code) {
		i.codes = append(i.codes, code)
	}
	i.mu.Unlock()
}

// RequestIDHeader carries the request ID, taken from the client when it sends a sane one.
const RequestIDHeader = "X-Request-ID"

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe is the outermost middleware: a request ID on every response and log line, an access
// log line per request (never variables, bodies or tokens), metrics, and recovery from panics.
func (s *Server) observe(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !requestIDRe.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		info := &requestInfo{id: id}
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(ctx, "panic serving request", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeError(sw, mediaJSON, http.StatusInternalServerError, graph.CodeInternal, "internal error")
				}
			}
			elapsed := time.Since(start)
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			info.mu.Lock()
			attrs := []any{"request_id", id, "method", r.Method, "route", route, "status", sw.status,
				"duration_ms", float64(elapsed.Microseconds()) / 1000, "bytes", sw.bytes}
			if info.opType != "" {
				attrs = append(attrs, "operation", logOperationName(info.opName), "operation_type", info.opType, "cost", info.cost)
			}
			if info.cached {
				attrs = append(attrs, "cache", "hit")
			}
			if len(info.codes) > 0 {
				attrs = append(attrs, "error_codes", strings.Join(info.codes, ","))
			}
			if info.rejected != "" {
				attrs = append(attrs, "rejected_by", info.rejected)
			}
			opName, opType, codes := info.opName, info.opType, slices.Clone(info.codes)
			info.mu.Unlock()
			s.metrics.observeRequest(route, opName, opType, sw.status, elapsed, codes)
			if s.cfg.AccessLog {
				s.log.LogAttrs(ctx, slog.LevelInfo, "request", argsToAttrs(attrs)...)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, slog.Any(args[i].(string), args[i+1]))
	}
	return out
}

// reject answers a request refused before GraphQL execution, and counts it by limit.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, status int, code, limit, msg string) {
	if info := requestInfoFrom(r.Context()); info != nil {
		info.mu.Lock()
		info.rejected = limit
		info.mu.Unlock()
		info.addCode(code)
	}
	s.metrics.rejected.WithLabelValues(limit).Inc()
	media, ok := responseMedia(r.Header.Values("Accept"))
	if !ok {
		media = mediaJSON
	}
	writeError(w, media, status, code, msg)
}

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

// DefaultTrustedProxies are the networks whose X-Forwarded-For is believed with TrustProxy
// when Config.TrustedProxies is empty: loopback and the private ranges, where a reverse proxy
// run beside the server usually lives.
func DefaultTrustedProxies() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("fc00::/7"),
	}
}

// maxForwardedHops bounds the X-Forwarded-For walk: no real proxy chain is this long, and a
// header of thousands of trusted-looking hops then costs no more than a short one.
const maxForwardedHops = 32

// clientResolver finds who sent a request, believing forwarding headers only from the proxies
// the operator named.
type clientResolver struct {
	trustProxy bool
	trusted    []netip.Prefix
}

func newClientResolver(trustProxy bool, trusted []netip.Prefix) *clientResolver {
	if len(trusted) == 0 {
		trusted = DefaultTrustedProxies()
	}
	return &clientResolver{trustProxy: trustProxy, trusted: trusted}
}

func (c *clientResolver) isTrusted(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the address of the connection's other end; the zero Addr when RemoteAddr is not an
// IP (an embedding server may set anything there).
func peer(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	a, _ := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap().WithZone("")
}

// viaTrustedProxy reports whether forwarding headers of r may be believed: TrustProxy is on
// and the immediate peer is a trusted proxy.
func (c *clientResolver) viaTrustedProxy(r *http.Request) bool {
	return c.trustProxy && c.isTrusted(peer(r))
}

// clientAddress is the client's IP. Behind a trusted proxy it is the rightmost X-Forwarded-For
// hop that is not itself a trusted proxy: every hop to its left was written by the client and
// proves nothing. A hop that is not an IP ends the walk at the last good address. The raw
// header is never returned, so nothing is keyed by what a client wrote.
func (c *clientResolver) clientAddress(r *http.Request) netip.Addr {
	addr := peer(r)
	if !c.viaTrustedProxy(r) {
		return addr
	}
	values := r.Header.Values("X-Forwarded-For")
	hops := 0
	// Walk from the right without splitting the header: it may be as large as the header limit.
	for v := len(values) - 1; v >= 0; v-- {
		rest := values[v]
		for rest != "" {
			hop := rest
			if i := strings.LastIndexByte(rest, ','); i >= 0 {
				hop, rest = rest[i+1:], rest[:i]
			} else {
				rest = ""
			}
			hop = strings.TrimSpace(hop)
			if hop == "" {
				continue // "a,,b" or a trailing comma: nothing was said
			}
			if hops++; hops > maxForwardedHops {
				return addr
			}
			next, err := netip.ParseAddr(hop)
			if err != nil {
				return addr
			}
			addr = next.Unmap().WithZone("")
			if !c.isTrusted(addr) {
				return addr
			}
		}
	}
	return addr
}

// forwardedValue is the rightmost value of a forwarding header such as X-Forwarded-Host: the
// one our own trusted proxy wrote (a client's values can only be to its left).
func forwardedValue(r *http.Request, name string) string {
	values := r.Header.Values(name)
	if len(values) == 0 {
		return ""
	}
	last := values[len(values)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.TrimSpace(last)
}

// tokenSet holds bearer tokens as digests, compared in constant time.
type tokenSet struct{ digests [][32]byte }

func newTokenSet(tokens []string) *tokenSet {
	ts := &tokenSet{}
	for _, t := range tokens {
		if t = strings.TrimSpace(t); t != "" {
			ts.digests = append(ts.digests, sha256.Sum256([]byte(t)))
		}
	}
	return ts
}

// valid compares the presented token with every known one, without stopping early, so the
// time taken says nothing about which or how much matched.
func (ts *tokenSet) valid(token string) bool {
	d := sha256.Sum256([]byte(token))
	ok := 0
	for _, known := range ts.digests {
		ok |= subtle.ConstantTimeCompare(d[:], known[:])
	}
	return ok == 1
}

// bearer extracts the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
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

// guard applies the per-request policies of the GraphQL endpoint: rate limit, authentication and
// the request timeout.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if s.rate != nil && !s.rate.allow(s.clients.clientAddress(r)) {
			s.rateLimited(w, r)
			return
		}
		info := requestInfoFrom(r.Context())
		if token, ok := bearer(r); ok && s.tokens.valid(token) {
			if info != nil {
				d := sha256.Sum256([]byte(token))
				info.mu.Lock()
				info.authed = true
				info.tokenScope = hex.EncodeToString(d[:8])
				info.mu.Unlock()
			}
		} else if s.cfg.RequireAuth {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trendgraph"`)
			s.reject(w, r, http.StatusUnauthorized, graph.CodeUnauthenticated, "auth", "a valid bearer token is required")
			return
		}
		if s.cfg.Timeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}
