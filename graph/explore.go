package graph

import (
	"context"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// The graph questions (path, neighbourhood, compare, facets) are answered by package knowledge;
// this file translates their arguments and results.

// entityRef reads an argument that names an entity by global ID or by slug. The rule: a value
// that is a valid global ID is one (and must name an entity); any other value is a slug, and
// must look like one. No slug is a valid global ID (a decoded type name starts with a capital,
// so its encoding does too), so the rule never has to choose.
func entityRef(arg, v string) (knowledge.EntityRef, error) {
	t, k, err := model.ParseGlobalID(v)
	switch {
	case err == nil && model.IsEntityType(t):
		return knowledge.EntityRef{ID: model.StoreID(k)}, nil
	case err == nil:
		return knowledge.EntityRef{}, badInput("%s is not the ID of an entity: %q", arg, v)
	case !domain.ValidSlug(v):
		return knowledge.EntityRef{}, badInput("%s is neither the ID nor the slug of an entity: %q", arg, v)
	}
	return knowledge.EntityRef{Slug: v}, nil
}

// entityIDs resolves arguments that name entities by global ID or slug: one read for all the
// slugs, NOT_FOUND naming a slug that names nothing.
func (r *Resolver) entityIDs(ctx context.Context, arg string, values ...string) ([]store.ID, error) {
	refs := make([]knowledge.EntityRef, len(values))
	for i, v := range values {
		ref, err := entityRef(arg, v)
		if err != nil {
			return nil, err
		}
		refs[i] = ref
	}
	return r.kb().ResolveRefs(ctx, arg, refs)
}

func relKinds(ks []model.RelationshipKind) []domain.RelKind {
	out := make([]domain.RelKind, len(ks))
	for i, k := range ks {
		out[i] = model.StoreRelKind(k)
	}
	return out
}

func direction(d store.Direction) model.Direction {
	if d == store.Incoming {
		return model.DirectionIncoming
	}
	return model.DirectionOutgoing
}

func (r *Resolver) shortestPath(ctx context.Context, from, to string, maxDepth *int, ks []model.RelationshipKind) (*model.Path, error) {
	a, err := r.entityIDs(ctx, "from", from)
	if err != nil {
		return nil, err
	}
	b, err := r.entityIDs(ctx, "to", to)
	if err != nil {
		return nil, err
	}
	path, err := r.kb().ShortestPath(ctx, knowledge.PathArgs{From: a[0], To: b[0], MaxDepth: maxDepth, Kinds: relKinds(ks)})
	if path == nil || err != nil {
		return nil, err
	}
	g := newGroup(ctx, path.Nodes)
	p := &model.Path{Length: len(path.Steps), Steps: []*model.PathStep{}}
	for _, e := range path.Nodes {
		p.Nodes = append(p.Nodes, g.entity(e))
	}
	for i, s := range path.Steps {
		from, to := path.Nodes[i], path.Nodes[i+1]
		if s.Dir != store.Outgoing {
			from, to = to, from
		}
		rel := &model.Relationship{Relationship: s.Relationship, FromEntity: from, ToEntity: to}
		p.Steps = append(p.Steps, &model.PathStep{From: p.Nodes[i], To: p.Nodes[i+1], Relationship: rel, Direction: direction(s.Dir)})
	}
	return p, nil
}

func (r *Resolver) neighborhood(ctx context.Context, id string, depth *int, ks []model.RelationshipKind, dir *model.Direction, limit *int) (*model.Neighborhood, error) {
	center, err := r.entityIDs(ctx, "id", id)
	if err != nil {
		return nil, err
	}
	h, err := r.kb().Neighborhood(ctx, knowledge.NeighborhoodArgs{Center: center[0], Depth: depth, Limit: limit, Kinds: relKinds(ks), Dir: storeDirection(dir)})
	if err != nil {
		return nil, err
	}
	// The centre is a group of its own: counting it with the nodes, as this once did, left the
	// nodes' group one short of its count, so their batches waited for the loaders' timer.
	g := groupOf(ctx, h.Nodes, func(n knowledge.Neighbor) *store.Entity { return n.Entity })
	out := &model.Neighborhood{Center: newGroup(ctx, []*store.Entity{h.Center}).entity(h.Center),
		Truncated: h.Truncated, Nodes: make([]*model.NeighborhoodNode, len(h.Nodes)), Relationships: make([]*model.Relationship, len(h.Relationships))}
	for i, n := range h.Nodes {
		out.Nodes[i] = &model.NeighborhoodNode{Entity: g.entity(n.Entity), Depth: n.Depth}
	}
	for i, rel := range h.Relationships {
		out.Relationships[i] = &model.Relationship{Relationship: rel.Relationship, FromEntity: rel.From, ToEntity: rel.To}
	}
	return out, nil
}

func (r *Resolver) compare(ctx context.Context, ids []string) (*model.Comparison, error) {
	if len(ids) > knowledge.MaxCompare {
		// Refused before any slug is read, as Compare itself would refuse it.
		return nil, &knowledge.BoundError{Arg: "compare ids", Min: knowledge.MinCompare, Max: knowledge.MaxCompare, Actual: len(ids)}
	}
	subjects, err := r.entityIDs(ctx, "ids", ids...)
	if err != nil {
		return nil, err
	}
	c, err := r.kb().Compare(ctx, subjects)
	if err != nil {
		return nil, err
	}
	// Each list of the answer is a sibling group of its own: the fields of one list's members
	// all arrive at one position of the query, and a group counting another list's members too
	// would wait for arrivals that never come (then for the loaders' timer).
	entities := newGroup(ctx, c.Entities)
	tradeoffGroup := groupOf(ctx, c.Tradeoffs, func(t knowledge.ComparedTradeoff) *store.Entity { return t.Tradeoff })
	neighborGroup := groupOf(ctx, c.Neighbors, func(n knowledge.ComparedNeighbor) *store.Entity { return n.Neighbor })
	assessedGroup := groupOf(ctx, c.Assessments, func(p knowledge.Placement) *store.Entity { return p.Entity })
	out := &model.Comparison{Entities: make([]model.Entity, len(c.Entities)), Tradeoffs: make([]*model.ComparedTradeoff, len(c.Tradeoffs)),
		Neighbors: make([]*model.ComparedNeighbor, len(c.Neighbors)), Assessments: make([]*model.Assessment, len(c.Assessments))}
	for i, e := range c.Entities {
		out.Entities[i] = entities.entity(e)
	}
	members := func(of []int) []model.Entity {
		which := make([]model.Entity, len(of))
		for j, i := range of {
			which[j] = out.Entities[i]
		}
		return which
	}
	for i, t := range c.Tradeoffs {
		out.Tradeoffs[i] = &model.ComparedTradeoff{Tradeoff: tradeoffGroup.entity(t.Tradeoff).(*model.Tradeoff), Entities: members(t.Of), Shared: t.Shared}
	}
	for i, n := range c.Neighbors {
		out.Neighbors[i] = &model.ComparedNeighbor{Kind: model.RelKindOf(n.Kind), Direction: direction(n.Dir),
			Neighbor: neighborGroup.entity(n.Neighbor), Entities: members(n.Of), Shared: n.Shared}
	}
	for i, p := range c.Assessments {
		out.Assessments[i] = &model.Assessment{Assessment: p.Assessment, Radar: model.Radar{Radar: p.Radar}, Previous: p.Previous, Entity: assessedGroup.entity(p.Entity)}
	}
	r.inCommon(ctx, c, out)
	return out, nil
}

// inCommon maps what the compared entities share and what is unique to each. Each list is a
// sibling group of its own, as above.
func (r *Resolver) inCommon(ctx context.Context, c *knowledge.Comparison, out *model.Comparison) {
	out.SharedNeighbors = []*model.SharedNeighborGroup{}
	// SharedNeighbors come sorted by type: each run of one type is a group.
	for rest := c.SharedNeighbors; len(rest) > 0; {
		n := 1
		for n < len(rest) && rest[n].Type == rest[0].Type {
			n++
		}
		group := rest[:n]
		rest = rest[n:]
		g := newGroup(ctx, group)
		sg := &model.SharedNeighborGroup{Type: model.EntityTypeEnum(group[0].Type), Neighbors: make([]model.Entity, len(group))}
		for i, e := range group {
			sg.Neighbors[i] = g.entity(e)
		}
		out.SharedNeighbors = append(out.SharedNeighbors, sg)
	}
	tradeoffs := func(list []*store.Entity) []*model.Tradeoff {
		g := newGroup(ctx, list)
		ts := make([]*model.Tradeoff, len(list))
		for i, e := range list {
			ts[i] = g.entity(e).(*model.Tradeoff)
		}
		return ts
	}
	out.SharedTradeoffs = tradeoffs(c.SharedTradeoffs)
	out.SharedTags = c.SharedTags
	out.Unique = make([]*model.ComparedUnique, len(c.Unique))
	for i, u := range c.Unique {
		g := newGroup(ctx, u.Neighbors)
		cu := &model.ComparedUnique{Entity: out.Entities[i], Neighbors: make([]model.Entity, len(u.Neighbors)), Tradeoffs: tradeoffs(u.Tradeoffs), Tags: u.Tags}
		for j, e := range u.Neighbors {
			cu.Neighbors[j] = g.entity(e)
		}
		out.Unique[i] = cu
	}
}

func (r *Resolver) facets(ctx context.Context, ts []model.EntityType, filter *model.EntityFilter) (*model.Facets, error) {
	if err := r.checkFilterSize(filter); err != nil {
		return nil, err
	}
	f, err := storeFilter(filter)
	if err != nil {
		return nil, err
	}
	res, err := r.kb().Facets(ctx, entityTypes(ts), f)
	if err != nil {
		return nil, err
	}
	counts := func(name string, value func(string) string) []*model.FacetCount {
		out := make([]*model.FacetCount, len(res.Counts[name]))
		for i, c := range res.Counts[name] {
			out[i] = &model.FacetCount{Value: value(c.Value), Count: c.Count}
		}
		return out
	}
	enum := func(v string) string { return string(model.EnumName(v)) }
	plain := func(v string) string { return v }
	typeName := func(v string) string {
		if len(v) != 1 {
			return v
		}
		return string(model.EntityTypeEnum(domain.EntityType(v[0])))
	}
	return &model.Facets{TotalCount: res.Total, Types: counts("type", typeName), Kinds: counts("kind", enum),
		Statuses: counts("status", enum), Lifecycles: counts("lifecycle", enum), TradeoffTypes: counts("tradeoffType", enum),
		Tags: counts("tag", plain), Rings: counts("ring", plain)}, nil
}
