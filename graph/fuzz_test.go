package graph

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
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
		`{"text":"serv"}`, `{"ring":{"radar":"backend-2026","rings":["adopt"]}}`, `{"and":[{"and":[{"and":[]}]}]}`, `{"text":""}`, `{"trends":[""]}`,
		`{"reach":{"from":"go","hops":2,"kinds":["USES"],"direction":"OUTGOING"}}`, `{"not":{"reach":{"from":"VGVjaG5vbG9neTpiZWVm"}}}`,
		`{"and":[{"reach":{"from":"microservices"}},{"reach":{"from":"observability","hops":3}}]}`} {
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

// FuzzCreateEntity sends arbitrary createEntity inputs through the executor to the write side.
// Invariants: never a panic or an internal error; a refused input writes nothing (the data
// version stays); an accepted one is readable at once.
func FuzzCreateEntity(f *testing.F) {
	for _, s := range []string{
		`{"reason":"r","type":"SKILL","slug":"s","name":"S","summary":"A skill.","citations":[{"section":"Conclusion","paragraph":1}]}`,
		`{"reason":"r","type":"TECHNOLOGY","slug":"t","name":"T","summary":"x","kind":"TOOL","lifecycle":"MATURE","vendor":"aws","trends":["serverless-computing"],"citations":[{"section":"Conclusion","paragraph":1}]}`,
		`{"reason":"r","type":"TRADEOFF","slug":"c","name":"C","summary":"x","tradeoffType":"CHALLENGE","appliesTo":["go","c"],"citations":[{"section":"Conclusion","paragraph":99}]}`,
		`{"reason":"","type":"TREND","slug":"A--b","name":"","summary":"","status":"EMERGING","parent":"A--b","citations":[]}`,
		`{"reason":"r","type":"SKILL","slug":"go","name":"G","summary":"x","tags":["a","a"],"citations":[{"source":"nope","section":"","paragraph":0}]}`,
	} {
		f.Add(s)
	}
	s, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), store.Config{NoSync: true, BatchDelay: time.Microsecond})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	if err := s.Import(context.Background(), kbtest.Curated(f)); err != nil {
		f.Fatal(err)
	}
	h := NewExecutor(s, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h.AddTransport(transport.POST{})
	c := client.New(asCaller(h, Caller{Name: "fuzz", Scopes: []Scope{ScopeRead, ScopeWrite}}))
	f.Fuzz(func(t *testing.T, input string) {
		var v map[string]any
		if json.Unmarshal([]byte(input), &v) != nil {
			return
		}
		before := s.Version()
		resp, err := c.RawPost(`mutation($in: CreateEntityInput!) { createEntity(input: $in) { entity { slug revision } } }`, client.Var("in", v))
		if err != nil {
			return // not valid GraphQL input (HTTP 422): refused before it ran
		}
		if strings.Contains(string(resp.Errors), "INTERNAL_SERVER_ERROR") {
			t.Fatalf("internal error for %s: %s", input, resp.Errors)
		}
		if len(resp.Errors) > 0 && string(resp.Errors) != "null" {
			if s.Version() != before {
				t.Fatalf("a refused input moved the version from %d to %d: %s", before, s.Version(), resp.Errors)
			}
			return
		}
		var out struct {
			CreateEntity struct{ Entity struct{ Slug string } }
		}
		data, _ := json.Marshal(resp.Data)
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
		got, err := s.EntitiesBySlug(context.Background(), []string{out.CreateEntity.Entity.Slug})
		if err != nil || got[0] == nil || s.Version() != before+1 {
			t.Fatalf("accepted %s, but it is not there (version %d → %d): %v", input, before, s.Version(), err)
		}
	})
}
