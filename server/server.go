// Package server builds trendgraph's HTTP handler: the GraphQL endpoint with its limits, the
// offline playground, the schema, the radar views, health and metrics, CORS and bearer-token
// access. Another Go program can mount it under a prefix of its own mux. It knows nothing of
// bbolt: it reads through the store's API and the graph package.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/ravilushqa/otelgqlgen"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/bytelru"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Config configures the handler. Start from DefaultConfig.
type Config struct {
	Limits Limits
	// Timeout bounds one GraphQL request; resolvers and loaders are cancelled past it.
	Timeout time.Duration
	// RatePerSecond and RateBurst limit requests per client address; zero RatePerSecond
	// switches the limit off.
	RatePerSecond float64
	RateBurst     int
	// TrustProxy takes the client address from X-Forwarded-For, and radar links' scheme and host
	// from X-Forwarded-Proto and X-Forwarded-Host, when the immediate peer is in TrustedProxies.
	TrustProxy bool
	// TrustedProxies are the networks of the proxies whose forwarding headers are believed;
	// DefaultTrustedProxies (loopback and private ranges) when empty.
	TrustedProxies []netip.Prefix
	// PublicURL is the handler's root as clients reach it, mount prefix included (for example
	// https://kb.example/portal), for the absolute links of the radar views. Without it, links
	// are absolute only behind a trusted proxy that sends X-Forwarded-Host, and relative
	// otherwise: never built from the Host header alone.
	PublicURL string

	// Introspection allows schema introspection (the playground and codegen need it).
	Introspection bool
	// ReportCost adds each operation's cost to the response extensions.
	ReportCost bool
	// APQ enables automatic persisted queries.
	APQ bool
	// TrustedDocuments maps document hashes to documents (see LoadManifest); with TrustedOnly,
	// the server runs nothing else.
	TrustedDocuments map[string]string
	TrustedOnly      bool

	// CORSOrigins lists the origins allowed to call the API from a browser; none by default.
	CORSOrigins []string
	// Tokens are the accepted bearer tokens (see ReadTokens for read-only ones); RequireAuth
	// demands one on every GraphQL request. Mutations need a token with the write scope.
	Tokens      []Token
	RequireAuth bool

	// PlaygroundPersistHeaders lets the playground keep request headers (tokens) in the
	// browser's storage; off by default.
	PlaygroundPersistHeaders bool

	// SourceTexts give citation excerpts, by source slug.
	SourceTexts map[string]*dataset.SourceText
	// Committer commits mutations and admin imports: nil commits to the store itself; a
	// replica (package replica) commits to its cluster's log.
	Committer knowledge.Committer
	// Ready, when set, must return nil for /readyz to say ready: a replica that has not caught
	// up with its cluster is not.
	Ready func() error
	// VerifyReplica, when set, is part of GET /admin/check: a replica compares its file with
	// its cluster's log (replica.Replica.Verify).
	VerifyReplica func(ctx context.Context) ([]string, error)
	// MinVersionWait bounds how long a request naming X-Trendgraph-Min-Version waits for this
	// server's data to reach that version (default DefaultMinVersionWait).
	MinVersionWait time.Duration
	// Log receives access logs (when AccessLog) and errors.
	Log       *slog.Logger
	AccessLog bool
	// Registry receives the metrics; a new one when nil.
	Registry *prometheus.Registry
	// SeparateMetrics leaves /metrics off this handler (404), for a deployment that serves
	// MetricsHandler on an address of its own.
	SeparateMetrics bool
	// MetricsToken, when set, is the bearer token /metrics requires (compared in constant time).
	MetricsToken string
	// CacheBytes bounds the response cache; 0 switches it off.
	CacheBytes int64
	// HTTPMaxAge is the Cache-Control max-age, in seconds, of GET and persisted-query answers.
	HTTPMaxAge int
	// Loaders tunes the per-operation loaders.
	Loaders graph.LoaderOptions
	// Admin configures the admin endpoints (/admin/import, export, backup and check).
	Admin AdminConfig
	// TracerProvider, when set, traces every request (otelhttp) with a span per operation and
	// resolver (otelgqlgen). Spans carry the query and its variables, never headers.
	TracerProvider trace.TracerProvider

	// MaxSubscribers bounds the subscriptions open at once, over SSE and WebSocket together:
	// past it one is refused with TOO_MANY_SUBSCRIBERS. SubscriberBuffer is how many change sets
	// a subscriber may have unread before it is dropped with SUBSCRIBER_TOO_SLOW. Zero takes
	// DefaultMaxSubscribers (1000) and DefaultSubscriberBuffer (256).
	MaxSubscribers, SubscriberBuffer int
	// MaxSubscriptionDuration bounds an SSE stream or a WebSocket connection, which Timeout does
	// not: past it the server drops the connection and the client resumes from the last
	// version it received. Zero: no bound. Default DefaultMaxSubscriptionDuration (4h).
	MaxSubscriptionDuration time.Duration
}

// DefaultConfig returns the defaults: every limit on, introspection and APQ on, no CORS
// origins, no tokens required.
func DefaultConfig() Config {
	return Config{
		Limits: DefaultLimits(),
		// Generous for the deepest legitimate query, short enough to shed a runaway one.
		Timeout:       10 * time.Second,
		RatePerSecond: 50,
		RateBurst:     100,
		Introspection: true,
		ReportCost:    true,
		APQ:           true,
		AccessLog:     true,
		// Knowledge data changes rarely and dashboards repeat themselves: 64 MiB holds thousands
		// of typical answers.
		CacheBytes: 64 << 20,
		HTTPMaxAge: 60,

		MaxSubscribers:          DefaultMaxSubscribers,
		SubscriberBuffer:        DefaultSubscriberBuffer,
		MaxSubscriptionDuration: DefaultMaxSubscriptionDuration,
	}
}

// apqCacheBytes bounds the texts kept for automatic persisted queries: thousands of typical
// operations; documents over graph.MaxCachedDocumentBytes are not kept.
const apqCacheBytes = 8 << 20

// Server is trendgraph's HTTP handler.
type Server struct {
	cfg     Config
	store   *store.Store
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	rate    *rateLimiter
	clients *clientResolver
	tokens  *tokenSet
	sdl     []byte
	// metricsHTTP serves /metrics, on this handler or on an address of its own.
	metricsHTTP http.Handler
	// streams are the SSE and WebSocket connections of subscriptions (subscriptions.go).
	streams *streams
	// runner runs the MCP graphql tool's queries (nil under TrustedOnly).
	runner *graph.Runner
	// cache is the response cache, shared by the GraphQL transport and the pages; nil when off.
	cache *responseCache
}

// New builds the handler over an open store. Routes are relative, so the handler can be
// mounted under a prefix with http.StripPrefix.
func New(st *store.Store, cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{cfg: cfg, store: st, log: cfg.Log, mux: http.NewServeMux(), tokens: newTokenSet(cfg.Tokens)}
	s.metrics = newMetrics(cfg.Registry, st)
	s.clients = newClientResolver(cfg.TrustProxy, cfg.TrustedProxies)
	if cfg.RatePerSecond > 0 {
		s.rate = newRateLimiter(cfg.RatePerSecond, max(cfg.RateBurst, 1))
	}
	s.metricsHTTP = s.newMetricsHandler()
	exec := graph.NewExecutor(st, graph.Options{
		Texts: cfg.SourceTexts, Log: cfg.Log, Loaders: cfg.Loaders, Introspection: cfg.Introspection, MaxFilterSize: cfg.Limits.MaxFilterSize,
		MaxSubscribers: cfg.MaxSubscribers, SubscriberBuffer: cfg.SubscriberBuffer, Committer: cfg.Committer,
		OnBatch: func(loader string, keys int) { s.metrics.batches.WithLabelValues(loader).Observe(float64(keys)) },
	})
	lim := &limiter{cfg: cfg.Limits, introspection: cfg.Introspection, rejected: func(limit string) { s.metrics.rejected.WithLabelValues(limit).Inc() }}
	docs := &documents{only: cfg.TrustedOnly}
	if len(cfg.TrustedDocuments) > 0 || cfg.TrustedOnly {
		docs.manifest = make(map[string]string, len(cfg.TrustedDocuments))
		for id, doc := range cfg.TrustedDocuments {
			docs.manifest[strings.TrimPrefix(id, "sha256:")] = doc
		}
	}
	if cfg.APQ && !cfg.TrustedOnly {
		// The transport settles documents before the response cache is consulted, so it runs
		// APQ itself (gqlgen's extension would run after a cache hit had skipped it).
		docs.apq = bytelru.New(apqCacheBytes, graph.MaxCachedDocumentBytes, func(k, v string) int64 { return int64(len(k) + len(v)) })
	}
	tr := transport{chargeBatch: s.chargeBatch, hideSchema: !cfg.Introspection, limits: lim, docs: docs, version: st.Version, maxAge: cfg.HTTPMaxAge}
	if cfg.CacheBytes > 0 {
		tr.cache = newResponseCache(cfg.CacheBytes, cfg.Registry)
		s.cache = tr.cache
	}
	s.addStreamTransports(exec, docs, lim)
	exec.AddTransport(tr)
	if cfg.Limits.MaxTokens > 0 {
		exec.SetParserTokenLimit(cfg.Limits.MaxTokens)
	}
	exec.Use(lim)
	if cfg.TracerProvider != nil {
		exec.Use(otelgqlgen.Middleware(otelgqlgen.WithTracerProvider(cfg.TracerProvider)))
	}
	exec.AroundOperations(s.aroundOperation)
	exec.AroundResponses(s.aroundResponse)
	s.runner = newRunner(st, cfg, lim)
	s.sdl = []byte(graph.SDL())

	var api http.Handler = s.cors(graphqlMethods(s.streaming(s.guard(exec))))
	if cfg.TracerProvider != nil {
		api = otelhttp.NewHandler(api, "graphql", otelhttp.WithTracerProvider(cfg.TracerProvider))
	}
	s.mux.Handle("/graphql", s.observe("graphql", api))
	s.mux.Handle("/schema.graphql", s.observe("schema", s.cors(http.HandlerFunc(s.serveSchema))))
	s.mux.Handle("/livez", s.observe("livez", http.HandlerFunc(s.serveLive)))
	s.mux.Handle("/readyz", s.observe("readyz", http.HandlerFunc(s.serveReady)))
	if !cfg.SeparateMetrics {
		s.mux.Handle("/metrics", s.metricsHTTP)
	}
	s.mux.Handle("/assets/", s.observe("assets", playgroundAssets()))
	s.mux.Handle("/admin/import", s.admin(http.MethodPost, s.serveImport))
	s.mux.Handle("/admin/export", s.admin(http.MethodGet, s.serveExport))
	s.mux.Handle("/admin/backup", s.admin(http.MethodGet, s.serveBackup))
	s.mux.Handle("/admin/check", s.admin(http.MethodGet, s.serveCheck))
	s.mux.Handle("/mcp", s.observe("mcp", s.guard(s.mcpHandler())))
	radarData := s.page("radar", cspPicture, true, s.serveRadarData)
	radarPicture := s.page("radar-svg", cspPicture, true, s.serveRadarSVG)
	s.mux.Handle("/radar/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.PathValue("file"), ".svg") {
			radarPicture.ServeHTTP(w, r)
			return
		}
		radarData.ServeHTTP(w, r)
	}))
	s.mux.Handle("/e/{type}/{slug}", s.page("entity", cspPage, true, s.serveEntityPage))
	s.mux.Handle("/passage/{source}/{section}/{paragraph}", s.page("passage", cspPage, true, s.servePassagePage))
	s.mux.Handle("/explore", s.page("explore", cspExplorer, false, s.serveExplore))
	s.mux.Handle("/{$}", s.observe("playground", http.HandlerFunc(s.servePlayground)))
	return s
}

// ServeHTTP routes a request to the endpoint of its path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// cors answers preflights and sets CORS headers for the configured origins only.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: s.cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", RequestIDHeader},
		ExposedHeaders: []string{RequestIDHeader},
		MaxAge:         600,
	}).Handler(next)
}

// aroundOperation records the operation for the access log and metrics, and refuses mutations
// without a valid token.
func (s *Server) aroundOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	rc := graphql.GetOperationContext(ctx)
	info := requestInfoFrom(ctx)
	if info != nil && rc.Operation != nil {
		info.setOperation(rc.Operation.Name, string(rc.Operation.Operation))
		if rc.Operation.Operation == ast.Mutation && !info.authed {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "mutations need a valid bearer token",
				Extensions: map[string]any{"code": graph.CodeUnauthenticated}}}})
		}
	}
	return next(ctx)
}

// aroundResponse reports the cost and notes error codes for the access log and metrics.
func (s *Server) aroundResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if info := requestInfoFrom(ctx); info != nil {
		for _, e := range resp.Errors {
			if code, ok := e.Extensions["code"].(string); ok {
				info.addCode(code)
			}
		}
	}
	if s.cfg.ReportCost && graphql.HasOperationContext(ctx) {
		if cost := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtension); cost != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions[costExtension] = cost
		}
	}
	return resp
}

// graphqlMethods answers 405, with Allow, to methods GraphQL over HTTP does not use. (OPTIONS
// reaches here only when CORS did not answer it.)
func graphqlMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			media, ok := responseMedia(r.Header.Values("Accept"))
			if !ok {
				media = mediaJSON
			}
			writeError(w, media, http.StatusMethodNotAllowed, graph.CodeMethodNotAllowed, "use GET for queries and POST for any operation")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// onlyGet refuses methods other than GET and HEAD, and reports whether the request may go on.
func onlyGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func (s *Server) serveSchema(w http.ResponseWriter, r *http.Request) {
	if !onlyGet(w, r) {
		return
	}
	if !s.cfg.Introspection {
		// With introspection off the schema is not public: only a caller with a token sees it.
		if token, ok := bearer(r); !ok || !s.tokens.valid(token) {
			http.NotFound(w, r)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(s.sdl)
}

func (s *Server) serveLive(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// serveReady reads the store: ready means the database is open and readable.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if _, err := s.store.DataVersion(); err != nil {
		s.log.ErrorContext(r.Context(), "not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database not readable\n"))
		return
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(err.Error() + "\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}
