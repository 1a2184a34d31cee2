package assistant

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

const seedSource = "../../shared/seed/backend-development-trends-2026.txt"

// connect serves the curated dataset and returns a client session over in-memory transports.
func connect(t *testing.T) *mcp.ClientSession {
	t.Helper()
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, seedSource)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(kbtest.Open(t, d), Options{Texts: texts, SDL: "type Query { x: Int }"})
	st, ct := mcp.NewInMemoryTransports()
	ctx := context.Background()
	ss, err := srv.Connect(ctx, st, nil)
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
		t.Fatalf("%s: tool error %v", name, res.Content)
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
	if !slices.Equal(tools, []string{"changes", "compare", "entity", "neighborhood", "path", "radar", "search"}) {
		t.Fatalf("tools: %v", tools)
	}

	var search SearchOut
	call(t, cs, "search", map[string]any{"query": "aws lambda"}, &search)
	if search.Total == 0 || !slices.ContainsFunc(search.Results, func(b Brief) bool { return b.Slug == "aws-lambda" }) {
		t.Fatalf("search: %+v", search)
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
