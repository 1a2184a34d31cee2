package assistant

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/knowledge"
)

// connect serves the curated dataset, with the graphql tool, and returns a client session over
// in-memory transports.
func connect(t *testing.T) *mcp.ClientSession {
	return connectWith(t, context.Background(), false)
}

// connectWith is connect with the curation tools when curate is set; ctx is the session's, and
// names its caller.
func connectWith(t testing.TB, ctx context.Context, curate bool) *mcp.ClientSession {
	t.Helper()
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	st := kbtest.Open(t, d)
	o := Options{Texts: texts, SDL: "type Query { x: Int }", GraphQL: graph.NewRunner(st, graph.Options{Texts: texts, Introspection: true})}
	if curate {
		o.Curator = knowledge.NewCurator(st, texts, nil)
	}
	srv := New(st, o)
	sst, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, sst, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// call calls a tool and decodes its structured result into out; it returns the text form.
func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any, out any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if res.IsError {
		t.Fatalf("%s: tool error %s", name, res.Content[0].(*mcp.TextContent).Text)
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v in %s", name, err, b)
	}
	return res.Content[0].(*mcp.TextContent).Text
}

func TestToolsAnswerFromTheGraph(t *testing.T) {
	cs := connect(t)
	var tools []string
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.InputSchema == nil {
			t.Errorf("tool %s has no input schema", tool.Name)
		}
		tools = append(tools, tool.Name)
	}
	slices.Sort(tools)
	if !slices.Equal(tools, []string{"changes", "compare", "entity", "graphql", "neighborhood", "path", "radar", "search"}) {
		t.Fatalf("tools: %v", tools)
	}

	var search SearchOut
	call(t, cs, "search", map[string]any{"query": "aws lambda"}, &search)
	if search.Total == 0 || !slices.ContainsFunc(search.Results, func(b Brief) bool { return b.Slug == "aws-lambda" }) {
		t.Fatalf("search: %+v", search)
	}

	// A question, and a misspelling with its correction.
	search = SearchOut{}
	call(t, cs, "search", map[string]any{"query": "serverless challenges"}, &search)
	if len(search.Results) == 0 || search.Results[0].Type != "tradeoff" {
		t.Fatalf("a question: %+v", search)
	}
	search = SearchOut{}
	call(t, cs, "search", map[string]any{"query": "kuberentes"}, &search)
	if len(search.Results) == 0 || search.Results[0].Slug != "kubernetes" || len(search.DidYouMean) == 0 {
		t.Fatalf("a misspelling: %+v", search)
	}

	var lambda EntityOut
	txt := call(t, cs, "entity", map[string]any{"slug": "aws-lambda"}, &lambda)
	if lambda.Name != "AWS Lambda" || len(lambda.Challenges) == 0 || len(lambda.Citations) == 0 || lambda.Citations[0].Excerpt == "" ||
		!strings.Contains(txt, "cites") {
		t.Fatalf("entity: %+v\n%s", lambda, txt)
	}

	var path PathOut
	call(t, cs, "path", map[string]any{"from": "aws-lambda", "to": "serverless-computing"}, &path)
	if !path.Found || len(path.Steps) == 0 || len(path.Steps[0].Citations) == 0 {
		t.Fatalf("path: %+v", path)
	}

	var near NeighborhoodOut
	call(t, cs, "neighborhood", map[string]any{"slug": "aws-lambda", "limit": 5}, &near)
	if near.Center.Slug != "aws-lambda" || len(near.Entities) == 0 || len(near.Entities) > 5 {
		t.Fatalf("neighborhood: %+v", near)
	}

	var cmp CompareOut
	call(t, cs, "compare", map[string]any{"slugs": []string{"aws-lambda", "azure-functions"}}, &cmp)
	if len(cmp.Entities) != 2 || len(cmp.Tradeoffs) == 0 {
		t.Fatalf("compare: %+v", cmp)
	}

	var radar RadarOut
	call(t, cs, "radar", map[string]any{"slug": "backend-2026"}, &radar)
	if len(radar.Entries) == 0 || radar.Edition == "" {
		t.Fatalf("radar: %+v", radar)
	}

	var changes ChangesOut
	call(t, cs, "changes", map[string]any{}, &changes)
	if changes.DataVersion != 1 || len(changes.Changes) == 0 || changes.Changes[0].Actor != "import" {
		t.Fatalf("changes: %+v", changes)
	}
}

// toolErr calls a tool that must fail and returns its message, which starts with the API's code.
func toolErr(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: a protocol error, want a tool error: %v", name, err)
	}
	if !res.IsError {
		t.Fatalf("%s %v: succeeded, want a tool error: %+v", name, args, res.StructuredContent)
	}
	return res.Content[0].(*mcp.TextContent).Text
}

// The graphql tool answers as /graphql would, field errors beside data; a request that cannot
// run is a tool error with the API's code.
func TestGraphQLTool(t *testing.T) {
	cs := connect(t)
	var out GraphQLOut
	txt := call(t, cs, "graphql", map[string]any{
		"query":     `query Q($s: String!) { technology(slug: $s) { name tradeoffs(first: 2) { totalCount } } } query Other { __typename }`,
		"variables": map[string]any{"s": "aws-lambda"}, "operationName": "Q"}, &out)
	data, _ := json.Marshal(out.Data)
	if len(out.Errors) != 0 || !strings.Contains(string(data), `"name":"AWS Lambda"`) || !strings.Contains(txt, "AWS Lambda") {
		t.Fatalf("graphql: %s %+v", data, out.Errors)
	}
	// A field error leaves the rest of the data.
	out = GraphQLOut{}
	call(t, cs, "graphql", map[string]any{"query": `{ a: technology(slug: "aws-lambda") { name } b: technology(slug: "no-such") { name } }`}, &out)
	data, _ = json.Marshal(out.Data)
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "NOT_FOUND" || !slices.Equal(out.Errors[0].Path, []any{"b"}) ||
		!strings.Contains(string(data), "AWS Lambda") {
		t.Fatalf("a partial answer: %s %+v", data, out.Errors)
	}
	for _, c := range []struct {
		args map[string]any
		code string
	}{
		{map[string]any{"query": `mutation { archiveEntity(input: {slug: "go", revision: 1, reason: "x"}) { clientMutationId } }`}, "METHOD_NOT_ALLOWED"},
		{map[string]any{"query": `subscription { changes { version } }`}, "METHOD_NOT_ALLOWED"},
		{map[string]any{"query": `{ technology(slug: `}, "GRAPHQL_PARSE_FAILED"},
		{map[string]any{"query": `{ nothing }`}, "GRAPHQL_VALIDATION_FAILED"},
		{map[string]any{"query": `query Q($s: String!) { technology(slug: $s) { name } }`}, "GRAPHQL_VALIDATION_FAILED"},
		{map[string]any{"query": " "}, "BAD_USER_INPUT"},
	} {
		if msg := toolErr(t, cs, "graphql", c.args); !strings.HasPrefix(msg, c.code+": ") {
			t.Errorf("%v: %q, want %s", c.args["query"], msg, c.code)
		}
	}
}

// The curation tools change the graph through the query layer's curator, in the audit trail
// under the caller's name; a caller without the write scope is refused.
func TestCurationTools(t *testing.T) {
	ctx := graph.WithCaller(context.Background(), graph.Caller{Name: "ada", Scopes: []graph.Scope{graph.ScopeRead, graph.ScopeWrite}})
	cs := connectWith(t, ctx, true)
	cite := []map[string]any{{"section": "Serverless Computing", "paragraph": 1}}
	var made ChangeSetOut
	call(t, cs, "create_entity", map[string]any{"type": "technology", "slug": "openfaas", "name": "OpenFaaS", "kind": "framework", "lifecycle": "growing",
		"summary": "A framework for running functions on your own Kubernetes cluster.", "citations": cite, "reason": "missing"}, &made)
	if made.Actor != "ada" || made.Version != 2 {
		t.Fatalf("create_entity: %+v", made)
	}
	var e EntityOut
	call(t, cs, "entity", map[string]any{"slug": "openfaas"}, &e)
	if e.Name != "OpenFaaS" || e.Revision != 1 {
		t.Fatalf("the created entity: %+v", e)
	}
	var radar RadarOut
	call(t, cs, "radar", map[string]any{"slug": "backend-2026"}, &radar)
	var placed ChangeSetOut
	call(t, cs, "assess", map[string]any{"radar": "backend-2026", "edition": radar.Edition, "entity": "openfaas",
		"quadrant": radar.Entries[0].Quadrant, "ring": radar.Entries[0].Ring, "rationale": "Worth a look.", "citations": cite, "reason": "place it"}, &placed)
	call(t, cs, "radar", map[string]any{"slug": "backend-2026"}, &radar)
	if !slices.ContainsFunc(radar.Entries, func(p Ring) bool { return p.Entity == "openfaas" }) {
		t.Fatalf("the radar after assess: %+v", radar.Entries)
	}
	if msg := toolErr(t, cs, "archive_entity", map[string]any{"slug": "openfaas", "revision": 7, "reason": "stale"}); !strings.HasPrefix(msg, "CONFLICT: ") {
		t.Fatalf("a stale archive: %q", msg)
	}
	var archived ChangeSetOut
	call(t, cs, "archive_entity", map[string]any{"slug": "openfaas", "revision": 1, "reason": "out of scope"}, &archived)
	if msg := toolErr(t, cs, "entity", map[string]any{"slug": "openfaas"}); !strings.HasPrefix(msg, "NOT_FOUND: ") {
		t.Fatalf("the archived entity: %q", msg)
	}
	call(t, cs, "revert", map[string]any{"version": archived.Version, "reason": "back in scope"}, &made)
	call(t, cs, "entity", map[string]any{"slug": "openfaas"}, &e)
	for _, c := range []struct {
		tool string
		args map[string]any
		code string
	}{
		{"create_entity", map[string]any{"type": "gadget", "slug": "x", "name": "X", "summary": "x", "citations": cite, "reason": "r"}, "BAD_USER_INPUT"},
		{"create_entity", map[string]any{"type": "technology", "slug": "openfaas", "name": "X", "summary": "x", "kind": "framework", "lifecycle": "growing", "citations": cite, "reason": "r"}, "CONFLICT"},
		{"create_entity", map[string]any{"type": "technology", "slug": "x", "name": "X", "summary": "x", "kind": "framework", "lifecycle": "growing", "citations": []any{}, "reason": "r"}, "BAD_USER_INPUT"},
		{"assess", map[string]any{"radar": "nope", "edition": "x", "entity": "openfaas", "quadrant": "q", "ring": "r", "rationale": "r", "citations": cite, "reason": "r"}, "BAD_USER_INPUT"},
		{"revert", map[string]any{"version": 999, "reason": "r"}, "NOT_FOUND"},
		{"relate", map[string]any{"from": "openfaas", "kind": "likes", "to": "go", "rationale": "r", "citations": cite, "reason": "r"}, "BAD_USER_INPUT"},
	} {
		if msg := toolErr(t, cs, c.tool, c.args); !strings.HasPrefix(msg, c.code+": ") {
			t.Errorf("%s %v: %q, want %s", c.tool, c.args, msg, c.code)
		}
	}

	// The same tools for a caller who may only read.
	reader := connectWith(t, graph.WithCaller(context.Background(), graph.Caller{Name: "bob", Scopes: []graph.Scope{graph.ScopeRead}}), true)
	if msg := toolErr(t, reader, "update_entity", map[string]any{"slug": "go", "revision": 1, "name": "G", "reason": "r"}); !strings.HasPrefix(msg, "FORBIDDEN: ") {
		t.Fatalf("a reader's update_entity: %q", msg)
	}
}

// Bad arguments are tool errors with the API's codes, and the session goes on.
func TestToolErrors(t *testing.T) {
	cs := connect(t)
	for _, c := range []struct {
		tool string
		args map[string]any
		code string
	}{
		{"entity", map[string]any{"slug": "no-such-thing"}, "NOT_FOUND"},
		{"path", map[string]any{"from": "aws-lambda", "to": "go", "maxDepth": 99}, "BAD_USER_INPUT"},
		{"compare", map[string]any{"slugs": []string{"go"}}, "BAD_USER_INPUT"},
		{"search", map[string]any{"query": strings.Repeat("x", 500)}, "BAD_USER_INPUT"},
		{"radar", map[string]any{"slug": "nope"}, "NOT_FOUND"},
	} {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil {
			t.Fatalf("%s: a protocol error, want a tool error: %v", c.tool, err)
		}
		msg := res.Content[0].(*mcp.TextContent).Text
		if !res.IsError || !strings.HasPrefix(msg, c.code) {
			t.Errorf("%s %v: %v %q, want %s", c.tool, c.args, res.IsError, msg, c.code)
		}
	}
	// Arguments of the wrong type are refused by the tool's input schema.
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": 5}})
	if err == nil && !res.IsError {
		t.Fatal("a number for the query was accepted")
	}
}

func TestResourcesAndPrompts(t *testing.T) {
	cs := connect(t)
	ctx := context.Background()
	var lambda EntityOut
	call(t, cs, "entity", map[string]any{"slug": "aws-lambda"}, &lambda)
	for _, uri := range []string{schemaURI, "trendgraph://radar/backend-2026", lambda.Citations[0].URI} {
		res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		if err != nil || len(res.Contents) != 1 || res.Contents[0].Text == "" {
			t.Fatalf("read %s: %+v %v", uri, res, err)
		}
		if uri == lambda.Citations[0].URI && res.Contents[0].Text != lambda.Citations[0].Excerpt {
			t.Fatalf("the passage resource differs from the excerpt")
		}
	}
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "trendgraph://passage/default/No%20such/1"}); err == nil {
		t.Fatal("a passage that does not exist was read")
	}
	for _, name := range []string{"assess-technology", "compare-alternatives", "explain-tradeoff"} {
		arg := map[string]string{"technology": "aws-lambda", "tradeoff": "cold-starts"}
		res, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: name, Arguments: arg})
		if err != nil || len(res.Messages) != 1 {
			t.Fatalf("prompt %s: %+v %v", name, res, err)
		}
	}
	if _, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "assess-technology"}); err == nil {
		t.Fatal("a prompt without its required argument was given")
	}
}
