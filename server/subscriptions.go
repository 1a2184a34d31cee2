package server

// Subscriptions are served on /graphql beside GET and POST, over two transports: GraphQL over
// SSE in its "distinct connections" mode (one POST per operation answered with an event stream,
// what the graphql-sse client speaks by default) and the graphql-transport-ws WebSocket protocol
// (the graphql-ws client; gqlgen also answers the legacy graphql-ws subprotocol). Queries and
// mutations run over both as well. They pass the same rate limit, tokens, limits, trusted
// documents and CORS origins as GET and POST; what differs is time: a stream is not cut by the
// request Timeout but by Config.MaxSubscriptionDuration, and the server's shutdown ends it.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	gqltransport "github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/trendgraph/trendgraph/graph"
)

const (
	// DefaultMaxSubscriptionDuration bounds a stream by default: long enough that clients rarely
	// see it, short enough that connections move to new instances and no stream outlives a
	// working day. A client resumes with `since` set to the last version it received.
	DefaultMaxSubscriptionDuration = 4 * time.Hour
	// DefaultMaxSubscribers and DefaultSubscriberBuffer are the change feed's bounds (see
	// knowledge.NewFeed): a thousand subscriptions of up to 256 unread change sets each.
	DefaultMaxSubscribers   = 1000
	DefaultSubscriberBuffer = 256

	// streamKeepAlive is how often an idle stream is pinged: under the 60-second idle timeout
	// of common proxies and load balancers. Over graphql-transport-ws a client that does not
	// answer two pings is disconnected.
	streamKeepAlive = 25 * time.Second
	// streamWriteTimeout is how long one event may take to leave: a client that takes none for
	// this long has gone or stalled, and its stream ends rather than hold a goroutine and a
	// connection.
	streamWriteTimeout = 15 * time.Second
	// wsInitTimeout is how long a WebSocket may stay open without connection_init.
	wsInitTimeout = 10 * time.Second
	// wsCloseForbidden closes a WebSocket whose connection_init was refused, as the
	// graphql-transport-ws protocol recommends.
	wsCloseForbidden = 4403
)

var (
	errShuttingDown  = errors.New("the server is shutting down")
	errStreamExpired = errors.New("the stream reached the server's longest subscription duration")
	errClientStalled = errors.New("the client took no event for too long")
	errStreamEnded   = errors.New("the stream has ended")
)

// streamKind says how a request streams: not at all, over SSE, or over a WebSocket.
type streamKind int

const (
	notStream streamKind = iota
	sseStream
	websocketStream
)

// streamKindOf recognises a stream by what its transport accepts, so that the guard and the
// transports agree.
func streamKindOf(r *http.Request) streamKind {
	switch {
	case r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		return websocketStream
	case gqltransport.SSE{}.Supports(r):
		return sseStream
	}
	return notStream
}

// streamInfo is what a stream's operations need of the request that opened it.
type streamInfo struct {
	kind   streamKind
	client netip.Addr
}

type streamInfoKey struct{}

// streamFrom is the stream the context belongs to, nil outside one.
func streamFrom(ctx context.Context) *streamInfo {
	si, _ := ctx.Value(streamInfoKey{}).(*streamInfo)
	return si
}

// streams holds what a handler's streams share: the end of them all at shutdown, and the
// origins a WebSocket may be opened from.
type streams struct {
	ctx context.Context
	end context.CancelCauseFunc
	// hooked holds the http.Servers whose Shutdown already ends the streams.
	hooked sync.Map
	// origins applies Config.CORSOrigins, by rs/cors's own rules; nil without any.
	origins *cors.Cors
}

func newStreams(corsOrigins []string) *streams {
	st := &streams{}
	st.ctx, st.end = context.WithCancelCause(context.Background())
	if len(corsOrigins) > 0 {
		st.origins = cors.New(cors.Options{AllowedOrigins: corsOrigins})
	}
	return st
}

// hook makes the Shutdown of the http.Server serving r end the streams. http.Server does not
// wait for hijacked connections (WebSockets) and waits on SSE responses until its deadline:
// RegisterOnShutdown exists for that, and it lets `serve` stop within its grace period with
// no change of its own.
func (st *streams) hook(r *http.Request) {
	srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return
	}
	if _, loaded := st.hooked.LoadOrStore(srv, struct{}{}); !loaded {
		srv.RegisterOnShutdown(func() { st.end(errShuttingDown) })
	}
}

// begin derives a stream's context: it ends with the request, at the longest duration, at
// shutdown, or by the returned function. ok is false once shutdown has begun.
func (st *streams) begin(parent context.Context, longest time.Duration) (ctx context.Context, end context.CancelCauseFunc, ok bool) {
	if st.ctx.Err() != nil {
		return nil, nil, false
	}
	ctx, cancel := context.WithCancelCause(parent)
	stopTimer := func() bool { return false }
	if longest > 0 {
		t := time.AfterFunc(longest, func() { cancel(errStreamExpired) })
		stopTimer = t.Stop
	}
	stopShutdown := context.AfterFunc(st.ctx, func() { cancel(errShuttingDown) })
	return ctx, func(cause error) {
		stopTimer()
		stopShutdown()
		cancel(cause)
	}, true
}

// EndSubscriptions ends every SSE stream and WebSocket connection of the handler and refuses
// new ones with 503, so that a server shutting down is not held up by them. The Shutdown of
// any http.Server serving the handler calls it; a program serving the handler some other way
// calls it itself. Clients see a dropped connection (not a completed subscription) and
// reconnect, elsewhere or later, from the last version they received.
func (s *Server) EndSubscriptions() { s.streams.end(errShuttingDown) }

// streaming gives SSE and WebSocket requests a context of their own (see streams.begin) and
// marks them for the guard, which then neither applies the request Timeout nor, for a
// WebSocket, asks for a token in the headers: browsers cannot set them, so the token comes in
// connection_init. Every other request passes through untouched.
func (s *Server) streaming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := streamKindOf(r)
		if kind == notStream {
			next.ServeHTTP(w, r)
			return
		}
		s.streams.hook(r)
		ctx, end, ok := s.streams.begin(r.Context(), s.cfg.MaxSubscriptionDuration)
		if !ok {
			w.Header().Set("Retry-After", "1")
			// As the GET/POST transport answers a request cancelled before it ran.
			s.reject(w, r, http.StatusServiceUnavailable, graph.CodeTimeout, "shutdown", errShuttingDown.Error())
			return
		}
		defer end(context.Canceled)
		ctx = context.WithValue(ctx, streamInfoKey{}, &streamInfo{kind: kind, client: s.clients.clientAddress(r)})
		r = r.WithContext(ctx)
		if kind == websocketStream {
			// Hijacking clears the connection's deadlines; gqlgen closes the socket when ctx ends.
			next.ServeHTTP(w, r)
			return
		}
		serveEventStream(w, r, next, end)
	})
}

// serveEventStream serves an SSE response whose stream ends when r's context does. The
// server's WriteTimeout bounds a response, not a stream: each event gets streamWriteTimeout
// instead (and sseTransport lifts the read deadline once the body is read). A stream the server
// ends (shutdown, longest duration, a stalled client) is aborted rather than completed:
// graphql-sse retries a dropped connection but takes a complete event as the end of the
// subscription.
func serveEventStream(w http.ResponseWriter, r *http.Request, next http.Handler, end context.CancelCauseFunc) {
	rc := http.NewResponseController(w)
	ew := &eventWriter{ResponseWriter: w, rc: rc, ctx: r.Context(), end: end}
	// A blocked write is released at once when the stream ends.
	stop := context.AfterFunc(r.Context(), func() { _ = rc.SetWriteDeadline(time.Now()) })
	next.ServeHTTP(ew, r)
	ew.close()
	stop()
	if r.Context().Err() != nil {
		dropConnection(rc)
		return
	}
	// The connection may serve further requests: the server sets their deadlines again.
	_ = rc.SetWriteDeadline(time.Time{})
}

// dropConnection closes a response's connection without ending the response, so the client
// sees a dropped stream. Hijacking (HTTP/1) lets the access log record the request; where it
// is not supported, the handler aborts.
func dropConnection(rc *http.ResponseController) {
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// eventWriter is the ResponseWriter of an SSE stream: gqlgen's transport asks for an
// http.Flusher, which the writers wrapping the connection's (access log) reach only through
// http.ResponseController. Writes after the stream ended are dropped, so that no complete
// event follows an end the client should see as a dropped connection; a write that fails or
// takes over streamWriteTimeout ends the stream.
type eventWriter struct {
	http.ResponseWriter
	rc  *http.ResponseController
	ctx context.Context
	end context.CancelCauseFunc

	mu sync.Mutex
	// closed is set when the handler has returned: gqlgen's keep-alive goroutine may still
	// try to write.
	closed bool
}

// Write writes part of an event unless the stream has ended.
func (w *eventWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.ctx.Err() != nil {
		return 0, errStreamEnded
	}
	_ = w.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	n, err := w.ResponseWriter.Write(b)
	if err != nil {
		w.end(errClientStalled)
	}
	return n, err
}

// Flush sends what was written unless the stream has ended.
func (w *eventWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.ctx.Err() != nil {
		return
	}
	_ = w.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if err := w.rc.Flush(); err != nil {
		w.end(errClientStalled)
	}
}

// Unwrap lets http.ResponseController reach the connection's own writer.
func (w *eventWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *eventWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// addStreamTransports adds the SSE and WebSocket transports. They must come before the
// GET/POST transport, which would otherwise take SSE's POSTs (gqlgen asks each transport in
// turn).
func (s *Server) addStreamTransports(exec *handler.Server, docs *documents, lim *limiter) {
	s.streams = newStreams(s.cfg.CORSOrigins)
	exec.Use(&streamParams{s: s, docs: docs, limits: lim})
	exec.AddTransport(sseTransport{SSE: gqltransport.SSE{KeepAlivePingInterval: streamKeepAlive}, s: s})
	readLimit := int64(-1) // no limit, as MaxBodyBytes 0 means for bodies
	if s.cfg.Limits.MaxBodyBytes > 0 {
		readLimit = s.cfg.Limits.MaxBodyBytes
	}
	exec.AddTransport(wsTransport{s: s, Websocket: gqltransport.Websocket{
		// Origins are checked in Do, against the same list as CORS.
		Implementation:        stallGuard{gqltransport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}},
		InitFunc:              s.initWebsocket,
		InitTimeout:           wsInitTimeout,
		KeepAlivePingInterval: streamKeepAlive, // the legacy graphql-ws subprotocol
		PingPongInterval:      streamKeepAlive, // graphql-transport-ws
		PayloadReadLimit:      &readLimit,      // a message is bounded as a request body is
	}})
}

// sseTransport is gqlgen's SSE transport with the stream's own executor.
type sseTransport struct {
	gqltransport.SSE
	s *Server
}

// Do serves one operation as an event stream.
func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !t.readBody(w, r) {
		return
	}
	// The server's read deadline would cancel the request when it passed (net/http's background
	// read fails): a stream lives past it.
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	t.SSE.Do(w, r, &streamExecutor{GraphExecutor: exec, s: t.s})
}

// readBody reads the request body within the server's read deadline and MaxBodyBytes, as the
// GET/POST transport does (gqlgen's SSE transport reads it whole, unbounded), and answers the
// request itself when it cannot.
func (t sseTransport) readBody(w http.ResponseWriter, r *http.Request) bool {
	body := r.Body
	if limit := t.s.cfg.Limits.MaxBodyBytes; limit > 0 {
		body = http.MaxBytesReader(nil, body, limit)
	}
	b, err := io.ReadAll(body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, mediaJSON, http.StatusRequestEntityTooLarge, graph.CodeBodyTooLarge,
			"the request body is larger than the limit of "+itoa(tooLarge.Limit)+" bytes")
		return false
	case err != nil:
		writeError(w, mediaJSON, http.StatusBadRequest, graph.CodeBadRequest, "the request body could not be read")
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return true
}

// wsTransport is gqlgen's WebSocket transport behind an origin check, with the stream's own
// executor.
type wsTransport struct {
	gqltransport.Websocket
	s *Server
}

// Supports takes WebSocket upgrades only, as the guard recognises them.
func (t wsTransport) Supports(r *http.Request) bool { return streamKindOf(r) == websocketStream }

// Do upgrades a request from an allowed origin and serves its operations.
func (t wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !t.s.originAllowed(r) {
		t.s.reject(w, r, http.StatusForbidden, graph.CodeForbidden, "origin", "this origin may not open a WebSocket here: it is not among the server's CORS origins")
		return
	}
	t.Websocket.Do(w, r, &streamExecutor{GraphExecutor: exec, s: t.s, perOperation: true})
}

// originAllowed applies CORS's origins to a WebSocket, which browsers open from any page
// without a preflight. No Origin header is a client other than a browser; the handler's own
// origin (the playground's) is always allowed, as it is for HTTP requests.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false
	}
	if strings.EqualFold(o.Host, r.Host) {
		return true
	}
	if pub, err := url.Parse(s.cfg.PublicURL); err == nil && pub.Host != "" && strings.EqualFold(pub.Scheme, o.Scheme) && strings.EqualFold(pub.Host, o.Host) {
		return true
	}
	return s.streams.origins != nil && s.streams.origins.OriginAllowed(r)
}

// initWebsocket authenticates a WebSocket by the bearer token of its connection_init payload
// ({"Authorization": "Bearer …"}, or "authorization"), against the same tokens as HTTP
// requests. A token in the upgrade request's headers, checked by the guard, serves as well.
// Under RequireAuth a connection with neither is refused, as is any invalid token.
func (s *Server) initWebsocket(ctx context.Context, p gqltransport.InitPayload) (context.Context, *gqltransport.InitPayload, error) {
	if h := p.Authorization(); h != "" {
		token, ok := bearerOf(h)
		caller, valid := graph.Caller{}, false
		if ok {
			caller, valid = s.tokens.caller(token)
		}
		if !valid {
			return s.refuseWebsocket(ctx, "the bearer token in connection_init is not valid")
		}
		return s.authenticated(ctx, caller), nil, nil
	}
	if s.cfg.RequireAuth && !authedByHeader(ctx) {
		return s.refuseWebsocket(ctx, "a valid bearer token is required in connection_init")
	}
	return ctx, nil, nil
}

// authedByHeader reports whether the guard took a valid token from the request's headers.
func authedByHeader(ctx context.Context) bool {
	info := requestInfoFrom(ctx)
	if info == nil {
		return false
	}
	info.mu.Lock()
	defer info.mu.Unlock()
	return info.authed
}

// refuseWebsocket closes a WebSocket with 4403 and the reason.
func (s *Server) refuseWebsocket(ctx context.Context, reason string) (context.Context, *gqltransport.InitPayload, error) {
	if info := requestInfoFrom(ctx); info != nil {
		info.mu.Lock()
		info.rejected = "auth"
		info.mu.Unlock()
		info.addCode(graph.CodeUnauthenticated)
	}
	s.metrics.rejected.WithLabelValues("auth").Inc()
	ctx = gqltransport.AppendCloseReason(gqltransport.WithWebsocketCloseCode(ctx, wsCloseForbidden), reason)
	return ctx, nil, errors.New(reason)
}

// stallGuard accepts WebSockets whose every write must finish within streamWriteTimeout: gqlgen
// writes with no deadline and under a lock its pings and shutdown also take, so one client
// that stops reading would otherwise hold its connection for good.
type stallGuard struct {
	gqltransport.WebsocketImplementation
}

// Accept upgrades the request.
func (g stallGuard) Accept(w http.ResponseWriter, r *http.Request, o gqltransport.WebsocketAcceptOptions) (gqltransport.WebsocketConn, error) {
	c, err := g.WebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &timedConn{c}, nil
}

// timedConn closes a connection whose write does not finish in time.
type timedConn struct{ gqltransport.WebsocketConn }

var (
	_ gqltransport.WebsocketReadLimiter   = (*timedConn)(nil)
	_ gqltransport.WebsocketReadDeadliner = (*timedConn)(nil)
)

// WriteJSON sends one message, or closes the connection.
func (c *timedConn) WriteJSON(v any) error {
	t := time.AfterFunc(streamWriteTimeout, func() { _ = c.Close() })
	defer t.Stop()
	return c.WebsocketConn.WriteJSON(v)
}

// SetReadLimit bounds a message, as the wrapped connection does.
func (c *timedConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(gqltransport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

// SetReadDeadline passes the missing-pong deadline on.
func (c *timedConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(gqltransport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// streamParams settles the document of an operation sent over SSE or a WebSocket as the GET/POST
// transport does for its own (trusted documents, APQ, the token limit), and counts each
// operation of a WebSocket against the client's rate: the connection itself was counted once.
type streamParams struct {
	s      *Server
	docs   *documents
	limits *limiter
}

var (
	_ graphql.HandlerExtension          = (*streamParams)(nil)
	_ graphql.OperationParameterMutator = (*streamParams)(nil)
)

// ExtensionName names the extension among gqlgen's.
func (p *streamParams) ExtensionName() string { return "StreamParams" }

// Validate accepts any schema.
func (p *streamParams) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses what the GET/POST transport would.
func (p *streamParams) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	si := streamFrom(ctx)
	if si == nil {
		return nil // GET or POST: the transport has done it
	}
	if si.kind == websocketStream && p.s.rate != nil && !p.s.rate.allow(si.client) {
		p.s.metrics.rejected.WithLabelValues("rate").Inc()
		return &gqlerror.Error{Message: "too many requests: each operation over a WebSocket counts against the client's rate",
			Extensions: map[string]any{"code": graph.CodeRateLimited}}
	}
	if err := p.docs.resolve(raw); err != nil {
		return &gqlerror.Error{Message: err.msg, Extensions: map[string]any{"code": err.code}}
	}
	if err := p.limits.checkTokens(raw.Query); err != nil {
		return err
	}
	return nil
}

// streamExecutor runs the operations of a stream. Over a WebSocket each operation gets its own
// request info (cost and introspection budgets are per request, and a connection is not one
// batch). A query or mutation gets the request Timeout, which the stream itself is spared. A
// subscription that its resolver ends with an error (SUBSCRIBER_TOO_SLOW) sends that error as
// its last event: gqlgen would drop it (see endOfStreamErrors).
type streamExecutor struct {
	graphql.GraphExecutor
	s            *Server
	perOperation bool
}

// CreateOperationContext parses, validates and measures an operation.
func (e *streamExecutor) CreateOperationContext(ctx context.Context, raw *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	if parent := requestInfoFrom(ctx); e.perOperation && parent != nil {
		op := &requestInfo{id: parent.id}
		parent.mu.Lock()
		op.authed, op.tokenScope = parent.authed, parent.tokenScope
		parent.mu.Unlock()
		ctx = context.WithValue(ctx, requestInfoKey{}, op)
	}
	return e.GraphExecutor.CreateOperationContext(ctx, raw)
}

// DispatchOperation runs an operation.
func (e *streamExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	if rc.Operation.Operation != ast.Subscription {
		return e.dispatchBounded(ctx, rc)
	}
	late := &endOfStreamErrors{}
	late.watch(rc)
	responses, ctx := e.GraphExecutor.DispatchOperation(ctx, rc)
	late.started()
	return func(ctx context.Context) *graphql.Response {
		if resp := responses(ctx); resp != nil {
			return resp
		}
		errs := late.take()
		if len(errs) == 0 {
			return nil
		}
		if info := requestInfoFrom(ctx); info != nil {
			for _, err := range errs {
				if code, ok := err.Extensions["code"].(string); ok {
					info.addCode(code)
				}
			}
		}
		return &graphql.Response{Errors: errs}
	}, ctx
}

// dispatchBounded runs a query or mutation within the request Timeout.
func (e *streamExecutor) dispatchBounded(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	if e.s.cfg.Timeout <= 0 {
		return e.GraphExecutor.DispatchOperation(ctx, rc)
	}
	ctx, cancel := context.WithTimeout(ctx, e.s.cfg.Timeout)
	responses, ctx := e.GraphExecutor.DispatchOperation(ctx, rc)
	return func(ctx context.Context) *graphql.Response {
		// A query or mutation answers once; the transport's next call ends the operation.
		defer cancel()
		return responses(ctx)
	}, ctx
}

// endOfStreamErrors finds the errors a subscription resolver adds after its stream began
// (graphql.AddError once its channel is done, as graph's followChanges does with
// SUBSCRIBER_TOO_SLOW). They land in the response context of the operation, which gqlgen reads
// only while the resolver is being called, never again: no transport would send them. The
// root field's context, caught on its way through the resolver middleware, is the way to them.
type endOfStreamErrors struct {
	mu   sync.Mutex
	root context.Context
	// seen is how many errors were there when the stream began: those were sent already.
	seen int
	done bool
}

// watch catches the context of rc's root field.
func (l *endOfStreamErrors) watch(rc *graphql.OperationContext) {
	next := rc.ResolverMiddleware
	rc.ResolverMiddleware = func(ctx context.Context, resolve graphql.Resolver) (any, error) {
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Subscription" {
			l.mu.Lock()
			if l.root == nil {
				l.root = ctx
			}
			l.mu.Unlock()
		}
		return next(ctx, resolve)
	}
}

// started notes the errors present when the stream began.
func (l *endOfStreamErrors) started() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.root != nil {
		l.seen = len(graphql.GetErrors(l.root))
	}
}

// take returns the errors added since the stream began, once.
func (l *endOfStreamErrors) take() gqlerror.List {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.root == nil || l.done {
		return nil
	}
	l.done = true
	return graphql.GetErrors(l.root)[l.seen:]
}
