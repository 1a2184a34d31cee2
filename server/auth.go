package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/graph/model"
)

// Token is an accepted bearer token: its secret, the name the audit trail records for the
// changes made with it (never the secret), and what it allows.
type Token struct {
	Name   string
	Secret string
	Scopes []graph.Scope
}

// ReadTokens makes read-only tokens of secrets, each named by a digest of its secret.
func ReadTokens(secrets ...string) []Token {
	out := make([]Token, 0, len(secrets))
	for _, s := range secrets {
		d := sha256.Sum256([]byte(s))
		out = append(out, Token{Name: "token-" + hex.EncodeToString(d[:4]), Secret: s, Scopes: []graph.Scope{graph.ScopeRead}})
	}
	return out
}

// tokenSet holds bearer tokens as digests, compared in constant time.
type tokenSet struct {
	digests [][32]byte
	callers []graph.Caller
}

// newTokenSet keeps the digests of tokens, ignoring blank ones.
func newTokenSet(tokens []Token) *tokenSet {
	ts := &tokenSet{}
	for _, t := range tokens {
		if secret := strings.TrimSpace(t.Secret); secret != "" {
			ts.digests = append(ts.digests, sha256.Sum256([]byte(secret)))
			ts.callers = append(ts.callers, graph.Caller{Name: t.Name, Scopes: t.Scopes})
		}
	}
	return ts
}

// valid compares the presented token with every known one, without stopping early, so the
// time taken says nothing about which or how much matched.
func (ts *tokenSet) valid(token string) bool {
	_, ok := ts.caller(token)
	return ok
}

// caller returns who the token belongs to.
func (ts *tokenSet) caller(token string) (graph.Caller, bool) {
	d := sha256.Sum256([]byte(token))
	found := -1
	for i, known := range ts.digests {
		if subtle.ConstantTimeCompare(d[:], known[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return graph.Caller{}, false
	}
	return ts.callers[found], true
}

// bearer extracts the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) { return bearerOf(r.Header.Get("Authorization")) }

// bearerOf extracts the token of an Authorization value, "Bearer TOKEN": from a header, or from
// a WebSocket's connection_init payload.
func bearerOf(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// guard applies the per-request policies of the GraphQL endpoint and the radar views: rate
// limit, authentication and the request timeout.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if s.rate != nil && !s.rate.allow(s.clients.clientAddress(r)) {
			s.rateLimited(w, r)
			return
		}
		caller, authed := graph.Caller{}, false
		if token, ok := bearer(r); ok {
			caller, authed = s.tokens.caller(token)
		}
		// SSE and WebSocket streams (see streaming) run past the request Timeout; a WebSocket
		// may also bring its token in connection_init, which browsers must (initWebsocket).
		stream := streamFrom(r.Context())
		if authed {
			r = r.WithContext(s.authenticated(r.Context(), caller))
		} else if s.cfg.RequireAuth && (stream == nil || stream.kind != websocketStream) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trendgraph"`)
			s.reject(w, r, http.StatusUnauthorized, graph.CodeUnauthenticated, "auth", "a valid bearer token is required")
			return
		}
		if s.cfg.Timeout > 0 && stream == nil {
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		if !s.awaitVersion(w, r) {
			return
		}
		// Links in answers (an entity's url, a citation's) start where this request's client
		// reaches the server; the response cache keys answers by it too.
		r = r.WithContext(model.WithLinkBase(r.Context(), s.apiBase(r)))
		next.ServeHTTP(w, r)
	})
}

// authenticated records the caller of a valid token: in the request info (the access log, the
// response cache's scope, the check that mutations have a token) and in the context, for the
// resolvers.
func (s *Server) authenticated(ctx context.Context, caller graph.Caller) context.Context {
	if info := requestInfoFrom(ctx); info != nil {
		d := sha256.Sum256([]byte(caller.Name))
		info.mu.Lock()
		info.authed = true
		info.tokenScope = hex.EncodeToString(d[:8])
		info.mu.Unlock()
	}
	return graph.WithCaller(ctx, caller)
}
