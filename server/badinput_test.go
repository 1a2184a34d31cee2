package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/graph"
)

// Bad input of every kind gets a clear error with the right status, never a panic or a 500,
// and the server keeps serving.
func TestBadInputs(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) {
		c.RatePerSecond = 0
		c.Limits.MaxBodyBytes = 64 << 10
		c.MetricsToken = "scrape"
		c.Tokens = ReadTokens("reader")
	})
	const create = `mutation { createEntity(input: {reason: "r", type: SKILL, slug: "s", name: "S", summary: "A skill.", citations: [{section: "Conclusion", paragraph: 1}]}) { entity { slug } } }`
	jsonCT := map[string]string{"Content-Type": "application/json"}
	gqlResp := map[string]string{"Content-Type": "application/json", "Accept": mediaGraphQLResponse}
	body := func(q string) []byte { b, _ := json.Marshal(map[string]any{"query": q}); return b }
	cases := []struct {
		name    string
		method  string
		target  string
		body    []byte
		headers map[string]string
		status  int
		code    string
	}{
		{"malformed json", "POST", "/graphql", []byte(`{"query": `), jsonCT, 400, "BAD_REQUEST"},
		{"json array", "POST", "/graphql", []byte(`[1,2]`), jsonCT, 400, "BAD_REQUEST"},
		{"json string", "POST", "/graphql", []byte(`"query"`), jsonCT, 400, "BAD_REQUEST"},
		{"json null", "POST", "/graphql", []byte(`null`), jsonCT, 400, "BAD_REQUEST"},
		{"empty body", "POST", "/graphql", nil, jsonCT, 400, "BAD_REQUEST"},
		{"trailing garbage", "POST", "/graphql", []byte(`{"query":"{ trends { totalCount } }"} xyz`), jsonCT, 400, "BAD_REQUEST"},
		{"query not a string", "POST", "/graphql", []byte(`{"query": 42}`), jsonCT, 400, "BAD_REQUEST"},
		{"variables not an object", "POST", "/graphql", []byte(`{"query":"{ trends { totalCount } }","variables":[1]}`), jsonCT, 400, "BAD_REQUEST"},
		{"no query", "POST", "/graphql", []byte(`{"variables":{}}`), jsonCT, 400, "BAD_REQUEST"},
		{"wrong content type", "POST", "/graphql", body(`{ trends { totalCount } }`), map[string]string{"Content-Type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"form content type", "POST", "/graphql", []byte(`query=%7B%7D`), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", "POST", "/graphql", body(`{ trends { totalCount } }`), nil, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"latin-1 charset", "POST", "/graphql", body(`{ trends { totalCount } }`), map[string]string{"Content-Type": "application/json; charset=latin1"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"invalid utf-8", "POST", "/graphql", []byte("{\"query\":\"{ trend(slug: \\\"\xff\xfe\\\") { name } }\"}"), jsonCT, 400, "BAD_REQUEST"},
		{"huge body", "POST", "/graphql", append(append([]byte(`{"query":"`), bytes.Repeat([]byte("a"), 70<<10)...), '"', '}'), jsonCT, 413, "BODY_TOO_LARGE"},
		{"syntax error", "POST", "/graphql", body(`{ trends { `), gqlResp, 400, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", "POST", "/graphql", body(`{ trends { colour } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown argument", "POST", "/graphql", body(`{ trends(colour: 1) { totalCount } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation name", "POST", "/graphql", []byte(`{"query":"query A { trends { totalCount } }","operationName":"B"}`), gqlResp, 400, ""},
		{"two anonymous operations", "POST", "/graphql", body(`{ trends { totalCount } } { trends { totalCount } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"ambiguous operations", "POST", "/graphql", body(`query A { trends { totalCount } } query B { trends { totalCount } }`), gqlResp, 400, ""},
		{"cyclic fragments", "POST", "/graphql", body(`{ trends { ...A } } fragment A on TrendConnection { ...B } fragment B on TrendConnection { ...A }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"wrong variable type", "POST", "/graphql", []byte(`{"query":"query($n: Int) { trends(first: $n) { totalCount } }","variables":{"n":"ten"}}`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"missing required variable", "POST", "/graphql", []byte(`{"query":"query($s: String!) { trend(slug: $s) { name } }"}`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"undeclared variable", "POST", "/graphql", body(`{ trend(slug: $s) { name } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"int overflow", "POST", "/graphql", body(`{ trends(first: 99999999999999999999) { totalCount } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		// Issue 10, item 12: keys matched case-insensitively, the last of two keys won (a gateway
		// reading the first saw another request), IDs had several spellings, and other methods
		// got no 405.
		{"key in another case", "POST", "/graphql", []byte(`{"Query":"{ trends { totalCount } }"}`), jsonCT, 400, "BAD_REQUEST"},
		{"duplicate query key", "POST", "/graphql", []byte(`{"query":"{ trends { totalCount } }","query":"{ skills { totalCount } }"}`), jsonCT, 400, "BAD_REQUEST"},
		{"duplicate variable key", "POST", "/graphql", []byte(`{"query":"query($s: String!) { trend(slug: $s) { name } }","variables":{"s":"a","s":"b"}}`), jsonCT, 400, "BAD_REQUEST"},
		{"duplicate key in a batch", "POST", "/graphql", []byte(`[{"query":"{ trends { totalCount } }","operationName":"A","operationName":"B"}]`), jsonCT, 400, "BAD_REQUEST"},
		{"duplicate GET parameter", "GET", "/graphql?query=%7B+trends+%7B+totalCount+%7D+%7D&query=%7B+skills+%7B+totalCount+%7D+%7D", nil, nil, 400, "BAD_REQUEST"},
		{"PUT", "PUT", "/graphql", body(`{ trends { totalCount } }`), jsonCT, 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "DELETE", "/graphql", nil, nil, 405, "METHOD_NOT_ALLOWED"},
		{"upper-case hex in a global ID", "POST", "/graphql", body(`{ node(id: "` + base64.RawURLEncoding.EncodeToString([]byte("Technology:BEEF")) + `") { id } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"leading zero in a global ID", "POST", "/graphql", body(`{ node(id: "` + base64.RawURLEncoding.EncodeToString([]byte("Technology:0beef")) + `") { id } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"persistedQuery version 2", "POST", "/graphql", []byte(`{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"ab"}}}`), jsonCT, 400, "BAD_REQUEST"},
		{"documentId not a string", "POST", "/graphql", []byte(`{"extensions":{"documentId":5}}`), jsonCT, 400, "BAD_REQUEST"},
		{"two different documentIds", "POST", "/graphql", []byte(`{"documentId":"a","extensions":{"documentId":"b"}}`), jsonCT, 400, "BAD_REQUEST"},
		{"unknown mutation", "POST", "/graphql", body(`mutation { x }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown subscription", "POST", "/graphql", body(`subscription { x }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		// Issue 12: mutations and history.
		{"mutation without a token", "POST", "/graphql", body(create), jsonCT, 200, "UNAUTHENTICATED"},
		{"mutation with a read token", "POST", "/graphql", body(create), map[string]string{"Content-Type": "application/json", "Authorization": "Bearer reader"}, 200, "FORBIDDEN"},
		{"mutation input without its reason", "POST", "/graphql", body(`mutation { addSource(input: {slug: "s", title: "T"}) { source { slug } } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"a real mutation over GET", "GET", "/graphql?query=" + url.QueryEscape(create), nil, nil, 405, "METHOD_NOT_ALLOWED"},
		{"enum variable in the wrong case", "POST", "/graphql", []byte(`{"query":"query($f: EntityFilter) { entities(filter: $f) { totalCount } }","variables":{"f":{"kinds":["DATABAsE"]}}}`), jsonCT, 200, "BAD_USER_INPUT"},
		{"change set version 0", "POST", "/graphql", body(`{ changeSet(version: 0) { version } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"changes after a foreign cursor", "POST", "/graphql", body(`{ changes(after: "garbage") { edges { cursor } } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"record as of neither version nor time", "POST", "/graphql", body(`{ recordAsOf(slug: "go") { revision } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"record as of a bad time", "POST", "/graphql", body(`{ recordAsOf(slug: "go", at: "last week") { revision } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"page too large", "POST", "/graphql", body(`{ trends(first: 1000) { totalCount } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"bad cursor", "POST", "/graphql", body(`{ trends(after: "garbage") { totalCount } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"bad global id", "POST", "/graphql", body(`{ node(id: "not-an-id") { id } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"bad date", "POST", "/graphql", body(`{ radar(slug: "backend-2026") { entries(edition: "yesterday") { totalCount } } }`), jsonCT, 200, "BAD_USER_INPUT"},
		{"null byte in slug", "POST", "/graphql", body("{ trend(slug: \"a\\u0000b\") { name } }"), jsonCT, 200, "NOT_FOUND"},
		{"very long slug", "POST", "/graphql", body(`{ trend(slug: "` + strings.Repeat("x", 5000) + `") { name } }`), jsonCT, 200, "NOT_FOUND"},
		{"GET malformed query string", "GET", "/graphql?query=%zz", nil, nil, 400, "BAD_REQUEST"},
		{"GET variables not JSON", "GET", "/graphql?query=%7Btrends%7BtotalCount%7D%7D&variables=%7Bx", nil, nil, 400, "BAD_REQUEST"},
		{"GET mutation", "GET", "/graphql?query=mutation%7Bx%7D", nil, map[string]string{"Accept": mediaGraphQLResponse}, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"unacceptable accept", "POST", "/graphql", body(`{ trends { totalCount } }`), map[string]string{"Content-Type": "application/json", "Accept": "image/png"}, 406, "NOT_ACCEPTABLE"},
		{"deep nesting of lists", "POST", "/graphql", body(`{ trends { nodes { technologies { nodes { trends { nodes { technologies { nodes { trends { nodes { technologies { nodes { slug } } } } } } } } } } } } }`), gqlResp, 400, graph.CodeDepthLimit},
		{"alias flood", "POST", "/graphql", body(`{ ` + strings.Repeat("a: __typename ", 50) + `}`), gqlResp, 400, ""},
		{"metrics without the token", "GET", "/metrics", nil, nil, 401, "UNAUTHENTICATED"},
		{"metrics with a wrong token", "GET", "/metrics", nil, map[string]string{"Authorization": "Bearer scrap"}, 401, "UNAUTHENTICATED"},
		{"metrics with an empty bearer", "GET", "/metrics", nil, map[string]string{"Authorization": "Bearer "}, 401, "UNAUTHENTICATED"},
		{"very long operation name", "POST", "/graphql", body(`query ` + strings.Repeat("N", 20<<10) + ` { trends { colour } }`), gqlResp, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"deep filter", "POST", "/graphql", body(`{ entities(filter: ` + strings.Repeat(`{not: `, 12) + `{kinds: [DATABASE]}` + strings.Repeat(`}`, 12) + `) { totalCount } }`), jsonCT, 200, "BAD_USER_INPUT"},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(h, c.method, c.target, c.body, c.headers)
			if r.status != c.status || r.status >= 500 {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.status, r.body)
			}
			got := r.code(t)
			if got == "" || (c.code != "" && got != c.code) {
				t.Fatalf("code %q, want %q: %.300s", got, c.code, r.body)
			}
			msg := r.json(t)["errors"].([]any)[0].(map[string]any)["message"].(string)
			if msg == "" || strings.Contains(msg, "internal") {
				t.Fatalf("unclear message %q", msg)
			}
		})
	}
	// And the server still serves.
	if r := post(h, `{ technology(slug: "go") { name } }`, nil, nil); r.status != http.StatusOK || r.code(t) != "" {
		t.Fatalf("after the bad inputs: %d %s", r.status, r.body)
	}
}

// Issue 10, item 12: coercion errors said "cannot use string as Int" without the value sent,
// and other methods got no Allow header.
func TestRequestErrorsSayWhatWasSent(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0 })
	for _, c := range []struct {
		vars map[string]any
		want string
	}{
		{map[string]any{"n": "ten"}, `$n was sent as "ten"`},
		{map[string]any{"n": 1.5}, `$n was sent as 1.5`},
	} {
		r := post(h, `query($n: Int) { trends(first: $n) { totalCount } }`, c.vars, nil)
		if r.code(t) != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(string(r.body), strings.ReplaceAll(c.want, `"`, `\"`)) {
			t.Fatalf("%v: %s", c.vars, r.body)
		}
	}
	r := post(h, `query($f: EntityFilter) { entities(filter: $f) { totalCount } }`,
		map[string]any{"f": map[string]any{"kinds": []any{"DATABASE", strings.Repeat("X", 500)}}}, nil)
	if !strings.Contains(string(r.body), `$f.kinds[1] was sent as \"XXXX`) || strings.Contains(string(r.body), strings.Repeat("X", 100)) {
		t.Fatalf("a long value is named, cut short: %s", r.body)
	}
	if r := do(h, http.MethodPut, "/graphql", nil, nil); r.status != 405 || r.header.Get("Allow") != "GET, POST" {
		t.Fatalf("PUT: %d, Allow %q", r.status, r.header.Get("Allow"))
	}
}
