package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearerTransport adds a bearer token to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func connectMCP(t *testing.T, url string, client *http.Client) (*mcp.ClientSession, error) {
	t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: url + "/mcp", HTTPClient: client, MaxRetries: -1, DisableStandaloneSSE: true}
	return mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(context.Background(), tr, nil)
}

// /mcp serves the assistant's tools over streamable HTTP, behind the API's tokens.
func TestMCPOverHTTP(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RequireAuth, c.Tokens, c.RatePerSecond = true, ReadTokens("reader"), 0 })
	srv := httptest.NewServer(h)
	defer srv.Close()
	if _, err := connectMCP(t, srv.URL, http.DefaultClient); err == nil {
		t.Fatal("connected without a token under --require-auth")
	}
	cs, err := connectMCP(t, srv.URL, &http.Client{Transport: bearerTransport{"reader"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "entity", Arguments: map[string]any{"slug": "aws-lambda"}})
	if err != nil || res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "AWS Lambda") {
		t.Fatalf("entity over HTTP: %+v %v", res, err)
	}
	res, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "entity", Arguments: map[string]any{"slug": "nope"}})
	if err != nil || !res.IsError || !strings.HasPrefix(res.Content[0].(*mcp.TextContent).Text, "NOT_FOUND") {
		t.Fatalf("a missing entity over HTTP: %+v %v", res, err)
	}
}

// A token that may write gets the curation tools, which change the graph as mutations do; a
// read token does not see them.
func TestMCPCurationNeedsTheWriteScope(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.Tokens, c.RatePerSecond = append(ReadTokens("reader"), curatorToken), 0 })
	srv := httptest.NewServer(h)
	defer srv.Close()
	tools := func(cs *mcp.ClientSession) []string {
		var names []string
		for tool, err := range cs.Tools(context.Background(), nil) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, tool.Name)
		}
		return names
	}
	reader, err := connectMCP(t, srv.URL, &http.Client{Transport: bearerTransport{"reader"}})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if slices.Contains(tools(reader), "update_entity") {
		t.Fatal("a read token sees the curation tools")
	}
	writer, err := connectMCP(t, srv.URL, &http.Client{Transport: bearerTransport{"w-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if !slices.Contains(tools(writer), "update_entity") || !slices.Contains(tools(writer), "relate") {
		t.Fatalf("a write token's tools: %v", tools(writer))
	}
	res, err := writer.CallTool(context.Background(), &mcp.CallToolParams{Name: "update_entity",
		Arguments: map[string]any{"slug": "go", "revision": 1, "name": "Go language", "reason": "clearer"}})
	if err != nil || res.IsError {
		t.Fatalf("update_entity: %+v %v", res, err)
	}
	if r := post(h, `{ technology(slug: "go") { name history(first: 1) { edges { node { changeSet { actor reason } } } } } }`, nil, nil); !strings.Contains(string(r.body), `"actor":"alice"`) ||
		!strings.Contains(string(r.body), "Go language") {
		t.Fatalf("after update_entity: %s", r.body)
	}
	res, _ = writer.CallTool(context.Background(), &mcp.CallToolParams{Name: "update_entity",
		Arguments: map[string]any{"slug": "go", "revision": 1, "name": "Stale", "reason": "late"}})
	if res == nil || !res.IsError || !strings.HasPrefix(res.Content[0].(*mcp.TextContent).Text, "CONFLICT") {
		t.Fatalf("a stale update_entity: %+v", res)
	}
}

// The graphql tool runs under the endpoint's limits, and is not offered where only listed
// documents run.
func TestMCPGraphQLToolKeepsTheLimits(t *testing.T) {
	st := newStore(t)
	srv := httptest.NewServer(newHandler(t, st, func(c *Config) {
		c.Limits.MaxDepth, c.Limits.MaxCost, c.RatePerSecond, c.Introspection = 3, 50, 0, false
	}))
	defer srv.Close()
	cs, err := connectMCP(t, srv.URL, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	for _, c := range []struct {
		query, want string
		refused     bool
	}{
		{`{ technology(slug: "go") { name } }`, `"name":"Go"`, false},
		{`{ technology(slug: "go") { relationships { edges { node { to { slug } } } } } }`, "DEPTH_LIMIT_EXCEEDED: ", true},
		{`{ technologies(first: 100) { nodes { slug } } }`, "COST_LIMIT_EXCEEDED: ", true},
		{`{ __schema { types { name } } }`, "GRAPHQL_VALIDATION_FAILED: introspection is switched off", true},
	} {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "graphql", Arguments: map[string]any{"query": c.query}})
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if txt := res.Content[0].(*mcp.TextContent).Text; !strings.Contains(txt, c.want) || res.IsError != c.refused {
			t.Errorf("%s: %v %s, want %s", c.query, res.IsError, txt, c.want)
		}
	}

	trusted := httptest.NewServer(newHandler(t, st, func(c *Config) { c.TrustedOnly, c.RatePerSecond = true, 0 }))
	defer trusted.Close()
	tcs, err := connectMCP(t, trusted.URL, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	defer tcs.Close()
	for tool, err := range tcs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.Name == "graphql" {
			t.Fatal("the graphql tool is offered under TrustedOnly")
		}
	}
}
