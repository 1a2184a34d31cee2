// Command gen regenerates the GraphQL executor and models (graph/generated.go,
// graph/model/models_gen.go) from gqlgen.yml, as `gqlgen generate` does, with a plugin of ours
// that adjusts the code-generation data before the executor is written and a few checked edits
// of what gqlgen writes (see edit). Run it from the module root: `go generate ./graph` does.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		return fmt.Errorf("load gqlgen.yml: %w", err)
	}
	// gqlgen builds what it wrote to validate it, but our edits (arenaEdits) are what make
	// graph compile again: it is built once they are made, below.
	cfg.SkipValidation = true
	if err := api.Generate(cfg, api.AddPlugin(sequentialFields{}), api.AddPlugin(waitingFields{file: waitingFile})); err != nil {
		return err
	}
	if err := apply(cfg.Exec.Filename, append(execEdits, arenaEdits...)); err != nil {
		return err
	}
	if err := apply(cfg.Model.Filename, modelEdits); err != nil {
		return err
	}
	build := exec.Command("go", "build", filepath.Dir(cfg.Exec.Filename)+"/...")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build what was generated: %w", err)
	}
	return nil
}

// An edit is a change to the code gqlgen writes that no template or plugin can make: it
// replaces a line (or a few) wherever it occurs, and it must occur exactly once per item that
// the marker counts (object types, enums), or generation fails: a gqlgen upgrade that changes
// such a line must be looked at, not silently skipped. (Where the marker is the line itself,
// only its absence fails; a test keeps what replaces it alike.) What each bought is in
// BENCHMARKS.md ("What each lever bought").
type edit struct {
	old, new string
	// marker occurs once per item that must have the line; less is how many lack it.
	marker string
	less   int
	why    string
}

// execEdits change the executor (gqlgen.yml's exec.filename).
var execEdits = []edit{
	{
		// Every object starts with graphql.NewDeferredGroup, which builds the object's whole
		// response path (an allocation per path element) and a map, for the fields of the
		// object under @defer. Our schema does not offer @defer (graph/handler.go removes the
		// declaration, so validation refuses it): no field is ever deferred, the group stays
		// empty, and an empty value does the same for nothing.
		old:    "\tdeferred := graphql.NewDeferredGroup(ctx)\n",
		new:    "\tdeferred := graphql.DeferredGroup{} // no @defer: see graph/gen\n",
		marker: "Implementors = []string{",
		less:   1, // Subscription's marshaller is a stream, without either line
		why:    "an object's unused @defer group",
	},
	{
		// The object's fields are written by objectJSON (graph/encode.go) instead of
		// gqlgen's field set writer, which keeps a map and heap copies to skip names that
		// CollectFields has already merged.
		old:    "\n\treturn out\n}\n",
		new:    "\n\treturn ec.arena.object(fields, out.Values)\n}\n",
		marker: "Implementors = []string{",
		less:   1,
		why:    "an object's writer",
	},
	{
		// A query's answer is written into a buffer sized from the answers this query text
		// gave before (graph/encode.go), rather than one that doubles its way up from 64
		// bytes, copying all it holds each time.
		old:    "\t\t\tvar buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n",
		new:    "\t\t\tresponse.Data = ec.marshalResponse(opCtx, data)\n",
		marker: "\tcase ast.Query:\n",
		why:    "a query's response buffer",
	},
	{
		// A scalar field's context comes from the query's arena (graph/arena.go), with the
		// one Child function of its type instead of a new closure per field.
		old:    "\treturn graphql.NewScalarFieldContext(",
		new:    "\treturn ec.arena.scalarFieldContext(",
		marker: "\treturn graphql.NewScalarFieldContext(",
		why:    "a scalar field's context",
	},
	{
		// Lists are marshalled by marshalSlice (graph/encode.go): one after another in the
		// calling goroutine when nothing selected below the elements may wait, as gqlgen
		// does otherwise, in a goroutine each.
		old:    "\tret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {\n",
		new:    "\tret := ec.marshalSlice(ctx, len(v), func(ctx context.Context, i int) graphql.Marshaler {\n",
		marker: "graphql.MarshalSliceConcurrently(",
		why:    "a list's marshaller",
	},
}

// arenaEdits give a query an arena (graph/arena.go) that the executor's per-field and
// per-object objects come from, and that the next query reuses.
var arenaEdits = []edit{
	{
		old:    "type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n}\n",
		new:    "type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n\tarena *execArena // a query's, from its start until its answer is written; see graph/arena.go\n}\n",
		marker: "type executionContext struct {\n",
		why:    "the executor's arena",
	},
	{
		// Only a query's first answer: there is no @defer, so it is the only one. Mutations
		// and subscriptions run without an arena.
		old:    "\t\t\t\tdata = ec._Query(ctx, opCtx.Operation.SelectionSet)\n",
		new:    "\t\t\t\tec.arena = getArena()\n\t\t\t\tdata = ec._Query(ctx, opCtx.Operation.SelectionSet)\n",
		marker: "\tcase ast.Query:\n",
		why:    "a query's arena",
	},
	{
		old:    "\tfc = &graphql.FieldContext{\n",
		new:    "\tfc = ec.arena.fieldContext()\n\t*fc = graphql.FieldContext{\n",
		marker: "\tfc = &graphql.FieldContext{\n",
		why:    "a field's context",
	},
	{
		old:    "\tout := graphql.NewFieldSet(fields)\n",
		new:    "\tout := ec.arena.fieldSet(fields)\n",
		marker: "Implementors = []string{",
		less:   1,
		why:    "an object's field set",
	},
}

// modelEdits change the generated models (gqlgen.yml's model.filename).
var modelEdits = []edit{
	{
		// An enum value is a GraphQL name, which JSON needs no escaping for: writing it
		// between quotes spares the quoted copy and fmt's boxing of every value.
		old:    "\t_, _ = fmt.Fprint(w, strconv.Quote(e.String()))\n",
		new:    "\twriteEnum(w, string(e))\n",
		marker: ") IsValid() bool {",
		why:    "an enum value's writer",
	},
}

// apply makes the edits to the file at path.
func apply(path string, edits []edit) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("edit %s: %w", path, err)
	}
	for _, e := range edits {
		want := bytes.Count(src, []byte(e.marker)) - e.less
		if n := bytes.Count(src, []byte(e.old)); n != want || n == 0 {
			return fmt.Errorf("edit %s (%s): found %d of %q, want %d: has gqlgen's output changed?", path, e.why, n, e.old, want)
		}
		src = bytes.ReplaceAll(src, []byte(e.old), []byte(e.new))
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		return fmt.Errorf("edit %s: %w", path, err)
	}
	return nil
}

// sequentialFields resolves the fields of one object one after another instead of each in a
// goroutine of its own, as gqlgen does by default for every field with a resolver or a method
// taking a context (it runs only Mutation's in order). Query's root fields stay concurrent.
// Where the elements of a list may wait on a loader they are still marshalled concurrently
// (see graph/encode.go), so the loaders' batching, which waits for every sibling object of a
// list to ask, still sees all of them; within one object the goroutines bought nothing but
// their start-up and stack growth, as each field's work is a loader call that is batched
// across the list anyway.
type sequentialFields struct{}

func (sequentialFields) Name() string { return "sequentialfields" }

// GenerateCode runs before gqlgen writes the executor, so the change reaches its templates.
func (sequentialFields) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		// Query's fields keep their goroutines: the root fields of one request are independent
		// reads, which on an idle server answer sooner side by side.
		if o.Definition != data.Schema.Subscription && o.Definition != data.Schema.Query {
			o.DisableConcurrency = true
		}
	}
	return nil
}

// waitingFile is where waitingFields writes its table, beside the executor.
const waitingFile = "graph/waiting_gen.go"

// waitingFields writes the table of the fields whose resolution may wait: a resolver, or a
// method taking a context, for an object type, and for an interface the same of any of its
// implementations. graph/encode.go marshals the elements of a list one after another when
// nothing selected below them may wait, as a loader waits for its sibling objects to ask.
type waitingFields struct{ file string }

func (waitingFields) Name() string { return "waitingfields" }

func (w waitingFields) GenerateCode(data *codegen.Data) error {
	waits := map[string]map[string]bool{}
	add := func(typ, field string) {
		if waits[typ] == nil {
			waits[typ] = map[string]bool{}
		}
		waits[typ][field] = true
	}
	for _, o := range data.Objects {
		for _, f := range o.Fields {
			if f.IsResolver || f.MethodHasContext {
				add(o.Name, f.Name)
			}
		}
	}
	for name, in := range data.Interfaces {
		for _, impl := range in.Implementors {
			for field := range waits[impl.Name] {
				add(name, field)
			}
		}
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by graph/gen. DO NOT EDIT.\n\npackage graph\n\n")
	b.WriteString("// waitingFields are the fields whose resolution may wait on a loader, by type: a resolver or\n")
	b.WriteString("// a method taking a context, and for an interface the same of any of its implementations.\n")
	b.WriteString("var waitingFields = map[string]map[string]bool{\n")
	for _, typ := range slices.Sorted(maps.Keys(waits)) {
		fmt.Fprintf(&b, "\t%q: {", typ)
		for i, field := range slices.Sorted(maps.Keys(waits[typ])) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: true", field)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return fmt.Errorf("waiting fields: %w", err)
	}
	if err := os.WriteFile(w.file, src, 0o644); err != nil {
		return fmt.Errorf("waiting fields: %w", err)
	}
	return nil
}
