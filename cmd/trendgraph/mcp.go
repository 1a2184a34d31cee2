package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/urfave/cli/v3"

	"github.com/trendgraph/trendgraph/assistant"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/server"
)

// mcpCommand serves the knowledge graph to an AI assistant over standard input and output (the
// Model Context Protocol's stdio transport), from the database opened read-only: beside a
// running server, or on a file nobody holds.
func mcpCommand(e *env) *cli.Command {
	var db, source string
	f := &flags{e: e}
	f.db(&db)
	f.file(&source, "source", defaultSourcePath, "source text file or directory, for the passages tools cite and the passage resources; empty for none")
	return &cli.Command{
		Name:        "mcp",
		Usage:       "serve the knowledge graph to an AI assistant over standard input and output (MCP)",
		Description: "Serves the knowledge graph to an AI assistant over standard input and output (MCP).\nLogs go to standard error.",
		Flags:       f.list,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return fmt.Errorf("%w: mcp takes no arguments", errUsage)
			}
			return serveMCP(ctx, e, db, source)
		},
	}
}

func serveMCP(ctx context.Context, e *env, db, source string) error {
	s, err := openExisting(db)
	if err != nil {
		return err
	}
	defer s.Close()
	o := assistant.Options{SDL: graph.SDL()}
	if source != "" {
		d, err := storedSources(s)
		if err != nil {
			return err
		}
		if o.Texts, err = sourceTexts(d, source); err != nil {
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
