package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/trendgraph/trendgraph/graph"
)

// Read your writes, from any replica: every answer says the data version it began reading at
// (X-Trendgraph-Version), and a request may name the version it needs at least
// (X-Trendgraph-Min-Version, such as the version a mutation's change set returned); it then
// waits, bounded, until this server's data has reached it.

const (
	// HeaderVersion is the response header with the data version the answer began reading at.
	HeaderVersion = "X-Trendgraph-Version"
	// HeaderMinVersion is the request header naming the data version the request needs.
	HeaderMinVersion = "X-Trendgraph-Min-Version"
	// DefaultMinVersionWait is how long a request waits for its minimum version: long enough
	// for a replica to apply a write committed elsewhere (milliseconds on a LAN), short enough
	// for the client to try another replica.
	DefaultMinVersionWait = 5 * time.Second
)

// awaitVersion waits for the version the request names, answering it itself (false) when the
// header is malformed or the wait runs out.
func (s *Server) awaitVersion(w http.ResponseWriter, r *http.Request) bool {
	if h := r.Header.Get(HeaderMinVersion); h != "" {
		want, err := strconv.ParseUint(h, 10, 64)
		if err != nil {
			s.reject(w, r, http.StatusBadRequest, graph.CodeBadRequest, "min_version", HeaderMinVersion+" must be a data version, a whole number")
			return false
		}
		wait := s.cfg.MinVersionWait
		if wait <= 0 {
			wait = DefaultMinVersionWait
		}
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		defer cancel()
		for {
			changed := s.store.Changed()
			if s.store.Version() >= want {
				break
			}
			select {
			case <-changed:
				continue
			case <-ctx.Done():
			}
			w.Header().Set("Retry-After", "1")
			s.reject(w, r, http.StatusServiceUnavailable, graph.CodeVersionNotReached,
				"min_version", "this server holds version "+strconv.FormatUint(s.store.Version(), 10)+", not yet "+h+": retry, or ask another replica")
			return false
		}
	}
	w.Header().Set(HeaderVersion, strconv.FormatUint(s.store.Version(), 10))
	return true
}
