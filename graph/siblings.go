package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/trendgraph/trendgraph/graph/batch"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/store"
)

// The loaders run a batch when the last of the sibling objects that feed it has asked (see
// package batch). Which group an object belongs to is kept by the operation's loaders, keyed by
// the object itself, so that the model types carry no batching state.

// entityObject is an entity object of the response: its record says what to load, and the
// object itself is the key of its sibling group.
type entityObject interface{ Stored() *store.Entity }

// siblingGroup wraps entities returned together in their GraphQL types, as members of one group
// that already counts them.
type siblingGroup struct {
	members *batch.Members
	sib     *batch.Siblings
}

// group returns a builder of members of sib; a nil sib makes objects that batch with nobody.
func (l *loaders) group(sib *batch.Siblings) siblingGroup {
	return siblingGroup{members: &l.members, sib: sib}
}

// groupFor is group for the objects the field being resolved at ctx returns. Objects whose
// fields never ask a loader need no group: when nothing selected below that field may wait on
// one (selectionMayWait), they join none, and cost no entry in the operation's membership map.
func groupFor(ctx context.Context, sib *batch.Siblings) siblingGroup {
	if !selectionMayWait(graphql.GetFieldContext(ctx)) {
		sib = nil
	}
	return loadersFrom(ctx).group(sib)
}

// newGroup counts the non-nil entities given as one sibling group of the operation in ctx
// (see groupFor: when they would join none, they are not counted either).
func newGroup(ctx context.Context, ents []*store.Entity) siblingGroup {
	var sib *batch.Siblings
	if selectionMayWait(graphql.GetFieldContext(ctx)) {
		sib = countEntities(ents)
	}
	return loadersFrom(ctx).group(sib)
}

// groupOf is newGroup of the entities that items hold, one each (nil for none).
func groupOf[T any](ctx context.Context, items []T, entity func(T) *store.Entity) siblingGroup {
	ents := make([]*store.Entity, len(items))
	for i, it := range items {
		ents[i] = entity(it)
	}
	return newGroup(ctx, ents)
}

// entity wraps e (nil for nil) as a member of the group.
func (g siblingGroup) entity(e *store.Entity) model.Entity {
	ent := model.NewEntity(e)
	if ent != nil && g.sib != nil {
		g.members.Add(ent, g.sib)
	}
	return ent
}

// countEntities makes the sibling group of entities returned together.
func countEntities(ents []*store.Entity) *batch.Siblings {
	sib := batch.New()
	for _, e := range ents {
		if e != nil {
			sib.Add(model.TypeName(e.Type))
		}
	}
	return sib
}

// signature identifies a field's position in the query, list indexes left out: the objects a
// batch returns for one signature are siblings for the next level.
func signature(ctx context.Context) string {
	// Walks the parent chain directly: FieldContext.Path builds the whole path with indexes,
	// and this runs once per resolver call.
	var names [16]string
	parts := names[:0]
	n := 0
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Index == nil && fc.Field.Field != nil {
			parts = append(parts, fc.Field.Alias)
			n += len(fc.Field.Alias) + 1
		}
	}
	b := make([]byte, 0, n)
	for i := len(parts) - 1; i >= 0; i-- {
		b = append(b, parts[i]...)
		b = append(b, '.')
	}
	return string(b)
}

// groups hands out one sibling group per signature within one batch.
type groups map[string]*batch.Siblings

func (g groups) get(sig string) *batch.Siblings {
	s, ok := g[sig]
	if !ok {
		s = batch.New()
		g[sig] = s
	}
	return s
}
