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
	if err := dropDeferredGroups(cfg.Exec.Filename); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

// The executor gqlgen writes starts every object it marshals with graphql.NewDeferredGroup,
// which builds the object's whole response path (an allocation per path element) and a map,
// for the fields of the object under @defer. Our schema does not offer @defer (graph/handler.go
// removes the declaration, so validation refuses it), so no field is ever deferred and the group
// stays empty: an empty value does the same for nothing. On the nested bench query this was a
// fifth of the bytes allocated and a sixth of the time (BENCHMARKS.md). No template can say
// this, so the generated file is edited: the count must match the objects, or generation fails
// (a gqlgen upgrade that changes the line must be looked at, not silently skipped).
var (
	newDeferredGroup   = []byte("deferred := graphql.NewDeferredGroup(ctx)")
	emptyDeferredGroup = []byte("deferred := graphql.DeferredGroup{} // no @defer: see graph/gen")
)

func dropDeferredGroups(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("drop deferred groups: %w", err)
	}
	objects := bytes.Count(src, []byte("Implementors = []string{"))
	if n := bytes.Count(src, newDeferredGroup); n == 0 || n > objects {
		return fmt.Errorf("drop deferred groups: %s has %d of %q for %d object types: has gqlgen's executor changed?", path, n, newDeferredGroup, objects)
	}
	return os.WriteFile(path, bytes.ReplaceAll(src, newDeferredGroup, emptyDeferredGroup), 0o644)
}

// sequentialFields resolves the fields of one object one after another instead of each in a
// goroutine of its own, as gqlgen does by default for every field with a resolver or a method
// taking a context (it runs only Mutation's in order). The elements of a list are still
// marshalled concurrently, so the loaders' batching, which waits for every sibling object of a
// list to ask, still sees all of them; within one object the goroutines bought nothing but
// their start-up and stack growth, as each field's work is a loader call that is batched
// across the list anyway. Measured in BENCHMARKS.md ("What each lever bought").
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
