package server

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	c := newClientResolver(true, nil)
	custom := newClientResolver(true, []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")})
	off := newClientResolver(false, nil)
	cases := []struct {
		name       string
		c          *clientResolver
		peer       string
		xff        []string
		want       string
		viaTrusted bool
	}{
		{"no header", c, "127.0.0.1:1", nil, "127.0.0.1", true},
		{"trust off", off, "127.0.0.1:1", []string{"203.0.113.9"}, "127.0.0.1", false},
		{"untrusted peer", c, "198.51.100.1:1", []string{"203.0.113.9"}, "198.51.100.1", false},
		{"one hop", c, "127.0.0.1:1", []string{"203.0.113.9"}, "203.0.113.9", true},
		{"rightmost untrusted", c, "10.1.1.1:1", []string{"1.2.3.4, 203.0.113.9, 10.0.0.3"}, "203.0.113.9", true},
		{"several header lines", c, "[::1]:1", []string{"1.2.3.4", "203.0.113.9", "fd00::1"}, "203.0.113.9", true},
		{"garbage hop ends the walk", c, "127.0.0.1:1", []string{"203.0.113.9, evil.example, 10.0.0.3"}, "10.0.0.3", true},
		{"garbage rightmost", c, "127.0.0.1:1", []string{"not an ip"}, "127.0.0.1", true},
		{"port in a hop is not an IP", c, "127.0.0.1:1", []string{"203.0.113.9:80"}, "127.0.0.1", true},
		{"all trusted", c, "127.0.0.1:1", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1", true},
		{"empty hops", c, "127.0.0.1:1", []string{"203.0.113.9,, ,"}, "203.0.113.9", true},
		{"zone dropped", c, "127.0.0.1:1", []string{"fe80::1%eth0"}, "fe80::1", true},
		{"mapped IPv4", c, "[::ffff:127.0.0.1]:1", []string{"::ffff:203.0.113.9"}, "203.0.113.9", true},
		{"custom list", custom, "203.0.113.5:1", []string{"198.51.100.1"}, "198.51.100.1", true},
		{"custom list excludes loopback", custom, "127.0.0.1:1", []string{"198.51.100.1"}, "127.0.0.1", false},
		{"unreadable peer", c, "pipe", []string{"198.51.100.1"}, "invalid IP", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := tc.c.clientAddress(req).String(); got != tc.want {
				t.Fatalf("client %s, want %s", got, tc.want)
			}
			if got := tc.c.viaTrustedProxy(req); got != tc.viaTrusted {
				t.Fatalf("via trusted proxy %v, want %v", got, tc.viaTrusted)
			}
		})
	}
}
