package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
)

// forwardOnly are the connection fields read from one end only: none now (search pages both
// ways by position in its ranking).
var forwardOnly = map[string]bool{}

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
			backward := !forwardOnly[f.Name]
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

type changePage struct {
	Edges []struct {
		Cursor string
		Node   struct {
			RecordKey string
			Revision  int
		}
	}
	Nodes    []struct{ RecordKey string }
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       string
	}
}

func (p changePage) keys() []string {
	out := make([]string, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = fmt.Sprintf("%s@%d", e.Node.RecordKey, e.Node.Revision)
	}
	return out
}

const changeFields = `edges { cursor node { recordKey revision } } nodes { recordKey } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`

// Lists of changes page backwards too: last (with before) reads the changes nearest the cursor
// on its newer side, or the oldest, and answers them newest first like every page of the list.
func TestChangesPageBackwards(t *testing.T) {
	e := newEnv(t)
	var all struct{ Changes changePage }
	e.query(t, `{ changes(first: 30) { `+changeFields+` } }`, &all)
	if len(all.Changes.Edges) != 30 {
		t.Fatalf("%d changes", len(all.Changes.Edges))
	}
	var back struct{ Changes changePage }
	e.query(t, `query($c: String!) { changes(last: 10, before: $c) { `+changeFields+` } }`, &back, client.Var("c", all.Changes.Edges[29].Cursor))
	want := all.Changes.keys()[19:29]
	if got := back.Changes.keys(); !slices.Equal(got, want) || !back.Changes.PageInfo.HasNextPage || !back.Changes.PageInfo.HasPreviousPage {
		t.Fatalf("last 10 before the 30th: %v %+v, want %v", got, back.Changes.PageInfo, want)
	}
	// The oldest three, then forward from the first of them: the same list.
	var oldest, forward struct{ Changes changePage }
	e.query(t, `{ changes(last: 3) { `+changeFields+` } }`, &oldest)
	if len(oldest.Changes.Edges) != 3 || oldest.Changes.PageInfo.HasNextPage || !oldest.Changes.PageInfo.HasPreviousPage {
		t.Fatalf("last 3: %+v", oldest.Changes)
	}
	e.query(t, `query($c: String!) { changes(first: 5, after: $c) { `+changeFields+` } }`, &forward, client.Var("c", oldest.Changes.PageInfo.StartCursor))
	if got, want := forward.Changes.keys(), oldest.Changes.keys()[1:]; !slices.Equal(got, want) || forward.Changes.PageInfo.HasNextPage {
		t.Fatalf("after the newest of the oldest 3: %v, want %v", got, want)
	}
	// The two directions do not mix.
	for _, q := range []string{`{ changes(first: 2, before: "QwAAAAAAAAABAAAAAA") { nodes { recordKey } } }`, `{ changes(last: 2, after: "QwAAAAAAAAABAAAAAA") { nodes { recordKey } } }`} {
		if errs := e.gqlErrors(t, q); errs[0].Extensions["code"] != CodeBadUserInput {
			t.Fatalf("%s: %+v", q, errs)
		}
	}
}

// A change set's changes page backwards by their order in the set.
func TestChangeSetChangesPageBackwards(t *testing.T) {
	e := newEnv(t)
	var out struct {
		ChangeSet struct {
			ChangeCount int
			All         changePage
			Last        changePage
		}
	}
	e.query(t, `{ changeSet(version: 1) { changeCount all: changes(first: 100) { `+changeFields+` } last: changes(last: 4) { `+changeFields+` } } }`, &out)
	cs := out.ChangeSet
	if cs.ChangeCount > 100 {
		var tail struct{ ChangeSet struct{ Changes changePage } }
		e.query(t, `query($c: String!) { changeSet(version: 1) { changes(last: 4, before: $c) { `+changeFields+` } } }`, &tail, client.Var("c", cs.All.Edges[50].Cursor))
		if got, want := tail.ChangeSet.Changes.keys(), cs.All.keys()[46:50]; !slices.Equal(got, want) {
			t.Fatalf("4 before the 51st: %v, want %v", got, want)
		}
	} else if got, want := cs.Last.keys(), cs.All.keys()[len(cs.All.Edges)-4:]; !slices.Equal(got, want) {
		t.Fatalf("last 4: %v, want %v", got, want)
	}
	if cs.Last.PageInfo.HasNextPage || !cs.Last.PageInfo.HasPreviousPage || len(cs.Last.Edges) != 4 {
		t.Fatalf("last 4: %+v", cs.Last)
	}
}

// A record's history pages backwards, batched with its siblings' as forwards.
func TestHistoryPagesBackwards(t *testing.T) {
	e := newCuratorEnv(t)
	for rev := 1; rev <= 4; rev++ {
		var out map[string]any
		e.query(t, fmt.Sprintf(`mutation { updateEntity(input: {reason: "rename %d", slug: "go", revision: %d, name: "Go %d"}) { entity { revision } } }`, rev, rev, rev), &out)
	}
	var out struct {
		Technology struct {
			All, Oldest changePage
		}
	}
	e.query(t, `{ technology(slug: "go") { all: history { `+changeFields+` } oldest: history(last: 2) { `+changeFields+` } } }`, &out)
	all := out.Technology.All.keys()
	if len(all) != 5 || all[0] != "go@5" {
		t.Fatalf("history: %v", all)
	}
	if got := out.Technology.Oldest.keys(); !slices.Equal(got, all[3:]) {
		t.Fatalf("last 2: %v, want %v", got, all[3:])
	}
	var before struct{ Technology struct{ History changePage } }
	e.query(t, `query($c: String!) { technology(slug: "go") { history(last: 2, before: $c) { `+changeFields+` } } }`, &before, client.Var("c", out.Technology.All.Edges[3].Cursor))
	if got := before.Technology.History.keys(); !slices.Equal(got, all[1:3]) || !before.Technology.History.PageInfo.HasPreviousPage {
		t.Fatalf("2 before the 4th: %v %+v, want %v", got, before.Technology.History.PageInfo, all[1:3])
	}
}
