package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/bytelru"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Options configure the GraphQL executor.
type Options struct {
	// Texts are the source texts that citation excerpts come from, by source slug.
	Texts   map[string]*dataset.SourceText
	Log     *slog.Logger
	Loaders LoaderOptions
	// QueryCacheBytes bounds the memory of parsed and validated documents kept (see
	// DocumentCacheBytes); documents over MaxCachedDocumentBytes of text are never kept.
	QueryCacheBytes int64
	// Introspection allows schema introspection; without it, validation errors also stop
	// suggesting field names, which would leak the schema.
	Introspection bool
	// OnBatch, if set, is told the size of every loader batch (for metrics).
	OnBatch func(loader string, keys int)
	// MaxFilterSize is the largest FilterSize an EntityFilter argument may have; 0 means no
	// limit. The server refuses larger filters before execution; this refuses them again for
	// callers that run the executor in-process.
	MaxFilterSize int
	// MaxSubscribers bounds the change-feed subscriptions at once, SubscriberBuffer the change
	// sets each may have unread before it is dropped (0: see knowledge.NewFeed).
	MaxSubscribers, SubscriberBuffer int
	// Committer commits mutations: nil commits to the store itself; a replica (package
	// replica) commits to the cluster's log.
	Committer knowledge.Committer
}

// The parsed-document cache is bounded by bytes: clients choose what they send, and a few
// hundred large documents (comments cost no tokens) once held about 1 GB.
const (
	// DocumentCacheBytes is the default bound of the parsed-document cache.
	DocumentCacheBytes = 32 << 20
	// MaxCachedDocumentBytes is the largest document text kept parsed, or kept by APQ; every
	// hand-written or generated operation we know of is far smaller.
	MaxCachedDocumentBytes = 64 << 10
	// astBytesPerByte is what a parsed, validated document holds per byte of its text (the
	// text itself and its AST), measured on dense documents; comments hold less.
	astBytesPerByte = 25
)

// NewExecutor builds the GraphQL executor over a store: a cache of parsed documents,
// introspection if allowed, per-operation loaders and an error presenter that shows callers
// only errors meant for them. It has no transport: the server package adds its own, with the
// HTTP concerns around it.
func NewExecutor(s *store.Store, o Options) *handler.Server {
	srv := handler.New(newSchema(s, &o))
	configure(srv, s, o)
	return srv
}

// newSchema builds the executable schema over a store, filling o's defaults.
func newSchema(s *store.Store, o *Options) graphql.ExecutableSchema {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.QueryCacheBytes <= 0 {
		o.QueryCacheBytes = DocumentCacheBytes
	}
	return NewExecutableSchema(Config{Resolvers: &Resolver{Store: s, Texts: o.Texts, Log: o.Log, MaxFilterSize: o.MaxFilterSize,
		Feed: knowledge.NewFeed(s, o.MaxSubscribers, o.SubscriberBuffer), Committer: o.Committer}})
}

// executorConfig is what gqlgen's HTTP handler and its bare executor both offer: the settings
// that make an executor ours, whichever runs it.
type executorConfig interface {
	Use(graphql.HandlerExtension)
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
	SetDisableSuggestion(bool)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
	AroundOperations(graphql.OperationMiddleware)
	AroundResponses(graphql.ResponseMiddleware)
}

// configure gives an executor the document cache, introspection setting, error presenter and
// per-operation loaders of o, and answers with their errors in path order (sortErrors).
func configure(srv executorConfig, s *store.Store, o Options) {
	// Without a cache every request is parsed and validated again.
	srv.SetQueryCache(bytelru.NewStrings(o.QueryCacheBytes, astBytesPerByte*MaxCachedDocumentBytes,
		func(query string, _ *ast.QueryDocument) int64 { return astBytesPerByte * int64(len(query)) }))
	if o.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.SetErrorPresenter(ErrorPresenter(o.Log))
	srv.SetRecoverFunc(RecoverFunc(o.Log))
	// Loaders per operation: batches and caches never mix two requests, and websocket or
	// batched operations each get their own.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(withLoaders(ctx, s, o.Loaders, o.OnBatch))
	})
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp != nil {
			sortErrors(resp.Errors)
		}
		return resp
	})
}

// SDL is the schema's source, schema.graphqls as committed: what codegen and portals read is
// the contract itself, comments and order included.
func SDL() string { return sources[0].Input }

// Description is the schema's own description, as introspection gives it.
func Description() string { return parsedSchema.Description }

// @defer is not offered. gqlgen declares it for every schema, but its executor defers only
// resolver fields, puts null placeholders (even for non-null fields) in the first payload,
// and needs a streaming transport we do not serve, so a deferred fragment's fields were lost.
// Without the declaration, introspection does not advertise it and validation refuses it
// ("Unknown directive") before anything runs.
func init() { delete(parsedSchema.Directives, "defer") }
