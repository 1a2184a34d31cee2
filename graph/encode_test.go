package graph

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Objects are written by objectJSON, which trusts CollectFields to have merged the fields that
// share a response name: a name selected twice, through aliases, fragments and inline
// fragments, is written once, in the order it was first selected, and the bytes are JSON.
func TestObjectFieldsWrittenOnce(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{})
	q := `query { technology(slug: "amazon-aurora") { slug n: name slug ...F ... on Technology { n: name kind }
		tradeoffs(first: 1) { nodes { slug } } tradeoffs(first: 1) { nodes { name } } } }
		fragment F on Technology { kind slug __typename }`
	body := e.raw(q, nil)
	var tradeoff struct {
		Data struct {
			Technology struct {
				Tradeoffs struct {
					Nodes []struct{ Slug, Name string }
				}
			}
		}
	}
	if err := json.Unmarshal(body, &tradeoff); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	nodes := tradeoff.Data.Technology.Tradeoffs.Nodes
	if len(nodes) != 1 || nodes[0].Slug == "" || nodes[0].Name == "" {
		t.Fatalf("the two tradeoffs selections were not merged: %s", body)
	}
	want := `{"data":{"technology":{"slug":"amazon-aurora","n":"Amazon Aurora","kind":"DATABASE","__typename":"Technology","tradeoffs":{"nodes":[{"slug":"` +
		nodes[0].Slug + `","name":` + mustJSON(t, nodes[0].Name) + `}]}}}}`
	if got := string(body); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A list's elements run one after another only when nothing selected below them may wait on a
// loader, looked through fragments and interfaces; otherwise each keeps its goroutine, so that
// siblings reach their loaders together.
func TestSelectionMayWait(t *testing.T) {
	for _, c := range []struct {
		query string
		wait  bool
	}{
		{`{ trends { nodes { slug name status tags } } }`, false},
		{`{ trends { edges { cursor node { slug } } } }`, false},
		{`{ trends { nodes { technologies { nodes { slug } } } } }`, true},
		{`{ trends { nodes { ...F } } } fragment F on Trend { name technologies { totalCount } }`, true},
		{`{ trends { nodes { ...F } } } fragment F on Trend { name slug }`, false},
		{`{ trends { nodes { ... on Trend { relationships { totalCount } } } } }`, true},
		// Through an interface: other is an Entity, and a technology's vendor is loaded.
		{`{ trends { nodes { relationships { edges { other { slug ... on Technology { vendor { slug } } } } } } } }`, true},
		{`{ trends { nodes { relationships { edges { direction node { kind } other { __typename slug } } } } } }`, true},
	} {
		doc, err := gqlparser.LoadQueryWithRules(parsedSchema, c.query, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		// The list below the root field: trends' nodes or edges.
		list := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet[0].(*ast.Field)
		if got := setMayWait(list.SelectionSet); got != c.wait {
			t.Errorf("%s: may wait %v, want %v", c.query, got, c.wait)
		}
	}
	// The relationships' edges below a trend read only what their page holds.
	doc, err := gqlparser.LoadQueryWithRules(parsedSchema, `{ trends { nodes { relationships { edges { direction node { kind rationale } other { __typename slug name } } } } } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	rels := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet[0].(*ast.Field).SelectionSet[0].(*ast.Field)
	edges := rels.SelectionSet[0].(*ast.Field)
	if setMayWait(edges.SelectionSet) {
		t.Errorf("relationship edges reading their page only may wait")
	}
}

// A connection makes edges and cursors only when the query selects them, however it selects
// them: the cursors a page gives are the same whether asked through edges, pageInfo or a
// fragment, and a page of nodes alone still pages.
func TestConnectionPartsAsSelected(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{})
	var full struct {
		Technology struct {
			Tradeoffs struct {
				Edges    []struct{ Cursor string }
				PageInfo struct{ StartCursor, EndCursor *string }
			}
		}
	}
	e.query(t, `{ technology(slug: "amazon-aurora") { tradeoffs(first: 2) { edges { cursor } pageInfo { startCursor endCursor } } } }`, &full)
	edges := full.Technology.Tradeoffs.Edges
	if len(edges) != 2 || edges[0].Cursor == "" || full.Technology.Tradeoffs.PageInfo.EndCursor == nil ||
		*full.Technology.Tradeoffs.PageInfo.EndCursor != edges[1].Cursor || *full.Technology.Tradeoffs.PageInfo.StartCursor != edges[0].Cursor {
		t.Fatalf("cursors: %+v", full)
	}
	for _, q := range []string{
		`{ technology(slug: "amazon-aurora") { tradeoffs(first: 2) { nodes { slug } pageInfo { endCursor } } } }`,
		`{ technology(slug: "amazon-aurora") { tradeoffs(first: 2) { nodes { slug } ...P } } } fragment P on TradeoffConnection { pageInfo { ... on PageInfo { endCursor } } }`,
		`{ technology(slug: "amazon-aurora") { tradeoffs(first: 2) { ... on TradeoffConnection { edges { ... { cursor } } } } } }`,
	} {
		var got struct {
			Technology struct {
				Tradeoffs struct {
					Nodes    []struct{ Slug string }
					Edges    []struct{ Cursor string }
					PageInfo struct{ EndCursor *string }
				}
			}
		}
		e.query(t, q, &got)
		end := got.Technology.Tradeoffs.PageInfo.EndCursor
		if gotEdges := got.Technology.Tradeoffs.Edges; gotEdges != nil {
			if len(gotEdges) != 2 || gotEdges[1].Cursor != edges[1].Cursor {
				t.Errorf("%s: edges %+v, want the cursors %+v", q, gotEdges, edges)
			}
		} else if end == nil || *end != edges[1].Cursor {
			t.Errorf("%s: end cursor %v, want %s", q, end, edges[1].Cursor)
		}
	}
	// The end cursor of a page of nodes alone leads to the next page.
	var next struct {
		Technology struct {
			Tradeoffs struct{ Nodes []struct{ Slug string } }
		}
	}
	e.query(t, `{ technology(slug: "amazon-aurora") { tradeoffs(first: 1, after: "`+edges[0].Cursor+`") { nodes { slug } } } }`, &next)
	if len(next.Technology.Tradeoffs.Nodes) != 1 {
		t.Fatalf("next page: %+v", next)
	}
}

// scalarFieldContext makes the field context gqlgen's constructor makes, Child's answer
// included, in an arena and without one: a gqlgen upgrade that adds to it fails here.
func TestScalarFieldContextAsGqlgens(t *testing.T) {
	field := graphql.CollectedField{Field: &ast.Field{Alias: "slug", Name: "slug"}}
	arena := getArena()
	defer arena.release()
	for _, c := range []struct {
		arena              *execArena
		object, typ        string
		isMethod, resolver bool
	}{{nil, "Tradeoff", "String", true, false}, {arena, "Trend", "TrendStatus", false, true}, {arena, "Tradeoff", "String", false, false}} {
		want, _ := graphql.NewScalarFieldContext(c.object, field, c.isMethod, c.resolver, c.typ)
		got, err := c.arena.scalarFieldContext(c.object, field, c.isMethod, c.resolver, c.typ)
		if err != nil {
			t.Fatal(err)
		}
		_, wantErr := want.Child(context.Background(), field)
		_, gotErr := got.Child(context.Background(), field)
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || gotErr == nil {
			t.Errorf("Child: %v, want %v", gotErr, wantErr)
		}
		want.Child, got.Child = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	}
}

// Errors come in the order of their paths, whatever order the list elements that made them
// finished in: the same query gives the same bytes every time.
func TestErrorsInPathOrder(t *testing.T) {
	e := newEnv(t)
	q := `{ trends(first: 6) { nodes { slug technologies(first: 2, after: "not a cursor") { nodes { slug } } } } }`
	first := string(e.raw(q, nil))
	var resp struct{ Errors []gqlError }
	if err := json.Unmarshal([]byte(first), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Errors) != 6 {
		t.Fatalf("want an error per trend: %s", first)
	}
	for i, err := range resp.Errors {
		if fmt.Sprint(err.Path) != fmt.Sprint([]any{"trends", "nodes", float64(i), "technologies"}) {
			t.Fatalf("error %d at %v: %s", i, err.Path, first)
		}
	}
	for range 30 {
		if got := string(e.raw(q, nil)); got != first {
			t.Fatalf("the answer changed:\n%s\nwas\n%s", got, first)
		}
	}
}

func TestComparePaths(t *testing.T) {
	p := func(elems ...any) ast.Path {
		var path ast.Path
		for _, e := range elems {
			switch e := e.(type) {
			case string:
				path = append(path, ast.PathName(e))
			case int:
				path = append(path, ast.PathIndex(e))
			}
		}
		return path
	}
	ordered := []ast.Path{nil, p("a"), p("a", "z"), p("a", 2), p("a", 2, "x"), p("a", 10), p("b")}
	for i := range ordered {
		for j := range ordered {
			if got, want := comparePaths(ordered[i], ordered[j]), cmp.Compare(i, j); got != want {
				t.Errorf("comparePaths(%v, %v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}
