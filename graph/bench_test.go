package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
)

// benchQuery runs q through the real handler b.N times and reports store reads per operation.
func benchQuery(b *testing.B, e *testEnv, q string) {
	b.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	run := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := run(); rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("query failed: %d %s", rec.Code, rec.Body)
	}
	before := e.store.Stats()
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	for b.Loop() {
		size = run().Body.Len()
	}
	after := e.store.Stats()
	b.ReportMetric(float64(after.ReadTxns-before.ReadTxns)/float64(b.N), "txns/op")
	b.ReportMetric(float64(after.RecordsRead-before.RecordsRead)/float64(b.N), "records/op")
	b.ReportMetric(float64(size), "resp-bytes")
}

// BenchmarkNestedQuery is the depth-3 query of the playground over the curated dataset: 10
// trends, their technologies, each with vendor, tradeoffs and relationships to other entities.
// The wait-16ms variant uses dataloader's default wait: its time per operation staying the same
// shows that batches run on the last sibling's arrival, not on the timer.
func BenchmarkNestedQuery(b *testing.B) {
	for name, wait := range map[string]time.Duration{"default-wait": 0, "wait-16ms": 16 * time.Millisecond} {
		b.Run(name, func(b *testing.B) {
			e := newEnvWith(b, curated(b), Options{Loaders: LoaderOptions{Wait: wait}})
			benchQuery(b, e, nestedQuery(10, 6))
		})
	}
}

// BenchmarkPage is one filtered page of 20 with its total, on the curated and a 10k dataset.
func BenchmarkPage(b *testing.B) {
	q := `{ technologies(first: 20, filter: {or: [{lifecycles: [MATURE]}, {kinds: [DATABASE]}]}) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug name kind lifecycle tags } } } }`
	b.Run("curated", func(b *testing.B) { benchQuery(b, newEnvWith(b, curated(b), Options{}), q) })
	b.Run("synthetic-10k", func(b *testing.B) {
		d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 10_000, Relationships: 100_000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		benchQuery(b, newEnvWith(b, d, Options{}), q)
	})
}

func BenchmarkSearch(b *testing.B) {
	e := newEnvWith(b, curated(b), Options{})
	benchQuery(b, e, `{ search(query: "serverless functions", first: 10) { totalCount edges { score node { __typename slug name } } } }`)
}

// BenchmarkReachFilter is "technologies related to both microservices and observability within
// two relationships" on the curated dataset, and an and of two 2-hop reaches on a 10k dataset:
// one page with its total, through the real handler (the store's filter cache holds the set
// after the first run, as it does for a dashboard paging through it).
func BenchmarkReachFilter(b *testing.B) {
	q := func(x, y string) string {
		return `{ technologies(first: 20, filter: {and: [{reach: {from: "` + x + `", hops: 2}}, {reach: {from: "` + y + `", hops: 2}}]}) {
			totalCount edges { node { slug name kind } } } }`
	}
	b.Run("curated", func(b *testing.B) {
		benchQuery(b, newEnvWith(b, curated(b), Options{}), q("microservices", "observability"))
	})
	b.Run("synthetic-10k", func(b *testing.B) {
		d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 10_000, Relationships: 100_000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		benchQuery(b, newEnvWith(b, d, Options{}), q(d.Entities[len(d.Entities)/3].Slug, d.Entities[2*len(d.Entities)/3].Slug))
	})
}

// BenchmarkEvidenceSearch searches the cited passages' text where every entity of a 10k
// dataset cites the passage that matches (the worst case: every entity is a hit), one page of
// 10. The passage index is built at the first search and kept while the data stays.
func BenchmarkEvidenceSearch(b *testing.B) {
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 10_000, Relationships: 100_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	text := dataset.ParseSourceText("Synthetic data\n\nPlaceholders stand in for real technologies at scale.\n", d.Sources[0].Title)
	e := newEnvWith(b, d, Options{Texts: map[string]*dataset.SourceText{d.Sources[0].Slug: text}})
	benchQuery(b, e, `{ search(query: "placeholders", evidence: true, first: 10) { totalCount edges { node { slug } passage { paragraph } } } }`)
}
