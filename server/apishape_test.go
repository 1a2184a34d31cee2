package server

import (
	"strings"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/graph"
)

// Issue 14: @defer was declared (and so advertised by introspection) but the executor deferred
// only resolver fields, sent null for them first (non-null ones too) and the transport never
// sent the rest: a deferred fragment's fields were lost. It is no longer declared: the
// playground and clients do not offer it, and a document using it is refused before it runs,
// over POST and GET, with the response cache on, and under the limits.
func TestDeferIsNeitherAdvertisedNorRun(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { c.Limits.MaxDirectives = 2 })
	r := post(h, `{ __schema { directives { name } } }`, nil, nil)
	if r.status != 200 || strings.Contains(string(r.body), `"defer"`) || !strings.Contains(string(r.body), `"skip"`) {
		t.Fatalf("introspection: %d %s", r.status, r.body)
	}
	q := `{ technology(slug: "kubernetes") { slug ... @defer { vendor { slug } assessments { ring { slug } } } } }`
	for i := range 2 { // the second would be a cache hit, were the first kept
		reads := st.Stats().ReadTxns
		for _, r := range []response{post(h, q, nil, nil), get(h, q, nil)} {
			body := r.json(t)
			if _, hasData := body["data"]; r.status != 200 || hasData || r.code(t) != "GRAPHQL_VALIDATION_FAILED" ||
				!strings.Contains(string(r.body), `Unknown directive \"@defer\"`) {
				t.Fatalf("run %d: %d %s", i, r.status, r.body)
			}
		}
		if st.Stats().ReadTxns != reads {
			t.Fatalf("a refused @defer read the store")
		}
	}
	// Under the directive limit the refusal is still the limit's or the directive's, never a run.
	r = post(h, `{ a: technology(slug: "go") { ... @defer { slug } ... @defer { name } ... @defer { summary } } }`, nil, nil)
	if c := r.code(t); c != "DIRECTIVE_LIMIT_EXCEEDED" && c != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("under the directive limit: %s", r.body)
	}
}

// nodes is costed as edges are: by the connection's page size (first, last or the default),
// each field once per item; _entities by its representations, as nodes(ids:) by its IDs.
func TestNodesAndEntitiesAreCosted(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.CacheBytes = 0 })
	cases := []struct {
		q    string
		want int
	}{
		{`{ radars(first: 7) { nodes { slug } } }`, 1 + 7*(1+1)},
		{`{ radars(last: 3) { nodes { slug name } } }`, 1 + 3*(1+2)},
		{`{ sources { nodes { slug } } }`, 1 + 20*(1+1)},
		{`{ radars(first: 7) { edges { node { slug } } nodes { slug } } }`, 1 + 7*(1+1+1) + 7*(1+1)},
		{`{ technology(slug: "go") { relationships(first: 9) { nodes { kind } } } }`, 1 + 1 + 9*(1+1)},
		{`{ search(query: "go", first: 4) { nodes { slug } } }`, 1 + 4*(1+1)},
		{`{ _entities(representations: [{__typename: "Technology", slug: "go"}, {__typename: "Technology", slug: "rust"}, {__typename: "Trend", slug: "serverless-computing"}]) { ... on Entity { slug name } } }`, 1 + 3*2},
	}
	for _, c := range cases {
		if got := costOf(t, h, c.q, nil); got != c.want {
			t.Errorf("%s costs %d, want %d", c.q, got, c.want)
		}
	}
}

// nodes reads nothing more than edges: the same store reads, and as few records.
func TestNodesReadNoMoreThanEdges(t *testing.T) {
	st := newStore(t)
	// Batches must run on their last sibling's arrival, never on the loaders' safety-net timer,
	// which a loaded machine can hit and so split a batch in two.
	h := newHandler(t, st, func(c *Config) {
		c.RatePerSecond, c.CacheBytes = 0, 0
		c.Loaders = graph.LoaderOptions{Wait: time.Hour}
	})
	reads := func(q string) (txns, records uint64) {
		before := st.Stats()
		if r := post(h, q, nil, nil); r.code(t) != "" {
			t.Fatalf("%s: %s", q, r.body)
		}
		after := st.Stats()
		return after.ReadTxns - before.ReadTxns, after.RecordsRead - before.RecordsRead
	}
	pairs := [][2]string{
		{`{ technologies(first: 50) { edges { node { slug vendor { slug } relationships(first: 5) { edges { node { kind } } } } } } }`,
			`{ technologies(first: 50) { nodes { slug vendor { slug } relationships(first: 5) { nodes { kind } } } } }`},
		{`{ radar(slug: "backend-2026") { entries(first: 50) { edges { node { entity { slug } } } } } }`,
			`{ radar(slug: "backend-2026") { entries(first: 50) { nodes { entity { slug } } } } }`},
	}
	for _, p := range pairs {
		et, er := reads(p[0])
		nt, nr := reads(p[1])
		if nt > et || nr > er {
			t.Errorf("nodes read %d transactions and %d records, edges %d and %d:\n%s", nt, nr, et, er, p[1])
		}
	}
}

// Issue 14: nodes(ids:) at the root cost its selection 10 times (a plain list's bound) whatever
// its IDs: the root was not recognised. It costs it once per ID.
func TestNodesOfIDsCostPerID(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.CacheBytes = 0 })
	if got, want := costOf(t, h, `{ nodes(ids: ["go", "rust", "kubernetes"]) { id } }`, nil), 1+3; got != want {
		t.Fatalf("nodes of 3 IDs costs %d, want %d", got, want)
	}
}

// _service publishes the whole schema: a server that hides its schema (introspection off)
// refuses it as it refuses __schema, and publishes exactly /schema.graphql otherwise.
func TestServiceSDLFollowsIntrospection(t *testing.T) {
	st := newStore(t)
	open := newHandler(t, st, nil)
	r := post(open, `{ _service { sdl } }`, nil, nil)
	sdl, _ := r.json(t)["data"].(map[string]any)["_service"].(map[string]any)["sdl"].(string)
	if published := do(open, "GET", "/schema.graphql", nil, nil); sdl == "" || sdl != string(published.body) {
		t.Fatalf("_service.sdl is not /schema.graphql: %d bytes and %d", len(sdl), len(published.body))
	}
	closed := newHandler(t, st, func(c *Config) { c.Introspection = false })
	r = post(closed, `{ _service { sdl } }`, nil, nil)
	if r.code(t) != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(string(r.body), "extend schema") {
		t.Fatalf("introspection off: %s", r.body)
	}
}
