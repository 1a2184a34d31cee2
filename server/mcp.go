package server

import (
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/assistant"
	"github.com/trendgraph/trendgraph/graph"
)

// mcpHandler serves the knowledge graph to AI assistants at /mcp over MCP's streamable HTTP
// transport (package assistant), behind the same tokens, rate limit, timeout and body limit as
// /graphql. It is stateless and answers in JSON: each POST is a whole exchange, so no stream
// outlives the request timeout and any replica can answer.
func (s *Server) mcpHandler() http.Handler {
	srv := assistant.New(s.store, assistant.Options{Texts: s.cfg.SourceTexts, SDL: graph.SDL()})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true, Logger: s.log})
	limit := s.cfg.Limits.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limit > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}
