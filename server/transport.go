package server

import (
	"bytes"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/graph/model"
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

// Supports takes GET and POST requests that are not a websocket upgrade.
func (transport) Supports(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodPost) && r.Header.Get("Upgrade") == ""
}

// Do answers one request: a single operation with its own status (and HTTP caching when it
// qualifies), or a batch with 200 and one response per operation.
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
		writeParts(w, media, res.status, res.pieces())
		return
	}
	if t.chargeBatch != nil && !t.chargeBatch(w, r, len(ops)) {
		return
	}
	// A batch answers 200 with one response per operation, in order; each carries its errors.
	bodies := make([][]byte, len(ops))
	for i := range ops {
		bodies[i] = t.execute(w, r, exec, media, ops[i]).bytes()
	}
	writeBody(w, media, http.StatusOK, append(append([]byte{'['}, bytes.Join(bodies, []byte{','})...), ']'))
}

// result is one operation's answer.
type result struct {
	status int
	body   []byte
	// parts, when body is nil, are the body in pieces (see encodeResponse).
	parts [][]byte
	etag  string
	// httpCacheable marks answers that HTTP caches may keep: GET requests, and documents sent
	// by hash (persisted queries), whose URL or body names the document.
	httpCacheable bool
}

// pieces is the body as it is held: in parts, or whole.
func (r result) pieces() [][]byte {
	if r.body == nil && r.parts != nil {
		return r.parts
	}
	return [][]byte{r.body}
}

// bytes is the body in one piece.
func (r result) bytes() []byte { return joinParts(r.pieces()) }

// failed is an operation refused with status and errs, without a data key.
func failed(status int, errs gqlerror.List) result {
	return result{status: status, body: errorBody(errs, nil)}
}

// errorList is a single error with code.
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
		// Answers may hold links, which start where the client reaches the server.
		scope += "\x00" + model.LinkBase(r.Context())
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
	parts, err := encodeResponse(resp)
	if err != nil {
		return failed(http.StatusInternalServerError, errorList(graph.CodeInternal, "the response could not be encoded"))
	}
	// HTTP caches keep only complete answers: a passing error (a timeout, an APQ miss before
	// registration) must not stick in a CDN.
	isQuery := op != nil && op.Operation == ast.Query
	res := result{status: http.StatusOK, parts: parts, httpCacheable: (r.Method == http.MethodGet || byHash) && isQuery && len(resp.Errors) == 0}
	// Only complete answers of queries are kept: an error may be passing (a timeout, say).
	keep := cacheable && len(resp.Errors) == 0 && isQuery
	// The tag is a hash of the whole answer: made, with the answer in one piece, only for an
	// answer that is kept or that an HTTP cache may keep, which is all it is read for.
	if res.httpCacheable || keep {
		res.body = joinParts(parts)
		res.etag = etagOf(res.body)
	}
	if keep {
		t.cache.put(&cachedResponse{key: key, body: res.body, etag: res.etag, opName: op.Name, opType: string(op.Operation)})
	}
	return res
}
