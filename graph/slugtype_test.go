package graph

import (
	"strings"
	"testing"
)

// A slug asked of the wrong type's field is NOT_FOUND, saying which type it names and how to ask.
func TestSlugOfAnotherTypeSaysWhichType(t *testing.T) {
	e := newEnv(t)
	errs := e.gqlErrors(t, `{ technology(slug: "serverless-computing") { name } }`)
	if len(errs) != 1 || errs[0].Extensions["code"] != "NOT_FOUND" ||
		!strings.Contains(errs[0].Message, `it names a trend (ask trend(slug: "serverless-computing")`) {
		t.Fatalf("errors: %+v", errs)
	}
	errs = e.gqlErrors(t, `{ technology(slug: "no-such-thing") { name } }`)
	if len(errs) != 1 || errs[0].Message != `no technology has the slug "no-such-thing"` {
		t.Fatalf("an unknown slug: %+v", errs)
	}
}

// Every relationship kind is reachable as entities from the entity's own fields, those no typed
// field shows too: what OpenTelemetry standardizes.
func TestRelatedReachesEveryKind(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Technology struct {
			Related struct {
				TotalCount int
				Nodes      []struct{ Slug string }
			}
			Typed struct{ TotalCount int }
		}
	}
	e.query(t, `{ technology(slug: "opentelemetry") {
		related(kinds: [STANDARDIZES], direction: OUTGOING) { totalCount nodes { slug } }
		typed: related(kinds: [STANDARDIZES], direction: INCOMING, types: [TECHNOLOGY]) { totalCount } } }`, &out)
	var slugs []string
	for _, n := range out.Technology.Related.Nodes {
		slugs = append(slugs, n.Slug)
	}
	if out.Technology.Related.TotalCount < 3 || !strings.Contains(strings.Join(slugs, ","), "traces") || out.Technology.Typed.TotalCount != 0 {
		t.Fatalf("related: %+v", out.Technology)
	}
}
