package assistant

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/graph"
)

// Any arguments to any tool, from a caller who may write, give a result or an error: never a
// panic, and the session answers afterwards.
func FuzzToolArguments(f *testing.F) {
	tools := []string{"search", "entity", "neighborhood", "path", "compare", "radar", "changes", "graphql",
		"create_entity", "update_entity", "archive_entity", "relate", "assess", "revert"}
	for i, args := range []string{
		`{"query":"serverless"}`, `{"slug":"aws-lambda"}`, `{"slug":"go","depth":3,"limit":500}`,
		`{"from":"go","to":"aws-lambda","maxDepth":6}`, `{"slugs":["go","rust","go"]}`, `{"slug":"backend-2026"}`,
		`{"sinceVersion":-1,"first":0}`, `{"query":"{ technologies(first: 5) { nodes { slug } } }"}`,
		`{"type":"technology","slug":"x","name":"X","summary":"x","kind":"database","lifecycle":"growing","citations":[{"section":"Serverless Computing","paragraph":1}],"reason":"r"}`,
		`{"slug":"go","revision":1,"name":"","summary":"","reason":""}`, `{"slug":"go","revision":9223372036854775807,"reason":"r"}`,
		`{"from":"go","kind":"written_in","to":"go","rationale":"r","citations":[{"section":"","paragraph":-5}],"reason":"r"}`,
		`{"radar":"backend-2026","edition":"","entity":"go","quadrant":"","ring":"","rationale":"","citations":null,"reason":"r"}`,
		`{"version":1,"reason":"r"}`,
	} {
		f.Add(uint8(i), args)
	}
	f.Add(uint8(7), `{"query":"query($v: [EntityFilter!]) { __typename }","variables":{"v":[{"and":[{"and":[]}]}]}}`)
	f.Add(uint8(255), `null`)
	ctx := graph.WithCaller(context.Background(), graph.Caller{Name: "fuzz", Scopes: []graph.Scope{graph.ScopeRead, graph.ScopeWrite}})
	cs := connectWith(f, ctx, true)
	f.Fuzz(func(t *testing.T, tool uint8, args string) {
		if !json.Valid([]byte(args)) {
			return
		}
		name := tools[int(tool)%len(tools)]
		// Protocol errors (arguments against the schema) and tool errors are both answers.
		_, _ = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: json.RawMessage(args)})
		if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "go"}}); err != nil {
			t.Fatalf("the session broke after %s %s: %v", name, args, err)
		}
	})
}
