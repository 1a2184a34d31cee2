package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// edgeSpec says which of an entity's relationships a field follows.
type edgeSpec struct {
	dir   store.Direction
	kinds []domain.RelKind
	types []domain.EntityType
}

// The relationships behind the schema's entity-to-entity fields.
var (
	specChildren        = edgeSpec{store.Incoming, kinds(domain.RelPartOf), typeList(domain.TypeTrend)}
	specTrendTechs      = edgeSpec{store.Incoming, kinds(domain.RelPartOf), typeList(domain.TypeTechnology)}
	specRequiredSkills  = edgeSpec{store.Outgoing, kinds(domain.RelRequires), typeList(domain.TypeSkill)}
	specUseCases        = edgeSpec{store.Outgoing, kinds(domain.RelUsedFor), typeList(domain.TypeUseCase)}
	specTechTrends      = edgeSpec{store.Outgoing, kinds(domain.RelPartOf), typeList(domain.TypeTrend)}
	specAlternatives    = edgeSpec{store.Both, kinds(domain.RelAlternativeTo), typeList(domain.TypeTechnology)}
	specImplements      = edgeSpec{store.Outgoing, kinds(domain.RelImplements), nil}
	specImplementations = edgeSpec{store.Incoming, kinds(domain.RelImplements), typeList(domain.TypeTechnology)}
	specAppliesTo       = edgeSpec{store.Incoming, kinds(domain.RelHasBenefit, domain.RelHasChallenge), nil}
	specAddressedBy     = edgeSpec{store.Incoming, kinds(domain.RelAddresses), nil}
	specUsedBy          = edgeSpec{store.Incoming, kinds(domain.RelUsedFor), nil}
	specOrgTechs        = edgeSpec{store.Incoming, kinds(domain.RelProvidedBy), typeList(domain.TypeTechnology)}
	specCreated         = edgeSpec{store.Incoming, kinds(domain.RelCreatedBy), nil}
	specRequiredBy      = edgeSpec{store.Incoming, kinds(domain.RelRequires), nil}
)

func kinds(k ...domain.RelKind) []domain.RelKind          { return k }
func typeList(t ...domain.EntityType) []domain.EntityType { return t }

// specTradeoffs follows has_benefit and has_challenge edges, or only one of them.
func specTradeoffs(t *model.TradeoffType) edgeSpec {
	spec := edgeSpec{store.Outgoing, kinds(domain.RelHasBenefit, domain.RelHasChallenge), typeList(domain.TypeTradeoff)}
	if t != nil && *t == model.TradeoffTypeBenefit {
		spec.kinds = kinds(domain.RelHasBenefit)
	} else if t != nil {
		spec.kinds = kinds(domain.RelHasChallenge)
	}
	return spec
}

func (s edgeSpec) key(node *store.Entity, p store.PageArgs) edgeKey {
	return edgeKey{node: node.ID, nodeType: node.Type, dir: s.dir, kinds: enumSetOf(s.kinds), types: enumSetOf(s.types),
		after: string(p.After), before: string(p.Before), limit: p.Limit, fromEnd: p.FromEnd}
}

// related pages through the entities at the other end of a parent's relationships.
func related(ctx context.Context, parent entityObject, spec edgeSpec, first *int, after *string, last *int, before *string) (page[model.Entity], error) {
	args, err := (knowledge.Window{First: first, After: after, Last: last, Before: before}).Args(knowledge.EdgeCursor)
	if err != nil {
		return page[model.Entity]{}, err
	}
	res, err := loadEdgePage(ctx, parent, spec.key(parent.Stored(), args))
	if err != nil {
		return page[model.Entity]{}, err
	}
	g := groupFor(ctx, res.sib)
	p := res.page
	wantEdges, wantCursors := connectionWants(ctx)
	nodes := make([]model.Entity, 0, len(p.Others))
	var cursors []string
	if wantCursors {
		cursors = make([]string, 0, len(p.Others))
	}
	for i, e := range p.Others {
		if e == nil {
			continue // a dangling edge cannot be imported; skip rather than fail the page
		}
		nodes = append(nodes, g.entity(e))
		if wantCursors {
			cursors = append(cursors, knowledge.EncodeCursor(knowledge.EdgeCursor, p.Cursors[i]))
		}
	}
	out := newPage(nodes, cursors, p.HasPreviousPage, p.HasNextPage, p.Total)
	out.noEdges = !wantEdges
	return out, nil
}

// relatedByKind pages through the entities at the other end of a parent's relationships of
// the given kinds (all when none), in a direction, of the given types (all when none).
func relatedByKind(ctx context.Context, parent entityObject, ks []model.RelationshipKind, direction *model.Direction, ts []model.EntityType,
	first *int, after *string, last *int, before *string) (*model.EntityConnection, error) {
	spec := edgeSpec{dir: storeDirection(direction), types: entityTypes(ts)}
	for _, k := range ks {
		spec.kinds = append(spec.kinds, model.StoreRelKind(k))
	}
	p, err := related(ctx, parent, spec, first, after, last, before)
	if err != nil {
		return nil, err
	}
	return entityConn(p), nil
}

// relationships pages through a parent's relationships, with the other end of each.
func relationships(ctx context.Context, parent entityObject, direction *model.Direction, kinds []model.RelationshipKind,
	first *int, after *string, last *int, before *string) (*model.RelationshipConnection, error) {
	spec := edgeSpec{dir: storeDirection(direction)}
	for _, k := range kinds {
		spec.kinds = append(spec.kinds, model.StoreRelKind(k))
	}
	args, err := (knowledge.Window{First: first, After: after, Last: last, Before: before}).Args(knowledge.EdgeCursor)
	if err != nil {
		return nil, err
	}
	res, err := loadEdgePage(ctx, parent, spec.key(parent.Stored(), args))
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	// groupFor's test, made once for the three groups.
	sib, fromSib, toSib := res.sib, res.fromSib, res.toSib
	if !selectionMayWait(graphql.GetFieldContext(ctx)) {
		sib, fromSib, toSib = nil, nil, nil
	}
	others, froms, tos := l.group(sib), l.group(fromSib), l.group(toSib)
	// Ends made ahead cost an object and a group entry each: make them only for a query that
	// may ask for them, and let From and To make them on demand otherwise.
	endsAhead := selectsRelationshipEnds(graphql.GetFieldContext(ctx))
	_, wantCursors := connectionWants(ctx)
	p := res.page
	conn := &model.RelationshipConnection{TotalCount: p.Total, Edges: []*model.RelationshipEdge{}}
	var cursors []string
	for i, e := range p.Edges {
		rel, other := p.Relationships[i], p.Others[i]
		if rel == nil || other == nil {
			continue
		}
		dir, from, to := model.DirectionOutgoing, parent.Stored(), other
		if e.Dir == store.Incoming {
			dir, from, to = model.DirectionIncoming, other, parent.Stored()
		}
		node := &model.Relationship{Relationship: rel, FromEntity: from, ToEntity: to}
		if endsAhead {
			node.FromObject, node.ToObject = froms.entity(from), tos.entity(to)
		}
		c := ""
		if wantCursors {
			c = knowledge.EncodeCursor(knowledge.EdgeCursor, p.Cursors[i])
			cursors = append(cursors, c)
		}
		conn.Edges = append(conn.Edges, &model.RelationshipEdge{Cursor: c, Node: node, Direction: dir, Other: others.entity(other)})
	}
	conn.Nodes = nodesOf(conn.Edges, func(e *model.RelationshipEdge) *model.Relationship { return e.Node })
	conn.PageInfo = newPage(conn.Edges, cursors, p.HasPreviousPage, p.HasNextPage, p.Total).info
	return conn, nil
}

// selectsRelationshipEnds reports whether the field's selection asks, anywhere below it and
// through any fragment, for a relationship's from or to. Without a field context (a resolver
// called directly) it says yes.
func selectsRelationshipEnds(fc *graphql.FieldContext) bool {
	if fc == nil {
		return true
	}
	return anyFieldBelow(fc.Field.Selections, func(f *ast.Field) bool {
		return (f.Name == "from" || f.Name == "to") && f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Relationship"
	})
}

func storeDirection(d *model.Direction) store.Direction {
	if d == nil {
		return store.Both
	}
	switch *d {
	case model.DirectionOutgoing:
		return store.Outgoing
	case model.DirectionIncoming:
		return store.Incoming
	}
	return store.Both
}

// endEntity returns an entity that was read with its parent (an assessment's), or loads it.
func endEntity(ctx context.Context, e model.Entity, id store.ID) (model.Entity, error) {
	if e != nil {
		return e, nil
	}
	ent, err := loadEntity(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	if ent == nil {
		return nil, notFound("the entity at the end of this relationship no longer exists")
	}
	return ent, nil
}
