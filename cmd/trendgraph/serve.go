package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/replica"
	"github.com/trendgraph/trendgraph/server"
	"github.com/trendgraph/trendgraph/store"
)

// serveFlags binds the flags of serve, each with its TRENDGRAPH_* variable as default.
type serveFlags struct {
	addr, source, logFormat, logLevel, corsOrigins, tokensFile, trusted                                       string
	introspection, apq, requireAuth, trustedOnly, trustProxy, persistHeaders, reportCost, accessLog, readOnly bool
	grace, timeout, readHeaderTimeout, readTimeout, idleTimeout                                               time.Duration
	rate                                                                                                      float64
	burst, cacheBytes, httpMaxAge, maxHeaderBytes                                                             int
	limits                                                                                                    server.Limits
	trustedProxies, publicURL, metricsAddr, metricsToken                                                      string
	maxImportBytes, maxSubscribers, subscriberBuffer                                                          int
	etcdEndpoints, etcdPrefix                                                                                 string
	adminTimeout, maxSubscriptionDuration                                                                     time.Duration
}

func serveCommand(e *env) *cli.Command {
	var sf serveFlags
	var db string
	var maxBody int
	def := server.DefaultConfig()
	f := &flags{e: e}
	f.in("Data")
	f.db(&db)
	f.file(&sf.source, "source", "", "source text file or directory, for citation excerpts")
	f.boolean(&sf.readOnly, "read-only", false, "open the database read-only (a shared lock): several servers, backups and checks may share the file; mutations and imports are refused")
	f.str(&sf.etcdEndpoints, "etcd-endpoints", "", "etcd client URLs, comma-separated: run as one replica of a cluster (see the README); empty for one process on its own file")
	f.str(&sf.etcdPrefix, "etcd-prefix", replica.DefaultConfig().Prefix, "the cluster's key prefix in etcd")

	f.in("Listening")
	f.str(&sf.addr, "addr", ":8080", "address to listen on")
	f.str(&sf.publicURL, "public-url", "", "the API's root as clients reach it (https://host/prefix), for absolute links")
	f.str(&sf.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of --addr")
	f.str(&sf.corsOrigins, "cors-origins", "", "comma-separated origins allowed to call the API from browsers")
	f.boolean(&sf.trustProxy, "trust-proxy", false, "believe X-Forwarded-For, -Host and -Proto from --trusted-proxies")
	f.str(&sf.trustedProxies, "trusted-proxies", prefixList(server.DefaultTrustedProxies()), "comma-separated CIDRs or IPs of the proxies --trust-proxy believes")

	f.in("Auth")
	f.file(&sf.tokensFile, "tokens-file", "", "file of accepted bearer tokens: a line is NAME SCOPES SECRET (scopes among read, write, admin, comma-separated) or a read-only secret alone (also $TRENDGRAPH_TOKENS: read-only secrets, comma-separated)")
	f.boolean(&sf.requireAuth, "require-auth", false, "require a bearer token on every GraphQL request")
	f.str(&sf.metricsToken, "metrics-token", "", "bearer token /metrics requires (prefer the variable: flags show in ps)")
	f.file(&sf.trusted, "trusted-documents", "", "persisted-documents manifest (JSON of sha256 to document)")
	f.boolean(&sf.trustedOnly, "trusted-only", false, "run only documents in the trusted-documents manifest")
	f.boolean(&sf.introspection, "introspection", def.Introspection, "allow schema introspection")

	f.in("Limits")
	l := def.Limits
	f.float(&sf.rate, "rate", def.RatePerSecond, "requests per second per client; 0 for no limit")
	f.integer(&sf.burst, "rate-burst", def.RateBurst, "burst of requests per client")
	f.integer(&sf.limits.MaxDepth, "max-depth", l.MaxDepth, "deepest field nesting; 0 for no limit")
	f.integer(&sf.limits.MaxAliases, "max-aliases", l.MaxAliases, "most aliases per operation; 0 for no limit")
	f.integer(&sf.limits.MaxFieldRepeats, "max-field-repeats", l.MaxFieldRepeats, "most repeats of one field in a selection; 0 for no limit")
	f.integer(&sf.limits.MaxDirectives, "max-directives", l.MaxDirectives, "most directives per document; 0 for no limit")
	f.integer(&sf.limits.MaxTokens, "max-tokens", l.MaxTokens, "most parser tokens per document; 0 for no limit")
	f.integer(&sf.limits.MaxCost, "max-cost", l.MaxCost, "highest operation cost; 0 for no limit")
	f.integer(&sf.limits.MaxBatch, "max-batch", l.MaxBatch, "most operations in one batched request; 0 for no limit")
	f.integer(&sf.limits.MaxFilterSize, "max-filter-size", l.MaxFilterSize, "most nodes and values in one filter argument; 0 for no limit")
	f.integer(&sf.limits.MaxIntrospectionFields, "max-introspection-fields", l.MaxIntrospectionFields, "most __schema and __type fields per request; 0 for no limit")
	f.integer(&maxBody, "max-body-bytes", int(l.MaxBodyBytes), "largest request body")
	f.integer(&sf.maxHeaderBytes, "max-header-bytes", defaultHTTPLimits(def.Timeout).maxHeaderBytes, "largest request header block")
	f.integer(&sf.maxImportBytes, "max-import-bytes", server.DefaultMaxImportBytes, "largest dataset an import through /admin/import takes")
	f.integer(&sf.maxSubscribers, "max-subscribers", def.MaxSubscribers, "most subscriptions open at once (SSE and WebSocket)")
	f.integer(&sf.subscriberBuffer, "subscriber-buffer", def.SubscriberBuffer, "change sets a subscriber may have unread before it is dropped")

	f.in("Caching")
	f.integer(&sf.cacheBytes, "cache-bytes", int(def.CacheBytes), "bytes of memory for the response cache; 0 switches it off")
	f.integer(&sf.httpMaxAge, "http-max-age", def.HTTPMaxAge, "Cache-Control max-age (seconds) of GET and persisted-query answers")
	f.boolean(&sf.apq, "apq", def.APQ, "allow automatic persisted queries")

	f.in("Timeouts")
	dh := defaultHTTPLimits(def.Timeout)
	f.duration(&sf.timeout, "timeout", def.Timeout, "time limit of one GraphQL request")
	f.duration(&sf.readHeaderTimeout, "read-header-timeout", dh.readHeader, "time a client has to send its request headers")
	f.duration(&sf.readTimeout, "read-timeout", dh.read, "time a client has to send its whole request")
	f.duration(&sf.idleTimeout, "idle-timeout", dh.idle, "time an idle keep-alive connection stays open")
	f.duration(&sf.maxSubscriptionDuration, "max-subscription-duration", def.MaxSubscriptionDuration, "longest an SSE stream or WebSocket lasts; 0 for no bound")
	f.duration(&sf.adminTimeout, "admin-timeout", server.DefaultAdminTimeout, "time limit of one admin request (an import, export, backup or check through the server)")
	f.duration(&sf.grace, "shutdown-grace", 10*time.Second, "time given to in-flight requests on SIGTERM or SIGINT")

	f.in("Logging and the playground")
	f.str(&sf.logFormat, "log-format", "text", "log format: text or json")
	f.str(&sf.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.boolean(&sf.accessLog, "access-log", def.AccessLog, "log every request")
	f.boolean(&sf.reportCost, "report-cost", def.ReportCost, "report each operation's cost in the response extensions")
	f.boolean(&sf.persistHeaders, "playground-persist-headers", false, "let the playground keep request headers in the browser's storage")
	return &cli.Command{
		Name:  "serve",
		Usage: "serve the GraphQL API, the playground, health and metrics over HTTP",
		Description: "Serves --db over HTTP: /graphql, the playground at /, /mcp, /radar, /livez, /readyz, /metrics and /admin.\n" +
			"Tracing: set OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) to export traces over OTLP/HTTP.",
		Flags: f.list,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, cmd.Args().First())
			}
			sf.limits.MaxBodyBytes = int64(maxBody)
			return runServe(ctx, e, db, sf)
		},
	}
}

// runServe runs the server until ctx ends.
func runServe(ctx context.Context, e *env, db string, sf serveFlags) error {
	if sf.limits.MaxBodyBytes <= 0 {
		return fmt.Errorf("%w: --max-body-bytes must be positive", errUsage)
	}
	if sf.maxImportBytes <= 0 || sf.adminTimeout <= 0 {
		return fmt.Errorf("%w: --max-import-bytes and --admin-timeout must be positive", errUsage)
	}
	log, err := newLogger(e.stderr, sf.logFormat, sf.logLevel)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	// GraphQL execution allocates many short-lived objects over a small live heap: collecting a
	// quarter as often gave 1.6x the uncached throughput of the nested query (287 -> 463 req/s
	// at 64 connections; see BENCHMARKS.md), and a soft memory limit keeps the heap bounded.
	// GOGC and GOMEMLIMIT, when set, win.
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	cfg := server.DefaultConfig()
	cfg.Limits = sf.limits
	cfg.Timeout, cfg.RatePerSecond, cfg.RateBurst, cfg.TrustProxy = sf.timeout, sf.rate, sf.burst, sf.trustProxy
	cfg.Introspection, cfg.APQ, cfg.ReportCost, cfg.AccessLog = sf.introspection, sf.apq, sf.reportCost, sf.accessLog
	cfg.RequireAuth, cfg.TrustedOnly, cfg.PlaygroundPersistHeaders = sf.requireAuth, sf.trustedOnly, sf.persistHeaders
	cfg.Log = log
	cfg.Admin = server.AdminConfig{MaxImportBytes: int64(sf.maxImportBytes), Timeout: sf.adminTimeout}
	cfg.CacheBytes, cfg.HTTPMaxAge = int64(sf.cacheBytes), sf.httpMaxAge
	cfg.MaxSubscribers, cfg.SubscriberBuffer, cfg.MaxSubscriptionDuration = sf.maxSubscribers, sf.subscriberBuffer, sf.maxSubscriptionDuration
	cfg.CORSOrigins = splitList(sf.corsOrigins)
	if cfg.TrustedProxies, err = parsePrefixes(sf.trustedProxies); err != nil {
		return fmt.Errorf("%w: --trusted-proxies: %w", errUsage, err)
	}
	if cfg.TrustProxy && len(cfg.TrustedProxies) == 0 {
		// An empty list would mean the defaults to the handler, not "trust no one".
		return fmt.Errorf("%w: --trust-proxy needs at least one network in --trusted-proxies", errUsage)
	}
	if cfg.PublicURL, err = checkPublicURL(sf.publicURL); err != nil {
		return fmt.Errorf("%w: --public-url: %w", errUsage, err)
	}
	cfg.MetricsToken, cfg.SeparateMetrics = sf.metricsToken, sf.metricsAddr != ""
	if cfg.Tokens, err = loadTokens(sf.tokensFile, e.getenv("TRENDGRAPH_TOKENS")); err != nil {
		return err
	}
	if cfg.RequireAuth && len(cfg.Tokens) == 0 {
		return fmt.Errorf("%w: --require-auth needs tokens (--tokens-file or $TRENDGRAPH_TOKENS)", errUsage)
	}
	if sf.trusted != "" {
		if cfg.TrustedDocuments, err = server.LoadManifest(sf.trusted); err != nil {
			return err
		}
	} else if cfg.TrustedOnly {
		return fmt.Errorf("%w: --trusted-only needs --trusted-documents", errUsage)
	}

	tp, err := setupTracing(ctx, e)
	if err != nil {
		return err
	}
	if tp != nil {
		cfg.TracerProvider = tp
		log.Info("tracing", "exporter", "otlp")
		defer func() {
			// Flush the last spans; bounded, so an unreachable collector cannot hold up exit.
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("flush traces", "err", err)
			}
		}()
	}
	clustered := sf.etcdEndpoints != ""
	if clustered && sf.readOnly {
		return fmt.Errorf("%w: a replica (--etcd-endpoints) writes what its cluster commits: it cannot be --read-only", errUsage)
	}
	s, err := openForServing(ctx, db, sf.readOnly, !clustered, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	if clustered {
		rep, err := joinCluster(ctx, s, splitList(sf.etcdEndpoints), sf.etcdPrefix, &cfg, log)
		if err != nil {
			return err
		}
		// Deferred after the store's Close, so it runs first: stop following, then close.
		defer func() {
			if err := rep.Close(); err != nil {
				log.Error("leave the cluster", "err", err)
			}
		}()
	}
	if sf.source != "" {
		d, err := storedSources(s)
		if err != nil {
			return err
		}
		if cfg.SourceTexts, err = dataset.ReadSourceTexts(d, sf.source); err != nil {
			return err
		}
	}
	h := server.New(s, cfg)
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sf.addr, err)
	}
	var extra []listener
	if sf.metricsAddr != "" {
		mln, err := net.Listen("tcp", sf.metricsAddr)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("listen on %s for metrics: %w", sf.metricsAddr, err)
		}
		// Only /metrics: this address answers nothing else, not even the API's 404 page.
		mm := http.NewServeMux()
		mm.Handle("/metrics", h.MetricsHandler())
		extra = append(extra, listener{name: "metrics", ln: mln, h: mm})
	}
	hl := defaultHTTPLimits(cfg.Timeout)
	hl.readHeader, hl.read, hl.idle, hl.maxHeaderBytes = sf.readHeaderTimeout, sf.readTimeout, sf.idleTimeout, sf.maxHeaderBytes
	return serveUntilDone(ctx, ln, h, hl, sf.grace, log, extra...)
}

// listener is an extra address served beside the main one, such as --metrics-addr.
type listener struct {
	name string
	ln   net.Listener
	h    http.Handler
}

// prefixList writes networks as --trusted-proxies takes them.
func prefixList(ps []netip.Prefix) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, ",")
}

// parsePrefixes reads a comma-separated list of CIDRs; a bare IP is a network of one address.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range splitList(list) {
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR such as 10.0.0.0/8 nor an IP", part)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// checkPublicURL accepts an absolute http or https URL with no query, fragment or user info,
// and returns it without a trailing slash.
func checkPublicURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: want an absolute http or https URL such as https://kb.example/prefix", raw)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// The GC settings of serve unless GOGC or GOMEMLIMIT are set.
const (
	defaultGCPercent   = 400
	defaultMemoryLimit = 1 << 30
)

// httpLimits cut off slow or stalled clients instead of letting them hold connections open.
type httpLimits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
}

// defaultHTTPLimits fit any honest client on a slow network; the write limit leaves the request
// timeout room to answer.
func defaultHTTPLimits(requestTimeout time.Duration) httpLimits {
	return httpLimits{readHeader: 5 * time.Second, read: 30 * time.Second, write: requestTimeout + 5*time.Second,
		idle: 120 * time.Second, maxHeaderBytes: 64 << 10}
}

// serveUntilDone serves until ctx ends (SIGTERM or SIGINT), then stops accepting and gives
// in-flight requests the grace period to finish. Extra listeners (the metrics address) are
// served with the same limits and stop with the main one; if any of them fails, all stop. When
// the grace is over, the requests still running are cancelled and their connections closed:
// their store reads stop, so the database closes at once after (bbolt's Close waits for every
// open read transaction).
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, lim httpLimits, grace time.Duration, log *slog.Logger, extra ...listener) error {
	// Every request's context derives from this one, not from ctx: requests in flight keep
	// running through the grace period.
	reqCtx, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	all := append([]listener{{name: "api", ln: ln, h: h}}, extra...)
	servers := make([]*http.Server, len(all))
	errc := make(chan error, len(all))
	for i, l := range all {
		servers[i] = &http.Server{
			BaseContext:       func(net.Listener) context.Context { return reqCtx },
			Handler:           l.h,
			ReadHeaderTimeout: lim.readHeader,
			ReadTimeout:       lim.read,
			WriteTimeout:      lim.write,
			IdleTimeout:       lim.idle,
			MaxHeaderBytes:    lim.maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		go func() {
			if err := servers[i].Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s on %s: %w", l.name, l.ln.Addr(), err)
			}
		}()
	}
	// Extra listeners are announced first: "serving" means every address is up.
	for _, l := range extra {
		log.Info("serving "+l.name, "addr", l.ln.Addr().String())
	}
	log.Info("serving", "addr", ln.Addr().String(), "playground", playgroundURL(ln.Addr()))
	var failed error
	select {
	case failed = <-errc:
		log.Error("a listener failed; stopping", "err", failed)
	case <-ctx.Done():
		log.Info("shutting down", "grace", grace.String())
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	errs := []error{failed}
	graceOver := false
	for i, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			if !graceOver {
				graceOver = true
				log.Warn("grace period over: cancelling the requests still running", "grace", grace.String())
				cancelRequests()
			}
			if cerr := srv.Close(); cerr != nil {
				log.Warn("close connections", "listener", all[i].name, "err", cerr)
			}
			errs = append(errs, fmt.Errorf("shutdown %s: in-flight requests cancelled after the %s grace: %w", all[i].name, grace, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// playgroundURL is where a person on this machine opens the playground.
func playgroundURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost" // listening on every interface
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// openForServing opens the database read-write, for mutations (backups, exports and imports
// then go through the server), or read-only, beside other readers; a missing database is first
// created from the embedded dataset when seed is set (a replica's fills from its cluster).
func openForServing(ctx context.Context, path string, readOnly, seed bool, log *slog.Logger) (*store.Store, error) {
	// Lstat: a dangling link is not missing, and Open refuses it.
	if _, err := os.Lstat(path); seed && errors.Is(err, os.ErrNotExist) {
		d, err := loadData("")
		if err != nil {
			return nil, err
		}
		if err := createDatabase(ctx, path, d, ""); err != nil {
			return nil, err
		}
		log.Info("created the database from the embedded dataset", "db", path)
	}
	s, err := store.Open(path, store.Config{ReadOnly: readOnly})
	if err != nil && strings.Contains(err.Error(), "locked by another process") {
		return nil, fmt.Errorf("%w: another process holds it (a running server, an import or a backup): stop it, point this one at another file, or serve it --read-only beside other read-only servers", err)
	}
	return s, err
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: use text or json", format)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// loadTokens reads bearer tokens from a file and a comma-separated list of read-only secrets.
// A line of the file is a secret alone (a read-only token), or "NAME SCOPES SECRET": the name
// the audit trail records, scopes among read, write and admin joined by commas (write implies
// read, admin both), and the secret. '#' starts a comment line. Secrets are never logged.
func loadTokens(file, list string) ([]server.Token, error) {
	tokens := server.ReadTokens(splitList(list)...)
	if file == "" {
		return tokens, nil
	}
	fh, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	names := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch len(fields) {
		case 1:
			tokens = append(tokens, server.ReadTokens(fields[0])...)
			continue
		case 3:
		default:
			return nil, fmt.Errorf("read tokens %s:%d: want a secret alone or NAME SCOPES SECRET, got %d fields", file, n, len(fields))
		}
		name, scopes, secret := fields[0], fields[1], fields[2]
		if !tokenNameRe.MatchString(name) {
			return nil, fmt.Errorf("read tokens %s:%d: name %q: use 1 to 64 letters, digits, '.', '_', '@' or '-'", file, n, name)
		}
		if first, dup := names[name]; dup {
			return nil, fmt.Errorf("read tokens %s:%d: name %q is already used on line %d", file, n, name, first)
		}
		names[name] = n
		t := server.Token{Name: name, Secret: secret}
		for _, sc := range strings.Split(scopes, ",") {
			switch graph.Scope(sc) {
			case graph.ScopeAdmin:
				t.Scopes = append(t.Scopes, graph.ScopeAdmin, graph.ScopeWrite, graph.ScopeRead)
			case graph.ScopeWrite:
				t.Scopes = append(t.Scopes, graph.ScopeWrite, graph.ScopeRead)
			case graph.ScopeRead:
				t.Scopes = append(t.Scopes, graph.ScopeRead)
			default:
				return nil, fmt.Errorf("read tokens %s:%d: unknown scope %q: use read, write or admin", file, n, sc)
			}
		}
		slices.Sort(t.Scopes)
		t.Scopes = slices.Compact(t.Scopes)
		tokens = append(tokens, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tokens %s: %w", file, err)
	}
	return tokens, nil
}

var tokenNameRe = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)
