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
