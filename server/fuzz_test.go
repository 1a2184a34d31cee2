package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzGraphQLEndpoint sends arbitrary methods, content types, Accept headers and bodies to
// /graphql. Invariants: never a panic, never a 5xx, always a JSON body with data or errors.
func FuzzGraphQLEndpoint(f *testing.F) {
	seeds := []struct {
		post        bool
		contentType string
		accept      string
		body        string
	}{
		{true, "application/json", "", `{"query":"{ technology(slug: \"go\") { name } }"}`},
		{true, "application/json", mediaGraphQLResponse, `{"query":"{ trends(first: 3) { nodes { slug } } }"}`},
		{true, "application/json; charset=utf-8", "*/*", `[{"query":"{ trends { totalCount } }"},{"query":"{ x }"}]`},
		{true, "application/json", "", `{"query":"query($f: EntityFilter) { entities(filter: $f) { totalCount } }","variables":{"f":{"or":[{"kinds":["DATABASE"]}]}}}`},
		{true, "text/plain", "", `{`},
		{true, "application/json", "", "\xff\xfe"},
		{false, "", "application/json", `query=%7Btrends%7BtotalCount%7D%7D`},
		{false, "", "", `extensions=%7B%22persistedQuery%22%3A%7B%22sha256Hash%22%3A%22x%22%7D%7D`},
		{true, "application/json", "", `{"query":"{ search(query: \"serv\") { edges { node { __typename } } } }"}`},
		{true, "application/json", "", `{"query":"{ node(id: \"VGVjaG5vbG9neTpiZWVm\") { id } }"}`},
	}
	for _, s := range seeds {
		f.Add(s.post, s.contentType, s.accept, []byte(s.body))
	}
	// One store and handler for every input, living as long as the fuzz target.
	fuzzHandler := newHandler(f, newStore(f), func(c *Config) { c.RatePerSecond = 0 })
	f.Fuzz(func(t *testing.T, isPost bool, contentType, accept string, body []byte) {
		var req *http.Request
		if isPost {
			req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", contentType)
		} else {
			req = httptest.NewRequest(http.MethodGet, "/graphql", nil)
			req.URL.RawQuery = url.PathEscape(string(body))
			if q, err := url.ParseQuery(string(body)); err == nil {
				req.URL.RawQuery = q.Encode()
			}
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		fuzzHandler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code == http.StatusNotModified {
			return
		}
		var out any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body is not JSON: %v: %q", rec.Code, err, rec.Body)
		}
		check := func(v any) {
			m, ok := v.(map[string]any)
			_, hasData := m["data"]
			_, hasErrors := m["errors"]
			if !ok || (!hasData && !hasErrors) {
				t.Fatalf("a response without data or errors: %s", rec.Body)
			}
		}
		if list, ok := out.([]any); ok {
			for _, v := range list {
				check(v)
			}
			return
		}
		check(out)
	})
}
