package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// postVia posts a query to h mounted under /portal, from peer, with headers.
func postVia(t *testing.T, h http.Handler, peer, query string, headers map[string]string) map[string]any {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal", h))
	b, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/portal/graphql", bytes.NewReader(b))
	req.RemoteAddr = peer
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["errors"] != nil {
		t.Fatalf("%s: %d %s", query, rec.Code, rec.Body.Bytes())
	}
	return out["data"].(map[string]any)
}

// An entity's url opens its page, its playgroundUrl the playground with a query about it; a
// citation's url its passage's page. Links start from --public-url, else from what a trusted
// proxy forwarded, else from the mount prefix, and the response cache never hands one
// request's links to another.
func TestEntityAndCitationURLs(t *testing.T) {
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	st := kbtest.Open(t, d)
	const q = `{ technology(slug: "aws-lambda") { url playgroundUrl citations { url source { url } } } }`
	h := newHandler(t, st, func(c *Config) { c.SourceTexts, c.TrustProxy, c.RatePerSecond = texts, true, 0 })

	plain := postVia(t, h, "127.0.0.1:1", q, nil)["technology"].(map[string]any)
	if plain["url"] != "/portal/e/technology/aws-lambda" {
		t.Fatalf("url: %v", plain["url"])
	}
	pg, err := url.Parse(plain["playgroundUrl"].(string))
	if err != nil || pg.Path != "/portal/" || !strings.Contains(pg.Query().Get("query"), `entity(slug: "aws-lambda")`) {
		t.Fatalf("playgroundUrl: %v", plain["playgroundUrl"])
	}
	cite := plain["citations"].([]any)[0].(map[string]any)
	if u, _ := cite["url"].(string); !strings.HasPrefix(u, "/portal/passage/backend-trends-2026/") {
		t.Fatalf("citation url: %v", cite["url"])
	}
	if cite["source"].(map[string]any)["url"] != nil {
		t.Fatalf("the curated source has no published URL: %v", cite["source"])
	}
	// The same query through a trusted proxy naming another host: not the cached answer above.
	proxied := postVia(t, h, "127.0.0.1:1", q, map[string]string{"X-Forwarded-Host": "kb.example", "X-Forwarded-Proto": "https"})["technology"].(map[string]any)
	if proxied["url"] != "https://kb.example/portal/e/technology/aws-lambda" {
		t.Fatalf("url through the proxy: %v", proxied["url"])
	}
	if again := postVia(t, h, "127.0.0.1:1", q, nil)["technology"].(map[string]any); again["url"] != plain["url"] {
		t.Fatalf("the cache mixed links: %v", again["url"])
	}

	// The passage page the citation links to, and what rests on it.
	u, _ := url.Parse(cite["url"].(string))
	r := do(h, http.MethodGet, strings.TrimPrefix(u.EscapedPath(), "/portal"), nil, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `<blockquote id="passage">`) || !strings.Contains(string(r.body), `href="/e/technology/aws-lambda"`) {
		t.Fatalf("passage page %s: %d %.400s", u, r.status, r.body)
	}
	for _, bad := range []string{"/passage/backend-trends-2026/Serverless%20Computing/99", "/passage/backend-trends-2026/Serverless%20Computing/0",
		"/passage/nope/Serverless%20Computing/1", "/passage/backend-trends-2026/No%20such%20section/1"} {
		if r := do(h, http.MethodGet, bad, nil, nil); r.status != 404 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}

	// Without the text, a citation's url is where the source is published, when known.
	d.Sources[0].URL = "https://example.com/backend-trends-2026"
	st2 := kbtest.Open(t, d)
	h2 := newHandler(t, st2, func(c *Config) { c.PublicURL = "https://kb.example/" })
	r = post(h2, q, nil, nil)
	var out struct {
		Data struct {
			Technology struct {
				URL       string
				Citations []struct {
					URL    *string
					Source struct{ URL *string }
				}
			}
		}
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	tech := out.Data.Technology
	if tech.URL != "https://kb.example/e/technology/aws-lambda" || tech.Citations[0].URL == nil || *tech.Citations[0].URL != "https://example.com/backend-trends-2026" {
		t.Fatalf("with --public-url and a published source, no text: %s", r.body)
	}
	if r := do(h2, http.MethodGet, "/passage/backend-trends-2026/Serverless%20Computing/1", nil, nil); r.status != 404 || !strings.Contains(string(r.body), "https://example.com/backend-trends-2026") {
		t.Fatalf("a passage page without the text: %d %.300s", r.status, r.body)
	}
}
