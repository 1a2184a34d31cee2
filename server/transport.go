package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of the GraphQL-over-HTTP specification.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// transport serves GET and POST as the GraphQL-over-HTTP specification asks, where gqlgen's
// own transports leave SHOULDs open: request errors answer 200 under application/json and 400
// without a data key under application/graphql-response+json; only queries run over GET.
type transport struct {
	limits *limiter
	docs   *trustedDocuments
}

var _ graphql.Transport = transport{}

func (transport) Supports(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodPost) && r.Header.Get("Upgrade") == ""
}

// params is the JSON body of a POST request.
type params struct {
	Query         *string        `json:"query"`
	OperationName *string        `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

func (t transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := responseMedia(r.Header.Values("Accept"))
	if !ok {
		writeError(w, mediaJSON, http.StatusNotAcceptable, "NOT_ACCEPTABLE",
			"the Accept header allows neither application/graphql-response+json nor application/json")
		return
	}
	var p params
	var status int
	var code, msg string
	if r.Method == http.MethodGet {
		p, status, code, msg = paramsFromQuery(r.URL.RawQuery)
	} else {
		p, status, code, msg = paramsFromBody(r, t.limits.cfg.MaxBodyBytes)
	}
	if status != 0 {
		writeError(w, media, status, code, msg)
		return
	}
	raw := &graphql.RawParams{Variables: p.Variables, Extensions: p.Extensions, Headers: r.Header}
	if p.Query != nil {
		raw.Query = *p.Query
	}
	if p.OperationName != nil {
		raw.OperationName = *p.OperationName
	}
	if err := t.docs.resolve(raw); err != nil {
		writeError(w, media, http.StatusBadRequest, err.code, err.msg)
		return
	}
	if err := t.limits.checkTokens(raw.Query); err != nil {
		writeGraphQLErrors(w, media, requestErrorStatus(media), gqlerror.List{err}, nil)
		return
	}
	raw.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}
	ctx := r.Context()
	rc, errs := exec.CreateOperationContext(ctx, raw)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		status := http.StatusOK
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = requestErrorStatus(media)
		}
		writeGraphQLErrors(w, media, status, resp.Errors, resp.Extensions)
		return
	}
	if r.Method == http.MethodGet {
		if op := rc.Doc.Operations.ForName(rc.OperationName); op != nil && op.Operation != ast.Query {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, media, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "only queries may be sent with GET; send mutations with POST")
			return
		}
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen gives no response when the context ended before execution began.
		if ctx.Err() != nil {
			writeError(w, media, http.StatusServiceUnavailable, "TIMEOUT", "the request was cancelled or timed out")
			return
		}
		writeError(w, media, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "the request produced no response")
		return
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	b, err := json.Marshal(resp)
	if err != nil {
		writeError(w, media, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "the response could not be encoded")
		return
	}
	_, _ = w.Write(b)
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

func paramsFromQuery(rawQuery string) (params, int, string, string) {
	var p params
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return p, http.StatusBadRequest, "BAD_REQUEST", "the query string is malformed"
	}
	if v, ok := q["query"]; ok {
		p.Query = &v[0]
	}
	if v, ok := q["operationName"]; ok && v[0] != "" {
		p.OperationName = &v[0]
	}
	for name, dst := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		if v := q.Get(name); v != "" {
			if err := decodeObject([]byte(v), dst); err != nil {
				return p, http.StatusBadRequest, "BAD_REQUEST", name + " must be a JSON object"
			}
		}
	}
	if p.Query == nil && p.Extensions == nil {
		return p, http.StatusBadRequest, "BAD_REQUEST", "the request has no query"
	}
	return p, 0, "", ""
}

func paramsFromBody(r *http.Request, maxBytes int64) (params, int, string, string) {
	var p params
	mt, ps, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != mediaJSON {
		return p, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send the request as application/json"
	}
	if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return p, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "the request must be UTF-8"
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return p, http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE", "the request body is larger than the limit of " + itoa(maxBytes) + " bytes"
	}
	if err != nil {
		return p, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read"
	}
	if !utf8.Valid(body) {
		return p, http.StatusBadRequest, "BAD_REQUEST", "the request body is not valid UTF-8"
	}
	if err := decodeObject(body, &p); err != nil {
		return p, http.StatusBadRequest, "BAD_REQUEST", "the request body must be a JSON object with a query: " + err.Error()
	}
	if p.Query == nil && p.Extensions == nil {
		return p, http.StatusBadRequest, "BAD_REQUEST", "the request has no query"
	}
	return p, 0, "", ""
}

// decodeObject decodes exactly one JSON object, numbers kept exact.
func decodeObject(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return errors.New("malformed JSON")
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("not a JSON object")
	}
	return nil
}

// writeError answers a request that never reached GraphQL execution.
func writeError(w http.ResponseWriter, media string, status int, code, msg string) {
	writeGraphQLErrors(w, media, status, gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}, nil)
}

// writeGraphQLErrors writes an errors-only response: without a data key, as the spec asks of
// a request that was not executed.
func writeGraphQLErrors(w http.ResponseWriter, media string, status int, errs gqlerror.List, ext map[string]any) {
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{errs, ext})
	_, _ = w.Write(b)
}
