package graph

import (
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/knowledge"
)

// An argument past its bound (knowledge/bounds.go) is refused as BAD_USER_INPUT naming the
// bound as the server's limits do: extensions limit, max and actual.
func TestArgumentBoundsNameTheirLimit(t *testing.T) {
	e := newEnv(t)
	var id struct{ Technology struct{ ID string } }
	e.query(t, `{ technology(slug: "microservices") { id } }`, &id)
	cases := []struct {
		q           string
		limit       string
		max, actual int
	}{
		{`{ technologies(first: 101) { totalCount } }`, "first", knowledge.MaxPageSize, 101},
		{`{ radar(slug: "backend-2026") { entries(last: 500) { totalCount } } }`, "last", knowledge.MaxPageSize, 500},
		{`query($id: ID!) { neighborhood(id: $id, limit: 501) { truncated } }`, "limit", knowledge.MaxNeighborhoodLimit, 501},
		{`query($id: ID!) { path(from: $id, to: $id, maxDepth: 7) { length } }`, "maxDepth", knowledge.MaxPathDepth, 7},
		{`query($id: ID!) { compare(ids: [$id]) { entities { slug } } }`, "compare ids", knowledge.MaxCompare, 1},
		{`{ search(query: "` + strings.Repeat("a", 201) + `") { totalCount } }`, "query length", knowledge.MaxTextLength, 201},
	}
	for _, c := range cases {
		t.Run(c.limit, func(t *testing.T) {
			errs := e.gqlErrors(t, c.q, map[string]any{"id": id.Technology.ID})
			ext := errs[0].Extensions
			if ext["code"] != CodeBadUserInput || ext["limit"] != c.limit || ext["max"] != float64(c.max) || ext["actual"] != float64(c.actual) {
				t.Fatalf("got %+v, want limit %s, max %d, actual %d", errs[0], c.limit, c.max, c.actual)
			}
		})
	}
}
