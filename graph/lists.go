package graph

import (
	"context"
	"encoding/binary"
	"errors"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph/batch"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/store"
)

// maxFilterDepth bounds and/or/not nesting, so a filter cannot make the store do unbounded work.
const maxFilterDepth = 8

// storeFilter converts a GraphQL filter into the store's.
func storeFilter(f *model.EntityFilter, depth int) (*store.Filter, error) {
	if f == nil {
		return nil, nil
	}
	if depth > maxFilterDepth {
		return nil, badInput("filters may nest at most %d deep", maxFilterDepth)
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
		if len(f.Ring.Rings) == 0 {
			return nil, badInput("ring.rings must name at least one ring")
		}
		for _, r := range f.Ring.Rings {
			out.Rings = append(out.Rings, f.Ring.Radar+"/"+r)
		}
	}
	if f.Text != nil {
		if len(*f.Text) > 200 {
			return nil, badInput("text may be at most 200 characters")
		}
		out.Text = *f.Text
		if out.Text != "" && len(store.Tokenize(out.Text)) == 0 {
			return nil, badInput("text has no words to match")
		}
	}
	for _, sub := range f.And {
		s, err := storeFilter(sub, depth+1)
		if err != nil {
			return nil, err
		}
		out.And = append(out.And, s)
	}
	for _, sub := range f.Or {
		s, err := storeFilter(sub, depth+1)
		if err != nil {
			return nil, err
		}
		out.Or = append(out.Or, s)
	}
	if f.Not != nil {
		s, err := storeFilter(f.Not, depth+1)
		if err != nil {
			return nil, err
		}
		out.Not = s
	}
	return out, nil
}

// listEntities pages through entities of the types, filtered and ordered.
func (r *Resolver) listEntities(ctx context.Context, ts []dataset.EntityType, filter *model.EntityFilter, orderBy *model.EntityOrder,
	first *int, after *string, last *int, before *string) (page[model.Entity], error) {
	args, err := pageArgs(cursorList, first, after, last, before)
	if err != nil {
		return page[model.Entity]{}, err
	}
	if err := r.checkFilterSize(filter); err != nil {
		return page[model.Entity]{}, err
	}
	f, err := storeFilter(filter, 0)
	if err != nil {
		return page[model.Entity]{}, err
	}
	q := store.ListQuery{Types: ts, Filter: f, Order: store.OrderName, Page: args, Load: true}
	if orderBy != nil {
		if orderBy.Field == model.EntityOrderFieldSlug {
			q.Order = store.OrderSlug
		}
		q.Desc = orderBy.Direction == model.OrderDirectionDesc
	}
	p, err := r.Store.List(ctx, q)
	if errors.Is(err, store.ErrBadCursor) {
		return page[model.Entity]{}, badInput("the cursor does not belong to this list and order")
	}
	if err != nil {
		return page[model.Entity]{}, err
	}
	return entityPage(p.Entities, p.Cursors, p.HasPreviousPage, p.HasNextPage, p.Total, cursorList), nil
}

// entityPage wraps loaded entities as one sibling group.
func entityPage(ents []*store.Entity, rawCursors [][]byte, hasPrev, hasNext bool, total int, kind byte) page[model.Entity] {
	sib := countEntities(ents)
	nodes := make([]model.Entity, 0, len(ents))
	cursors := make([]string, 0, len(ents))
	for i, e := range ents {
		if e == nil {
			continue
		}
		nodes = append(nodes, model.NewEntity(e, sib))
		cursors = append(cursors, encodeCursor(kind, rawCursors[i]))
	}
	return newPage(nodes, cursors, hasPrev, hasNext, total)
}

// indexEntities maps loaded entities by ID, leaving out the missing (nil) ones.
func indexEntities(ents []*store.Entity) map[store.ID]*store.Entity {
	byID := make(map[store.ID]*store.Entity, len(ents))
	for _, e := range ents {
		if e != nil {
			byID[e.ID] = e
		}
	}
	return byID
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

func entityTypes(ts []model.EntityType) []dataset.EntityType {
	out := make([]dataset.EntityType, 0, len(ts))
	for _, t := range ts {
		out = append(out, model.EntityTypeOf(t))
	}
	return out
}

// search pages through ranked search results.
func (r *Resolver) search(ctx context.Context, query string, ts []model.EntityType, first *int, after *string) (*model.SearchConnection, error) {
	if len(query) > 200 {
		return nil, badInput("query may be at most 200 characters")
	}
	if len(store.Tokenize(query)) == 0 {
		return nil, badInput("query has no words to search for")
	}
	args, err := pageArgs(cursorSearch, first, after, nil, nil)
	if err != nil {
		return nil, err
	}
	offset := 0
	if args.After != nil {
		if len(args.After) != 4 {
			return nil, badInput("after is not a cursor of this search")
		}
		offset = int(binary.BigEndian.Uint32(args.After)) + 1
	}
	res, err := r.Store.Search(ctx, store.SearchQuery{Text: query, Types: entityTypes(ts), Offset: offset, Limit: args.Limit, Load: true})
	if err != nil {
		return nil, err
	}
	ents := make([]*store.Entity, len(res.Hits))
	for i, h := range res.Hits {
		ents[i] = h.Entity
	}
	sib := countEntities(ents)
	conn := &model.SearchConnection{TotalCount: res.Total, Edges: []*model.SearchEdge{}}
	var cursors []string
	for i, h := range res.Hits {
		if h.Entity == nil {
			continue
		}
		c := encodeCursor(cursorSearch, binary.BigEndian.AppendUint32(nil, uint32(offset+i)))
		cursors = append(cursors, c)
		conn.Edges = append(conn.Edges, &model.SearchEdge{Cursor: c, Score: h.Score, Node: model.NewEntity(h.Entity, sib)})
	}
	conn.PageInfo = newPage(conn.Edges, cursors, offset > 0, offset+len(res.Hits) < res.Total, res.Total).info
	return conn, nil
}

// entityBySlug looks up one entity for a root field: one parent, so no loader is needed.
func (r *Resolver) entityBySlug(ctx context.Context, slug string, want dataset.EntityType) (model.Entity, error) {
	ents, err := r.Store.EntitiesBySlug(ctx, []string{slug})
	if err != nil {
		return nil, err
	}
	e := ents[0]
	if e == nil || (want != 0 && e.Type != want) {
		what := "entity"
		if want != 0 {
			what = want.String()
		}
		return nil, notFound("no %s has the slug %q", what, slug)
	}
	return model.NewEntity(e, countEntities(ents)), nil
}

// resolveNodes fetches objects by global ID: entities and relationships in one read each.
func (r *Resolver) resolveNodes(ctx context.Context, ids []string) ([]model.Node, error) {
	out := make([]model.Node, len(ids))
	var entIDs, relIDs []store.ID
	type ref struct {
		typeName, key string
	}
	refs := make([]ref, len(ids))
	for i, id := range ids {
		t, k, err := model.ParseGlobalID(id)
		if err != nil {
			return nil, badInput("%q is not a valid ID", id)
		}
		refs[i] = ref{t, k}
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
	entByID := indexEntities(ents)
	sib := countEntities(ents)
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
		endByID = indexEntities(ends)
	}
	for i, ref := range refs {
		switch {
		case model.IsEntityType(ref.typeName):
			// An ID whose type does not match the entity is not that entity's ID.
			if e := entByID[model.StoreID(ref.key)]; e != nil && model.TypeName(e.Type) == ref.typeName {
				out[i] = model.NewEntity(e, sib).(model.Node)
			}
		case ref.typeName == "Relationship":
			// A relationship whose end has gone (it cannot, after a valid import) is not served.
			if rel := relByID[model.StoreID(ref.key)]; rel != nil && endByID[rel.FromID] != nil && endByID[rel.ToID] != nil {
				out[i] = &model.Relationship{R: rel, FromEntity: endByID[rel.FromID], ToEntity: endByID[rel.ToID]}
			}
		case ref.typeName == "Source":
			sources, err := loadersFrom(ctx).sources()
			if err != nil {
				return nil, err
			}
			if s, ok := sources[ref.key]; ok {
				out[i] = &model.Source{S: s}
			}
		case ref.typeName == "Radar":
			radars, err := loadersFrom(ctx).radars()
			if err != nil {
				return nil, err
			}
			if rd, ok := radars[ref.key]; ok {
				out[i] = &model.Radar{R: rd}
			}
		}
	}
	return out, nil
}
