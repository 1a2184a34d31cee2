package graph

import (
	"context"
	"errors"
	"math/bits"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/batch"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// LoaderOptions tune the per-operation loaders.
type LoaderOptions struct {
	// Wait is how long a loader holds a batch open before it runs anyway. Batches normally run
	// as soon as the last sibling object has asked (see package batch), so this is only a
	// safety net for the cases that cannot be counted.
	Wait time.Duration
	// BatchCapacity bounds the keys of one batch, and so the work of one read transaction.
	BatchCapacity int
}

// DefaultLoaderOptions are used for zero fields. The wait is only a safety net (batches run on
// the last sibling's arrival): 5 ms is long enough that a busy machine's slow goroutines rarely
// split a batch, and short enough not to matter when it does fire. 1000 keys keep one read
// transaction in the low milliseconds. See BenchmarkNestedQuery for the measurement.
func DefaultLoaderOptions() LoaderOptions {
	return LoaderOptions{Wait: 5 * time.Millisecond, BatchCapacity: 1000}
}

// loaders are created per operation, so batches and caches never mix two requests.
type loaders struct {
	store   *store.Store
	onBatch func(loader string, keys int)

	edgePages   *dataloader.Loader[edgeKey, *edgeResult]
	entities    *dataloader.Loader[entityKey, *entityResult]
	assessments *dataloader.Loader[entityKey, []*store.Assessment]
	histories   *dataloader.Loader[historyKey, *knowledge.Page[store.Change]]

	// members keeps which sibling group each entity object of the response belongs to.
	members batch.Members

	// sources and radars are tiny tables read whole, once per operation, on first use.
	sources func() (map[string]store.Source, error)
	radars  func() (map[string]*domain.Radar, error)
}

type loadersKey struct{}

// withLoaders attaches a fresh set of loaders to an operation's context.
func withLoaders(ctx context.Context, s *store.Store, o LoaderOptions, onBatch func(string, int)) context.Context {
	def := DefaultLoaderOptions()
	if o.Wait <= 0 {
		o.Wait = def.Wait
	}
	if o.BatchCapacity <= 0 {
		o.BatchCapacity = def.BatchCapacity
	}
	if onBatch == nil {
		onBatch = func(string, int) {}
	}
	l := &loaders{store: s, onBatch: onBatch}
	l.edgePages = dataloader.NewBatchedLoader(l.readEdgePageBatch,
		dataloader.WithWait[edgeKey, *edgeResult](o.Wait), dataloader.WithBatchCapacity[edgeKey, *edgeResult](o.BatchCapacity))
	l.entities = dataloader.NewBatchedLoader(l.readEntityBatch,
		dataloader.WithWait[entityKey, *entityResult](o.Wait), dataloader.WithBatchCapacity[entityKey, *entityResult](o.BatchCapacity))
	l.assessments = dataloader.NewBatchedLoader(l.readAssessmentBatch,
		dataloader.WithWait[entityKey, []*store.Assessment](o.Wait), dataloader.WithBatchCapacity[entityKey, []*store.Assessment](o.BatchCapacity))
	l.histories = dataloader.NewBatchedLoader(l.readHistoryBatch,
		dataloader.WithWait[historyKey, *knowledge.Page[store.Change]](o.Wait),
		dataloader.WithBatchCapacity[historyKey, *knowledge.Page[store.Change]](o.BatchCapacity))
	l.sources = sync.OnceValues(func() (map[string]store.Source, error) {
		list, err := s.Sources()
		m := make(map[string]store.Source, len(list))
		for _, src := range list {
			m[src.Slug] = src
		}
		return m, err
	})
	l.radars = sync.OnceValues(func() (map[string]*domain.Radar, error) {
		list, err := s.Radars()
		m := make(map[string]*domain.Radar, len(list))
		for i := range list {
			m[list[i].Slug] = &list[i]
		}
		return m, err
	})
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	if l == nil {
		panic("graph: no loaders in context: build the executor with NewExecutor")
	}
	return l
}

// enumSet is a set of values of a one-byte enumeration (a relationship kind, an entity type):
// a filter held as one, unlike a slice, can be part of a comparable loader key.
type enumSet[T ~uint8] [256 / 64]uint64

func enumSetOf[T ~uint8](values []T) enumSet[T] {
	var s enumSet[T]
	for _, v := range values {
		s[v/64] |= 1 << (v % 64)
	}
	return s
}

// members lists the set's values in ascending order; nil for the empty set, which a filter
// reads as "any".
func (s enumSet[T]) members() []T {
	var out []T
	for i, word := range s {
		for ; word != 0; word &= word - 1 {
			out = append(out, T(i*64+bits.TrailingZeros64(word)))
		}
	}
	return out
}

// edgeKey asks for one page of one node's edges; it is comparable, as loader keys must be.
type edgeKey struct {
	node     store.ID
	nodeType domain.EntityType
	dir      store.Direction
	kinds    enumSet[domain.RelKind]
	types    enumSet[domain.EntityType]
	after    string
	before   string
	limit    int
	fromEnd  bool
	sig      string
}

type edgeResult struct {
	page *store.EdgePage
	// sib groups the entities at the other ends of every page of this batch and signature;
	// fromSib and toSib the relationships' ends, as reached through their from and to fields.
	sib, fromSib, toSib *batch.Siblings
}

func (l *loaders) readEdgePageBatch(ctx context.Context, keys []edgeKey) []*dataloader.Result[*edgeResult] {
	l.onBatch("edges", len(keys))
	if err := ctx.Err(); err != nil {
		return failAll[*edgeResult](len(keys), err)
	}
	reqs := make([]store.EdgePageRequest, len(keys))
	for i, k := range keys {
		f := store.EdgeFilter{Dir: k.dir, Kinds: k.kinds.members(), OtherTypes: k.types.members()}
		reqs[i] = store.EdgePageRequest{Node: k.node, Filter: f, Page: store.PageArgs{
			After: bytesOrNil(k.after), Before: bytesOrNil(k.before), Limit: k.limit, FromEnd: k.fromEnd}}
	}
	pages, err := l.store.EdgePages(ctx, reqs)
	if err != nil {
		return failAll[*edgeResult](len(keys), storeError(err))
	}
	out := make([]*dataloader.Result[*edgeResult], len(keys))
	g, from, to := groups{}, groups{}, groups{}
	for i, k := range keys {
		res := &edgeResult{page: pages[i], sib: g.get(k.sig), fromSib: from.get(k.sig), toSib: to.get(k.sig)}
		for j, e := range pages[i].Others {
			if e == nil {
				continue
			}
			res.sib.Add(model.TypeName(e.Type))
			// The node itself is one end of each relationship, the other entity the other.
			node := model.TypeName(k.nodeType)
			if pages[i].Edges[j].Dir == store.Outgoing {
				res.fromSib.Add(node)
				res.toSib.Add(model.TypeName(e.Type))
			} else {
				res.fromSib.Add(model.TypeName(e.Type))
				res.toSib.Add(node)
			}
		}
		out[i] = &dataloader.Result[*edgeResult]{Data: res}
	}
	return out
}

// failAll answers every key of a batch with err: a cancelled operation reads nothing more.
func failAll[V any](n int, err error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], n)
	for i := range out {
		out[i] = &dataloader.Result[V]{Error: err}
	}
	return out
}

func bytesOrNil(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// storeError marks a store failure for the error presenter, except a bad cursor, which is
// the caller's.
func storeError(err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return badInput("the cursor does not belong to this list")
	}
	return err
}

type entityKey struct {
	id  store.ID
	sig string
}

type entityResult struct {
	entity *store.Entity
	sib    *batch.Siblings
}

func (l *loaders) readEntityBatch(ctx context.Context, keys []entityKey) []*dataloader.Result[*entityResult] {
	l.onBatch("entities", len(keys))
	if err := ctx.Err(); err != nil {
		return failAll[*entityResult](len(keys), err)
	}
	ids := make([]store.ID, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	ents, err := l.store.EntitiesByID(ctx, ids)
	out := make([]*dataloader.Result[*entityResult], len(keys))
	g := groups{}
	for i, k := range keys {
		if err != nil {
			out[i] = &dataloader.Result[*entityResult]{Error: err}
			continue
		}
		sib := g.get(k.sig)
		if ents[i] != nil {
			sib.Add(model.TypeName(ents[i].Type))
		}
		// A missing entity is a nil result, not an error: the field is null.
		out[i] = &dataloader.Result[*entityResult]{Data: &entityResult{entity: ents[i], sib: sib}}
	}
	return out
}

func (l *loaders) readAssessmentBatch(ctx context.Context, keys []entityKey) []*dataloader.Result[[]*store.Assessment] {
	l.onBatch("assessments", len(keys))
	if err := ctx.Err(); err != nil {
		return failAll[[]*store.Assessment](len(keys), err)
	}
	ids := make([]store.ID, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	all, err := l.store.AssessmentsOf(ctx, ids)
	out := make([]*dataloader.Result[[]*store.Assessment], len(keys))
	for i := range keys {
		if err != nil {
			out[i] = &dataloader.Result[[]*store.Assessment]{Error: err}
			continue
		}
		out[i] = &dataloader.Result[[]*store.Assessment]{Data: all[i]}
	}
	return out
}

// loadOne queues the key for the calling field's position on loader ld and reports parent's
// arrival (parent is the object of the response whose field this is), so that the last of its
// siblings to ask runs the batch at once; then it waits for the value.
func loadOne[K comparable, V any](ctx context.Context, l *loaders, parent any, ld *dataloader.Loader[K, V], key func(sig string) K) (V, error) {
	sib, sig := l.members.Of(parent), signature(ctx)
	if err := ctx.Err(); err != nil {
		// Timed out or cancelled: arrive (siblings must not wait for us) and load nothing.
		sib.Arrive(ctx, sig, ld.Flush)
		var none V
		return none, err
	}
	thunk := ld.Load(ctx, key(sig))
	sib.Arrive(ctx, sig, ld.Flush)
	return thunk()
}

// loadEntity loads one entity for a field of parent.
func loadEntity(ctx context.Context, parent any, id store.ID) (model.Entity, error) {
	l := loadersFrom(ctx)
	res, err := loadOne(ctx, l, parent, l.entities, func(sig string) entityKey { return entityKey{id: id, sig: sig} })
	if err != nil {
		return nil, err
	}
	return groupFor(ctx, res.sib).entity(res.entity), nil
}

// skipEntity is loadEntity for a parent that has nothing to load: it still arrives, so that its
// siblings' batch does not wait for it.
func skipEntity(ctx context.Context, parent any) {
	l := loadersFrom(ctx)
	l.members.Of(parent).Arrive(ctx, signature(ctx), l.entities.Flush)
}

// loadEdgePage loads one page of a parent's edges.
func loadEdgePage(ctx context.Context, parent any, k edgeKey) (*edgeResult, error) {
	l := loadersFrom(ctx)
	return loadOne(ctx, l, parent, l.edgePages, func(sig string) edgeKey { k.sig = sig; return k })
}

// loadAssessments loads every assessment of a parent entity.
func loadAssessments(ctx context.Context, parent any, id store.ID) ([]*store.Assessment, error) {
	l := loadersFrom(ctx)
	return loadOne(ctx, l, parent, l.assessments, func(sig string) entityKey { return entityKey{id: id, sig: sig} })
}

// historyKey asks for one page of one record's history.
type historyKey struct {
	record store.RecordKey
	// n changes after cursor, or with last the n before it ("" for none).
	n      int
	last   bool
	cursor string
	sig    string
}

func (l *loaders) readHistoryBatch(ctx context.Context, keys []historyKey) []*dataloader.Result[*knowledge.Page[store.Change]] {
	l.onBatch("histories", len(keys))
	if err := ctx.Err(); err != nil {
		return failAll[*knowledge.Page[store.Change]](len(keys), err)
	}
	reqs := make([]knowledge.HistoryRequest, len(keys))
	for i, k := range keys {
		n, cursor := k.n, k.cursor
		w := knowledge.Window{First: &n}
		if k.cursor != "" {
			w.After = &cursor
		}
		if k.last {
			w = knowledge.Window{Last: &n}
			if k.cursor != "" {
				w.Before = &cursor
			}
		}
		reqs[i] = knowledge.HistoryRequest{Record: k.record, Window: w}
	}
	pages, err := knowledge.New(l.store).Histories(ctx, reqs)
	if err != nil {
		return failAll[*knowledge.Page[store.Change]](len(keys), err)
	}
	out := make([]*dataloader.Result[*knowledge.Page[store.Change]], len(keys))
	for i := range keys {
		out[i] = &dataloader.Result[*knowledge.Page[store.Change]]{Data: pages[i]}
	}
	return out
}

// loadHistory loads one page of a record's history for a field of parent.
func loadHistory(ctx context.Context, parent any, k historyKey) (*knowledge.Page[store.Change], error) {
	l := loadersFrom(ctx)
	return loadOne(ctx, l, parent, l.histories, func(sig string) historyKey { k.sig = sig; return k })
}
