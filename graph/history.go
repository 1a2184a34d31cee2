package graph

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// history answers a record's history field: a page of its changes, newest first, batched
// with its siblings' histories.
func (r *Resolver) history(ctx context.Context, parent any, record store.RecordKey, w knowledge.Window) (*model.ChangeConnection, error) {
	// Validate here, so that a bad window is the caller's error and not the batch's.
	if _, err := knowledge.HistoryWindow(w); err != nil {
		return nil, err
	}
	k := historyKey{record: record, n: knowledge.DefaultPageSize, last: w.Last != nil || w.Before != nil}
	switch {
	case w.First != nil:
		k.n = *w.First
	case w.Last != nil:
		k.n = *w.Last
	}
	if w.After != nil {
		k.cursor = *w.After
	}
	if w.Before != nil {
		k.cursor = *w.Before
	}
	page, err := loadHistory(ctx, parent, k)
	if err != nil {
		return nil, err
	}
	return r.changeConnection(ctx, page)
}

// changeConnection maps a page of changes, with their change sets read in one go.
func (r *Resolver) changeConnection(ctx context.Context, page *knowledge.Page[store.Change]) (*model.ChangeConnection, error) {
	versions := make([]uint64, len(page.Items))
	for i, ch := range page.Items {
		versions[i] = ch.Version
	}
	sets, err := r.kb().ChangeSets(ctx, versions)
	if err != nil {
		return nil, err
	}
	conn := &model.ChangeConnection{Edges: make([]*model.ChangeEdge, len(page.Items))}
	for i := range page.Items {
		conn.Edges[i] = &model.ChangeEdge{Cursor: page.Cursors[i], Node: &model.Change{Change: page.Items[i], Set: sets[i]}}
	}
	conn.Nodes = nodesOf(conn.Edges, func(e *model.ChangeEdge) *model.Change { return e.Node })
	conn.PageInfo = newPage(conn.Edges, page.Cursors, page.HasPreviousPage, page.HasNextPage, page.Total).info
	return conn, nil
}

// changeQuery maps the changes field's filter onto the query layer's.
func changeQuery(f *model.ChangeFilter) (knowledge.ChangeQuery, error) {
	var q knowledge.ChangeQuery
	if f == nil {
		return q, nil
	}
	for _, v := range []*int{f.SinceVersion, f.UntilVersion} {
		if v != nil && *v < 1 {
			return q, badInput("a data version is 1 or more, got %d", *v)
		}
	}
	if f.SinceVersion != nil {
		q.SinceVersion = uint64(*f.SinceVersion)
	}
	if f.UntilVersion != nil {
		q.UntilVersion = uint64(*f.UntilVersion)
	}
	if f.Since != nil {
		q.Since = time.Time(*f.Since)
	}
	if f.Until != nil {
		q.Until = time.Time(*f.Until)
	}
	if f.Actor != nil {
		q.Actor = *f.Actor
	}
	if f.EntityType != nil {
		q.EntityType = model.EntityTypeOf(*f.EntityType)
	}
	if f.Entity != nil {
		q.Entity = *f.Entity
	}
	return q, nil
}

// recordKeyOf names the record a global ID or slug points at: an entity or a relationship.
func (r *Resolver) recordKeyOf(ctx context.Context, id, slug *string) (store.RecordKey, error) {
	switch {
	case (id == nil) == (slug == nil):
		return store.RecordKey{}, badInput("give either id or slug")
	case slug != nil:
		return store.EntityKey(*slug), nil
	}
	t, k, err := model.ParseGlobalID(*id)
	if err != nil {
		return store.RecordKey{}, badInput("%q is not a valid ID", *id)
	}
	switch {
	case model.IsEntityType(t):
		ents, err := r.Store.EntitiesByID(ctx, []store.ID{model.StoreID(k)})
		if err != nil {
			return store.RecordKey{}, err
		}
		if ents[0] == nil || model.TypeName(ents[0].Type) != t {
			return store.RecordKey{}, notFound("nothing has the ID %q", *id)
		}
		return store.EntityKey(ents[0].Slug), nil
	case t == "Relationship":
		rels, err := r.Store.RelationshipsByID(ctx, []store.ID{model.StoreID(k)})
		if err != nil {
			return store.RecordKey{}, err
		}
		if rels[0] == nil {
			return store.RecordKey{}, notFound("nothing has the ID %q", *id)
		}
		return store.RelationshipKey(rels[0].From, rels[0].Kind, rels[0].To), nil
	case t == "Source":
		return store.RecordKey{Kind: store.RecordSource, Key: k}, nil
	}
	return store.RecordKey{}, badInput("%q names neither an entity, a relationship nor a source", *id)
}

// followChanges streams change sets to a subscription. When the feed drops a slow subscriber
// the stream ends with SUBSCRIBER_TOO_SLOW, so the client knows to resume from its last version.
func (r *Resolver) followChanges(ctx context.Context, since *int) (<-chan *model.ChangeSet, error) {
	var from *uint64
	if since != nil {
		if *since < 0 {
			return nil, badInput("since is 0 or more, got %d", *since)
		}
		v := uint64(*since)
		from = &v
	}
	sets, stop, err := r.Feed.Follow(ctx, from)
	if errors.Is(err, knowledge.ErrTooManyFollowers) {
		return nil, &userError{code: CodeTooManySubscribers, msg: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	out := make(chan *model.ChangeSet)
	go func() {
		defer close(out)
		for cs := range sets {
			select {
			case out <- changeSetOf(cs):
			case <-ctx.Done():
				return
			}
		}
		if errors.Is(*stop, knowledge.ErrTooSlow) {
			graphql.AddError(ctx, &userError{code: CodeSubscriberTooSlow, msg: knowledge.ErrTooSlow.Error()})
		}
	}()
	return out, nil
}
