package graph

import (
	"log/slog"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Resolver is the root resolver: it holds what every resolver needs. Each object type's
// resolver embeds it (see schema.resolvers.go).
type Resolver struct {
	Store *store.Store
	// Texts maps a source slug to its text, for citation excerpts; empty when the server was
	// given no source text.
	Texts map[string]*dataset.SourceText
	Log   *slog.Logger
	// MaxFilterSize is the largest FilterSize a filter argument may have; 0 means no limit.
	MaxFilterSize int
	// Feed hands out the change log to subscriptions.
	Feed *knowledge.Feed
	// Committer commits mutations; nil commits to Store itself.
	Committer knowledge.Committer
}
