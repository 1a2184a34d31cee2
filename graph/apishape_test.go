package graph

import (
	"fmt"
	"strings"
	"testing"
)

// forwardOnly are the connection fields read from one end only (a change log from its newest
// change, search results by rank): they take first and after, as the schema's description says.
var forwardOnly = map[string]bool{"history": true, "changes": true, "search": true}

type introspectedType struct {
	Name   string
	Fields []struct {
		Name string
		Args []struct{ Name string }
		Type typeRef
	}
}

type typeRef struct {
	Kind   string
	Name   *string
	OfType *typeRef
}

// named is the type under any list and non-null wrappers.
func (t typeRef) named() string {
	for t.Name == nil && t.OfType != nil {
		t = *t.OfType
	}
	if t.Name == nil {
		return ""
	}
	return *t.Name
}

// Issue 14: five connections had no nodes (radars { nodes { slug } } failed) and some paged one
// way only. Every connection has edges and nodes of the same type, and every field returning
// one takes first/after and, unless it is read from one end, last/before.
func TestEveryConnectionHasNodesAndPagesBothWays(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Schema struct{ Types []introspectedType } `json:"__schema"`
	}
	e.query(t, `{ __schema { types { name fields { name args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`, &out)
	connections, fields := 0, 0
	for _, typ := range out.Schema.Types {
		if strings.HasSuffix(typ.Name, "Connection") {
			connections++
			kinds := map[string]string{}
			for _, f := range typ.Fields {
				kinds[f.Name] = f.Type.named()
			}
			edge := kinds["edges"]
			if edge == "" || kinds["nodes"] == "" {
				t.Errorf("%s: edges %q, nodes %q", typ.Name, edge, kinds["nodes"])
				continue
			}
			// The edge's node is the type of nodes' elements.
			for _, et := range out.Schema.Types {
				if et.Name != edge {
					continue
				}
				for _, f := range et.Fields {
					if f.Name == "node" && f.Type.named() != kinds["nodes"] {
						t.Errorf("%s: nodes are %s, edges' node is %s", typ.Name, kinds["nodes"], f.Type.named())
					}
				}
			}
		}
		for _, f := range typ.Fields {
			if !strings.HasSuffix(f.Type.named(), "Connection") {
				continue
			}
			fields++
			args := map[string]bool{}
			for _, a := range f.Args {
				args[a.Name] = true
			}
			backward := !forwardOnly[f.Name] && !(typ.Name == "ChangeSet" && f.Name == "changes")
			if !args["first"] || !args["after"] || args["last"] != backward || args["before"] != backward {
				t.Errorf("%s.%s takes %v", typ.Name, f.Name, args)
			}
		}
	}
	if connections < 13 || fields < 40 {
		t.Fatalf("found %d connection types and %d connection fields: the introspection query reads too little", connections, fields)
	}
}

// nodes holds exactly the edges' nodes, in order, on each kind of connection that lacked it.
func TestNodesAreTheEdgesNodes(t *testing.T) {
	e := newEnv(t)
	cases := map[string]string{
		"radars":        `{ c: radars { edges { node { slug } } nodes { slug } } }`,
		"sources":       `{ c: sources { edges { node { slug } } nodes { slug } } }`,
		"entries":       `{ radar(slug: "backend-2026") { c: entries(first: 7) { edges { node { entity { slug } } } nodes { entity { slug } } } } }`,
		"relationships": `{ technology(slug: "kubernetes") { c: relationships(first: 9) { edges { node { kind from { slug } to { slug } } } nodes { kind from { slug } to { slug } } } } }`,
		"search":        `{ c: search(query: "serverless", first: 5) { edges { node { slug } } nodes { slug } } }`,
		"history":       `{ technology(slug: "go") { c: history { edges { node { action recordKey } } nodes { action recordKey } } } }`,
		"changes":       `{ c: changes(first: 4) { edges { node { recordKey } } nodes { recordKey } } }`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			var out map[string]any
			e.query(t, q, &out)
			conn := findKey(out, "c").(map[string]any)
			edges, nodes := conn["edges"].([]any), conn["nodes"].([]any)
			if len(edges) == 0 || len(edges) != len(nodes) {
				t.Fatalf("%d edges, %d nodes", len(edges), len(nodes))
			}
			for i := range edges {
				if got, want := fmt.Sprint(nodes[i]), fmt.Sprint(edges[i].(map[string]any)["node"]); got != want {
					t.Fatalf("node %d: %s, edge's node %s", i, got, want)
				}
			}
		})
	}
}

// findKey finds the value of key k anywhere in a decoded response.
func findKey(v any, k string) any {
	if m, ok := v.(map[string]any); ok {
		if x, ok := m[k]; ok {
			return x
		}
		for _, x := range m {
			if found := findKey(x, k); found != nil {
				return found
			}
		}
	}
	return nil
}

// One rule for first and last everywhere: both given is the same BAD_USER_INPUT, with the same
// message (not prefixed with gqlgen's location and path), and each is bounded the same way.
func TestFirstAndLastFollowOneRule(t *testing.T) {
	e := newEnv(t)
	fields := map[string]string{
		"technologies":  `{ technologies(%s) { totalCount } }`,
		"entities":      `{ entities(%s) { totalCount } }`,
		"radars":        `{ radars(%s) { totalCount } }`,
		"sources":       `{ sources(%s) { totalCount } }`,
		"entries":       `{ radar(slug: "backend-2026") { entries(%s) { totalCount } } }`,
		"relationships": `{ technology(slug: "go") { relationships(%s) { totalCount } } }`,
		"tradeoffs":     `{ technology(slug: "aws-lambda") { tradeoffs(%s) { totalCount } } }`,
	}
	for name, q := range fields {
		t.Run(name, func(t *testing.T) {
			errs := e.gqlErrors(t, fmt.Sprintf(q, "first: 1, last: 1"))
			if errs[0].Extensions["code"] != CodeBadUserInput || errs[0].Message != "pass either first or last, not both" {
				t.Fatalf("first and last: %+v", errs[0])
			}
			for _, arg := range []string{"first", "last"} {
				errs := e.gqlErrors(t, fmt.Sprintf(q, arg+": 101"))
				if errs[0].Extensions["code"] != CodeBadUserInput || errs[0].Extensions["limit"] != arg || errs[0].Extensions["max"] != float64(100) {
					t.Fatalf("%s: 101: %+v", arg, errs[0])
				}
			}
			var out map[string]any
			e.query(t, fmt.Sprintf(q, "last: 0"), &out)
		})
	}
}

// radars and sources page backwards too: the last page, then the one before it.
func TestRadarsAndSourcesPageBackwards(t *testing.T) {
	e := newEnv(t)
	for _, field := range []string{"radars", "sources"} {
		var all map[string]struct {
			Nodes []struct{ Slug string }
		}
		e.query(t, fmt.Sprintf(`{ %s(first: 100) { nodes { slug } } }`, field), &all)
		slugs := all[field].Nodes
		if len(slugs) < 1 {
			t.Fatalf("%s: none", field)
		}
		var last map[string]struct {
			Nodes    []struct{ Slug string }
			PageInfo struct {
				HasPreviousPage bool
				StartCursor     string
			}
		}
		e.query(t, fmt.Sprintf(`{ %s(last: 1) { nodes { slug } pageInfo { hasPreviousPage startCursor } } }`, field), &last)
		got := last[field]
		if len(got.Nodes) != 1 || got.Nodes[0] != slugs[len(slugs)-1] || got.PageInfo.HasPreviousPage != (len(slugs) > 1) {
			t.Fatalf("%s(last: 1): %+v, all %v", field, got, slugs)
		}
		var before map[string]struct{ Nodes []struct{ Slug string } }
		e.query(t, fmt.Sprintf(`{ %s(last: 100, before: %q) { nodes { slug } } }`, field, got.PageInfo.StartCursor), &before)
		if len(before[field].Nodes) != len(slugs)-1 {
			t.Fatalf("%s before the last: %+v", field, before[field])
		}
	}
}
