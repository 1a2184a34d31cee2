package graph

import (
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
)

// _entities reads every representation in one batch: one read by ID, one by slug, and the
// fields below batch as any sibling objects do (the loaders' timer is an hour here: a batch that
// waited for it would hang the test).
func TestEntitiesReadInOneBatch(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{Loaders: LoaderOptions{Wait: time.Hour}})
	var ids struct{ Lambda, Aurora struct{ ID string } }
	e.query(t, `{ lambda: technology(slug: "aws-lambda") { id } aurora: technology(slug: "amazon-aurora") { id } }`, &ids)
	reps := []map[string]any{
		{"__typename": "Technology", "id": ids.Lambda.ID},
		{"__typename": "Technology", "slug": "kubernetes"},
		{"__typename": "Trend", "slug": "serverless-computing"},
		{"__typename": "Technology", "id": ids.Aurora.ID},
		{"__typename": "Technology", "slug": "go"},
	}
	before := e.store.Stats()
	var out struct {
		Entities []*struct {
			Typename string `json:"__typename"`
			Slug     string
			Vendor   *struct{ Slug string }
		} `json:"_entities"`
	}
	e.query(t, `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Entity { slug } ... on Technology { vendor { slug } } } }`,
		&out, client.Var("r", reps))
	want := []string{"aws-lambda", "kubernetes", "serverless-computing", "amazon-aurora", "go"}
	if len(out.Entities) != len(want) {
		t.Fatalf("got %d entities, want %d", len(out.Entities), len(want))
	}
	for i, w := range want {
		if out.Entities[i] == nil || out.Entities[i].Slug != w || out.Entities[i].Typename != reps[i]["__typename"] {
			t.Fatalf("entity %d: %+v, want %s", i, out.Entities[i], w)
		}
	}
	if out.Entities[0].Vendor == nil || out.Entities[0].Vendor.Slug != "aws" {
		t.Fatalf("aws-lambda's vendor: %+v", out.Entities[0].Vendor)
	}
	// By ID, by slug, and the vendors of all the technologies at once.
	if got := e.store.Stats().ReadTxns - before.ReadTxns; got > 3 {
		t.Fatalf("%d read transactions for 5 representations, want at most 3", got)
	}
}

// A representation that is malformed or names nothing of its type is null with an error at its
// index; the others are answered, and their siblings' loads do not wait for the timer (an
// entity found under another type's name must not join their group).
func TestEntitiesRefuseBadRepresentationsOneByOne(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{Loaders: LoaderOptions{Wait: time.Hour}})
	reps := []map[string]any{
		{"__typename": "Technology", "slug": "aws-lambda"},
		{"__typename": "Trend", "slug": "kubernetes"}, // a technology's slug
		{"__typename": "Query", "slug": "go"},
		{"__typename": "Technology"},
		{"__typename": "Technology", "id": "not-an-id"},
		{"__typename": "Technology", "slug": "Not A Slug"},
		{"__typename": "Technology", "slug": "no-such-technology"},
	}
	q := `query($r: [_Any!]!) { _entities(representations: $r) { ... on Technology { slug vendor { slug } } } }`
	errs := e.gqlErrors(t, q, map[string]any{"r": reps})
	want := map[float64]string{1: CodeNotFound, 2: CodeBadUserInput, 3: CodeBadUserInput, 4: CodeBadUserInput, 5: CodeBadUserInput, 6: CodeNotFound}
	if len(errs) != len(want) {
		t.Fatalf("errors: %+v", errs)
	}
	for _, err := range errs {
		if len(err.Path) != 2 || err.Path[0] != "_entities" {
			t.Fatalf("error without its index: %+v", err)
		}
		i, _ := err.Path[1].(float64)
		if want[i] != err.Extensions["code"] || strings.HasPrefix(err.Message, "input:") {
			t.Fatalf("representation %v: %+v, want %s", i, err, want[i])
		}
	}
	var out struct {
		Entities []*struct {
			Slug   string
			Vendor *struct{ Slug string }
		} `json:"_entities"`
	}
	// The same over the client, which decodes the data beside the errors.
	_ = e.client.Post(q, &out, client.Var("r", reps))
	if len(out.Entities) != len(reps) || out.Entities[0] == nil || out.Entities[0].Vendor == nil {
		t.Fatalf("the good representation was not answered: %+v", out.Entities)
	}
	for i := 1; i < len(reps); i++ {
		if out.Entities[i] != nil {
			t.Fatalf("representation %d answered: %+v", i, out.Entities[i])
		}
	}
}

// _entities takes at most MaxIDs representations, as nodes(ids:) does.
func TestEntitiesBound(t *testing.T) {
	e := newEnv(t)
	reps := make([]map[string]any, 101)
	for i := range reps {
		reps[i] = map[string]any{"__typename": "Technology", "slug": "go"}
	}
	errs := e.gqlErrors(t, `query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, map[string]any{"r": reps})
	if errs[0].Extensions["code"] != CodeBadUserInput || errs[0].Extensions["max"] != float64(100) || errs[0].Extensions["actual"] != float64(101) {
		t.Fatalf("errors: %+v", errs)
	}
}

// _service gives composition the public contract itself: schema.graphqls, with @link and the
// entity types' @key.
func TestServiceSDLIsTheContract(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Service struct{ SDL string } `json:"_service"`
	}
	e.query(t, `{ _service { sdl } }`, &out)
	if out.Service.SDL != SDL() || !strings.Contains(SDL(), `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])`) {
		t.Fatalf("_service.sdl is not schema.graphqls with its @link")
	}
	for _, typ := range []string{"Trend", "Technology", "Tradeoff", "UseCase", "Organization", "Skill"} {
		if !strings.Contains(SDL(), "type "+typ+` implements Node & Entity @key(fields: "id") @key(fields: "slug") {`) {
			t.Errorf("%s has no @key on id and on slug", typ)
		}
	}
}
