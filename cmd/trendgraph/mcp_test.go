package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// trendgraph mcp answers an MCP client over its standard input and output.
func TestMCPOverStdio(t *testing.T) {
	db, seed := filepath.Join(t.TempDir(), "kb.db"), kbtest.SeedDir(t)
	mustRun(t, "import", "--db", db)
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		e := &env{stdin: toServer, stdout: fromServer, stderr: io.Discard, getenv: func(string) string { return "" }}
		done <- run(ctx, e, []string{"mcp", "--db", db, "--source", seed})
		_ = fromServer.Close()
	}()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx,
		&mcp.IOTransport{Reader: toClient, Writer: fromClient}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "kubernetes"}})
	if err != nil || res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "Kubernetes") {
		t.Fatalf("search over stdio: %+v %v", res, err)
	}
	_ = cs.Close()
	_ = fromClient.Close()
	if code := <-done; code != 0 {
		t.Fatalf("trendgraph mcp exited %d", code)
	}
}
