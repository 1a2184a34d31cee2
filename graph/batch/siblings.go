// Package batch decides when a per-operation loader has every key it is going to get, so that
// it can dispatch at once instead of waiting on a timer.
//
// gqlgen resolves the objects of a list concurrently, each in its own goroutine: when every
// one of N sibling objects has asked its loader for field F, no more keys for F are coming from
// that list, and the batch can run. A Siblings value is shared by the objects that one resolver
// call (or one loader batch) returned; each field resolver reports its arrival, and the last
// arrival flushes the loader. A loader's own short wait remains as a safety net for the cases
// this cannot see (an object whose resolution was cut short, say). Members keeps, per
// operation, which group each object belongs to, so that the objects need not carry it.
package batch

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// Siblings counts, per GraphQL object type, the objects produced together, and the field
// resolvers of theirs that have arrived at a loader.
type Siblings struct {
	mu      sync.Mutex
	count   map[string]int
	arrived map[string]int
}

// New returns an empty group; Add objects to it before handing them to gqlgen.
func New() *Siblings {
	return &Siblings{count: map[string]int{}, arrived: map[string]int{}}
}

// Add counts one more object of the GraphQL type typeName in the group.
func (s *Siblings) Add(typeName string) {
	s.mu.Lock()
	s.count[typeName]++
	s.mu.Unlock()
}

// Arrive records that the calling field resolver, at position sig of the query (its path
// without list indexes), has queued its key, and calls flush when it is the last of its
// siblings to do so. Keying by position keeps apart the same objects reached twice, as through
// a connection's edges and its nodes. A nil group is a group of one.
func (s *Siblings) Arrive(ctx context.Context, sig string, flush func()) {
	if s == nil {
		flush()
		return
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		flush()
		return
	}
	key := fc.Object + "@" + sig
	s.mu.Lock()
	s.arrived[key]++
	last := s.arrived[key] >= s.count[fc.Object]
	s.mu.Unlock()
	if last {
		flush()
	}
}

// Members records, for one operation, the group each object of the response belongs to, so
// that the objects themselves carry no batching state. Objects are told apart by identity:
// add pointers, the same ones gqlgen later hands to the objects' field resolvers.
type Members struct {
	mu sync.RWMutex
	of map[any]*Siblings
}

// Add makes obj a member of s. An object must be added before gqlgen sees it, as s must
// count it before then (see Siblings).
func (m *Members) Add(obj any, s *Siblings) {
	m.mu.Lock()
	if m.of == nil {
		m.of = map[any]*Siblings{}
	}
	m.of[obj] = s
	m.mu.Unlock()
}

// Of returns the group of obj: nil, a group of one, for an object never added.
func (m *Members) Of(obj any) *Siblings {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.of[obj]
}
