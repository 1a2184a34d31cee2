package server

import (
	"context"
	"net/http"
	"net/http/httptest"
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
