package graph

import (
	"context"
	"slices"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph/batch"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/store"
)

// Bounds of the graph questions: each level of a walk is one read transaction, and no walk
// visits more than maxVisited entities.
const (
	maxPathDepth         = 6
	maxNeighborhoodDepth = 3
	maxNeighborhoodLimit = 500
	maxVisited           = 50_000
	minCompare           = 2
	maxCompare           = 10
)

// entityID decodes a global ID that must name an entity.
func entityID(arg, id string) (store.ID, error) {
	t, k, err := model.ParseGlobalID(id)
	if err != nil || !model.IsEntityType(t) {
		return 0, badInput("%s is not the ID of an entity: %q", arg, id)
	}
	return model.StoreID(k), nil
}

func relKinds(ks []model.RelationshipKind) []dataset.RelKind {
	out := make([]dataset.RelKind, len(ks))
	for i, k := range ks {
		out[i] = model.StoreRelKind(k)
	}
	return out
}

// step is how a walk reached an entity.
type step struct {
	prev store.ID
	edge store.Edge
}

// shortestPath searches from both ends at once, one level (one read transaction) at a time,
// always growing the smaller frontier.
func (r *Resolver) shortestPath(ctx context.Context, from, to string, maxDepth *int, ks []model.RelationshipKind) (*model.Path, error) {
	depth := 4
	if maxDepth != nil {
		depth = *maxDepth
	}
	if depth < 1 || depth > maxPathDepth {
		return nil, badInput("maxDepth must be between 1 and %d, got %d", maxPathDepth, depth)
	}
	a, err := entityID("from", from)
	if err != nil {
		return nil, err
	}
	b, err := entityID("to", to)
	if err != nil {
		return nil, err
	}
	ends, err := r.Store.EntitiesByID(ctx, []store.ID{a, b})
	if err != nil {
		return nil, err
	}
	if ends[0] == nil || ends[1] == nil {
		return nil, notFound("no entity has the ID %q", map[bool]string{true: from, false: to}[ends[0] == nil])
	}
	if a == b {
		return r.buildPath(ctx, []store.ID{a}, nil)
	}
	filter := store.EdgeFilter{Dir: store.Both, Kinds: relKinds(ks)}
	seen := [2]map[store.ID]step{{a: {}}, {b: {}}}
	frontier := [2][]store.ID{{a}, {b}}
	for level := 0; level < depth; level++ {
		side := 0
		if len(frontier[1]) < len(frontier[0]) {
			side = 1
		}
		edges, err := r.Store.Edges(ctx, frontier[side], filter)
		if err != nil {
			return nil, err
		}
		var next []store.ID
		for i, node := range frontier[side] {
			for _, e := range edges[i] {
				if _, ok := seen[side][e.Other]; ok {
					continue
				}
				seen[side][e.Other] = step{prev: node, edge: e}
				if _, ok := seen[1-side][e.Other]; ok {
					return r.joinPath(ctx, seen, a, b, e.Other)
				}
				next = append(next, e.Other)
			}
		}
		if len(next) == 0 || len(seen[0])+len(seen[1]) > maxVisited {
			return nil, nil
		}
		frontier[side] = next
	}
	return nil, nil
}

// joinPath walks back from the meeting point to both ends.
func (r *Resolver) joinPath(ctx context.Context, seen [2]map[store.ID]step, a, b, meet store.ID) (*model.Path, error) {
	var nodes []store.ID
	var edges []store.Edge
	for cur := meet; cur != a; {
		s := seen[0][cur]
		nodes = append(nodes, cur)
		edges = append(edges, s.edge)
		cur = s.prev
	}
	nodes = append(nodes, a)
	slices.Reverse(nodes)
	slices.Reverse(edges)
	for cur := meet; cur != b; {
		s := seen[1][cur]
		// Walked from b's side, so this edge was seen from s.prev; seen from cur it points the other way.
		e := s.edge
		e.Dir = store.Both &^ e.Dir
		e.Other = s.prev
		nodes = append(nodes, s.prev)
		edges = append(edges, e)
		cur = s.prev
	}
	return r.buildPath(ctx, nodes, edges)
}

// buildPath loads the entities and relationships of a path: two read transactions.
func (r *Resolver) buildPath(ctx context.Context, nodes []store.ID, edges []store.Edge) (*model.Path, error) {
	ents, err := r.Store.EntitiesByID(ctx, nodes)
	if err != nil {
		return nil, err
	}
	relIDs := make([]store.ID, len(edges))
	for i, e := range edges {
		relIDs[i] = e.Rel
	}
	rels, err := r.Store.RelationshipsByID(ctx, relIDs)
	if err != nil {
		return nil, err
	}
	sib := countEntities(ents)
	p := &model.Path{Length: len(edges), Steps: []*model.PathStep{}}
	for _, e := range ents {
		if e == nil {
			return nil, notFound("an entity on the path no longer exists")
		}
		p.Nodes = append(p.Nodes, model.NewEntity(e, sib))
	}
	for i, e := range edges {
		if rels[i] == nil {
			return nil, notFound("a relationship on the path no longer exists")
		}
		rel := &model.Relationship{R: rels[i]}
		dir := model.DirectionOutgoing
		if e.Dir == store.Outgoing {
			rel.FromEntity, rel.ToEntity = ents[i], ents[i+1]
		} else {
			dir = model.DirectionIncoming
			rel.FromEntity, rel.ToEntity = ents[i+1], ents[i]
		}
		p.Steps = append(p.Steps, &model.PathStep{From: p.Nodes[i], To: p.Nodes[i+1], Relationship: rel, Direction: dir})
	}
	return p, nil
}

// neighborhood walks out from an entity level by level, up to depth and limit.
func (r *Resolver) neighborhood(ctx context.Context, id string, depth *int, ks []model.RelationshipKind, direction *model.Direction, limit *int) (*model.Neighborhood, error) {
	d, n := 1, 100
	if depth != nil {
		d = *depth
	}
	if limit != nil {
		n = *limit
	}
	if d < 1 || d > maxNeighborhoodDepth {
		return nil, badInput("depth must be between 1 and %d, got %d", maxNeighborhoodDepth, d)
	}
	if n < 1 || n > maxNeighborhoodLimit {
		return nil, badInput("limit must be between 1 and %d, got %d", maxNeighborhoodLimit, n)
	}
	center, err := entityID("id", id)
	if err != nil {
		return nil, err
	}
	filter := store.EdgeFilter{Dir: storeDirection(direction), Kinds: relKinds(ks)}
	depthOf := map[store.ID]int{center: 0}
	order := []store.ID{}
	var relIDs []store.ID
	relSeen := map[store.ID]bool{}
	truncated := false
	frontier := []store.ID{center}
	for level := 1; level <= d && len(frontier) > 0 && !truncated; level++ {
		edges, err := r.Store.Edges(ctx, frontier, filter)
		if err != nil {
			return nil, err
		}
		var next []store.ID
		for i := range frontier {
			for _, e := range edges[i] {
				if _, ok := depthOf[e.Other]; !ok {
					if len(order) >= n {
						truncated = true
						continue
					}
					depthOf[e.Other] = level
					order = append(order, e.Other)
					next = append(next, e.Other)
				}
				if !relSeen[e.Rel] {
					relSeen[e.Rel] = true
					relIDs = append(relIDs, e.Rel)
				}
			}
		}
		frontier = next
	}
	ents, err := r.Store.EntitiesByID(ctx, append([]store.ID{center}, order...))
	if err != nil {
		return nil, err
	}
	if ents[0] == nil {
		return nil, notFound("no entity has the ID %q", id)
	}
	rels, err := r.Store.RelationshipsByID(ctx, relIDs)
	if err != nil {
		return nil, err
	}
	sib := countEntities(ents)
	out := &model.Neighborhood{Center: model.NewEntity(ents[0], batch.Count(model.TypeName(ents[0].Type))),
		Truncated: truncated, Nodes: []*model.NeighborhoodNode{}, Relationships: []*model.Relationship{}}
	for i, e := range ents[1:] {
		if e != nil {
			out.Nodes = append(out.Nodes, &model.NeighborhoodNode{Entity: model.NewEntity(e, sib), Depth: depthOf[order[i]]})
		}
	}
	byID := indexEntities(ents)
	ends := batch.New()
	for _, rel := range rels {
		// A relationship to an entity the limit left out is not part of the neighborhood.
		if rel == nil || byID[rel.FromID] == nil || byID[rel.ToID] == nil {
			continue
		}
		out.Relationships = append(out.Relationships, &model.Relationship{R: rel, FromEntity: byID[rel.FromID], ToEntity: byID[rel.ToID], FromSib: ends, ToSib: ends})
	}
	return out, nil
}

// compare lays several entities side by side from their edges: one read for the edges, one for
// the entities at their other ends, one for the assessments.
func (r *Resolver) compare(ctx context.Context, ids []string) (*model.Comparison, error) {
	if len(ids) < minCompare || len(ids) > maxCompare {
		return nil, badInput("compare takes %d to %d IDs, got %d", minCompare, maxCompare, len(ids))
	}
	subjects := make([]store.ID, len(ids))
	for i, id := range ids {
		sid, err := entityID("ids", id)
		if err != nil {
			return nil, err
		}
		if slices.Contains(subjects[:i], sid) {
			return nil, badInput("compare needs distinct entities; %q is given twice", id)
		}
		subjects[i] = sid
	}
	edges, err := r.Store.Edges(ctx, subjects, store.EdgeFilter{Dir: store.Both})
	if err != nil {
		return nil, err
	}
	type key struct {
		kind  dataset.RelKind
		dir   store.Direction
		other store.ID
	}
	var keys []key
	members := map[key][]int{}
	need := slices.Clone(subjects)
	for i := range subjects {
		for _, e := range edges[i] {
			k := key{e.Kind, e.Dir, e.Other}
			if len(members[k]) == 0 {
				keys = append(keys, k)
				need = append(need, e.Other)
			}
			if !slices.Contains(members[k], i) {
				members[k] = append(members[k], i)
			}
		}
	}
	ents, err := r.Store.EntitiesByID(ctx, need)
	if err != nil {
		return nil, err
	}
	byID := indexEntities(ents)
	sib := countEntities(ents)
	out := &model.Comparison{Tradeoffs: []*model.ComparedTradeoff{}, Neighbors: []*model.ComparedNeighbor{}, Assessments: []*model.Assessment{}}
	for i, id := range subjects {
		if byID[id] == nil {
			return nil, notFound("no entity has the ID %q", ids[i])
		}
		out.Entities = append(out.Entities, model.NewEntity(byID[id], sib))
	}
	for _, k := range keys {
		other := byID[k.other]
		if other == nil {
			continue
		}
		var which []model.Entity
		for _, i := range members[k] {
			which = append(which, out.Entities[i])
		}
		shared := len(members[k]) == len(subjects)
		if (k.kind == dataset.RelHasBenefit || k.kind == dataset.RelHasChallenge) && k.dir == store.Outgoing {
			if t, ok := model.NewEntity(other, sib).(*model.Tradeoff); ok {
				out.Tradeoffs = append(out.Tradeoffs, &model.ComparedTradeoff{Tradeoff: t, Entities: which, Shared: shared})
				continue
			}
		}
		dir := model.DirectionOutgoing
		if k.dir == store.Incoming {
			dir = model.DirectionIncoming
		}
		out.Neighbors = append(out.Neighbors, &model.ComparedNeighbor{Kind: model.RelKindOf(k.kind), Direction: dir,
			Neighbor: model.NewEntity(other, sib), Entities: which, Shared: shared})
	}
	// Shared first, then by how many compared entities have it.
	slices.SortStableFunc(out.Tradeoffs, func(a, b *model.ComparedTradeoff) int { return len(b.Entities) - len(a.Entities) })
	slices.SortStableFunc(out.Neighbors, func(a, b *model.ComparedNeighbor) int { return len(b.Entities) - len(a.Entities) })
	all, err := r.Store.AssessmentsOf(ctx, subjects)
	if err != nil {
		return nil, err
	}
	radars, err := loadersFrom(ctx).radars()
	if err != nil {
		return nil, err
	}
	for i, list := range all {
		latest := map[string]*store.Assessment{}
		for _, a := range list {
			if cur := latest[a.Radar]; cur == nil || a.Edition > cur.Edition {
				latest[a.Radar] = a
			}
		}
		for _, a := range list {
			rd, ok := radars[a.Radar]
			if !ok || latest[a.Radar] != a {
				continue
			}
			radar := model.Radar{R: rd}
			var prev *store.Assessment
			for _, p := range list {
				if p.Radar == a.Radar && p.Edition == radar.PreviousEdition(a.Edition) {
					prev = p
				}
			}
			out.Assessments = append(out.Assessments, &model.Assessment{A: a, Radar: radar, Previous: prev, Entity: byID[subjects[i]], Sib: sib})
		}
	}
	return out, nil
}

// facets counts a filtered set by each facet.
func (r *Resolver) facets(ctx context.Context, ts []model.EntityType, filter *model.EntityFilter) (*model.Facets, error) {
	if err := r.checkFilterSize(filter); err != nil {
		return nil, err
	}
	f, err := storeFilter(filter, 0)
	if err != nil {
		return nil, err
	}
	res, err := r.Store.Facets(ctx, entityTypes(ts), f)
	if err != nil {
		return nil, err
	}
	counts := func(name string, value func(string) string) []*model.FacetCount {
		out := []*model.FacetCount{}
		for _, c := range res.Counts[name] {
			out = append(out, &model.FacetCount{Value: value(c.Value), Count: c.Count})
		}
		slices.SortStableFunc(out, func(a, b *model.FacetCount) int { return b.Count - a.Count })
		return out
	}
	enum := func(v string) string { return string(model.EnumName(v)) }
	plain := func(v string) string { return v }
	typeName := func(v string) string {
		if len(v) != 1 {
			return v
		}
		return string(model.EntityTypeEnum(dataset.EntityType(v[0])))
	}
	return &model.Facets{TotalCount: res.Total, Types: counts("type", typeName), Kinds: counts("kind", enum),
		Statuses: counts("status", enum), Lifecycles: counts("lifecycle", enum), TradeoffTypes: counts("tradeoffType", enum),
		Tags: counts("tag", plain), Rings: counts("ring", plain)}, nil
}
