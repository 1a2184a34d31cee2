package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of the GraphQL-over-HTTP specification.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// reject answers a request refused before GraphQL execution, and counts it by limit.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, status int, code, limit, msg string) {
	if info := requestInfoFrom(r.Context()); info != nil {
		info.mu.Lock()
		info.rejected = limit
		info.mu.Unlock()
		info.addCode(code)
	}
	s.metrics.rejected.WithLabelValues(limit).Inc()
	media, ok := responseMedia(r.Header.Values("Accept"))
	if !ok {
		media = mediaJSON
	}
	writeError(w, media, status, code, msg)
}

// writeBody writes a complete response of the given media type and status.
func writeBody(w http.ResponseWriter, media string, status int, body []byte) {
	writeParts(w, media, status, [][]byte{body})
}

// writeParts writes a complete response given in parts, one after another.
func writeParts(w http.ResponseWriter, media string, status int, parts [][]byte) {
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
}

// requestErrorStatus is the status of a request that could not be executed at all: the spec
// asks 200 under application/json (legacy clients read the body) and 4xx under its own type.
func requestErrorStatus(media string) int {
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// responseMedia picks the response type from the Accept headers: the spec's own type if the
// client names it, application/json if it names that or accepts anything, and application/json
// when there is no Accept header at all.
func responseMedia(accepts []string) (string, bool) {
	best, found, any := "", false, false
	for _, header := range accepts {
		for part := range strings.SplitSeq(header, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			any = true
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || params["q"] == "0" {
				continue
			}
			switch mt {
			case mediaGraphQLResponse:
				return mediaGraphQLResponse, true
			case mediaJSON, "*/*", "application/*":
				best, found = mediaJSON, true
			}
		}
	}
	if !any {
		return mediaJSON, true
	}
	return best, found
}

// encodeResponse encodes a response, in pieces to be written one after another. gqlgen hands
// over its data already encoded; json.Marshal would scan and copy those bytes again (a
// RawMessage is validated and compacted), which showed in the profile of large answers, so a
// plain answer is the envelope's head, the data as gqlgen wrote it, and the tail: a large answer
// is not copied into one slice unless it has to be kept whole (see joinParts).
func encodeResponse(resp *graphql.Response) ([][]byte, error) {
	if len(resp.Errors) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil || len(resp.Data) == 0 {
		b, err := json.Marshal(resp)
		return [][]byte{b}, err
	}
	if len(resp.Extensions) == 0 {
		return [][]byte{dataHead, resp.Data, closeBrace}, nil
	}
	ext, err := json.Marshal(resp.Extensions)
	if err != nil {
		return nil, err
	}
	tail := make([]byte, 0, len(ext)+len(extHead)+1)
	tail = append(append(append(tail, extHead...), ext...), '}')
	return [][]byte{dataHead, resp.Data, tail}, nil
}

var (
	dataHead   = []byte(`{"data":`)
	extHead    = []byte(`,"extensions":`)
	closeBrace = []byte(`}`)
)

// joinParts is a body written in parts, as one slice.
func joinParts(parts [][]byte) []byte {
	if len(parts) == 1 {
		return parts[0]
	}
	return bytes.Join(parts, nil)
}

// writeError answers a request that never reached GraphQL execution.
func writeError(w http.ResponseWriter, media string, status int, code, msg string) {
	writeGraphQLErrors(w, media, status, gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}, nil)
}

// writeGraphQLErrors writes an errors-only response.
func writeGraphQLErrors(w http.ResponseWriter, media string, status int, errs gqlerror.List, ext map[string]any) {
	writeBody(w, media, status, errorBody(errs, ext))
}

// errorBody is an errors-only response: without a data key, as the spec asks of a request that
// was not executed.
func errorBody(errs gqlerror.List, ext map[string]any) []byte {
	b, _ := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{errs, ext})
	return b
}
