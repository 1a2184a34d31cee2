package server

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// fromPeer sends a query as if from the connection's other end at peer, with the given
// X-Forwarded-For (none when empty), and returns the status.
func fromPeer(h http.Handler, peer, xff string) int {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = peer
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// oneRequestEach allows every client one request, so a second request on the same key is 429.
func oneRequestEach(c *Config) { c.RatePerSecond, c.RateBurst, c.TrustProxy = 0.001, 1, true }

// Issue 10 item 7: the leftmost X-Forwarded-For entry was the key, so a client chose its own
// rate-limit bucket on every request.
func TestRateLimitKeyIgnoresSpoofedHops(t *testing.T) {
	h := newHandler(t, newStore(t), oneRequestEach)
	// Through a proxy on loopback that appends the address it saw (203.0.113.7).
	if got := fromPeer(h, "127.0.0.1:5000", "1.1.1.1, 203.0.113.7"); got != http.StatusOK {
		t.Fatalf("first request: %d", got)
	}
	if got := fromPeer(h, "127.0.0.1:5000", "9.9.9.9, 203.0.113.7"); got != http.StatusTooManyRequests {
		t.Fatalf("a spoofed leftmost hop gave a fresh bucket: %d", got)
	}
	// A chain of trusted proxies is walked past to the client.
	if got := fromPeer(h, "127.0.0.1:5000", "8.8.8.8, 203.0.113.7, 10.0.0.2, 192.168.1.1"); got != http.StatusTooManyRequests {
		t.Fatalf("trusted hops were taken for the client: %d", got)
	}
	if got := fromPeer(h, "127.0.0.1:5000", "203.0.113.8"); got != http.StatusOK {
		t.Fatalf("another client: %d", got)
	}
}

// Issue 10 item 7: X-Forwarded-For was believed from any peer.
func TestForwardedForFromUntrustedPeerIsIgnored(t *testing.T) {
	h := newHandler(t, newStore(t), oneRequestEach)
	if got := fromPeer(h, "198.51.100.20:4000", "203.0.113.1"); got != http.StatusOK {
		t.Fatalf("first request: %d", got)
	}
	if got := fromPeer(h, "198.51.100.20:4000", "203.0.113.2"); got != http.StatusTooManyRequests {
		t.Fatalf("an untrusted peer chose its bucket with X-Forwarded-For: %d", got)
	}
}

// Issue 10 item 7: each distinct raw header was a limiter entry of its own, kept as a string
// of up to the header limit.
func TestHugeForwardedForAddsNoLimiterEntries(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond, c.RateBurst, c.TrustProxy = 1000, 1000, true })
	junk := make([]byte, 5<<10)
	for i := range 50 {
		_, _ = rand.Read(junk)
		random := hex.EncodeToString(junk) // 10 KB, no commas: one unreadable hop
		peer := "198.51.100.20:4000"       // untrusted: the header is ignored
		if i%2 == 1 {
			peer = "127.0.0.1:5000" // trusted: the hop does not parse, so the peer is the client
		}
		if got := fromPeer(h, peer, random); got != http.StatusOK {
			t.Fatalf("request %d: %d", i, got)
		}
		if got := fromPeer(h, "127.0.0.1:5000", "10.0.0.1,"+strings.Repeat("10.0.0.9, ", 1000)+"x"); got != http.StatusOK {
			t.Fatalf("request %d: %d", i, got)
		}
	}
	if n := h.rate.clients.Len(); n != 2 {
		t.Fatalf("%d limiter entries after 100 requests from two peers", n)
	}
}

// IPv6 clients count as their /64: a host rotating through its own addresses keeps its bucket.
func TestRateKeyMasksIPv6(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2:ffff::9")
	if rateKey(a) != rateKey(b) || rateKey(a) == rateKey(netip.MustParseAddr("2001:db8:1:3::1")) {
		t.Fatalf("keys %v %v", rateKey(a), rateKey(b))
	}
	if v4 := netip.MustParseAddr("203.0.113.9"); rateKey(v4) != v4 || rateKey(netip.MustParseAddr("::ffff:203.0.113.9")) != v4 {
		t.Fatal("IPv4 keys")
	}
}
