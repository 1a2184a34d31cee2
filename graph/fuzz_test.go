package graph

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/trendgraph/trendgraph/graph/model"
)

// FuzzGlobalID: decoding never panics, and whatever decodes encodes back to the same ID.
func FuzzGlobalID(f *testing.F) {
	for _, s := range []string{model.GlobalID("Technology", "ff"), model.GlobalID("Source", "x"), "", "!!", "VGVjaG5vbG9neTo", model.GlobalID("Nope", "1")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		typ, key, err := model.ParseGlobalID(id)
		if err != nil {
			return
		}
		if again := model.GlobalID(typ, key); again != id {
			t.Fatalf("%q decodes to %s:%s, which encodes to %q", id, typ, key, again)
		}
	})
}

// FuzzEntityFilter sends arbitrary filter values through the executor to the store. Invariants:
// never a panic and never an internal error: a filter is either answered or refused as bad
// input.
func FuzzEntityFilter(f *testing.F) {
	for _, s := range []string{`{"kinds":["DATABASE"]}`, `{"or":[{"tagsAny":["x"]},{"not":{"statuses":["EMERGING"]}}]}`,
		`{"text":"serv"}`, `{"ring":{"radar":"backend-2026","rings":["adopt"]}}`, `{"and":[{"and":[{"and":[]}]}]}`, `{"text":""}`, `{"trends":[""]}`} {
		f.Add(s)
	}
	// One store for every input, living as long as the fuzz target.
	env := newEnv(f)
	f.Fuzz(func(t *testing.T, filter string) {
		var v any
		if json.Unmarshal([]byte(filter), &v) != nil {
			return
		}
		resp, err := env.client.RawPost(`query($f: EntityFilter) { entities(filter: $f, first: 5) { totalCount nodes { slug } } }`, client.Var("f", v))
		if err != nil {
			return // the client refuses what is not valid GraphQL input (HTTP 422)
		}
		if strings.Contains(string(resp.Errors), "INTERNAL_SERVER_ERROR") {
			t.Fatalf("internal error for filter %s: %s", filter, resp.Errors)
		}
	})
}
