package graph

import (
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// The executor makes a few small objects for every field and every object of an answer: a
// field context per field, and per object a field set, its values and the object writer. On
// a large answer they are most of what a query allocates besides gqlgen's own work, and all of
// them are garbage once the answer is written. An execArena hands them out of chunks that the
// next query reuses: a query takes an arena from a pool when it starts (Exec, via graph/gen's
// edits) and gives it back once its answer is in bytes.
//
// That is safe because nothing outlives the writing of the answer: every goroutine the
// executor starts for a query (list elements, root fields) is waited for before the answer is
// written, errors copy their path when they are made, and the answer is bytes. The race
// detector would see a use after release in TestArenaAnswersUnderLoad, where queries of
// different shapes reuse the same arenas side by side.
//
// A nil *execArena allocates each object on the heap: subscriptions, whose executor writes
// many answers, and mutations run without one.
type execArena struct {
	fieldContexts slab[graphql.FieldContext]
	fieldSets     slab[graphql.FieldSet]
	values        slab[graphql.Marshaler]
	objects       slab[objectJSON]
}

var arenas = sync.Pool{New: func() any {
	return &execArena{
		fieldContexts: slab[graphql.FieldContext]{size: 256},
		fieldSets:     slab[graphql.FieldSet]{size: 128},
		values:        slab[graphql.Marshaler]{size: 1024},
		objects:       slab[objectJSON]{size: 256},
	}
}}

// getArena takes an arena from the pool.
func getArena() *execArena {
	if withoutArenas {
		return nil
	}
	return arenas.Get().(*execArena)
}

// withoutArenas makes queries run without arenas, for tests to compare their answers with.
var withoutArenas bool

// release clears what the arena handed out and puts it back in the pool. Nothing it handed
// out may be used after.
func (a *execArena) release() {
	if a == nil {
		return
	}
	a.fieldContexts.reset()
	a.fieldSets.reset()
	a.values.reset()
	a.objects.reset()
	arenas.Put(a)
}

// fieldContext returns a field context for the caller to fill in.
func (a *execArena) fieldContext() *graphql.FieldContext {
	if a == nil {
		return new(graphql.FieldContext)
	}
	return &a.fieldContexts.take(1)[0]
}

// scalarFieldContext is graphql.NewScalarFieldContext, which graph/gen's edit calls instead:
// the same field context, in the arena, with the Child function of the scalar type made once
// per type rather than a closure per field resolved (a few thousand in a large answer).
// TestScalarFieldContextAsGqlgens keeps the two alike.
func (a *execArena) scalarFieldContext(objectName string, field graphql.CollectedField, isMethod, isResolver bool, typeName string) (*graphql.FieldContext, error) {
	fc := a.fieldContext()
	*fc = graphql.FieldContext{
		Object:     objectName,
		Field:      field,
		IsMethod:   isMethod,
		IsResolver: isResolver,
		Child:      scalarChild(typeName),
	}
	return fc, nil
}

// elementContext is the field context of element i of a list.
func (a *execArena) elementContext(i int) *graphql.FieldContext {
	fc := a.fieldContext()
	*fc = graphql.FieldContext{Index: index(i)}
	return fc
}

// fieldSet is graphql.NewFieldSet for an object whose fields all resolve in the calling
// goroutine (graph/gen's sequentialFields) and which objectJSON writes: it has values for
// fields, and no record of the fields, which only gqlgen's own writer and @defer read.
func (a *execArena) fieldSet(fields []graphql.CollectedField) *graphql.FieldSet {
	if a == nil {
		return graphql.NewFieldSet(fields)
	}
	fs := &a.fieldSets.take(1)[0]
	*fs = graphql.FieldSet{Values: a.marshalers(len(fields))}
	return fs
}

// marshalers returns n empty values.
func (a *execArena) marshalers(n int) []graphql.Marshaler {
	if a == nil {
		return make([]graphql.Marshaler, n)
	}
	return a.values.take(n)
}

// object returns the writer of an object with the given fields and values.
func (a *execArena) object(fields []graphql.CollectedField, values []graphql.Marshaler) graphql.Marshaler {
	if a == nil {
		return objectJSON{fields, values}
	}
	o := &a.objects.take(1)[0]
	*o = objectJSON{fields, values}
	return o
}

// index returns a pointer to i, for a field context's Index, which nothing writes through:
// small indexes point into a shared table rather than each costing an allocation.
func index(i int) *int {
	if i < len(indexes) {
		return &indexes[i]
	}
	return &i
}

var indexes = func() (t [1024]int) {
	for i := range t {
		t[i] = i
	}
	return t
}()

// slab hands out runs of T from chunks of size elements; it is safe for concurrent use, as
// list elements and root fields resolve in goroutines of their own. A run larger than a
// quarter of a chunk is a plain allocation.
type slab[T any] struct {
	size int
	cur  atomic.Pointer[chunk[T]]

	mu   sync.Mutex
	used []*chunk[T] // the chunks handed out from since the last reset, cur last
	free []*chunk[T]
}

type chunk[T any] struct {
	next  atomic.Int64 // the end of what has been handed out; may pass len(items)
	items []T
}

// maxChunks bounds the chunks a slab keeps between queries: what a rare huge answer needed
// above it goes to the garbage collector rather than staying in the pool.
const maxChunks = 64

func (s *slab[T]) take(n int) []T {
	if n > s.size/4 {
		return make([]T, n)
	}
	for {
		c := s.cur.Load()
		if c != nil {
			end := c.next.Add(int64(n))
			if end <= int64(len(c.items)) {
				return c.items[end-int64(n) : end : end]
			}
		}
		s.grow(c)
	}
}

// grow replaces the full chunk c as the current one, unless another goroutine already has.
func (s *slab[T]) grow(full *chunk[T]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.Load() != full {
		return
	}
	var c *chunk[T]
	if k := len(s.free); k > 0 {
		c, s.free = s.free[k-1], s.free[:k-1]
	} else {
		c = &chunk[T]{items: make([]T, s.size)}
	}
	s.used = append(s.used, c)
	s.cur.Store(c)
}

// reset clears every chunk handed out from, so that the pool holds no pointer into an old
// answer, and makes them free again. It must not run beside take.
func (s *slab[T]) reset() {
	for _, c := range s.used {
		clear(c.items[:min(c.next.Load(), int64(len(c.items)))])
		c.next.Store(0)
	}
	s.free = append(s.free, s.used...)
	clear(s.used)
	s.used = s.used[:0]
	if len(s.free) > maxChunks {
		clear(s.free[maxChunks:])
		s.free = s.free[:maxChunks]
	}
	s.cur.Store(nil)
}

// marshalResponse is marshalResponse, after which the query's arena goes back to the pool.
func (ec *executionContext) marshalResponse(op *graphql.OperationContext, data graphql.Marshaler) []byte {
	b := marshalResponse(op, data)
	ec.arena.release()
	ec.arena = nil
	return b
}
