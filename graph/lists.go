package graph

import (
	"context"
	"strconv"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// kb is the query layer over the resolver's store.
func (r *Resolver) kb() *knowledge.Base { return knowledge.New(r.Store) }

// storeFilter translates a GraphQL filter into the store's; package knowledge checks its depth
// and texts.
func storeFilter(f *model.EntityFilter) (*store.Filter, error) {
	if f == nil {
		return nil, nil
	}
	out := &store.Filter{Vendors: f.Vendors, Trends: f.Trends, TagsAny: f.TagsAny, TagsAll: f.TagsAll}
	for _, k := range f.Kinds {
		out.Kinds = append(out.Kinds, model.DataWord(string(k)))
	}
	for _, s := range f.Statuses {
		out.Statuses = append(out.Statuses, model.DataWord(string(s)))
	}
	for _, l := range f.Lifecycles {
		out.Lifecycles = append(out.Lifecycles, model.DataWord(string(l)))
	}
	for _, t := range f.TradeoffTypes {
		out.TradeoffTypes = append(out.TradeoffTypes, model.DataWord(string(t)))
	}
	if f.Ring != nil {
		// The store's filter has no ring object: an empty one would silently match everything.
		if len(f.Ring.Rings) == 0 {
			return nil, badInput("ring.rings must name at least one ring")
		}
		for _, r := range f.Ring.Rings {
			out.Rings = append(out.Rings, f.Ring.Radar+"/"+r)
		}
	}
	if f.Text != nil {
		out.Text = *f.Text
	}
	if f.Reach != nil {
		ref, err := entityRef("reach.from", f.Reach.From)
		if err != nil {
			return nil, err
		}
		out.Reach = &store.Reach{From: ref.ID, Slug: ref.Slug, Hops: f.Reach.Hops, Kinds: relKinds(f.Reach.Kinds), Dir: storeDirection(f.Reach.Direction)}
	}
	for _, sub := range f.And {
		s, err := storeFilter(sub)
		if err != nil {
			return nil, err
		}
		out.And = append(out.And, s)
	}
	for _, sub := range f.Or {
		s, err := storeFilter(sub)
		if err != nil {
			return nil, err
		}
		out.Or = append(out.Or, s)
	}
	if f.Not != nil {
		s, err := storeFilter(f.Not)
		if err != nil {
			return nil, err
		}
		out.Not = s
	}
	return out, nil
}

// listEntities pages through entities of the types, filtered and ordered.
func (r *Resolver) listEntities(ctx context.Context, ts []domain.EntityType, filter *model.EntityFilter, orderBy *model.EntityOrder,
	first *int, after *string, last *int, before *string) (page[model.Entity], error) {
	if err := r.checkFilterSize(filter); err != nil {
		return page[model.Entity]{}, err
	}
	f, err := storeFilter(filter)
	if err != nil {
		return page[model.Entity]{}, err
	}
	a := knowledge.ListArgs{Types: ts, Filter: f, Order: store.OrderName, Window: knowledge.Window{First: first, After: after, Last: last, Before: before}}
	if orderBy != nil {
		if orderBy.Field == model.EntityOrderFieldSlug {
			a.Order = store.OrderSlug
		}
		a.Desc = orderBy.Direction == model.OrderDirectionDesc
	}
	p, err := r.kb().ListEntities(ctx, a)
	if err != nil {
		return page[model.Entity]{}, err
	}
	g := newGroup(ctx, p.Items)
	nodes := make([]model.Entity, len(p.Items))
	for i, e := range p.Items {
		nodes[i] = g.entity(e)
	}
	return newPage(nodes, p.Cursors, p.HasPreviousPage, p.HasNextPage, p.Total), nil
}

func entityTypes(ts []model.EntityType) []domain.EntityType {
	out := make([]domain.EntityType, 0, len(ts))
	for _, t := range ts {
		out = append(out, model.EntityTypeOf(t))
	}
	return out
}

// search pages through ranked search results.
func (r *Resolver) search(ctx context.Context, query string, ts []model.EntityType, mode *model.SearchMode, evidence *bool, w knowledge.Window) (*model.SearchConnection, error) {
	a := knowledge.SearchArgs{Text: query, Types: entityTypes(ts), AnyWord: mode != nil && *mode == model.SearchModeAnyWord,
		First: w.First, After: w.After, Last: w.Last, Before: w.Before}
	// Without the source text there is no evidence to search: the entities' own fields are.
	if evidence != nil && *evidence && len(r.Texts) > 0 {
		a.Evidence = r.Texts
	}
	p, err := r.kb().Search(ctx, a)
	if err != nil {
		return nil, err
	}
	g := groupOf(ctx, p.Items, func(h knowledge.Hit) *store.Entity { return h.Entity })
	conn := &model.SearchConnection{TotalCount: p.Total, Edges: make([]*model.SearchEdge, len(p.Items)), DidYouMean: p.DidYouMean}
	if conn.DidYouMean == nil {
		conn.DidYouMean = []string{}
	}
	for i, h := range p.Items {
		conn.Edges[i] = &model.SearchEdge{Cursor: p.Cursors[i], Score: h.Score, MatchedWords: h.Matched, Node: g.entity(h.Entity)}
		if h.Passage != nil {
			conn.Edges[i].Passage = &model.Citation{Citation: *h.Passage}
		}
	}
	conn.Nodes = nodesOf(conn.Edges, func(e *model.SearchEdge) model.Entity { return e.Node })
	conn.PageInfo = newPage(conn.Edges, p.Cursors, p.HasPreviousPage, p.HasNextPage, p.Total).info
	return conn, nil
}

// entityBySlug looks up one entity for a root field: one parent, so no loader is needed.
func (r *Resolver) entityBySlug(ctx context.Context, slug string, want domain.EntityType) (model.Entity, error) {
	e, err := r.kb().EntityBySlug(ctx, slug, want)
	if err != nil {
		return nil, err
	}
	return newGroup(ctx, []*store.Entity{e}).entity(e), nil
}

// resolveNodes fetches objects by global ID: entities and relationships in one read each.
// With slugs, a value that is not a global ID is taken as an entity's slug (nodes takes
// either; node takes only global IDs, as entity(slug:) takes slugs).
func (r *Resolver) resolveNodes(ctx context.Context, ids []string, slugs bool) ([]model.Node, error) {
	out := make([]model.Node, len(ids))
	var entIDs, relIDs []store.ID
	type ref struct {
		typeName, key, slug string
	}
	refs := make([]ref, len(ids))
	var bySlug []string
	for i, id := range ids {
		t, k, err := model.ParseGlobalID(id)
		if err != nil {
			// Not a global ID: a slug (no slug is a valid global ID, whose decoded type name
			// starts with a capital, so its encoding does too).
			if !slugs {
				return nil, badInput("%q is not a valid ID", id)
			}
			if !domain.ValidSlug(id) {
				return nil, badInput("%q is neither a valid ID nor a slug", id)
			}
			refs[i] = ref{slug: id}
			bySlug = append(bySlug, id)
			continue
		}
		refs[i] = ref{typeName: t, key: k}
		switch {
		case model.IsEntityType(t):
			entIDs = append(entIDs, model.StoreID(k))
		case t == "Relationship":
			relIDs = append(relIDs, model.StoreID(k))
		}
	}
	ents, err := r.Store.EntitiesByID(ctx, entIDs)
	if err != nil {
		return nil, err
	}
	entByID := store.IndexByID(ents)
	slugEnt := map[string]*store.Entity{}
	if len(bySlug) > 0 {
		found, err := r.Store.EntitiesBySlug(ctx, bySlug)
		if err != nil {
			return nil, err
		}
		for i, e := range found {
			slugEnt[bySlug[i]] = e
		}
	}
	// The group counts only the entities returned: one counted but never returned would keep
	// its siblings' loads waiting for the loader's timer.
	matched := make([]*store.Entity, len(refs))
	for i, ref := range refs {
		if ref.slug != "" {
			matched[i] = slugEnt[ref.slug]
			continue
		}
		// An ID whose type does not match the entity is not that entity's ID.
		if e := entByID[model.StoreID(ref.key)]; e != nil && model.IsEntityType(ref.typeName) && model.TypeName(e.Type) == ref.typeName {
			matched[i] = e
		}
	}
	g := newGroup(ctx, matched)
	var rels []*store.Relationship
	if len(relIDs) > 0 {
		if rels, err = r.Store.RelationshipsByID(ctx, relIDs); err != nil {
			return nil, err
		}
	}
	relByID := map[store.ID]*store.Relationship{}
	var endIDs []store.ID
	for _, rel := range rels {
		if rel != nil {
			relByID[rel.ID] = rel
			endIDs = append(endIDs, rel.FromID, rel.ToID)
		}
	}
	endByID := map[store.ID]*store.Entity{}
	if len(endIDs) > 0 {
		ends, err := r.Store.EntitiesByID(ctx, endIDs)
		if err != nil {
			return nil, err
		}
		endByID = store.IndexByID(ends)
	}
	for i, ref := range refs {
		switch {
		case matched[i] != nil:
			out[i] = g.entity(matched[i]).(model.Node)
		case ref.typeName == "Relationship":
			// A relationship whose end has gone (it cannot, after a valid import) is not served.
			if rel := relByID[model.StoreID(ref.key)]; rel != nil && endByID[rel.FromID] != nil && endByID[rel.ToID] != nil {
				out[i] = &model.Relationship{Relationship: rel, FromEntity: endByID[rel.FromID], ToEntity: endByID[rel.ToID]}
			}
		case ref.typeName == "Source":
			sources, err := loadersFrom(ctx).sources()
			if err != nil {
				return nil, err
			}
			if s, ok := sources[ref.key]; ok {
				out[i] = &model.Source{Source: s}
			}
		case ref.typeName == "ChangeSet":
			version, _ := strconv.ParseUint(ref.key, 10, 64)
			cs, err := r.Store.ChangeSetAt(ctx, version)
			if err != nil {
				return nil, err
			}
			if cs != nil {
				out[i] = &model.ChangeSet{Set: cs}
			}
		case ref.typeName == "Radar":
			radars, err := loadersFrom(ctx).radars()
			if err != nil {
				return nil, err
			}
			if rd, ok := radars[ref.key]; ok {
				out[i] = &model.Radar{Radar: rd}
			}
		}
	}
	return out, nil
}
