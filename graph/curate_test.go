package graph

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// asCaller runs every request of h as c, as the server does for a bearer token.
func asCaller(h http.Handler, c Caller) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(WithCaller(r.Context(), c)))
	})
}

// newCuratorEnv is the curated dataset with the source text, every request made as a curator
// named alice with the write scope.
func newCuratorEnv(t *testing.T) *testEnv {
	t.Helper()
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, d, Options{Texts: texts})
	e.handler = asCaller(e.handler, Caller{Name: "alice", Scopes: []Scope{ScopeRead, ScopeWrite}})
	e.client = client.New(e.handler)
	return e
}

func (e *testEnv) dataVersion(t *testing.T) int {
	t.Helper()
	var resp struct{ DataVersion int }
	e.query(t, `{ dataVersion }`, &resp)
	return resp.DataVersion
}

const cite = `{section: "Serverless Computing", paragraph: 1}`

func TestCurationLoop(t *testing.T) {
	e := newCuratorEnv(t)
	v0 := e.dataVersion(t)

	// Create.
	var created struct {
		CreateEntity struct {
			ClientMutationID string
			Entity           struct {
				Slug     string
				Revision int
				Vendor   struct{ Slug string }
			}
			ChangeSet struct {
				Version     int
				Actor       string
				Reason      string
				ChangeCount int
			}
		}
	}
	e.query(t, `mutation { createEntity(input: {clientMutationId: "m1", reason: "the article names it", type: TECHNOLOGY,
		slug: "edge-runtime", name: "Edge Runtime", summary: "Runs handlers close to users.", kind: RUNTIME,
		lifecycle: EMERGING, vendor: "aws", trends: ["serverless-computing"], tags: ["edge"], citations: [`+cite+`]}) {
		clientMutationId entity { slug revision ... on Technology { vendor { slug } } } changeSet { version actor reason changeCount } } }`, &created)
	c := created.CreateEntity
	if c.ClientMutationID != "m1" || c.Entity.Slug != "edge-runtime" || c.Entity.Revision != 1 || c.Entity.Vendor.Slug != "aws" ||
		c.ChangeSet.Version != v0+1 || c.ChangeSet.Actor != "alice" || c.ChangeSet.Reason != "the article names it" || c.ChangeSet.ChangeCount != 1 {
		t.Fatalf("create: %+v", c)
	}

	// Update, based on revision 1; then again on the stale revision.
	var updated struct {
		UpdateEntity struct {
			Entity struct {
				Name     string
				Revision int
			}
		}
	}
	e.query(t, `mutation { updateEntity(input: {reason: "a clearer name", slug: "edge-runtime", revision: 1, name: "Edge runtimes"}) {
		entity { name revision } } }`, &updated)
	if updated.UpdateEntity.Entity.Name != "Edge runtimes" || updated.UpdateEntity.Entity.Revision != 2 {
		t.Fatalf("update: %+v", updated)
	}
	errs := e.gqlErrors(t, `mutation { updateEntity(input: {reason: "late", slug: "edge-runtime", revision: 1, name: "Late"}) { entity { name } } }`)
	if code(errs) != CodeConflict || errs[0].Extensions["currentRevision"] != float64(2) || errs[0].Extensions["expectedRevision"] != float64(1) {
		t.Fatalf("stale update: %+v", errs)
	}

	// Relate and unrelate.
	var related struct {
		Relate struct {
			Relationship struct {
				ID       string
				Revision int
				From     struct{ Slug string }
			}
		}
	}
	e.query(t, `mutation { relate(input: {reason: "both run functions", from: "edge-runtime", kind: ALTERNATIVE_TO, to: "aws-lambda",
		rationale: "Both run short handlers on demand.", citations: [`+cite+`]}) { relationship { id revision from { slug } } } }`, &related)
	if related.Relate.Relationship.From.Slug != "edge-runtime" || related.Relate.Relationship.Revision != 1 {
		t.Fatalf("relate: %+v", related)
	}
	var unrelated struct{ Unrelate struct{ ArchivedID string } }
	e.query(t, fmt.Sprintf(`mutation { unrelate(input: {reason: "not quite", id: %q}) { archivedId } }`, related.Relate.Relationship.ID), &unrelated)
	if unrelated.Unrelate.ArchivedID != related.Relate.Relationship.ID {
		t.Fatalf("unrelate: %+v", unrelated)
	}

	// History, newest first, and the changes touching the entity (its relationship's too).
	var hist struct {
		Technology struct {
			History struct {
				Edges []struct {
					Node struct {
						Action        string
						Revision      int
						ChangedFields []string
						Before        map[string]any
						After         map[string]any
						ChangeSet     struct{ Reason string }
					}
				}
			}
		}
		Changes struct {
			Edges []struct {
				Node struct {
					RecordKind string
					RecordKey  string
					Action     string
				}
			}
		}
	}
	e.query(t, `{ technology(slug: "edge-runtime") { history { edges { node { action revision changedFields before after changeSet { reason } } } } }
		changes(filter: {entity: "edge-runtime", actor: "alice"}) { edges { node { recordKind recordKey action } } } }`, &hist)
	h := hist.Technology.History.Edges
	if len(h) != 2 || h[0].Node.Action != "UPDATED" || h[0].Node.Revision != 2 || !slices.Equal(h[0].Node.ChangedFields, []string{"name"}) ||
		h[0].Node.Before["name"] != "Edge Runtime" || h[0].Node.After["name"] != "Edge runtimes" || h[0].Node.ChangeSet.Reason != "a clearer name" ||
		h[1].Node.Action != "CREATED" || h[1].Node.Before != nil {
		t.Fatalf("history: %+v", h)
	}
	var kinds []string
	for _, edge := range hist.Changes.Edges {
		kinds = append(kinds, edge.Node.RecordKind+" "+edge.Node.Action)
	}
	if !slices.Equal(kinds, []string{"RELATIONSHIP ARCHIVED", "RELATIONSHIP CREATED", "ENTITY UPDATED", "ENTITY CREATED"}) {
		t.Fatalf("changes touching edge-runtime: %v", kinds)
	}

	// The record as it was before the update, and the update reverted.
	var asOf struct {
		RecordAsOf struct {
			Revision int
			After    map[string]any
		}
	}
	e.query(t, fmt.Sprintf(`{ recordAsOf(slug: "edge-runtime", version: %d) { revision after } }`, v0+1), &asOf)
	if asOf.RecordAsOf.Revision != 1 || asOf.RecordAsOf.After["name"] != "Edge Runtime" {
		t.Fatalf("as of version %d: %+v", v0+1, asOf)
	}
	var reverted struct {
		Revert struct {
			ChangeSet struct {
				Reason  string
				Reverts struct{ Version int }
			}
		}
		Technology struct {
			Name     string
			Revision int
		}
	}
	e.query(t, fmt.Sprintf(`mutation { revert(input: {version: %d}) { changeSet { reason reverts { version } } } }`, v0+2), &reverted)
	e.query(t, `{ technology(slug: "edge-runtime") { name revision } }`, &reverted)
	if reverted.Revert.ChangeSet.Reverts.Version != v0+2 || !strings.Contains(reverted.Revert.ChangeSet.Reason, "revert") ||
		reverted.Technology.Name != "Edge Runtime" || reverted.Technology.Revision != 3 {
		t.Fatalf("revert: %+v", reverted)
	}
	// Reverting the create now conflicts: the entity changed since.
	if errs := e.gqlErrors(t, fmt.Sprintf(`mutation { revert(input: {version: %d}) { changeSet { version } } }`, v0+1)); code(errs) != CodeConflict {
		t.Fatalf("revert of a create changed since: %+v", errs)
	}
}

func code(errs []gqlError) any { return errs[0].Extensions["code"] }

// Bad input names every problem by its input field and writes nothing.
func TestMutationInputProblems(t *testing.T) {
	e := newCuratorEnv(t)
	v0 := e.dataVersion(t)
	cases := []struct {
		name   string
		m      string
		fields []string
	}{
		{"unknown vendor, empty summary and bad citation", `createEntity(input: {reason: "r", type: TECHNOLOGY, slug: "x-tool", name: "X", summary: " ",
			kind: TOOL, lifecycle: MATURE, vendor: "nobody", citations: [{section: "No such section", paragraph: 1}]}) { entity { slug } }`,
			[]string{"input.summary", "input.vendor", "input.citations[0].section"}},
		{"copied words", `createEntity(input: {reason: "r", type: SKILL, slug: "copy", name: "Copy",
			summary: "` + copiedRun(t) + `", citations: [` + cite + `]}) { entity { slug } }`, []string{"input.summary"}},
		{"no reason", `createEntity(input: {reason: "", type: SKILL, slug: "s", name: "S", summary: "A skill.", citations: [` + cite + `]}) { entity { slug } }`,
			[]string{"input.reason"}},
		{"a relationship to itself", `relate(input: {reason: "r", from: "go", kind: ALTERNATIVE_TO, to: "go", rationale: "x", citations: [` + cite + `]}) { relationship { id } }`,
			[]string{"input.to"}},
		{"a ring the radar lacks", `assess(input: {reason: "r", radar: "backend-2026", edition: "2026-03-01", entity: "mysql", quadrant: "techniques",
			ring: "nowhere", rationale: "x", citations: [` + cite + `]}) { assessment { ring { slug } } }`, []string{"input.ring"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := e.gqlErrors(t, "mutation { "+c.m+" }")
			if code(errs) != CodeBadUserInput {
				t.Fatalf("code %v: %+v", code(errs), errs)
			}
			problems, _ := errs[0].Extensions["problems"].([]any)
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.(map[string]any)["field"].(string))
			}
			for _, f := range c.fields {
				if !slices.Contains(fields, f) {
					t.Errorf("no problem for %s in %v (%s)", f, fields, errs[0].Message)
				}
			}
		})
	}
	if v := e.dataVersion(t); v != v0 {
		t.Fatalf("bad input moved the data version from %d to %d", v0, v)
	}
}

// copiedRun is a run of words copied from the source text, which the own-words rule refuses.
func copiedRun(t *testing.T) string {
	t.Helper()
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range texts {
		sec, ok := st.Section("Serverless Computing")
		if ok && len(sec.Paragraphs) > 0 {
			words := strings.Fields(sec.Paragraphs[0])
			return strings.ReplaceAll(strings.Join(words[:min(12, len(words))], " "), `"`, `\"`)
		}
	}
	t.Fatal("no serverless section in the source text")
	return ""
}

// Mutations need the write scope: no token is UNAUTHENTICATED, a read token FORBIDDEN.
func TestMutationsNeedTheWriteScope(t *testing.T) {
	for _, c := range []struct {
		caller *Caller
		want   string
	}{{nil, CodeUnauthenticated}, {&Caller{Name: "reader", Scopes: []Scope{ScopeRead}}, CodeForbidden}} {
		e := newEnv(t)
		if c.caller != nil {
			e.handler = asCaller(e.handler, *c.caller)
		}
		errs := e.gqlErrors(t, `mutation { addSource(input: {reason: "r", slug: "s2", title: "T"}) { source { slug } } }`)
		if code(errs) != c.want || errs[0].Extensions["scope"] != "write" {
			t.Errorf("caller %v: %+v, want %s", c.caller, errs, c.want)
		}
	}
}
