package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// noDuplicateKeysByTokens is the check noDuplicateKeys replaced, kept as the reference it is
// compared with: encoding/json's tokens, one map of keys per object.

func noDuplicateKeysByTokens(b []byte) error {
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

// On valid JSON the scan finds exactly the duplicates the token walk finds, with the same
// message, and the request parameters read from it are those read through a map; on anything
// else it may only stay silent (the decoder refuses the body), call it malformed or name a
// repeated key.
func FuzzNoDuplicateKeys(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ a }","variables":{"a":1,"b":[{"a":1},{"a":2}]}}`,
		`{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `[{"a":1,"a":1}]`, `{"a":"\"a","\u0061":1}`,
		`{"\u00e9":1,"é":2}`, `{"a\\":1,"a\\":2}`, `{"x":"a\"b","y":{"x":1}}`, "{\"\xff\":1,\"\xfe\":2}",
		`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k3":3}`,
		`{"a":1} {"a":2}`, `{"a":`, `}`, `"`, `{"a":[1,2,{"b":[]}],"c":{}}`,
		`{"query":"{ a }","operationName":null,"variables":{"n":1.50,"s":"x,}"},"extensions":{"persistedQuery":{"version":1}}}`,
		` { "query" : "q" , "documentId" : "d" } `, `{"query":1}`, `{"variables":[1]}`, `{"Query":"q"}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := noDuplicateKeys(b)
		if !json.Valid(b) {
			if got != nil && got.Error() != "malformed JSON" && !strings.Contains(got.Error(), "appears twice") {
				t.Fatalf("%q: %v", b, got)
			}
			return
		}
		want := noDuplicateKeysByTokens(b)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q: scan says %v, tokens say %v", b, got, want)
		}
		// The request parameters read from the scan are those read through a map.
		p, err := decodeParams(b)
		q, errMap := decodeParamsByMap(b)
		if (err == nil) != (errMap == nil) || (err == nil && !reflect.DeepEqual(p, q)) {
			t.Fatalf("%q: from the scan %+v %v, through a map %+v %v", b, p, err, q, errMap)
		}
	})
}

// A body read again is answered from recentBodies only when it qualifies, and then with what
// reading it gives; every other body is read again, refusals included.
func TestRecentBodies(t *testing.T) {
	read := func(body string) ([]params, bool, *requestError) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", mediaJSON)
		return paramsFromBody(r, 1<<20, 10)
	}
	for _, c := range []struct {
		body string
		kept bool
	}{
		{`{"query":"{ a }","operationName":"A"}`, true},
		{`{"query":"{ b }","documentId":"d1"}`, true},
		{`{"query":"query Q($x: Int) { c(x: $x) }","variables":{"x":1}}`, false},
		{`{"query":"{ d }","extensions":{"persistedQuery":{"version":1}}}`, false},
		{`{"query":"{ e }","query":"{ f }"}`, false},
		{`{"operationName":"G"}`, false},
		{`[{"query":"{ h }"}]`, false},
		{`{"query":"{ i }","pad":"` + strings.Repeat("x", maxMemoBody) + `"}`, false},
	} {
		want, wantBatch, wantBad := read(c.body)
		if _, hit := recentBodies.get([]byte(c.body)); hit != c.kept {
			t.Errorf("%.60s: kept %v, want %v", c.body, hit, c.kept)
		}
		for range 2 {
			got, gotBatch, gotBad := read(c.body)
			if !reflect.DeepEqual(got, want) || gotBatch != wantBatch || !reflect.DeepEqual(gotBad, wantBad) {
				t.Errorf("%.60s read again: %+v %v %+v, want %+v %v %+v", c.body, got, gotBatch, gotBad, want, wantBatch, wantBad)
			}
		}
		if c.kept {
			// Another body in the slot takes it, and the first is read again.
			other := []byte(c.body + " ")
			recentBodies.slot([]byte(c.body)).Store(&memoBody{body: string(other), p: params{}})
			if p, hit := recentBodies.get([]byte(c.body)); hit {
				t.Errorf("%.60s: found the slot's other body's parameters %+v", c.body, p)
			}
			if got, _, _ := read(c.body); !reflect.DeepEqual(got, want) {
				t.Errorf("%.60s: %+v, want %+v", c.body, got, want)
			}
		}
	}
}
