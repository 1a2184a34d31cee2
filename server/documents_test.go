package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
)

func TestTrustedDocumentsMode(t *testing.T) {
	listed := `query Listed { technology(slug: "go") { name } }`
	manifest := map[string]string{"sha256:" + sha256Hex(listed): listed}
	h := newHandler(t, newStore(t), func(c *Config) { c.TrustedDocuments = manifest; c.TrustedOnly = true })
	if r := post(h, listed, nil, nil); r.status != 200 || r.code(t) != "" {
		t.Fatalf("listed document: %d %s", r.status, r.body)
	}
	if r := post(h, `{ trends { totalCount } }`, nil, nil); r.status != 400 || r.code(t) != "TRUSTED_DOCUMENT_REQUIRED" {
		t.Fatalf("unlisted document: %d %s", r.status, r.body)
	}
	// By ID, as graphql-codegen's persisted documents send it, and as an APQ hash.
	for _, ext := range []map[string]any{
		{"documentId": "sha256:" + sha256Hex(listed)},
		{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(listed)}},
	} {
		b, _ := json.Marshal(map[string]any{"extensions": ext})
		r := do(h, http.MethodPost, "/graphql", b, map[string]string{"Content-Type": "application/json"})
		if r.status != 200 || !strings.Contains(string(r.body), `"Go"`) {
			t.Fatalf("by ID %v: %d %s", ext, r.status, r.body)
		}
	}
	b, _ := json.Marshal(map[string]any{"extensions": map[string]any{"documentId": "sha256:" + sha256Hex("nope")}})
	if r := do(h, http.MethodPost, "/graphql", b, map[string]string{"Content-Type": "application/json"}); r.code(t) != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown ID: %s", r.body)
	}
}

func TestLoadManifestRefusesMismatchedIDs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	doc := `{ trends { totalCount } }`
	writeJSON(t, good, map[string]string{"sha256:" + sha256Hex(doc): doc})
	if m, err := LoadManifest(good); err != nil || m[sha256Hex(doc)] != doc {
		t.Fatalf("good manifest: %v %v", m, err)
	}
	bad := filepath.Join(dir, "bad.json")
	writeJSON(t, bad, map[string]string{"sha256:" + sha256Hex("other"): doc})
	if _, err := LoadManifest(bad); err == nil {
		t.Fatal("a manifest whose ID does not match its document was loaded")
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Automatic persisted queries: the hash alone first misses, then the hash with the query
// registers it, then the hash alone runs it, over GET too (what CDNs cache).
func TestAutomaticPersistedQueries(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	q := `{ technology(slug: "rust") { name } }`
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(q)}}
	hashOnly, _ := json.Marshal(map[string]any{"extensions": ext})
	withQuery, _ := json.Marshal(map[string]any{"query": q, "extensions": ext})
	ct := map[string]string{"Content-Type": "application/json"}
	if r := do(h, http.MethodPost, "/graphql", hashOnly, ct); !strings.Contains(string(r.body), "PersistedQueryNotFound") {
		t.Fatalf("first hash-only request: %s", r.body)
	}
	if r := do(h, http.MethodPost, "/graphql", withQuery, ct); !strings.Contains(string(r.body), `"Rust"`) {
		t.Fatalf("registering request: %s", r.body)
	}
	extJSON, _ := json.Marshal(ext)
	r := do(h, http.MethodGet, "/graphql?extensions="+string(extJSON), nil, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"Rust"`) {
		t.Fatalf("hash-only GET: %d %s", r.status, r.body)
	}
}

// The per-request timeout cancels resolvers and loaders through the context: the answer is a
// clear TIMEOUT error.
func TestRequestTimeout(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.Timeout = time.Nanosecond })
	r := post(h, `{ trends(first: 10) { nodes { technologies { nodes { slug } } } } }`, nil, nil)
	if r.status >= 500 && r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), `"TIMEOUT"`) {
		t.Fatalf("timed-out request: %d %s", r.status, r.body)
	}
}

// A timeout mid-execution cancels resolvers and loaders through the context: every goroutine
// the requests started is gone soon after.
func TestTimeoutReleasesGoroutines(t *testing.T) {
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 3000, Relationships: 30000, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	st := kbtest.Open(t, d)
	h := newHandler(t, st, func(c *Config) { c.Timeout = 2 * time.Millisecond; c.CacheBytes = 0; c.RatePerSecond = 0 })
	baseline := runtime.NumGoroutine()
	q := `{ trends(first: 20) { nodes { technologies(first: 20) { nodes { relationships(first: 20) { edges { other { slug } } } } } } } }`
	var wg sync.WaitGroup
	timedOut := 0
	var mu sync.Mutex
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := post(h, q, nil, nil)
			if strings.Contains(string(r.body), "TIMEOUT") {
				mu.Lock()
				timedOut++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if timedOut == 0 {
		t.Fatal("no request timed out: the test did not exercise cancellation")
	}
	var now int
	for range 100 {
		runtime.GC()
		if now = runtime.NumGoroutine(); now <= baseline+2 {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	t.Fatalf("%d goroutines before, %d after the timed-out requests:\n%s", baseline, now, buf[:n])
}

// Issue 10, item 1: a request naming one document by documentId and running another (by its
// persistedQuery hash) stored the second's answer under the first's key, so every later caller
// of the first got it. The cache identity is the document that ran; disagreeing IDs are refused.
func TestCacheIdentityIsTheDocumentThatRan(t *testing.T) {
	listed := `query Listed { technology(slug: "go") { name } }`
	other := `query Listed { technology(slug: "rust") { name } }`
	manifest := map[string]string{"sha256:" + sha256Hex(listed): listed}
	ct := map[string]string{"Content-Type": "application/json"}
	for _, withManifest := range []bool{false, true} {
		h := newHandler(t, newStore(t), func(c *Config) {
			c.RatePerSecond = 0
			if withManifest {
				c.TrustedDocuments = manifest
			}
		})
		// Register the other document with APQ, then name the listed one while running the other.
		reg, _ := json.Marshal(map[string]any{"query": other, "extensions": map[string]any{
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(other)}}})
		if r := do(h, http.MethodPost, "/graphql", reg, ct); !strings.Contains(string(r.body), `"Rust"`) {
			t.Fatalf("registering: %s", r.body)
		}
		mixed, _ := json.Marshal(map[string]any{"extensions": map[string]any{
			"documentId":     "sha256:" + sha256Hex(listed),
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(other)}}})
		if r := do(h, http.MethodPost, "/graphql", mixed, ct); r.status != 400 || r.code(t) != "BAD_REQUEST" {
			t.Fatalf("manifest %v: disagreeing document IDs: %d %s", withManifest, r.status, r.body)
		}
		byID, _ := json.Marshal(map[string]any{"extensions": map[string]any{"documentId": "sha256:" + sha256Hex(listed)}})
		r := do(h, http.MethodPost, "/graphql", byID, ct)
		if strings.Contains(string(r.body), `"Rust"`) || withManifest && !strings.Contains(string(r.body), `"Go"`) {
			t.Fatalf("manifest %v: the listed document's answer was poisoned: %s", withManifest, r.body)
		}
		// A documentId with text that is not that document is refused too.
		textAndID, _ := json.Marshal(map[string]any{"query": other, "extensions": map[string]any{"documentId": sha256Hex(listed)}})
		if r := do(h, http.MethodPost, "/graphql", textAndID, ct); r.code(t) == "" || strings.Contains(string(r.body), `"Rust"`) {
			t.Fatalf("manifest %v: text that is not the named document: %d %s", withManifest, r.status, r.body)
		}
	}
}

// Without a manifest a documentId names nothing: refused, whatever else the request holds; an
// empty hash is no hash.
func TestDocumentIDWithoutManifestAndEmptyHashes(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0 })
	ct := map[string]string{"Content-Type": "application/json"}
	q := `{ technology(slug: "go") { name } }`
	for _, ext := range []map[string]any{
		{"documentId": sha256Hex(q)},
		{"documentId": sha256Hex(q), "persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(q)}},
	} {
		for _, withText := range []bool{false, true} {
			body := map[string]any{"extensions": ext}
			if withText {
				body["query"] = q
			}
			b, _ := json.Marshal(body)
			if r := do(h, http.MethodPost, "/graphql", b, ct); r.code(t) != "PERSISTED_QUERY_NOT_FOUND" {
				t.Fatalf("documentId without a manifest (%v, text %v): %d %s", ext, withText, r.status, r.body)
			}
		}
	}
	for _, ext := range []map[string]any{
		{"documentId": ""},
		{"persistedQuery": map[string]any{"version": 1, "sha256Hash": ""}},
	} {
		b, _ := json.Marshal(map[string]any{"query": q, "extensions": ext})
		if r := do(h, http.MethodPost, "/graphql", b, ct); r.status != 200 || !strings.Contains(string(r.body), `"Go"`) {
			t.Fatalf("an empty hash beside the text (%v): %d %s", ext, r.status, r.body)
		}
	}
}

// Issue 10, item 5: parsed documents and APQ texts were kept by count (1,000 each), so a few
// hundred large documents (comments cost no tokens) held hundreds of MB. Both are bounded by
// bytes, and a document over the size kept is not kept at all.
func TestDocumentCachesAreBoundedByBytes(t *testing.T) {
	slow.Only(t) // seconds of work or waiting: the slow tier, which CI runs
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.CacheBytes = 0; c.Limits.MaxBodyBytes = 2 << 20 })
	ct := map[string]string{"Content-Type": "application/json"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	padding := "#" + strings.Repeat("x", 900<<10) + "\n" // one comment is one token
	// 100 documents are some 90 MB of text, well past the 64 MB below: caches kept by count
	// (the bug) hold them all.
	for i := range 100 {
		q := fmt.Sprintf("# %d\n%s{ trends { totalCount } }", i, padding)
		b, _ := json.Marshal(map[string]any{"query": q, "extensions": map[string]any{
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(q)}}})
		if r := do(h, http.MethodPost, "/graphql", b, ct); r.status != 200 || r.code(t) != "" {
			t.Fatalf("request %d: %d %.200s", i, r.status, r.body)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if grown > 64<<20 {
		t.Fatalf("100 documents of 900 KB left the heap %d MB larger: the document caches keep them", grown>>20)
	}
	runtime.KeepAlive(h)
}

// With APQ off a hash names nothing the server keeps: PERSISTED_QUERY_NOT_SUPPORTED, which
// Apollo's clients read as "send the text"; in trusted-only mode an unknown hash is not found.
func TestPersistedQueriesSwitchedOff(t *testing.T) {
	q := `{ technology(slug: "go") { name } }`
	hashOnly, _ := json.Marshal(map[string]any{"extensions": map[string]any{
		"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(q)}}})
	ct := map[string]string{"Content-Type": "application/json"}
	off := newHandler(t, newStore(t), func(c *Config) { c.APQ = false })
	if r := do(off, http.MethodPost, "/graphql", hashOnly, ct); r.status != 200 || r.code(t) != graph.CodePersistedQueryNotSupported {
		t.Fatalf("APQ off: %d %s", r.status, r.body)
	}
	listed := `query Listed { technology(slug: "go") { name } }`
	only := newHandler(t, newStore(t), func(c *Config) {
		c.TrustedDocuments, c.TrustedOnly = map[string]string{sha256Hex(listed): listed}, true
	})
	if r := do(only, http.MethodPost, "/graphql", hashOnly, ct); r.status != 400 || r.code(t) != graph.CodePersistedQueryNotFound {
		t.Fatalf("trusted-only, unknown hash: %d %s", r.status, r.body)
	}
}
