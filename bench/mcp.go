package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpCall is one tool call the MCP benchmark times.
type mcpCall struct {
	tool string
	args map[string]any
}

var mcpCalls = []mcpCall{
	{"search", map[string]any{"query": "serverless", "first": 10}},
	{"entity", map[string]any{"slug": "aws-lambda"}},
	{"path", map[string]any{"from": "aws-lambda", "to": "kubernetes"}},
}

// benchMCP times tool calls one after another from the Go SDK's client, over stdio (trendgraph
// mcp as a subprocess, as a desktop assistant runs it) and over streamable HTTP (/mcp of a
// served copy of the seed database), and reports p50 and p99 of each.
func benchMCP(report *strings.Builder, bin, work string, calls int) error {
	db := filepath.Join(work, "mcp.db")
	mustRun(bin, "import", "--db", db)
	// Citations carry their passages when the source text is beside the checkout, as in CI.
	source := ""
	if _, err := os.Stat("../shared/seed"); err == nil {
		source = "../shared/seed"
	}
	ctx := context.Background()
	client := mcp.NewClient(&mcp.Implementation{Name: "trendgraph-bench", Version: "v0"}, nil)

	stdio, err := client.Connect(ctx, &mcp.CommandTransport{Command: exec.Command(bin, "mcp", "--db", db, "--source", source)}, nil)
	if err != nil {
		return fmt.Errorf("mcp over stdio: %w", err)
	}
	defer stdio.Close()
	stdioTimes, err := timeCalls(ctx, stdio, calls)
	if err != nil {
		return fmt.Errorf("mcp over stdio: %w", err)
	}

	// A copy: trendgraph mcp above holds db open read-only.
	served := filepath.Join(work, "mcp-served.db")
	if err := copyFile(db, served); err != nil {
		return err
	}
	s, err := startServer(bin, served, "--source", source)
	if err != nil {
		return err
	}
	defer s.stop()
	overHTTP, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: "http://" + s.addr + "/mcp", DisableStandaloneSSE: true}, nil)
	if err != nil {
		return fmt.Errorf("mcp over HTTP: %w", err)
	}
	defer overHTTP.Close()
	httpTimes, err := timeCalls(ctx, overHTTP, calls)
	if err != nil {
		return fmt.Errorf("mcp over HTTP: %w", err)
	}

	fmt.Fprintf(report, "\n## MCP tool calls\n\nOne client (the Go SDK's) calls each tool %d times in a row after a warm-up, over stdio (`trendgraph mcp` as a subprocess) and over streamable HTTP (`/mcp`, stateless, one POST per call). Latency of the whole call as the client sees it.\n\n| tool | stdio p50 | stdio p99 | HTTP p50 | HTTP p99 |\n| --- | ---: | ---: | ---: | ---: |\n", calls)
	for i, c := range mcpCalls {
		sp50, sp99 := percentiles(stdioTimes[i])
		hp50, hp99 := percentiles(httpTimes[i])
		fmt.Fprintf(report, "| %s | %s | %s | %s | %s |\n", c.tool, sp50, sp99, hp50, hp99)
	}
	return nil
}

// timeCalls makes each of mcpCalls calls times after a warm-up, and returns their durations.
func timeCalls(ctx context.Context, cs *mcp.ClientSession, calls int) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(mcpCalls))
	for i, c := range mcpCalls {
		params := &mcp.CallToolParams{Name: c.tool, Arguments: c.args}
		for n := -calls / 10; n < calls; n++ {
			start := time.Now()
			res, err := cs.CallTool(ctx, params)
			took := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.tool, err)
			}
			if res.IsError {
				return nil, fmt.Errorf("%s: tool error %v", c.tool, res.Content)
			}
			if n >= 0 {
				out[i] = append(out[i], took)
			}
		}
	}
	return out, nil
}

// percentiles are the p50 and p99 of ds, rounded for the report.
func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(ds)
	at := func(q float64) time.Duration {
		return ds[min(len(ds)-1, int(q*float64(len(ds))))].Round(time.Microsecond)
	}
	return at(0.50), at(0.99)
}
