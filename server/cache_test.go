package server

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// metric reads one sample of the handler's /metrics.
func metric(t *testing.T, h http.Handler, name string) float64 {
	t.Helper()
	body := string(do(h, http.MethodGet, "/metrics", nil, nil).body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestResponseCacheServesRepeatsFromMemory(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, nil)
	q := `{ trends(first: 5) { nodes { technologies { nodes { slug } } } } }`
	first := post(h, q, nil, nil)
	reads := st.Stats().ReadTxns
	second := post(h, q, nil, nil)
	if string(first.body) != string(second.body) || st.Stats().ReadTxns != reads {
		t.Fatalf("the repeat read the store (%d -> %d transactions)", reads, st.Stats().ReadTxns)
	}
	if metric(t, h, "trendgraph_cache_hits_total") != 1 || metric(t, h, "trendgraph_cache_misses_total") != 1 || metric(t, h, "trendgraph_cache_bytes") <= 0 {
		t.Fatal("cache metrics do not show one miss and one hit")
	}
	// Different variables, a different answer.
	vq := `query($s: String!) { technology(slug: $s) { name } }`
	a := post(h, vq, map[string]any{"s": "go"}, nil)
	b := post(h, vq, map[string]any{"s": "rust"}, nil)
	if !strings.Contains(string(a.body), `"Go"`) || !strings.Contains(string(b.body), `"Rust"`) {
		t.Fatalf("variables mixed up: %s %s", a.body, b.body)
	}
	// Errors are not cached: the next identical request runs again.
	post(h, `{ technology(slug: "nope") { name } }`, nil, nil)
	reads = st.Stats().ReadTxns
	post(h, `{ technology(slug: "nope") { name } }`, nil, nil)
	if st.Stats().ReadTxns == reads {
		t.Fatal("an error response was served from the cache")
	}
}

// No response computed before a write is served after it.
func TestResponseCacheInvalidatedByImport(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, nil)
	q := `{ technology(slug: "go") { name } }`
	get := func() string {
		return string(do(h, http.MethodGet, "/graphql?query="+strings.ReplaceAll(q, " ", "%20"), nil, nil).body)
	}
	before := get()
	get() // cached now
	d := kbtest.Curated(t)
	for i := range d.Entities {
		if d.Entities[i].Slug == "go" {
			d.Entities[i].Name = "Golang"
		}
	}
	if err := st.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	after := get()
	if !strings.Contains(before, `"Go"`) || !strings.Contains(after, `"Golang"`) {
		t.Fatalf("after an import the cache served %s", after)
	}
}

// One caller's answer never reaches another: the token is part of the key.
func TestResponseCacheKeepsScopesApart(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.Tokens = ReadTokens("token-a", "token-b") })
	q := `{ trends { totalCount } }`
	post(h, q, nil, map[string]string{"Authorization": "Bearer token-a"})
	post(h, q, nil, map[string]string{"Authorization": "Bearer token-b"})
	post(h, q, nil, nil)
	if hits := metric(t, h, "trendgraph_cache_hits_total"); hits != 0 {
		t.Fatalf("%v hits across three scopes", hits)
	}
	post(h, q, nil, map[string]string{"Authorization": "Bearer token-a"})
	if hits := metric(t, h, "trendgraph_cache_hits_total"); hits != 1 {
		t.Fatalf("the same scope did not hit: %v", hits)
	}
}

func TestResponseCacheIsBoundedByBytes(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.CacheBytes = 64 << 10 })
	for i := 1; i <= 60; i++ {
		post(h, `query($n: Int) { technologies(first: $n) { nodes { slug name kind } } }`, map[string]any{"n": i}, nil)
	}
	if size := metric(t, h, "trendgraph_cache_bytes"); size <= 0 || size > 64<<10 {
		t.Fatalf("cache holds %v bytes", size)
	}
	if metric(t, h, "trendgraph_cache_evictions_total") == 0 {
		t.Fatal("nothing was evicted")
	}
}

func TestResponseCacheCanBeSwitchedOff(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { c.CacheBytes = 0 })
	q := `{ trends { totalCount } }`
	post(h, q, nil, nil)
	reads := st.Stats().ReadTxns
	post(h, q, nil, nil)
	if st.Stats().ReadTxns == reads {
		t.Fatal("the repeat was not executed with the cache off")
	}
}

func TestHTTPCaching(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, nil)
	url := "/graphql?query=%7Btrends%7BtotalCount%7D%7D"
	r := do(h, http.MethodGet, url, nil, nil)
	etag := r.header.Get("ETag")
	if r.status != 200 || etag == "" || r.header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("GET: %d %v", r.status, r.header)
	}
	if r := do(h, http.MethodGet, url, nil, map[string]string{"If-None-Match": etag}); r.status != http.StatusNotModified || len(r.body) != 0 {
		t.Fatalf("If-None-Match: %d %s", r.status, r.body)
	}
	if r := do(h, http.MethodGet, url, nil, map[string]string{"If-None-Match": `"other"`}); r.status != 200 {
		t.Fatalf("If-None-Match of another version: %d", r.status)
	}
	// A POST that sends the text is not for HTTP caches; one that sends a persisted hash is.
	if r := post(h, `{ trends { totalCount } }`, nil, nil); r.header.Get("ETag") != "" {
		t.Fatal("a plain POST got an ETag")
	}
	q := `{ technology(slug: "go") { name } }`
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(q)}}
	register, _ := json.Marshal(map[string]any{"query": q, "extensions": ext})
	hashOnly, _ := json.Marshal(map[string]any{"extensions": ext})
	do(h, http.MethodPost, "/graphql", register, map[string]string{"Content-Type": "application/json"})
	pq := do(h, http.MethodPost, "/graphql", hashOnly, map[string]string{"Content-Type": "application/json"})
	if pq.status != 200 || pq.header.Get("ETag") == "" {
		t.Fatalf("persisted query: %d %v %s", pq.status, pq.header, pq.body)
	}
	// Authenticated answers are private.
	authed := newHandler(t, st, func(c *Config) { c.Tokens = ReadTokens("t") })
	if r := do(authed, http.MethodGet, url, nil, map[string]string{"Authorization": "Bearer t"}); r.header.Get("Cache-Control") != "private, max-age=60" {
		t.Fatalf("authenticated Cache-Control: %q", r.header.Get("Cache-Control"))
	}
}
