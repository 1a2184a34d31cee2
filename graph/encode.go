package graph

import (
	"bytes"
	"context"
	"errors"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// objectJSON writes one object of the response: its fields' response names and values, in
// the order of the query. The executor graph/gen writes returns it in place of gqlgen's own
// field set writer, which keeps a map of the names written and copies each field to the heap
// to skip names written twice: CollectFields has already merged the fields that share a
// response name (validation makes sure they can be), so there are none, and on the nested
// bench query that bookkeeping was a sixth of the bytes allocated (BENCHMARKS.md).
type objectJSON struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// MarshalGQL writes the object. Response names are GraphQL names ([_A-Za-z][_0-9A-Za-z]*),
// which JSON needs no escaping for.
func (o objectJSON) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	for i := range o.fields {
		if i > 0 {
			io.WriteString(w, `,"`)
		} else {
			io.WriteString(w, `"`)
		}
		io.WriteString(w, o.fields[i].Alias)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// marshalResponse writes the data of a query's answer into a buffer of about the size the
// same query text's last answer had, so that a large answer is not copied again and again as
// its buffer doubles. Sizes are kept in a fixed table indexed by a hash of the text: texts that
// share a slot, or variables that change the size, only make a guess wrong (the buffer then
// grows, or has room to spare), and the table never grows.
func marshalResponse(op *graphql.OperationContext, data graphql.Marshaler) []byte {
	slot := &sizeHints[maphash.String(hintSeed, op.RawQuery)%uint64(len(sizeHints))]
	hint := int(slot.Load())
	buf := bytes.NewBuffer(make([]byte, 0, hint+hint/16))
	data.MarshalGQL(buf)
	slot.Store(uint32(min(buf.Len(), maxSizeHint)))
	return buf.Bytes()
}

var (
	sizeHints [1024]atomic.Uint32
	hintSeed  = maphash.MakeSeed()
)

// maxSizeHint bounds what one guess makes a request allocate up front.
const maxSizeHint = 1 << 20

// marshalSlice marshals the elements of a list. gqlgen gives each element a goroutine, which
// the loaders rely on: a batch runs when every sibling object has asked (package batch), so
// siblings that may wait on a loader must run side by side. Where nothing selected below the
// elements may wait (waitingFields), they are marshalled one after another in this goroutine
// instead: a goroutine each cost its start, and the stack growth of a deep marshaller on a
// new small stack, for elements that only read what their parent already holds. Either way
// the list and its elements' field contexts come from the query's arena; otherwise this is
// graphql.MarshalSliceConcurrently without a worker limit.
func (ec *executionContext) marshalSlice(ctx context.Context, n int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := graphql.Array(ec.arena.marshalers(n))
	if n <= 1 || !selectionMayWait(graphql.GetFieldContext(ctx)) {
		for i := range n {
			ret[i] = ec.marshalElementAt(ctx, i, marshalElement)
		}
		return ret
	}
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for i := 1; i < n; i++ {
		go func() {
			defer wg.Done()
			ret[i] = ec.marshalElementAt(ctx, i, marshalElement)
		}()
	}
	// The first element runs here, as the others start.
	ret[0] = ec.marshalElementAt(ctx, 0, marshalElement)
	wg.Wait()
	return ret
}

// marshalElementAt marshals element i under its own field context, a panic becoming the
// element's error and a null, as graphql.MarshalSliceConcurrently does.
func (ec *executionContext) marshalElementAt(ctx context.Context, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	ctx = graphql.WithFieldContext(ctx, ec.arena.elementContext(i))
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			ret = graphql.Null
		}
	}()
	return marshalElement(ctx, i)
}

// selectionMayWait reports whether anything selected below the list field of fc, through any
// fragment, may wait on a loader. Without a field to look at it says yes.
func selectionMayWait(fc *graphql.FieldContext) bool {
	if fc == nil || fc.Field.Field == nil {
		return true
	}
	return setMayWait(fc.Field.Selections)
}

func setMayWait(set ast.SelectionSet) bool {
	return anyFieldBelow(set, func(f *ast.Field) bool {
		return f.ObjectDefinition == nil || waitingFields[f.ObjectDefinition.Name][f.Name]
	})
}

// anyFieldBelow reports whether match holds for a field of set or below it, through inline
// fragments and fragment spreads. A spread whose definition is unknown counts as a match: the
// callers ask "may this be selected?", and an unknown fragment may select anything.
func anyFieldBelow(set ast.SelectionSet, match func(*ast.Field) bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if match(s) || anyFieldBelow(s.SelectionSet, match) {
				return true
			}
		case *ast.InlineFragment:
			if anyFieldBelow(s.SelectionSet, match) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || anyFieldBelow(s.Definition.SelectionSet, match) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// scalarChildren holds the Child function of each scalar type: it refuses a sub-selection,
// which validation already refuses, so it never runs for a well-formed query. A map under a
// lock, not a sync.Map, whose interface key would cost the allocation this saves.
var scalarChildren = struct {
	sync.RWMutex
	of map[string]func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error)
}{of: map[string]func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error){}}

func scalarChild(typeName string) func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {
	scalarChildren.RLock()
	f, ok := scalarChildren.of[typeName]
	scalarChildren.RUnlock()
	if ok {
		return f
	}
	scalarChildren.Lock()
	defer scalarChildren.Unlock()
	if f, ok := scalarChildren.of[typeName]; ok {
		return f
	}
	f = func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {
		return nil, errors.New("field of type " + typeName + " does not have child fields")
	}
	scalarChildren.of[typeName] = f
	return f
}
