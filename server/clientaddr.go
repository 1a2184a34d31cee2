package server

import (
	"net/http"
	"net/netip"
	"strings"
)

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

// newClientResolver believes the networks trusted, or DefaultTrustedProxies when none are given.
func newClientResolver(trustProxy bool, trusted []netip.Prefix) *clientResolver {
	if len(trusted) == 0 {
		trusted = DefaultTrustedProxies()
	}
	return &clientResolver{trustProxy: trustProxy, trusted: trusted}
}

// isTrusted reports whether a is the address of a trusted proxy.
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
