// Command gen regenerates the GraphQL executor and models (graph/generated.go,
// graph/model/models_gen.go) from gqlgen.yml, as `gqlgen generate` does, with one plugin of
// ours that adjusts the code-generation data before the executor is written. Run it from the
// module root: `go generate ./graph` does.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: load gqlgen.yml: %v\n", err)
		os.Exit(1)
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialFields{})); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
	if err := edit(cfg.Exec.Filename); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

// edits are changes to the executor gqlgen writes that no template or plugin can make: each
// replaces one line, in every object's marshaller. Each must match once per object type, or
// generation fails: a gqlgen upgrade that changes such a line must be looked at, not silently
// skipped. What each bought is in BENCHMARKS.md ("What each lever bought").
var edits = []struct{ old, new, why string }{
	{
		// Every object starts with graphql.NewDeferredGroup, which builds the object's whole
		// response path (an allocation per path element) and a map, for the fields of the
		// object under @defer. Our schema does not offer @defer (graph/handler.go removes the
		// declaration, so validation refuses it): no field is ever deferred, the group stays
		// empty, and an empty value does the same for nothing.
		old: "\tdeferred := graphql.NewDeferredGroup(ctx)\n",
		new: "\tdeferred := graphql.DeferredGroup{} // no @defer: see graph/gen\n",
		why: "an object's unused @defer group",
	},
	{
		// The object's fields are written by objectJSON (graph/encode.go) instead of
		// gqlgen's field set writer, which keeps a map and heap copies to skip names that
		// CollectFields has already merged.
		old: "\n\treturn out\n}\n",
		new: "\n\treturn objectJSON{fields, out.Values}\n}\n",
		why: "an object's writer",
	},
}

func edit(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("edit the executor: %w", err)
	}
	objects := bytes.Count(src, []byte("Implementors = []string{"))
	for _, e := range edits {
		// Subscription's marshaller is a stream and has neither line: every other object has both.
		if n := bytes.Count(src, []byte(e.old)); n != objects-1 {
			return fmt.Errorf("edit the executor (%s): %s has %d of %q for %d object types: has gqlgen's executor changed?", e.why, path, n, e.old, objects)
		}
		src = bytes.ReplaceAll(src, []byte(e.old), []byte(e.new))
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		return fmt.Errorf("edit the executor: %w", err)
	}
	return nil
}

// sequentialFields resolves the fields of one object one after another instead of each in a
// goroutine of its own, as gqlgen does by default for every field with a resolver or a method
// taking a context (it runs only Mutation's in order). The elements of a list are still
// marshalled concurrently, so the loaders' batching, which waits for every sibling object of a
// list to ask, still sees all of them; within one object the goroutines bought nothing but
// their start-up and stack growth, as each field's work is a loader call that is batched
// across the list anyway.
type sequentialFields struct{}

func (sequentialFields) Name() string { return "sequentialfields" }

// GenerateCode runs before gqlgen writes the executor, so the change reaches its templates.
func (sequentialFields) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if o.Definition != data.Schema.Subscription {
			o.DisableConcurrency = true
		}
	}
	return nil
}
