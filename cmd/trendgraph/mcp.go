package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/assistant"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/server"
)

// runMCP serves the knowledge graph to an AI assistant over standard input and output (the
// Model Context Protocol's stdio transport), from the database opened read-only: beside a
// running server, or on a file nobody holds.
func runMCP(ctx context.Context, e *env, args []string) error {
	fs, db := e.flags("mcp")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: trendgraph mcp [flags]\n\nServes the knowledge graph to an AI assistant over standard input and output (MCP).\nLogs go to standard error.")
		fs.PrintDefaults()
	}
	source := fs.String("source", e.envOr("TRENDGRAPH_SOURCE", defaultSourcePath),
		"source text file or directory, for the passages tools cite and the passage resources; empty for none ($TRENDGRAPH_SOURCE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := openExisting(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	o := assistant.Options{SDL: graph.SDL()}
	if *source != "" {
		d, err := s.Export()
		if err != nil {
			return err
		}
		if o.Texts, err = sourceTexts(d, *source); err != nil {
			return err
		}
	}
	// The graphql tool runs under the server's default limits and timeout, with introspection
	// (an assistant that writes queries reads the schema).
	cfg := server.DefaultConfig()
	cfg.SourceTexts, cfg.Log, cfg.Introspection = o.Texts, e.log, true
	o.GraphQL = server.NewRunner(s, cfg)
	in, out := e.stdin, e.stdout
	if in == nil {
		in = os.Stdin
	}
	err = assistant.New(s, o).Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(in), Writer: nopWriteCloser{out}})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("mcp: %w", err)
	}
	return nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
