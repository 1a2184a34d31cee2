package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/trendgraph/trendgraph/graph"
)

// doublingFragments is the worst document for a walk that expands fragments: each of n
// fragments spreads the one before it twice, so expanded it holds 2^n fields.
func doublingFragments(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query Worst { technology(slug: \"go\") { ...F%d } }\nfragment F0 on Technology { name }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Technology { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// testSchema is the parsed schema as the executor runs it, for measuring documents directly.
func testSchema() *ast.Schema {
	return graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
}

func parseOperation(t testing.TB, q string) (*ast.QueryDocument, *ast.OperationDefinition) {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(testSchema(), q, nil)
	if errs != nil {
		t.Fatalf("document does not validate: %v", errs)
	}
	return doc, doc.Operations[0]
}

// Issue 10, item 2: the limiter expanded every fragment spread, so fragments that each spread
// the next one twice made its walk exponential (about 1 KB of document pinned a core for
// minutes). Each fragment is measured once: with every limit off, the walk visits each
// selection of the document once, whatever the expansion.
func TestMeasureIsLinearInTheDocument(t *testing.T) {
	for _, n := range []int{10, 40, 80} {
		doc, op := parseOperation(t, doublingFragments(n))
		sum, m := measureOperation(doc, op, nil, Limits{})
		if m.stopped != nil {
			t.Fatalf("n=%d: stopped with every limit off: %+v", n, m.stopped)
		}
		selections := 2 + 1 + 2*n // the operation's two fields, F0's one, two spreads per fragment
		if m.steps > 2*selections {
			t.Fatalf("n=%d: %d steps for a document of %d selections", n, m.steps, selections)
		}
		want := saturation
		if n < 40 {
			want = 1 << n
		}
		if sum.repeats != want {
			t.Fatalf("n=%d: name repeats %d times, measured %d", n, want, sum.repeats)
		}
	}
}

// The worst document through the handler: refused by the first limit it passes, at once.
func TestWorstDocumentIsRefused(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0 })
	r := post(h, doublingFragments(60), nil, map[string]string{"Accept": mediaGraphQLResponse})
	if r.status != 400 || r.code(t) != graph.CodeFieldRepeatLimit {
		t.Fatalf("doubling fragments: %d %s", r.status, r.body)
	}
	// With repeats unlimited, the cost limit refuses it; the figure saturates, never overflows.
	h = newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.Limits.MaxFieldRepeats = 0 })
	r = post(h, doublingFragments(70), nil, map[string]string{"Accept": mediaGraphQLResponse})
	if r.status != 400 || r.code(t) != graph.CodeCostLimit {
		t.Fatalf("doubling fragments, repeats unlimited: %d %s", r.status, r.body)
	}
}

// BenchmarkLimiterWorstCase measures the worst document (fragments doubling each other) at
// growing sizes: the time per operation grows with the document, linearly, not with its
// expansion. Every limit is off, so the walk goes to the end.
func BenchmarkLimiterWorstCase(b *testing.B) {
	for _, n := range []int{25, 50, 100, 200, 400} {
		doc, op := parseOperation(b, doublingFragments(n))
		b.Run(fmt.Sprintf("fragments=%d/bytes=%d", n, len(doublingFragments(n))), func(b *testing.B) {
			for b.Loop() {
				measureOperation(doc, op, nil, Limits{})
			}
		})
	}
}

func costOf(t *testing.T, h http.Handler, q string, vars map[string]any) int {
	t.Helper()
	r := post(h, q, vars, nil)
	ext, _ := r.json(t)["extensions"].(map[string]any)
	cost, _ := ext["cost"].(map[string]any)
	if r.code(t) != "" || cost == nil {
		t.Fatalf("%s: %d %s", q, r.status, r.body)
	}
	return int(cost["requested"].(float64))
}

// Issue 10, item 4: plain lists multiplied nothing, so compare's neighbours, citations and
// the like cost as if they held one element.
func TestCostCountsPlainLists(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.CacheBytes = 0 })
	ids := []any{}
	for _, slug := range []string{"go", "rust"} {
		r := post(h, `query($s: String!) { technology(slug: $s) { id } }`, map[string]any{"s": slug}, nil)
		ids = append(ids, r.json(t)["data"].(map[string]any)["technology"].(map[string]any)["id"])
	}
	vars := map[string]any{"ids": ids}
	// compare 1 + neighbors (1 + 300 × (neighbor 1 + name 1)).
	if got, want := costOf(t, h, `query($ids: [ID!]!) { compare(ids: $ids) { neighbors { neighbor { name } } } }`, vars), 1+1+300*2; got != want {
		t.Fatalf("compare's neighbours cost %d, want %d", got, want)
	}
	// technology 1 + citations (1 + 10 × (section 1)).
	if got, want := costOf(t, h, `{ technology(slug: "go") { citations { section } } }`, nil), 1+1+defaultListBound; got != want {
		t.Fatalf("citations cost %d, want %d", got, want)
	}
	// A connection's edges are counted once, by its page size.
	if got, want := costOf(t, h, `{ trends(first: 5) { edges { node { slug } } } }`, nil), 1+5*(1+1+1); got != want {
		t.Fatalf("a connection's edges cost %d, want %d", got, want)
	}
}

// Issue 10, item 4: aliases of __schema made a 110 KB batch return 39 MB. Introspection fields
// are counted, per request: a batch shares one budget.
func TestIntrospectionFieldsAreCounted(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0 })
	gql := map[string]string{"Accept": mediaGraphQLResponse}
	if r := post(h, `{ a: __schema { queryType { name } } b: __type(name: "Trend") { name } }`, nil, gql); r.status != 200 || r.code(t) != "" {
		t.Fatalf("two introspection fields: %d %s", r.status, r.body)
	}
	r := post(h, `{ a: __schema { queryType { name } } b: __schema { queryType { name } } c: __schema { queryType { name } } }`, nil, gql)
	if r.status != 400 || r.code(t) != graph.CodeIntrospectionLimit {
		t.Fatalf("three __schema fields: %d %s", r.status, r.body)
	}
	// Two different operations: a repeated one would be answered from the response cache.
	op := `{"query":"{ a: __schema { queryType { name } } b: __schema { queryType { name } } }"}`
	op2 := `{"query":"{ a: __schema { queryType { name } } b: __schema { mutationType { name } } }"}`
	r = do(h, http.MethodPost, "/graphql", []byte("["+op+","+op2+"]"), map[string]string{"Content-Type": "application/json"})
	var results []map[string]any
	if err := json.Unmarshal(r.body, &results); err != nil || len(results) != 2 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	if results[0]["errors"] != nil || !strings.Contains(fmt.Sprint(results[1]["errors"]), graph.CodeIntrospectionLimit) {
		t.Fatalf("the second operation of the batch should pass the shared budget: %s", r.body)
	}
}

// Issue 10, item 4: each operation of a batch had the whole cost budget to itself.
func TestBatchSharesOneCostBudget(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.Limits.MaxCost = 50 })
	op := `{"query":"{ trends(first: 30) { totalCount } }"}` // 1 + 30 × 1
	op2 := `{"query":"{ skills(first: 30) { totalCount } }"}`
	r := do(h, http.MethodPost, "/graphql", []byte("["+op+","+op2+"]"), map[string]string{"Content-Type": "application/json"})
	var results []map[string]any
	if err := json.Unmarshal(r.body, &results); err != nil || len(results) != 2 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	if results[0]["errors"] != nil || !strings.Contains(fmt.Sprint(results[1]["errors"]), graph.CodeCostLimit) {
		t.Fatalf("two operations of cost 31 under a budget of 50: %s", r.body)
	}
}

// Issue 10, item 3: a filter of thousands of terms reported a tiny cost. Its nodes and values
// are counted in the cost, and bounded.
func TestFiltersAreCountedAndBounded(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.CacheBytes = 0 })
	q := `query($f: EntityFilter) { entities(filter: $f, first: 1) { totalCount } }`
	or := func(n int) map[string]any {
		terms := make([]any, n)
		for i := range terms {
			terms[i] = map[string]any{"tagsAny": []any{fmt.Sprint("t", i)}}
		}
		return map[string]any{"or": terms}
	}
	// entities 1 + filter (1 + 10 × (1 + 1)) + 1 × totalCount 1.
	if got, want := costOf(t, h, q, map[string]any{"f": or(10)}), 1+21+1; got != want {
		t.Fatalf("a filter of 10 terms costs %d, want %d", got, want)
	}
	r := post(h, q, map[string]any{"f": or(2000)}, map[string]string{"Accept": mediaGraphQLResponse})
	if r.status != 400 || r.code(t) != graph.CodeFilterSizeLimit {
		t.Fatalf("a filter of 2000 terms: %d %.300s", r.status, r.body)
	}
	ext := r.json(t)["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)
	if ext["limit"] != "filter size" || ext["max"].(float64) != 100 || ext["actual"].(float64) != 4001 {
		t.Fatalf("the error does not say the limit, its value and the filter's size: %v", ext)
	}
}

// Issue 10, item 4: a batch counted as one request against the rate, so a client could run
// the batch limit's worth of operations per token.
func TestRateCountsEachOperationOfABatch(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond, c.RateBurst = 0.001, 5 })
	ct := map[string]string{"Content-Type": "application/json"}
	op := `{"query":"{ trends { totalCount } }"}`
	batch := []byte("[" + strings.Repeat(op+",", 3) + op + "]")
	if r := do(h, http.MethodPost, "/graphql", batch, ct); r.status != 200 {
		t.Fatalf("a batch of 4 within a burst of 5: %d %s", r.status, r.body)
	}
	if r := do(h, http.MethodPost, "/graphql", batch, ct); r.status != 429 || r.code(t) != "RATE_LIMITED" {
		t.Fatalf("a second batch of 4 with 1 token left: %d %s", r.status, r.body)
	}
}

// Issue 19: a query refused for its cost said only the limit and the figure. The error names
// the fields that drove the cost, outermost first, and the argument to lower.
func TestCostErrorNamesTheFieldToLower(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond = 0; c.Limits.MaxCost = 5000 })
	q := `{ neighborhood(id: "go", depth: 2) { nodes { entity { ... on Technology {
		relationships(first: 50) { edges { node { kind } } } } } } } }`
	r := post(h, q, nil, nil)
	if r.code(t) != graph.CodeCostLimit {
		t.Fatalf("want a cost error: %d %s", r.status, r.body)
	}
	e := r.json(t)["errors"].([]any)[0].(map[string]any)
	msg := e["message"].(string)
	for _, want := range []string{"Query.neighborhood counts its selection 100 times (limit: 100)",
		"Entity.relationships counts its selection 50 times (first: 50)", "lower limit of Query.neighborhood or first of Entity.relationships"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if got := fmt.Sprint(e["extensions"].(map[string]any)["drivenBy"]); got != "[Query.neighborhood Entity.relationships]" {
		t.Errorf("drivenBy = %s", got)
	}
	// With a smaller limit it fits, as the message says.
	if r := post(h, strings.Replace(q, "depth: 2)", "depth: 2, limit: 10)", 1), nil, nil); r.code(t) != "" {
		t.Fatalf("lowered: %d %s", r.status, r.body)
	}
}
