package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/trendgraph/trendgraph/graph"
)

// tokenSet holds bearer tokens as digests, compared in constant time.
type tokenSet struct{ digests [][32]byte }

// newTokenSet keeps the digests of tokens, ignoring blank ones.
func newTokenSet(tokens []string) *tokenSet {
	ts := &tokenSet{}
	for _, t := range tokens {
		if t = strings.TrimSpace(t); t != "" {
			ts.digests = append(ts.digests, sha256.Sum256([]byte(t)))
		}
	}
	return ts
}

// valid compares the presented token with every known one, without stopping early, so the
// time taken says nothing about which or how much matched.
func (ts *tokenSet) valid(token string) bool {
	d := sha256.Sum256([]byte(token))
	ok := 0
	for _, known := range ts.digests {
		ok |= subtle.ConstantTimeCompare(d[:], known[:])
	}
	return ok == 1
}

// bearer extracts the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
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
		info := requestInfoFrom(r.Context())
		if token, ok := bearer(r); ok && s.tokens.valid(token) {
			if info != nil {
				d := sha256.Sum256([]byte(token))
				info.mu.Lock()
				info.authed = true
				info.tokenScope = hex.EncodeToString(d[:8])
				info.mu.Unlock()
			}
		} else if s.cfg.RequireAuth {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trendgraph"`)
			s.reject(w, r, http.StatusUnauthorized, graph.CodeUnauthenticated, "auth", "a valid bearer token is required")
			return
		}
		if s.cfg.Timeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}
