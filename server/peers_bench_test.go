package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// The request bodies of the load benchmark's nested and page shapes (bench/main.go), which the
// peers in ../shared/peers answer byte for byte: what `make bench-peers` times over HTTP.
const (
	peerNested = `{"query":"query Nested { trends(first: 10) { nodes { slug name status\n  technologies(first: 6) { nodes { slug name kind\n    tradeoffs(first: 5) { nodes { slug name type } }\n    relationships(first: 10) { edges { direction node { kind rationale } other { __typename slug name } } } } } } } }","variables":null}`
	peerPage   = `{"query":"query Page { technologies(first: 20, filter: {or: [{lifecycles: [MATURE]}, {kinds: [DATABASE]}]}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug name kind lifecycle tags } } } }","variables":null}`
)

// BenchmarkPeerQueries runs the two shapes through the whole handler as `make bench-peers`
// serves them uncached (no response cache, no rate limit, no access log, no cost report). It
// reports the bytes allocated per response byte, the figure issue 16 sets a goal for.
func BenchmarkPeerQueries(b *testing.B) {
	st := newStore(b)
	h := newHandler(b, st, func(c *Config) {
		c.CacheBytes, c.RatePerSecond, c.AccessLog, c.ReportCost = 0, 0, false, false
	})
	cached := newHandler(b, st, func(c *Config) { c.RatePerSecond, c.AccessLog, c.ReportCost = 0, false, false })
	for _, q := range []struct{ name, body string }{{"nested", peerNested}, {"page", peerPage}} {
		request := func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(q.body)))
			req.Header.Set("Content-Type", "application/json")
			return req
		}
		b.Run(q.name, func(b *testing.B) {
			first := httptest.NewRecorder()
			h.ServeHTTP(first, request())
			if first.Code != http.StatusOK || bytes.Contains(first.Body.Bytes(), []byte(`"errors"`)) {
				b.Fatalf("query failed: %d %s", first.Code, first.Body)
			}
			size := first.Body.Len()
			b.ReportAllocs()
			before := totalAlloc()
			for b.Loop() {
				// A writer that keeps nothing, so that what is counted is the server's.
				h.ServeHTTP(&discard{header: http.Header{}}, request())
			}
			b.ReportMetric(float64(totalAlloc()-before)/float64(b.N)/float64(size), "B/resp-B")
			b.ReportMetric(float64(size), "resp-bytes")
		})
		// The same answered from the response cache, as `serve` does by default.
		b.Run(q.name+"-cached", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cached.ServeHTTP(&discard{header: http.Header{}}, request())
			}
		})
		// Many requests at once, as under load: what the rate at 64 connections depends on.
		b.Run(q.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					h.ServeHTTP(&discard{header: http.Header{}}, request())
				}
			})
		})
	}
}

// totalAlloc is the bytes allocated by the process so far.
func totalAlloc() uint64 {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return s.TotalAlloc
}

// discard is a response writer that keeps only the headers.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
