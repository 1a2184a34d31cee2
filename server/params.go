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

	"github.com/trendgraph/trendgraph/graph"
)

// params are one operation's request parameters: a POST body (or an element of a batch) or a
// GET request's query string.
type params struct {
	Query         *string        `json:"query"`
	OperationName *string        `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
	// DocumentID names a trusted document, as the persisted-documents proposal sends it beside
	// the query; extensions.documentId says the same.
	DocumentID *string `json:"documentId"`
}

// requestError is a request refused before GraphQL execution.
type requestError struct {
	status    int
	code, msg string
}

// badRequest refuses malformed request parameters.
func badRequest(msg string) *requestError {
	return &requestError{http.StatusBadRequest, graph.CodeBadRequest, msg}
}

// paramsFromQuery reads a GET request's parameters, each at most once.
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

// batchFromBody reads a batch: a JSON array of at most maxBatch request objects.
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

// checkParams refuses a request that names no document: no query, extensions or documentId.
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
