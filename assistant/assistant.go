// Package assistant serves the knowledge graph to AI assistants as a Model Context Protocol
// server (github.com/modelcontextprotocol/go-sdk): tools over the query layer (knowledge), the
// schema and the cited passages as resources, and prompts. It calls the query layer directly,
// never our own HTTP endpoint; the binary serves it over stdio (trendgraph mcp) and the server
// package over streamable HTTP (/mcp).
package assistant

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Options configure the MCP server.
type Options struct {
	// Texts are the source texts by source slug, for passage resources and excerpts.
	Texts map[string]*dataset.SourceText
	// SDL is the GraphQL schema's source, offered as a resource.
	SDL string
	// Version names this build to clients.
	Version string
	// Curator, when set, adds the curation tools, which change the graph as mutations do
	// (with the caller's name in the audit trail). Offer it only to callers that may write.
	Curator *knowledge.Curator
	// GraphQL, when set, adds the read-only graphql tool, which runs queries with it (under
	// whatever limits it was given).
	GraphQL *graph.Runner
}

// New builds the MCP server over a store.
func New(s *store.Store, o Options) *mcp.Server {
	if o.Version == "" {
		o.Version = "dev"
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "trendgraph", Title: "trendgraph knowledge graph", Version: o.Version},
		&mcp.ServerOptions{Instructions: instructions})
	a := &assistant{store: s, kb: knowledge.New(s), texts: o.Texts, sdl: o.SDL, curator: o.Curator, graphql: o.GraphQL}
	a.addTools(srv)
	a.addResources(srv)
	a.addPrompts(srv)
	return srv
}

const instructions = `trendgraph is a knowledge graph of backend-development trends, the technologies behind them,
their benefits and challenges, and how they relate. Every fact cites a passage of its source
(section and paragraph): quote the passage (the passage resource) when a claim rests on it.
Entities are named by slug: find them with search.`

type assistant struct {
	store   *store.Store
	kb      *knowledge.Base
	texts   map[string]*dataset.SourceText
	sdl     string
	curator *knowledge.Curator
	graphql *graph.Runner
}

// toolError is a tool error with the API's code, so that an assistant sees what a GraphQL
// client would.
func toolError(err error) error {
	var be *knowledge.BoundError
	var invalid *knowledge.ValidationError
	var conflict *knowledge.ConflictError
	switch {
	case errors.As(err, &invalid):
		return fmt.Errorf("BAD_USER_INPUT: %s", invalid.Error())
	case errors.As(err, &conflict):
		return fmt.Errorf("CONFLICT: %s", conflict.Error())
	case errors.As(err, &be):
		return fmt.Errorf("BAD_USER_INPUT: %s", be.Error())
	case errors.Is(err, knowledge.ErrBadInput):
		return fmt.Errorf("BAD_USER_INPUT: %s", err.Error())
	case errors.Is(err, store.ErrReadOnly):
		return fmt.Errorf("READ_ONLY: %s", err.Error())
	case errors.Is(err, knowledge.ErrNotFound):
		return fmt.Errorf("NOT_FOUND: %s", err.Error())
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errors.New("TIMEOUT: the request was cancelled or timed out")
	}
	return errors.New("INTERNAL_SERVER_ERROR: internal error")
}

// Citation is a cited passage, with its text when the server has the source.
type Citation struct {
	Source    string `json:"source,omitempty"`
	Section   string `json:"section"`
	Paragraph int    `json:"paragraph"`
	// URI is the passage resource to read (and quote).
	URI     string `json:"uri"`
	Excerpt string `json:"excerpt,omitempty"`
}

// citations are cs with their passage URIs and texts; def is the default source's slug.
func (a *assistant) citations(def string, cs []domain.Citation) []Citation {
	out := make([]Citation, len(cs))
	for i, c := range cs {
		out[i] = Citation{Source: c.Source, Section: c.Section, Paragraph: c.Paragraph, URI: passageURI(c)}
		source := c.Source
		if source == "" {
			source = def
		}
		if st := a.texts[source]; st != nil {
			out[i].Excerpt, _ = st.Paragraph(c.Section, c.Paragraph)
		}
	}
	return out
}

// defaultSource is the slug of the source a citation without one cites, as the API's excerpt
// resolves it: the source marked default.
func (a *assistant) defaultSource(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	sources, err := a.store.Sources()
	if err != nil {
		return "", err
	}
	for _, src := range sources {
		if src.Default {
			return src.Slug, nil
		}
	}
	return "", nil
}

// citeLine is the short text form of citations, for a tool's text content.
func citeLine(cs []Citation) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%q ¶%d", c.Section, c.Paragraph)
	}
	return "cites " + strings.Join(parts, "; ")
}

// entityByID reads entities by ID, keyed by ID.
func (a *assistant) entitiesByID(ctx context.Context, ids []store.ID) (map[store.ID]*store.Entity, error) {
	ents, err := a.store.EntitiesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return store.IndexByID(ents), nil
}
