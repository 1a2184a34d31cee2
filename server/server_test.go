package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

// newStore is a real bbolt file loaded with the embedded dataset.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	return kbtest.Open(t, kbtest.Curated(t))
}

// newHandler builds the real handler; cfg changes the defaults.
func newHandler(t testing.TB, st *store.Store, change func(*Config)) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if change != nil {
		change(&cfg)
	}
	return New(st, cfg)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	return m
}

// code is the first error's extensions.code.
func (r response) code(t testing.TB) string {
	t.Helper()
	errs, _ := r.json(t)["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

func do(h http.Handler, method, target string, body []byte, headers map[string]string) response {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
		if k == "Host" {
			req.Host = v
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func post(h http.Handler, query string, vars map[string]any, headers map[string]string) response {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	if headers == nil {
		headers = map[string]string{}
	}
	if _, ok := headers["Content-Type"]; !ok {
		headers["Content-Type"] = "application/json"
	}
	return do(h, http.MethodPost, "/graphql", b, headers)
}

func get(h http.Handler, query string, headers map[string]string) response {
	return do(h, http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil, headers)
}

// A sane request ID from the client is repeated; anything else is replaced by one of ours.
func TestRequestIDRepeated(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	for sent, repeated := range map[string]bool{"abc-123.X_y": true, "x-request-id": true, "": false, "has space": false, strings.Repeat("a", 65): false} {
		for _, name := range []string{RequestIDHeader, "x-request-id"} {
			r := post(h, `{ technology(slug: "go") { name } }`, nil, map[string]string{name: sent})
			got := r.header.Values(RequestIDHeader)
			if len(got) != 1 || (got[0] == sent) != repeated || !requestIDRe.MatchString(got[0]) {
				t.Errorf("sent %q as %s: got %q", sent, name, got)
			}
		}
	}
}

func TestEndpoints(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	r := post(h, `{ technology(slug: "go") { name } }`, nil, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"name":"Go"`) || r.header.Get(RequestIDHeader) == "" {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	if cost := r.json(t)["extensions"].(map[string]any)["cost"].(map[string]any); cost["requested"].(float64) < 1 {
		t.Fatalf("cost not reported: %v", cost)
	}
	if r := get(h, `{ trends(first: 1) { totalCount } }`, nil); r.status != 200 || !strings.Contains(string(r.body), "totalCount") {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	schema := do(h, http.MethodGet, "/schema.graphql", nil, nil)
	if schema.status != 200 || !bytes.Contains(schema.body, []byte("type Technology implements Node & Entity")) || !bytes.Contains(schema.body, []byte(`"The display name."`)) || !bytes.Equal(schema.body, []byte(graph.SDL())) {
		t.Fatalf("schema: %d %.200s", schema.status, schema.body)
	}
	for _, path := range []string{"/livez", "/readyz"} {
		if r := do(h, http.MethodGet, path, nil, nil); r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
	}
	// After some traffic, the metrics name routes, operations, store reads and loader batches.
	post(h, `query Named { trends(first: 3) { nodes { technologies { nodes { slug } } } } }`, nil, nil)
	post(h, `{ technology(slug: "nope") { name } }`, nil, nil)
	m := string(do(h, http.MethodGet, "/metrics", nil, nil).body)
	for _, want := range []string{
		`trendgraph_requests_total{operation="Named",route="graphql",status="200",type="query"}`,
		`trendgraph_request_duration_seconds_bucket{operation="Named"`,
		`trendgraph_errors_total{code="NOT_FOUND"} 1`,
		`trendgraph_store_read_transactions_total`,
		`trendgraph_loader_batch_size_bucket{loader="edges"`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if r := do(h, http.MethodGet, "/nope", nil, nil); r.status != 404 {
		t.Fatalf("unknown path: %d", r.status)
	}
}

func TestReadyzFailsWhenTheStoreIsClosed(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "closed.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, st, nil)
	if r := do(h, http.MethodGet, "/readyz", nil, nil); r.status != 200 {
		t.Fatalf("readyz on an open store: %d", r.status)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if r := do(h, http.MethodGet, "/readyz", nil, nil); r.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a closed store: %d", r.status)
	}
	if r := do(h, http.MethodGet, "/livez", nil, nil); r.status != 200 {
		t.Fatalf("livez: %d", r.status)
	}
}

func TestContentNegotiation(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	cases := []struct {
		accept, wantType string
		query            string
		wantStatus       int
		wantData         bool
	}{
		{"", mediaJSON, `{ trends { totalCount } }`, 200, true},
		{"application/json", mediaJSON, `{ trends { totalCount } }`, 200, true},
		{mediaGraphQLResponse, mediaGraphQLResponse, `{ trends { totalCount } }`, 200, true},
		{"application/graphql-response+json, application/json;q=0.9", mediaGraphQLResponse, `{ trends { totalCount } }`, 200, true},
		{"*/*", mediaJSON, `{ trends { totalCount } }`, 200, true},
		// A request error: 200 under application/json, 400 under graphql-response+json, no data.
		{"application/json", mediaJSON, `{ trends { colour } }`, 200, false},
		{mediaGraphQLResponse, mediaGraphQLResponse, `{ trends { colour } }`, 400, false},
		{"application/json", mediaJSON, `{ trends {`, 200, false},
		{mediaGraphQLResponse, mediaGraphQLResponse, `{ trends {`, 400, false},
	}
	for _, c := range cases {
		r := post(h, c.query, nil, map[string]string{"Accept": c.accept})
		if r.status != c.wantStatus || !strings.HasPrefix(r.header.Get("Content-Type"), c.wantType) {
			t.Errorf("Accept %q, %s: %d %s", c.accept, c.query, r.status, r.header.Get("Content-Type"))
			continue
		}
		if _, has := r.json(t)["data"]; has != c.wantData {
			t.Errorf("Accept %q, %s: data key present %v: %s", c.accept, c.query, has, r.body)
		}
	}
	if r := post(h, `{ trends { totalCount } }`, nil, map[string]string{"Accept": "text/html"}); r.status != http.StatusNotAcceptable {
		t.Fatalf("unacceptable Accept: %d", r.status)
	}
}

func TestGetRules(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	// Mutations over GET are refused with 405 (this schema has none, so validation says so
	// first under POST); a subscription-less, mutation-less schema still answers GET queries.
	r := get(h, `mutation { x }`, nil)
	if r.status == 200 && r.code(t) == "" {
		t.Fatalf("mutation over GET accepted: %d %s", r.status, r.body)
	}
	r = do(h, http.MethodGet, "/graphql?query=%7Btrends%7BtotalCount%7D%7D&variables=%5B1%5D", nil, nil)
	if r.status != 400 {
		t.Fatalf("variables that are not an object: %d", r.status)
	}
	r = do(h, http.MethodGet, "/graphql", nil, nil)
	if r.status != 400 || r.code(t) != "BAD_REQUEST" {
		t.Fatalf("GET without query: %d %s", r.status, r.body)
	}
	r = do(h, http.MethodPut, "/graphql", []byte(`{}`), map[string]string{"Content-Type": "application/json"})
	if r.status < 400 {
		t.Fatalf("PUT: %d", r.status)
	}
}

// Every limit: accepted at its value, refused one past it, with a code naming it.
func TestLimitsAtAndPastTheirValue(t *testing.T) {
	st := newStore(t)
	fields := func(n int) string { return strings.Repeat("name ", n) }
	nest := func(depth int) string {
		// trend -> parent -> parent ... each level one deeper.
		q := "slug"
		for i := 0; i < depth-1; i++ {
			q = "parent { " + q + " }"
		}
		return `{ ` + q + ` }`
	}
	aliases := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString("a" + itoa(int64(i)) + ": slug ")
		}
		return b.String()
	}
	directives := func(n int) string { return strings.Repeat("slug @include(if: true) ", n) }
	cases := []struct {
		name, code string
		set        func(*Limits, int)
		value      int
		query      func(n int) string
	}{
		{"depth", graph.CodeDepthLimit, func(l *Limits, n int) { l.MaxDepth = n }, 6,
			func(n int) string { return `{ trend(slug: "observability") ` + nest(n-1) + ` }` }},
		{"aliases", graph.CodeAliasLimit, func(l *Limits, n int) { l.MaxAliases = n }, 5,
			func(n int) string { return `{ trend(slug: "observability") { ` + aliases(n) + ` } }` }},
		{"field repeats", graph.CodeFieldRepeatLimit, func(l *Limits, n int) { l.MaxFieldRepeats = n }, 4,
			func(n int) string { return `{ trend(slug: "observability") { ` + fields(n) + ` } }` }},
		{"directives", graph.CodeDirectiveLimit, func(l *Limits, n int) { l.MaxDirectives = n }, 3,
			func(n int) string { return `{ trend(slug: "observability") { ` + directives(n) + ` } }` }},
		{"cost", graph.CodeCostLimit, func(l *Limits, n int) { l.MaxCost = n }, 21,
			// trends(first: n) { nodes { slug } } costs 1 + n * (1 + 1)... computed exactly below.
			func(n int) string { return `{ trends(first: ` + itoa(int64(n)) + `) { totalCount } }` }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHandler(t, st, func(cfg *Config) { c.set(&cfg.Limits, c.value) })
			atQuery, pastQuery := c.query(c.value), c.query(c.value+1)
			if c.name == "cost" {
				// trends(first: n) { totalCount } costs 1 + n * 1; pick n to land on the limit.
				atQuery, pastQuery = c.query(c.value-1), c.query(c.value)
			}
			at := post(h, atQuery, nil, nil)
			if at.status != 200 || at.code(t) != "" {
				t.Fatalf("at the limit: %d %s", at.status, at.body)
			}
			past := post(h, pastQuery, nil, map[string]string{"Accept": mediaGraphQLResponse})
			if past.status != 400 || past.code(t) != c.code {
				t.Fatalf("past the limit: %d %s", past.status, past.body)
			}
			ext := past.json(t)["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)
			if ext["limit"] != c.name || int(ext["max"].(float64)) != c.value {
				t.Fatalf("the error does not name the limit and its value: %v", ext)
			}
		})
	}
	t.Run("tokens", func(t *testing.T) {
		h := newHandler(t, st, func(cfg *Config) { cfg.Limits.MaxTokens = 20 })
		// { trend ( slug : "x" ) { name ... } } : count tokens exactly.
		q := func(names int) string { return `{ trend(slug: "observability") { ` + fields(names) + `} }` }
		// Punctuation and names: { trend ( slug : "observability" ) { } } is 10 tokens.
		if r := post(h, q(1)+strings.Repeat(" ", 3), nil, nil); r.code(t) == graph.CodeTokenLimit {
			t.Fatalf("11 tokens refused")
		}
		if r := post(h, q(10), nil, nil); r.code(t) != "" {
			t.Fatalf("20 tokens refused: %s", r.body)
		}
		if r := post(h, q(11), nil, nil); r.code(t) != graph.CodeTokenLimit {
			t.Fatalf("21 tokens accepted: %s", r.body)
		}
	})
	t.Run("body size", func(t *testing.T) {
		h := newHandler(t, st, func(cfg *Config) { cfg.Limits.MaxBodyBytes = 200 })
		ok := []byte(`{"query":"{ trends { totalCount } }"}`)
		big := []byte(`{"query":"{ trends { totalCount } }` + strings.Repeat(" ", 200) + `"}`)
		if r := do(h, http.MethodPost, "/graphql", ok, map[string]string{"Content-Type": "application/json"}); r.status != 200 {
			t.Fatalf("small body: %d", r.status)
		}
		if r := do(h, http.MethodPost, "/graphql", big, map[string]string{"Content-Type": "application/json"}); r.status != 413 || r.code(t) != "BODY_TOO_LARGE" {
			t.Fatalf("large body: %d %s", r.status, r.body)
		}
	})
	t.Run("batch", func(t *testing.T) {
		h := newHandler(t, st, func(cfg *Config) { cfg.Limits.MaxBatch = 3 })
		op := `{"query":"query($s: String!) { technology(slug: $s) { name } }","variables":{"s":"%s"}}`
		batch := func(slugs ...string) []byte {
			parts := make([]string, len(slugs))
			for i, s := range slugs {
				parts[i] = strings.ReplaceAll(op, "%s", s)
			}
			return []byte("[" + strings.Join(parts, ",") + "]")
		}
		r := do(h, http.MethodPost, "/graphql", batch("go", "rust", "nope"), map[string]string{"Content-Type": "application/json"})
		var results []map[string]any
		if err := json.Unmarshal(r.body, &results); err != nil || r.status != 200 || len(results) != 3 {
			t.Fatalf("batch at the limit: %d %s", r.status, r.body)
		}
		if !strings.Contains(string(r.body), `"Go"`) || !strings.Contains(string(r.body), `"Rust"`) || results[2]["errors"] == nil {
			t.Fatalf("batch results out of order or missing: %s", r.body)
		}
		r = do(h, http.MethodPost, "/graphql", batch("go", "rust", "java", "python"), map[string]string{"Content-Type": "application/json"})
		if r.status != 400 || r.code(t) != graph.CodeBatchLimit {
			t.Fatalf("batch past the limit: %d %s", r.status, r.body)
		}
		if r := do(h, http.MethodPost, "/graphql", []byte(`[]`), map[string]string{"Content-Type": "application/json"}); r.status != 400 {
			t.Fatalf("empty batch: %d", r.status)
		}
	})
	t.Run("rate", func(t *testing.T) {
		h := newHandler(t, st, func(cfg *Config) { cfg.RatePerSecond, cfg.RateBurst = 0.001, 3 })
		for i := 0; i < 3; i++ {
			if r := post(h, `{ trends { totalCount } }`, nil, nil); r.status != 200 {
				t.Fatalf("request %d within the burst: %d", i, r.status)
			}
		}
		r := post(h, `{ trends { totalCount } }`, nil, nil)
		if r.status != 429 || r.code(t) != "RATE_LIMITED" || r.header.Get("Retry-After") == "" {
			t.Fatalf("past the burst: %d %s", r.status, r.body)
		}
		m := string(do(h, http.MethodGet, "/metrics", nil, nil).body)
		if !strings.Contains(m, `trendgraph_rejected_requests_total{limit="rate"} 1`) {
			t.Fatal("rejection not counted")
		}
	})
	t.Run("introspection is not limited", func(t *testing.T) {
		h := newHandler(t, st, func(cfg *Config) { cfg.Limits.MaxDepth, cfg.Limits.MaxCost = 3, 10 })
		r := post(h, introspectionQuery, nil, nil)
		if r.status != 200 || r.code(t) != "" {
			t.Fatalf("introspection under tight limits: %d %.300s", r.status, r.body)
		}
	})
}

// introspectionQuery is the deep query GraphiQL sends for its docs.
const introspectionQuery = `query IntrospectionQuery { __schema { queryType { name } mutationType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description
  args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue }
  interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType {
  kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`

func TestIntrospectionSwitch(t *testing.T) {
	st := newStore(t)
	off := newHandler(t, st, func(c *Config) { c.Introspection = false })
	if r := post(off, `{ __schema { types { name } } }`, nil, nil); r.code(t) == "" {
		t.Fatalf("introspection while off: %s", r.body)
	}
	// No "Did you mean" that would leak field names.
	if r := post(off, `{ technology(slug: "go") { nam } }`, nil, nil); strings.Contains(string(r.body), "Did you mean") {
		t.Fatalf("suggestions while introspection is off: %s", r.body)
	}
	// Issue 10, item 8: arguments, enum values and input fields were still suggested, the SDL
	// was served to anyone, and an introspection query was an internal error that trips alerts.
	for _, q := range []string{
		`{ trends(frist: 2) { totalCount } }`,
		`{ entities(filter: { kinds: [DATABSE] }) { totalCount } }`,
		`{ entities(filter: { kindz: [DATABASE] }) { totalCount } }`,
	} {
		if r := post(off, q, nil, nil); r.code(t) != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(string(r.body), "Did you mean") {
			t.Fatalf("suggestions while introspection is off: %s", r.body)
		}
	}
	for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Trend") { name } }`,
		`{ trends { totalCount } ...I } fragment I on Query { __schema { queryType { name } } }`} {
		r := post(off, q, nil, map[string]string{"Accept": mediaGraphQLResponse})
		if r.status != 400 || r.code(t) != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("introspection while off is not a validation error: %d %s", r.status, r.body)
		}
	}
	if r := post(off, `{ trends { __typename } }`, nil, nil); r.code(t) != "" {
		t.Fatalf("__typename is not introspection: %s", r.body)
	}
	if r := do(off, http.MethodGet, "/schema.graphql", nil, nil); r.status != 404 {
		t.Fatalf("the SDL is served while introspection is off: %d", r.status)
	}
	withToken := newHandler(t, st, func(c *Config) { c.Introspection, c.Tokens = false, ReadTokens("s3cret") })
	if r := do(withToken, http.MethodGet, "/schema.graphql", nil, map[string]string{"Authorization": "Bearer s3cret"}); r.status != 200 {
		t.Fatalf("the SDL is refused to a caller with a token: %d", r.status)
	}
	on := newHandler(t, st, nil)
	if r := post(on, `{ technology(slug: "go") { nam } }`, nil, nil); !strings.Contains(string(r.body), "Did you mean") {
		t.Fatalf("no suggestions while introspection is on: %s", r.body)
	}
}

func TestAuth(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { c.Tokens = ReadTokens("s3cret-token"); c.RequireAuth = true })
	q := `{ trends { totalCount } }`
	if r := post(h, q, nil, nil); r.status != 401 || r.code(t) != "UNAUTHENTICATED" || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no token: %d %s", r.status, r.body)
	}
	if r := post(h, q, nil, map[string]string{"Authorization": "Bearer wrong"}); r.status != 401 {
		t.Fatalf("wrong token: %d", r.status)
	}
	if r := post(h, q, nil, map[string]string{"Authorization": "Bearer s3cret-token"}); r.status != 200 {
		t.Fatalf("right token: %d %s", r.status, r.body)
	}
	// Health, schema and playground stay open.
	if r := do(h, http.MethodGet, "/schema.graphql", nil, nil); r.status != 200 {
		t.Fatalf("schema behind auth: %d", r.status)
	}
	// Tokens never reach the log.
	var logs bytes.Buffer
	logged := newHandler(t, st, func(c *Config) {
		c.Tokens = ReadTokens("s3cret-token")
		c.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	post(logged, q, map[string]any{"secretVar": "hunter2"}, map[string]string{"Authorization": "Bearer s3cret-token"})
	if strings.Contains(logs.String(), "s3cret") || strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "request_id") {
		t.Fatalf("log line: %s", logs.String())
	}
}

func TestCORS(t *testing.T) {
	st := newStore(t)
	none := newHandler(t, st, nil)
	r := do(none, http.MethodOptions, "/graphql", nil, map[string]string{"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"})
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS allowed with no origins configured")
	}
	h := newHandler(t, st, func(c *Config) { c.CORSOrigins = []string{"https://portal.example"} })
	r = do(h, http.MethodOptions, "/graphql", nil, map[string]string{"Origin": "https://portal.example",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"})
	if r.status >= 300 || r.header.Get("Access-Control-Allow-Origin") != "https://portal.example" {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	r = do(h, http.MethodOptions, "/graphql", nil, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("preflight of an unlisted origin allowed")
	}
	r = post(h, `{ trends { totalCount } }`, nil, map[string]string{"Origin": "https://portal.example"})
	if r.header.Get("Access-Control-Allow-Origin") != "https://portal.example" {
		t.Fatalf("simple request: %v", r.header)
	}
}

func TestMountedUnderAPrefix(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	mux := http.NewServeMux()
	mux.Handle("/kb/", http.StripPrefix("/kb", h))
	mux.HandleFunc("/own", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("mine")) })
	b, _ := json.Marshal(map[string]any{"query": `{ technology(slug: "go") { name } }`})
	r := do(mux, http.MethodPost, "/kb/graphql", b, map[string]string{"Content-Type": "application/json"})
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"Go"`)) {
		t.Fatalf("mounted: %d %s", r.status, r.body)
	}
	if r := do(mux, http.MethodGet, "/kb/livez", nil, nil); r.status != 200 {
		t.Fatalf("mounted livez: %d", r.status)
	}
	if r := do(mux, http.MethodGet, "/own", nil, nil); string(r.body) != "mine" {
		t.Fatal("the host's own route is gone")
	}
}

func TestPlaygroundIsSelfContained(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	page := do(h, http.MethodGet, "/", nil, nil)
	if page.status != 200 || !strings.Contains(string(page.body), "assets/graphiql.min.js") || !regexp.MustCompile(`shouldPersistHeaders:\s*false`).Match(page.body) {
		t.Fatalf("playground: %d %.500s", page.status, page.body)
	}
	if strings.Contains(string(page.body), "https://") || strings.Contains(string(page.body), "//unpkg") || strings.Contains(string(page.body), "cdn") {
		t.Fatal("the playground page loads something from the network")
	}
	for _, asset := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"} {
		r := do(h, http.MethodGet, "/assets/"+asset, nil, nil)
		if r.status != 200 || len(r.body) < 10_000 {
			t.Fatalf("%s: %d, %d bytes", asset, r.status, len(r.body))
		}
	}
	if r := do(h, http.MethodGet, "/assets/", nil, nil); r.status != 404 {
		t.Fatalf("asset listing: %d", r.status)
	}
	persist := newHandler(t, newStore(t), func(c *Config) { c.PlaygroundPersistHeaders = true })
	if p := do(persist, http.MethodGet, "/", nil, nil); !regexp.MustCompile(`shouldPersistHeaders:\s*true`).Match(p.body) {
		t.Fatal("persisting headers cannot be switched on")
	}
}
