package graph

import (
	"slices"
	"testing"

	"github.com/99designs/gqlgen/client"
)

// Search pages both ways, by the same rule as every connection: the last page walked back
// with before gives the ranking forwards, reversed page by page.
func TestSearchPagesBothWays(t *testing.T) {
	e := newEnv(t)
	type page struct {
		Search struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ Slug string }
			}
			PageInfo struct{ HasNextPage, HasPreviousPage bool }
		}
	}
	const q = `query($first: Int, $after: String, $last: Int, $before: String) {
		search(query: "serverless", first: $first, after: $after, last: $last, before: $before) {
			totalCount edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage } } }`
	var all page
	e.query(t, `{ search(query: "serverless", first: 100) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage } } }`, &all)
	n := all.Search.TotalCount
	if n < 5 || len(all.Search.Edges) != n {
		t.Fatalf("%d results, %d edges", n, len(all.Search.Edges))
	}
	var forward []string
	for _, edge := range all.Search.Edges {
		forward = append(forward, edge.Node.Slug)
	}
	var backward []string
	var before *string
	for range n {
		var p page
		vars := map[string]any{"last": 2}
		if before != nil {
			vars["before"] = *before
		}
		e.query(t, q, &p, withVars(vars))
		var slugs []string
		for _, edge := range p.Search.Edges {
			slugs = append(slugs, edge.Node.Slug)
		}
		backward = append(slugs, backward...)
		if !p.Search.PageInfo.HasPreviousPage {
			break
		}
		before = &p.Search.Edges[0].Cursor
	}
	if !slices.Equal(forward, backward) {
		t.Fatalf("backwards: %v\nforwards: %v", backward, forward)
	}
	// first with before: the first n of those ranked above the cursor.
	var p page
	e.query(t, q, &p, withVars(map[string]any{"first": 2, "before": all.Search.Edges[1].Cursor}))
	if len(p.Search.Edges) != 1 || p.Search.Edges[0].Node.Slug != forward[0] {
		t.Fatalf("first 2 before the second: %+v", p.Search.Edges)
	}
	if errs := e.gqlErrors(t, `{ search(query: "serverless", first: 2, last: 2) { totalCount } }`); errs[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("first and last: %+v", errs)
	}
}

// withVars passes every variable of vars to the client.
func withVars(vars map[string]any) client.Option {
	return func(bd *client.Request) {
		bd.Variables = vars
	}
}
