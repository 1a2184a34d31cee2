package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzResponseCacheMatchesUncached sends sequences of requests built from random combinations
// of query text, documentId, persistedQuery and variables to a handler with the response cache
// and to one without, alike in all else (with and without a trusted-documents manifest), and
// fails when a cached answer ever differs from the uncached one: what issue 10's cache
// poisoning looked like (a documentId naming one document, a hash running another).
func FuzzResponseCacheMatchesUncached(f *testing.F) {
	q1 := `query Q { technology(slug: "go") { name } }`
	q2 := `query Q { technology(slug: "rust") { name } }`
	q3 := `query Q($s: String!) { technology(slug: $s) { name } }`
	texts := []any{nil, q1, q2, q3, "", `{ x }`}
	docIDs := []any{nil, sha256Hex(q1), "sha256:" + sha256Hex(q2), sha256Hex(q3), "", "zzz", 5}
	pqs := []any{nil,
		map[string]any{"version": 1, "sha256Hash": sha256Hex(q1)},
		map[string]any{"version": 1, "sha256Hash": sha256Hex(q2)},
		map[string]any{"version": 1, "sha256Hash": sha256Hex(q3)},
		map[string]any{"version": 1, "sha256Hash": ""},
		map[string]any{"version": 2, "sha256Hash": sha256Hex(q1)},
		"not an object"}
	vars := []any{nil, map[string]any{"s": "go"}, map[string]any{"s": "rust"}, map[string]any{"s": 1}}
	// A request is five bytes: text, documentId, persistedQuery, variables, method.
	f.Add([]byte{2, 0, 2, 0, 0, 0, 1, 2, 0, 0, 0, 1, 0, 0, 0}) // register q2, name q1 while running q2, then q1 by ID
	f.Add([]byte{0, 1, 2, 0, 1, 0, 1, 0, 0, 1})                // the same over GET
	f.Add([]byte{3, 0, 3, 1, 0, 0, 0, 3, 2, 0, 0, 0, 3, 1, 1}) // one APQ document, different variables
	f.Add([]byte{1, 4, 4, 0, 0, 0, 0, 1, 0, 0, 1, 2, 0, 0, 0}) // empty hashes; text and a disagreeing ID
	manifest := map[string]string{"sha256:" + sha256Hex(q1): q1, "sha256:" + sha256Hex(q2): q2}
	st := newStore(f)
	type pair struct{ cached, uncached http.Handler }
	var pairs []pair
	for _, m := range []map[string]string{nil, manifest} {
		opts := func(cache bool) func(*Config) {
			return func(c *Config) {
				c.RatePerSecond, c.TrustedDocuments = 0, m
				if !cache {
					c.CacheBytes = 0
				}
			}
		}
		pairs = append(pairs, pair{newHandler(f, st, opts(true)), newHandler(f, st, opts(false))})
	}
	f.Fuzz(func(t *testing.T, seq []byte) {
		if len(seq) > 5*12 {
			seq = seq[:5*12]
		}
		for _, p := range pairs {
			// Fresh handlers would be cleaner, but a sequence must see the APQ and cache state
			// its earlier requests left; distinct runs only add entries to both alike.
			for i := 0; i+5 <= len(seq); i += 5 {
				req := map[string]any{}
				ext := map[string]any{}
				if v := texts[int(seq[i])%len(texts)]; v != nil {
					req["query"] = v
				}
				if v := docIDs[int(seq[i+1])%len(docIDs)]; v != nil {
					ext["documentId"] = v
				}
				if v := pqs[int(seq[i+2])%len(pqs)]; v != nil {
					ext["persistedQuery"] = v
				}
				if v := vars[int(seq[i+3])%len(vars)]; v != nil {
					req["variables"] = v
				}
				if len(ext) > 0 {
					req["extensions"] = ext
				}
				get := seq[i+4]%2 == 1
				a, b := send(p.cached, req, get), send(p.uncached, req, get)
				if a.Code != b.Code || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
					t.Fatalf("request %d %v (GET %v):\ncached   %d %s\nuncached %d %s", i/5, req, get, a.Code, a.Body, b.Code, b.Body)
				}
			}
		}
	})
}

func send(h http.Handler, req map[string]any, get bool) *httptest.ResponseRecorder {
	var r *http.Request
	if get {
		q := url.Values{}
		for k, v := range req {
			if s, ok := v.(string); ok {
				q.Set(k, s)
			} else {
				b, _ := json.Marshal(v)
				q.Set(k, string(b))
			}
		}
		r = httptest.NewRequest(http.MethodGet, "/graphql?"+q.Encode(), nil)
	} else {
		b, _ := json.Marshal(req)
		r = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}
