package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/trendgraph/trendgraph/graph"
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
	docs   *documents
	// cache, when set, answers repeated queries from memory; version is the store's data
	// version, part of every key.
	cache   *responseCache
	version func() uint64
	// maxAge is the Cache-Control max-age of cacheable GET and persisted-query answers.
	maxAge int
	// chargeBatch counts a batch's further operations against the client's rate, answering
	// the request itself when they do not fit.
	chargeBatch func(w http.ResponseWriter, r *http.Request, operations int) bool
	// hideSchema drops the names validation errors suggest (introspection is off).
	hideSchema bool
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
	// DocumentID names a trusted document, as the persisted-documents proposal sends it beside
	// the query; extensions.documentId says the same.
	DocumentID *string `json:"documentId"`
}

func (t transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := responseMedia(r.Header.Values("Accept"))
	if !ok {
		writeError(w, mediaJSON, http.StatusNotAcceptable, graph.CodeNotAcceptable,
			"the Accept header allows neither application/graphql-response+json nor application/json")
		return
	}
	var ops []params
	var isBatch bool
	var bad *requestError
	if r.Method == http.MethodGet {
		var p params
		p, bad = paramsFromQuery(r.URL.RawQuery)
		ops = []params{p}
	} else {
		ops, isBatch, bad = paramsFromBody(r, t.limits.cfg.MaxBodyBytes, t.limits.cfg.MaxBatch)
	}
	if bad != nil {
		if bad.code == graph.CodeBatchLimit {
			t.limits.reject("batch")
		}
		writeError(w, media, bad.status, bad.code, bad.msg)
		return
	}
	if !isBatch {
		// One request, one response with its own status.
		res := t.execute(w, r, exec, media, ops[0])
		if res.httpCacheable && res.status == http.StatusOK {
			// GET and persisted-query answers may be kept by browsers, proxies and CDNs.
			w.Header().Set("ETag", res.etag)
			w.Header().Set("Cache-Control", t.cacheControl(r))
			w.Header().Add("Vary", "Accept, Authorization")
			if etagMatches(r.Header.Get("If-None-Match"), res.etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		writeBody(w, media, res.status, res.body)
		return
	}
	if t.chargeBatch != nil && !t.chargeBatch(w, r, len(ops)) {
		return
	}
	// A batch answers 200 with one response per operation, in order; each carries its errors.
	bodies := make([][]byte, len(ops))
	for i := range ops {
		bodies[i] = t.execute(w, r, exec, media, ops[i]).body
	}
	writeBody(w, media, http.StatusOK, append(append([]byte{'['}, bytes.Join(bodies, []byte{','})...), ']'))
}

// result is one operation's answer.
type result struct {
	status int
	body   []byte
	etag   string
	// httpCacheable marks answers that HTTP caches may keep: GET requests, and documents sent
	// by hash (persisted queries), whose URL or body names the document.
	httpCacheable bool
}

func failed(status int, errs gqlerror.List) result {
	return result{status: status, body: errorBody(errs, nil)}
}

func errorList(code, msg string) gqlerror.List {
	return gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}
}

// execute runs one operation, or answers it from the response cache.
func (t transport) execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, p params) result {
	raw := &graphql.RawParams{Variables: p.Variables, Extensions: p.Extensions, Headers: r.Header}
	if p.DocumentID != nil {
		if id, ok := raw.Extensions["documentId"]; ok && id != *p.DocumentID {
			return failed(http.StatusBadRequest, errorList(graph.CodeBadRequest, "documentId and extensions.documentId name different documents"))
		}
		if raw.Extensions == nil {
			raw.Extensions = map[string]any{}
		}
		raw.Extensions["documentId"] = *p.DocumentID
	}
	if p.Query != nil {
		raw.Query = *p.Query
	}
	if p.OperationName != nil {
		raw.OperationName = *p.OperationName
	}
	// A request without text names its document by hash: its URL or body identifies it.
	byHash := raw.Query == ""
	if err := t.docs.resolve(raw); err != nil {
		status := http.StatusBadRequest
		if err.apq {
			// As gqlgen's own APQ answers them: 200 under application/json.
			status = requestErrorStatus(media)
		}
		return failed(status, errorList(err.code, err.msg))
	}
	if err := t.limits.checkTokens(raw.Query); err != nil {
		return failed(requestErrorStatus(media), gqlerror.List{err})
	}
	info := requestInfoFrom(r.Context())
	// The cache knows an answer by the text that runs, settled above; a hash whose text is not
	// known yet runs nothing worth keeping.
	key, cacheable := "", t.cache != nil && raw.Query != ""
	if cacheable {
		scope := ""
		if info != nil {
			scope = info.scope()
		}
		key, cacheable = cacheKey(t.version(), scope, raw.OperationName, raw.Query, raw.Variables)
	}
	if cacheable {
		if hit, ok := t.cache.get(key); ok {
			if info != nil {
				info.setOperation(hit.opName, hit.opType)
				info.setCached()
			}
			return result{status: http.StatusOK, body: hit.body, etag: hit.etag, httpCacheable: r.Method == http.MethodGet || byHash}
		}
	}
	raw.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}
	ctx := r.Context()
	rc, errs := exec.CreateOperationContext(ctx, raw)
	if errs != nil {
		explainErrors(errs, raw.Variables, t.hideSchema)
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		status := http.StatusOK
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			status = requestErrorStatus(media)
		}
		return result{status: status, body: errorBody(resp.Errors, resp.Extensions)}
	}
	op := rc.Doc.Operations.ForName(rc.OperationName)
	if r.Method == http.MethodGet && op != nil && op.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		return failed(http.StatusMethodNotAllowed, errorList(graph.CodeMethodNotAllowed, "only queries may be sent with GET; send mutations with POST"))
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen gives no response when the context ended before execution began.
		if ctx.Err() != nil {
			return failed(http.StatusServiceUnavailable, errorList(graph.CodeTimeout, "the request was cancelled or timed out"))
		}
		return failed(http.StatusInternalServerError, errorList(graph.CodeInternal, "the request produced no response"))
	}
	b, err := encodeResponse(resp)
	if err != nil {
		return failed(http.StatusInternalServerError, errorList(graph.CodeInternal, "the response could not be encoded"))
	}
	// HTTP caches keep only complete answers: a passing error (a timeout, an APQ miss before
	// registration) must not stick in a CDN.
	res := result{status: http.StatusOK, body: b, etag: etagOf(b), httpCacheable: (r.Method == http.MethodGet || byHash) && len(resp.Errors) == 0}
	// Only complete answers of queries are kept: an error may be passing (a timeout, say).
	if cacheable && len(resp.Errors) == 0 && op != nil && op.Operation == ast.Query {
		t.cache.put(&cachedResponse{key: key, body: b, etag: res.etag, opName: op.Name, opType: string(op.Operation)})
	}
	return res
}

// encodeResponse writes a response. gqlgen hands over its data already encoded; json.Marshal
// would scan and copy those bytes again (a RawMessage is validated and compacted), which showed
// in the profile of large answers, so a plain answer is assembled around them.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if len(resp.Errors) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil || len(resp.Data) == 0 {
		return json.Marshal(resp)
	}
	var ext []byte
	if len(resp.Extensions) > 0 {
		var err error
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 0, len(resp.Data)+len(ext)+24)
	b = append(b, `{"data":`...)
	b = append(b, resp.Data...)
	if ext != nil {
		b = append(b, `,"extensions":`...)
		b = append(b, ext...)
	}
	return append(b, '}'), nil
}

func (t transport) cacheControl(r *http.Request) string {
	visibility := "public"
	if info := requestInfoFrom(r.Context()); info != nil && info.scope() != "" {
		visibility = "private" // an answer for one caller's token is not for shared caches
	}
	return visibility + ", max-age=" + itoa(int64(t.maxAge))
}

// etagMatches reports whether an If-None-Match header names etag (or is "*").
func etagMatches(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "W/"))
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}

func writeBody(w http.ResponseWriter, media string, status int, body []byte) {
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
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

// requestError is a request refused before GraphQL execution.
type requestError struct {
	status    int
	code, msg string
}

func badRequest(msg string) *requestError {
	return &requestError{http.StatusBadRequest, graph.CodeBadRequest, msg}
}

func paramsFromQuery(rawQuery string) (params, *requestError) {
	var p params
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return p, badRequest("the query string is malformed")
	}
	for _, name := range []string{"query", "operationName", "variables", "extensions", "documentId"} {
		if len(q[name]) > 1 {
			// Which one would run is a guess a gateway may make differently.
			return p, badRequest("the parameter " + name + " appears more than once")
		}
	}
	if v, ok := q["query"]; ok {
		p.Query = &v[0]
	}
	if v, ok := q["documentId"]; ok {
		p.DocumentID = &v[0]
	}
	if v, ok := q["operationName"]; ok && v[0] != "" {
		p.OperationName = &v[0]
	}
	for name, dst := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		if v := q.Get(name); v != "" {
			if err := decodeObject([]byte(v), dst); err != nil {
				return p, badRequest(name + " must be a JSON object")
			}
		}
	}
	return p, checkParams(p)
}

// paramsFromBody reads a POST body: one operation, or a JSON array (a batch) of at most
// maxBatch operations.
func paramsFromBody(r *http.Request, maxBytes int64, maxBatch int) ([]params, bool, *requestError) {
	mt, ps, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != mediaJSON {
		return nil, false, &requestError{http.StatusUnsupportedMediaType, graph.CodeUnsupportedMediaType, "send the request as application/json"}
	}
	if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, false, &requestError{http.StatusUnsupportedMediaType, graph.CodeUnsupportedMediaType, "the request must be UTF-8"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, false, &requestError{http.StatusRequestEntityTooLarge, graph.CodeBodyTooLarge, "the request body is larger than the limit of " + itoa(maxBytes) + " bytes"}
	}
	if err != nil {
		return nil, false, badRequest("the request body could not be read")
	}
	if !utf8.Valid(body) {
		return nil, false, badRequest("the request body is not valid UTF-8")
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		ops, bad := batchFromBody(trimmed, maxBatch)
		return ops, true, bad
	}
	p, err := decodeParams(body)
	if err != nil {
		return nil, false, badRequest("the request body must be a JSON object with a query: " + err.Error())
	}
	return []params{p}, false, checkParams(p)
}

func batchFromBody(body []byte, maxBatch int) ([]params, *requestError) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, badRequest("the request body must be a JSON array of requests: malformed JSON")
	}
	if len(raws) == 0 {
		return nil, badRequest("the batch is empty")
	}
	if maxBatch > 0 && len(raws) > maxBatch {
		return nil, &requestError{http.StatusBadRequest, graph.CodeBatchLimit,
			fmt.Sprintf("the batch limit is %d operations; this request has %d", maxBatch, len(raws))}
	}
	out := make([]params, len(raws))
	for i, raw := range raws {
		var err error
		if out[i], err = decodeParams(raw); err != nil {
			return nil, badRequest(fmt.Sprintf("request %d of the batch must be a JSON object with a query: %v", i, err))
		}
		if bad := checkParams(out[i]); bad != nil {
			return nil, bad
		}
	}
	return out, nil
}

func checkParams(p params) *requestError {
	if p.Query == nil && p.Extensions == nil && p.DocumentID == nil {
		return badRequest("the request has no query")
	}
	return nil
}

// decodeParams reads one request object. Its parameters are matched exactly (encoding/json
// would take "Query" for "query") and no key may appear twice (encoding/json keeps the last,
// so a gateway that reads the first would see another request than the one that runs).
// Unknown parameters are ignored.
func decodeParams(b []byte) (params, error) {
	var p params
	var fields map[string]json.RawMessage
	if err := decodeObject(b, &fields); err != nil {
		return p, err
	}
	for name, raw := range fields {
		var dst any
		switch name {
		case "query":
			dst = &p.Query
		case "operationName":
			dst = &p.OperationName
		case "variables":
			dst = &p.Variables
		case "extensions":
			dst = &p.Extensions
		case "documentId":
			dst = &p.DocumentID
		default:
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			return p, fmt.Errorf("%s has the wrong type", name)
		}
	}
	return p, nil
}

// decodeObject decodes exactly one JSON object with no key twice in any object, numbers kept
// exact.
func decodeObject(b []byte, dst any) error {
	if err := noDuplicateKeys(b); err != nil {
		return err
	}
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

// noDuplicateKeys walks a JSON document and refuses one whose objects repeat a key.
func noDuplicateKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	// One frame per open object or array: the keys seen, and whether the next string is a key.
	type frame struct {
		keys      map[string]bool
		expectKey bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errors.New("malformed JSON")
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{keys: map[string]bool{}, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:top]
				if top > 0 && stack[top-1].keys != nil {
					stack[top-1].expectKey = true
				}
			}
			continue
		}
		if top < 0 || stack[top].keys == nil {
			continue
		}
		if stack[top].expectKey {
			key := tok.(string)
			if stack[top].keys[key] {
				return fmt.Errorf("the key %q appears twice in one object", key)
			}
			stack[top].keys[key] = true
			stack[top].expectKey = false
		} else {
			stack[top].expectKey = true
		}
	}
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
