package server

import (
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/assistant"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// mcpHandler serves the knowledge graph to AI assistants at /mcp over MCP's streamable HTTP
// transport (package assistant), behind the same tokens, rate limit, timeout and body limit as
// /graphql. It is stateless and answers in JSON: each POST is a whole exchange, so no stream
// outlives the request timeout and any replica can answer.
func (s *Server) mcpHandler() http.Handler {
	reader, writer := s.MCP(false), s.MCP(true)
	// A caller whose token may write also gets the curation tools.
	pick := func(r *http.Request) *mcp.Server {
		if graph.CallerFrom(r.Context()).Can(graph.ScopeWrite) {
			return writer
		}
		return reader
	}
	h := mcp.NewStreamableHTTPHandler(pick,
		// The SDK refuses a loopback connection naming another host (DNS rebinding), which is
		// also what a reverse proxy on this machine sends: trusted proxies lift it.
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true, Logger: s.log, DisableLocalhostProtection: s.cfg.TrustProxy})
	limit := s.cfg.Limits.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limit > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}

// NewRunner builds the in-process GraphQL runner of the MCP graphql tool over a store, under
// cfg's limits, timeout and introspection setting, like /graphql. Under TrustedOnly it is nil:
// a server that runs only listed documents runs no others for an assistant either.
func NewRunner(st *store.Store, cfg Config) *graph.Runner {
	return newRunner(st, cfg, &limiter{cfg: cfg.Limits, introspection: cfg.Introspection})
}

// newRunner is NewRunner with the server's limiter, which counts refusals in its metrics.
func newRunner(st *store.Store, cfg Config, lim *limiter) *graph.Runner {
	if cfg.TrustedOnly {
		return nil
	}
	r := graph.NewRunner(st, graph.Options{Texts: cfg.SourceTexts, Log: cfg.Log, Loaders: cfg.Loaders, Introspection: cfg.Introspection,
		MaxFilterSize: cfg.Limits.MaxFilterSize})
	if cfg.Limits.MaxTokens > 0 {
		r.SetParserTokenLimit(cfg.Limits.MaxTokens)
	}
	r.Use(lim)
	r.SetTimeout(cfg.Timeout)
	return r
}

// MCP builds the assistant's MCP server over this server's store, with its source texts and,
// with curate, the curation tools (through the configured committer); trendgraph mcp serves it
// over standard input and output.
func (s *Server) MCP(curate bool) *mcp.Server {
	o := assistant.Options{Texts: s.cfg.SourceTexts, SDL: graph.SDL(), GraphQL: s.runner}
	if curate {
		o.Curator = knowledge.NewCurator(s.store, s.cfg.SourceTexts, s.cfg.Committer)
	}
	return assistant.New(s.store, o)
}
