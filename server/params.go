package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
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
	if ct := r.Header.Get("Content-Type"); ct != mediaJSON && ct != "application/json; charset=utf-8" {
		// The two usual spellings are taken as they are; anything else is parsed.
		mt, ps, err := mime.ParseMediaType(ct)
		if err != nil || mt != mediaJSON {
			return nil, false, &requestError{http.StatusUnsupportedMediaType, graph.CodeUnsupportedMediaType, "send the request as application/json"}
		}
		if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return nil, false, &requestError{http.StatusUnsupportedMediaType, graph.CodeUnsupportedMediaType, "the request must be UTF-8"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, false, &requestError{http.StatusRequestEntityTooLarge, graph.CodeBodyTooLarge, "the request body is larger than the limit of " + itoa(maxBytes) + " bytes"}
	}
	if err != nil {
		return nil, false, badRequest("the request body could not be read")
	}
	if p, ok := recentBodies.get(body); ok {
		return []params{p}, false, nil
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
	if bad := checkParams(p); bad != nil {
		return nil, false, bad
	}
	recentBodies.put(body, p)
	return []params{p}, false, nil
}

// recentBodies holds the parameters of single-operation bodies read lately, by their bytes:
// clients send the same body again and again (a portal's query, a page of a list), and a body
// seen before is then not checked and decoded again, which was a third of the time of an
// answer from the response cache. Only bodies without variables or extensions are kept: their
// parameters are strings, which nothing changes, where the maps of the others are changed
// later (documents.go). A slot holds the last body that hashed to it.
var recentBodies bodyMemo

type bodyMemo struct {
	slots [256]atomic.Pointer[memoBody]
}

type memoBody struct {
	body string
	p    params
}

// maxMemoBody bounds the bodies kept, and so what the memo holds (256 of them).
const maxMemoBody = 4 << 10

var memoSeed = maphash.MakeSeed()

func (m *bodyMemo) slot(body []byte) *atomic.Pointer[memoBody] {
	return &m.slots[maphash.Bytes(memoSeed, body)%uint64(len(m.slots))]
}

// get returns the parameters of body if it was read lately.
func (m *bodyMemo) get(body []byte) (params, bool) {
	if len(body) > maxMemoBody {
		return params{}, false
	}
	if e := m.slot(body).Load(); e != nil && e.body == string(body) {
		return e.p, true
	}
	return params{}, false
}

// put remembers p as the parameters of body, when they qualify.
func (m *bodyMemo) put(body []byte, p params) {
	if len(body) > maxMemoBody || p.Variables != nil || p.Extensions != nil {
		return
	}
	m.slot(body).Store(&memoBody{body: string(body), p: p})
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
	// Valid JSON, one object: its members are read from one scan of the bytes, which also
	// refuses a repeated key. Anything else takes the long way, for its message.
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		var bad error
		err := scanKeys(trimmed, func(key, raw []byte) {
			if bad == nil {
				bad = p.set(string(key), raw)
			}
		})
		if err == nil {
			err = bad
		}
		return p, err
	}
	return decodeParamsByMap(b)
}

// decodeParamsByMap is decodeParams through a map of the members: the long way, which tells
// malformed JSON from trailing data and from a value that is not an object.
func decodeParamsByMap(b []byte) (params, error) {
	var p params
	var fields map[string]json.RawMessage
	if err := decodeObject(b, &fields); err != nil {
		return p, err
	}
	for name, raw := range fields {
		if err := p.set(name, raw); err != nil {
			return p, err
		}
	}
	return p, nil
}

// set decodes the request parameter name from its JSON; unknown parameters are ignored.
func (p *params) set(name string, raw []byte) error {
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
		return nil
	}
	if string(raw) == "null" {
		return nil // as decoding it would: nothing given
	}
	var err error
	if name == "variables" || name == "extensions" {
		// Numbers are kept exact: a Decoder can be told so.
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		err = dec.Decode(dst)
	} else {
		err = json.Unmarshal(raw, dst) // strings: one pass over the bytes
	}
	if err != nil {
		return fmt.Errorf("%s has the wrong type", name)
	}
	return nil
}

// decodeObject decodes exactly one JSON object with no key twice in any object, numbers kept
// exact.
func decodeObject(b []byte, dst any) error {
	if err := noDuplicateKeys(b); err != nil {
		return err
	}
	// One object, the usual body, is decoded in one call; anything else takes the long way,
	// which tells malformed JSON from trailing data. (A Decoder reads through a buffer of its
	// own: more than half of a cached answer's parameter decoding.)
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(b, dst) == nil {
		return nil
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

// noDuplicateKeys scans a JSON document and refuses one whose objects repeat a key. It reads
// the bytes once, without making tokens: it runs on every request before the response cache
// is asked, and encoding/json's Token, which it replaced, was a fifth of a cached answer's time.
// It is exact on valid JSON. On invalid JSON it may stay silent (the decoder then refuses the
// body), call it malformed, or name a repeated key before the fault: refused either way.
func noDuplicateKeys(b []byte) error { return scanKeys(b, nil) }

// scanKeys is noDuplicateKeys that also hands member, when not nil, each member of the
// outermost object in order: its key, read as the decoder reads it, and its value's bytes. The
// members it hands are exact only for valid JSON.
func scanKeys(b []byte, member func(key, value []byte)) error {
	var topKey []byte
	valueStart := -1
	emit := func(end int) {
		if member != nil && valueStart >= 0 {
			member(topKey, bytes.TrimSpace(b[valueStart:end]))
		}
		valueStart = -1
	}
	type frame struct {
		object, expectKey bool
		keys              [][]byte
		set               map[string]struct{} // past setFrom keys, for big objects
	}
	const setFrom = 16
	var stack []frame
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			stack = append(stack, frame{object: true, expectKey: true})
		case '[':
			stack = append(stack, frame{})
		case '}', ']':
			if len(stack) == 0 {
				return errors.New("malformed JSON")
			}
			if len(stack) == 1 && stack[0].object {
				emit(i)
			}
			stack = stack[:len(stack)-1]
		case ':':
			if len(stack) == 1 && stack[0].object {
				valueStart = i + 1
			}
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].expectKey = true
				if n == 1 {
					emit(i)
				}
			}
		case '"':
			j, plain := i+1, true
			for ; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
					plain = false
				} else if b[j] >= 0x80 {
					plain = false
				}
			}
			if j >= len(b) {
				return errors.New("malformed JSON")
			}
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				f := &stack[n-1]
				f.expectKey = false
				key := b[i+1 : j]
				if !plain {
					// Escapes and invalid UTF-8 compare as the decoder reads them.
					var s string
					if err := json.Unmarshal(b[i:j+1], &s); err != nil {
						return errors.New("malformed JSON")
					}
					key = []byte(s)
				}
				dup := false
				if f.set != nil {
					_, dup = f.set[string(key)]
					f.set[string(key)] = struct{}{}
				} else {
					for _, k := range f.keys {
						if bytes.Equal(k, key) {
							dup = true
							break
						}
					}
					f.keys = append(f.keys, key)
					if len(f.keys) > setFrom {
						f.set = make(map[string]struct{}, 2*len(f.keys))
						for _, k := range f.keys {
							f.set[string(k)] = struct{}{}
						}
						f.keys = nil
					}
				}
				if dup {
					return fmt.Errorf("the key %q appears twice in one object", key)
				}
				if n == 1 {
					topKey = key
				}
			}
			i = j
		}
	}
	return nil
}
