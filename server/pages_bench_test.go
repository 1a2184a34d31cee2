package server

import (
	"net/http"
	"testing"
)

// BenchmarkPages renders the pictures and pages with the response cache off: what the first
// request after a change to the data costs.
func BenchmarkPages(b *testing.B) {
	st := newStore(b)
	h := newHandler(b, st, func(c *Config) { c.CacheBytes = 0; c.RatePerSecond = 0 })
	for _, p := range []string{"/e/trend/microservices-architecture", "/e/technology/kubernetes", "/radar/backend-2026.svg", "/explore"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				if r := do(h, http.MethodGet, p, nil, nil); r.status != 200 {
					b.Fatal(r.status)
				}
			}
		})
	}
}
