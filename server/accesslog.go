package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/trendgraph/trendgraph/graph"
)

// RequestIDHeader carries the request ID, taken from the client when it sends a sane one.
const RequestIDHeader = "X-Request-ID"

// requestIDKey is RequestIDHeader as http.Header keys it. Header's Get and Set canonicalize a
// key that is not, a new string on every request.
var requestIDKey = http.CanonicalHeaderKey(RequestIDHeader)

// requestIDRe is a client-sent request ID we repeat: short and safe in headers and logs.
var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// newRequestID is a random ID for a request that brought none.
func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

// WriteHeader remembers the first status written.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes written; a body without a header is a 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's own writer (flushing, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe is the outermost middleware: a request ID on every response and log line, an access
// log line per request (never variables, bodies or tokens), metrics, and recovery from panics.
func (s *Server) observe(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var id string
		if v := r.Header[requestIDKey]; len(v) > 0 {
			id = v[0]
		}
		if !requestIDRe.MatchString(id) {
			id = newRequestID()
		}
		w.Header()[requestIDKey] = []string{id}
		info := &requestInfo{id: id}
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(ctx, "panic serving request", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeError(sw, mediaJSON, http.StatusInternalServerError, graph.CodeInternal, "internal error")
				}
			}
			elapsed := time.Since(start)
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			info.mu.Lock()
			opName, opType, codes := info.opName, info.opType, slices.Clone(info.codes)
			var attrs []any
			if s.cfg.AccessLog {
				attrs = []any{"request_id", id, "method", r.Method, "route", route, "status", sw.status,
					"duration_ms", float64(elapsed.Microseconds()) / 1000, "bytes", sw.bytes}
				if info.opType != "" {
					attrs = append(attrs, "operation", logOperationName(info.opName), "operation_type", info.opType, "cost", info.cost)
				}
				if info.cached {
					attrs = append(attrs, "cache", "hit")
				}
				if len(info.codes) > 0 {
					attrs = append(attrs, "error_codes", strings.Join(info.codes, ","))
				}
				if info.rejected != "" {
					attrs = append(attrs, "rejected_by", info.rejected)
				}
			}
			info.mu.Unlock()
			s.metrics.observeRequest(route, opName, opType, sw.status, elapsed, codes)
			if s.cfg.AccessLog {
				s.log.LogAttrs(ctx, slog.LevelInfo, "request", argsToAttrs(attrs)...)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// argsToAttrs turns key-value pairs into the attributes LogAttrs takes.
func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, slog.Any(args[i].(string), args[i+1]))
	}
	return out
}
