package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// The first import into an empty database writes every key of every bucket. It writes them
// bucket by bucket, each in key order, so that bbolt appends to full pages and never splits
// one; and it builds one bucket's keys at a time (small keys packed in one buffer, record
// values encoded as they are put), so that memory holds the dataset and one bucket's index,
// not every key at once. The same layout functions as a change's (entries.go) make the keys.

// bulkChunkBytes is how much ImportNew writes per transaction: a bbolt transaction holds
// every page it dirties in memory until it commits.
const bulkChunkBytes = 32 << 20

// bulkWriter puts keys into one bucket at a time, each bucket's in ascending order. With
// chunk > 0 it commits every chunk bytes and begins a new transaction (ImportNew); otherwise
// every key goes into tx, which its caller commits (ImportChange, atomic).
type bulkWriter struct {
	ctx   context.Context
	db    *bolt.DB
	tx    *bolt.Tx
	chunk int
	size  int
	name  []byte
	b     *bolt.Bucket
	last  []byte
	any   bool
}

// bucket makes name the bucket that puts go to. Cancelling rolls the whole import back: it is
// checked here and at commits, not per key.
func (w *bulkWriter) bucket(name []byte) error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("import cancelled: %w", err)
	}
	w.name, w.any = name, false
	w.b = w.tx.Bucket(name)
	w.b.FillPercent = 0.95
	return nil
}

func (w *bulkWriter) put(k, v []byte) error {
	if w.any {
		switch c := bytes.Compare(w.last, k); {
		case c == 0:
			return fmt.Errorf("bucket %s: duplicate key %x", w.name, k)
		case c > 0:
			return fmt.Errorf("bucket %s: key %x written out of order", w.name, k)
		}
	}
	w.any, w.last = true, append(w.last[:0], k...)
	if err := w.b.Put(k, v); err != nil {
		return fmt.Errorf("write bucket %s: %w", w.name, err)
	}
	w.size += len(k) + len(v)
	if w.chunk > 0 && w.size >= w.chunk {
		return w.commit()
	}
	return nil
}

// putFrom puts the keys and values produce emits, in order. produce runs on another goroutine,
// a few batches ahead of the puts, so that encoding records and writing pages share the
// machine's cores; it must only read what the puts do not change, and stop when emit returns
// false.
func (w *bulkWriter) putFrom(p *progress, produce func(emit func(k, v []byte) bool)) error {
	const batchLen = 256
	type kv struct{ k, v []byte }
	ch := make(chan []kv, 8)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		b := make([]kv, 0, batchLen)
		send := func() bool {
			select {
			case ch <- b:
				b = make([]kv, 0, batchLen)
				return true
			case <-stop:
				return false
			}
		}
		produce(func(k, v []byte) bool {
			b = append(b, kv{k, v})
			return len(b) < batchLen || send()
		})
		if len(b) > 0 {
			send()
		}
	}()
	for b := range ch {
		for _, e := range b {
			if err := w.put(e.k, e.v); err != nil {
				return err
			}
		}
		p.add(int64(len(b)))
	}
	return nil
}

// commit ends the transaction and begins the next, in the same bucket.
func (w *bulkWriter) commit() error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("import cancelled: %w", err)
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	tx, err := w.db.Begin(true)
	if err != nil {
		w.tx = nil
		return fmt.Errorf("begin: %w", err)
	}
	w.tx, w.size = tx, 0
	w.b = tx.Bucket(w.name)
	w.b.FillPercent = 0.95
	return nil
}

// arena holds the small keys and values of one index bucket in one buffer, to be sorted and
// written: a million index entries cost one allocation, not two million.
type arena struct {
	buf  []byte
	ents []arenaEnt
	err  error
}

type arenaEnt struct {
	off        uint32
	klen, vlen uint16
}

// add appends the key made of parts, with the value v.
func (a *arena) add(v []byte, parts ...[]byte) {
	off := len(a.buf)
	for _, p := range parts {
		a.buf = append(a.buf, p...)
	}
	klen := len(a.buf) - off
	a.buf = append(a.buf, v...)
	if off > math.MaxUint32 || klen > bolt.MaxKeySize || len(v) > math.MaxUint16 {
		a.err = errors.New("index too large for one import")
	}
	a.ents = append(a.ents, arenaEnt{uint32(off), uint16(klen), uint16(len(v))})
}

func (a *arena) key(e arenaEnt) []byte { return a.buf[e.off : e.off+uint32(e.klen)] }

// sort puts the entries in key order.
func (a *arena) sort() {
	slices.SortFunc(a.ents, func(x, y arenaEnt) int { return bytes.Compare(a.key(x), a.key(y)) })
}

// write puts the sorted entries into the bucket name, reporting feeds units of progress
// spread over the keys.
func (a *arena) write(w *bulkWriter, p *progress, name []byte, feeds int64) error {
	if a.err != nil {
		return fmt.Errorf("bucket %s: %w", name, a.err)
	}
	if err := w.bucket(name); err != nil {
		return err
	}
	n, reported := int64(len(a.ents)), int64(0)
	for i, e := range a.ents {
		var v []byte
		if e.vlen > 0 {
			start := e.off + uint32(e.klen)
			v = a.buf[start : start+uint32(e.vlen) : start+uint32(e.vlen)]
		}
		if err := w.put(a.key(e), v); err != nil {
			return err
		}
		if done := feeds * int64(i+1) / n; done-reported >= progressStep {
			p.add(done - reported)
			reported = done
		}
	}
	p.add(feeds - reported)
	return nil
}

// errStop ends an iteration early.
var errStop = errors.New("stop")

// bulkLoad holds what a first import needs besides the dataset: the canonical order of its
// records (the change set's order), the derived relationships and every entity's ID and type.
type bulkLoad struct {
	d       *dataset.Dataset
	m       Meta
	derived []domain.Relationship
	ents    map[string]entInfo
	// ids are the entities' IDs, by index in d.Entities.
	ids []ID
	// Indexes into d's lists in canonical order (see dataset.Dataset.Sort).
	sources, radars, entities, rels, assessments []int
	latest                                       map[string]string
}

type entInfo struct {
	id  ID
	typ domain.EntityType
}

func newBulkLoad(d *dataset.Dataset, m Meta) *bulkLoad {
	l := &bulkLoad{d: d, m: m, ents: make(map[string]entInfo, len(d.Entities)), ids: make([]ID, len(d.Entities)), latest: map[string]string{}}
	order := func(n int, less func(a, b int) int) []int {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		// Ties keep their order, as Sort's stable sorts do.
		slices.SortFunc(idx, func(a, b int) int { return cmp.Or(less(a, b), cmp.Compare(a, b)) })
		return idx
	}
	l.sources = order(len(d.Sources), func(a, b int) int { return cmp.Compare(d.Sources[a].Slug, d.Sources[b].Slug) })
	l.radars = order(len(d.Radars), func(a, b int) int { return cmp.Compare(d.Radars[a].Slug, d.Radars[b].Slug) })
	l.entities = order(len(d.Entities), func(a, b int) int {
		x, y := &d.Entities[a], &d.Entities[b]
		return cmp.Or(cmp.Compare(x.Type, y.Type), cmp.Compare(x.Slug, y.Slug))
	})
	l.rels = order(len(d.Relationships), func(a, b int) int {
		x, y := &d.Relationships[a], &d.Relationships[b]
		return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.To, y.To))
	})
	l.assessments = order(len(d.Assessments), func(a, b int) int {
		x, y := &d.Assessments[a], &d.Assessments[b]
		return cmp.Or(cmp.Compare(x.Radar, y.Radar), cmp.Compare(x.Edition, y.Edition), cmp.Compare(x.Entity, y.Entity))
	})
	for _, i := range l.entities {
		e := &d.Entities[i]
		l.ids[i] = EntityID(e.Slug)
		if _, dup := l.ents[e.Slug]; !dup {
			l.ents[e.Slug] = entInfo{l.ids[i], e.Type}
		}
		l.derived = append(l.derived, domain.DerivedRelationships(e)...)
	}
	for _, r := range d.Radars {
		l.latest[r.Slug] = latestEdition(&r)
	}
	return l
}

// entity is the ID and type of the entity with the slug; the type is 0 for none.
func (l *bulkLoad) entity(slug string) entInfo {
	if e, ok := l.ents[slug]; ok {
		return e
	}
	return entInfo{id: EntityID(slug)}
}

// rel is the i-th of all relationships: the listed ones, then the derived.
func (l *bulkLoad) rel(i int) *domain.Relationship {
	if i < len(l.d.Relationships) {
		return &l.d.Relationships[i]
	}
	return &l.derived[i-len(l.d.Relationships)]
}

func (l *bulkLoad) allRels() int { return len(l.d.Relationships) + len(l.derived) }

// changes calls fn for each change of the change set, in order: every record but the derived
// relationships, each kind in canonical order.
func (l *bulkLoad) changes(fn func(key RecordKey, t domain.EntityType, after any) error) error {
	d := l.d
	for _, i := range l.sources {
		if err := fn(RecordKey{RecordSource, d.Sources[i].Slug}, 0, &d.Sources[i]); err != nil {
			return err
		}
	}
	for _, i := range l.radars {
		if err := fn(RecordKey{RecordRadar, d.Radars[i].Slug}, 0, &d.Radars[i]); err != nil {
			return err
		}
	}
	for _, i := range l.entities {
		e := &d.Entities[i]
		if err := fn(EntityKey(e.Slug), e.Type, e); err != nil {
			return err
		}
	}
	for _, i := range l.rels {
		r := &d.Relationships[i]
		if r.Derived {
			continue // part of its entity's change
		}
		if err := fn(RelationshipKey(r.From, r.Kind, r.To), 0, r); err != nil {
			return err
		}
	}
	for _, i := range l.assessments {
		a := &d.Assessments[i]
		if err := fn(AssessmentKey(a.Radar, a.Edition, a.Entity), 0, a); err != nil {
			return err
		}
	}
	return nil
}

func (l *bulkLoad) numChanges() int {
	n := len(l.d.Sources) + len(l.d.Radars) + len(l.d.Entities) + len(l.d.Assessments)
	for i := range l.d.Relationships {
		if !l.d.Relationships[i].Derived {
			n++
		}
	}
	return n
}

// write writes every record, the change set that creates them and every index, and the meta
// that makes set's version the database's.
func (l *bulkLoad) write(w *bulkWriter, p *progress, set *ChangeSet, now time.Time) error {
	d, m := l.d, l.m
	changes := l.numChanges()
	p.start("writing", int64(len(d.Sources)+len(d.Radars)+len(d.Entities)+l.allRels()+len(d.Assessments)+changes))

	// Records, each bucket by key: slugs as they are, IDs sorted.
	if err := w.bucket(bucketSources); err != nil {
		return err
	}
	for _, i := range l.sources {
		if err := w.put([]byte(d.Sources[i].Slug), mustJSON(&Source{Source: d.Sources[i], Meta: m})); err != nil {
			return err
		}
		p.add(1)
	}
	if err := w.bucket(bucketRadars); err != nil {
		return err
	}
	for _, i := range l.radars {
		if err := w.put([]byte(d.Radars[i].Slug), mustJSON(&Radar{Radar: d.Radars[i], Meta: m})); err != nil {
			return err
		}
		p.add(1)
	}
	byID := slices.Clone(l.entities)
	slices.SortFunc(byID, func(a, b int) int { return cmp.Or(cmp.Compare(l.ids[a], l.ids[b]), cmp.Compare(a, b)) })
	if err := w.bucket(bucketEntities); err != nil {
		return err
	}
	err := w.putFrom(p, func(emit func(k, v []byte) bool) {
		for _, i := range byID {
			if !emit(l.ids[i].Bytes(), mustJSON(&Entity{ID: l.ids[i], Entity: d.Entities[i], Meta: m})) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	// Each relationship once, with its ends, sorted by ID.
	type relRef struct {
		id       ID
		i        int32
		from, to entInfo
	}
	refs := make([]relRef, l.allRels())
	for i := range refs {
		r := l.rel(i)
		refs[i] = relRef{RelationshipID(r.From, r.Kind, r.To), int32(i), l.entity(r.From), l.entity(r.To)}
	}
	slices.SortFunc(refs, func(a, b relRef) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.i, b.i)) })
	if err := w.bucket(bucketRels); err != nil {
		return err
	}
	err = w.putFrom(p, func(emit func(k, v []byte) bool) {
		for _, ref := range refs {
			rec := &Relationship{ID: ref.id, FromID: ref.from.id, ToID: ref.to.id, Relationship: *l.rel(int(ref.i)), Meta: m}
			if !emit(ref.id.Bytes(), mustJSON(rec)) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	var assess arena
	for _, i := range l.assessments {
		a := &d.Assessments[i]
		rec := &Assessment{EntityID: EntityID(a.Entity), Assessment: *a, Meta: m}
		assess.add(mustJSON(rec), assessmentKey(a.Radar, a.Edition, rec.EntityID))
	}
	assess.sort()
	if err := assess.write(w, p, bucketAssessments, int64(len(d.Assessments))); err != nil {
		return err
	}

	// The change log, in the change set's order: already the key order of bucketChanges.
	if err := w.bucket(bucketChanges); err != nil {
		return err
	}
	err = w.putFrom(p, func(emit func(k, v []byte) bool) {
		var seq uint32
		_ = l.changes(func(key RecordKey, t domain.EntityType, after any) error {
			c := Change{Version: set.Version, Seq: seq, Record: key, EntityType: t, Revision: 1, After: mustJSON(after)}
			seq++
			if !emit(changeRef(c.Version, c.Seq), createJSON(&c)) {
				return errStop
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	set.Changes = changes
	if err := w.bucket(bucketChangeSets); err != nil {
		return err
	}
	if err := w.put(u64(set.Version), mustJSON(set)); err != nil {
		return err
	}
	p.finish()

	// The indexes, each built, sorted and written on its own.
	nEnt, nRel, nAssess := int64(len(d.Entities)), int64(l.allRels()), int64(len(d.Assessments))
	p.start("indexing", 5*nEnt+2*nRel+2*nAssess+2*int64(changes))
	eachEntity := func(fn func(e *domain.Entity, id ID)) {
		for _, i := range l.entities {
			fn(&d.Entities[i], l.ids[i])
		}
	}
	type step struct {
		name  []byte
		feeds int64
		build func(a *arena)
	}
	steps := []step{
		{bucketSlugs, nEnt, func(a *arena) {
			eachEntity(func(e *domain.Entity, id ID) { a.add(cat(id.Bytes(), []byte{byte(e.Type)}), []byte(e.Slug)) })
		}},
		{bucketByName, nEnt, func(a *arena) {
			eachEntity(func(e *domain.Entity, id ID) { a.add([]byte{byte(e.Type)}, nameKey(e.Name, id)) })
		}},
		{bucketSortKey, nEnt, func(a *arena) {
			eachEntity(func(e *domain.Entity, id ID) {
				a.add(nameKey(e.Name, id), id.Bytes(), []byte{byte(OrderName)})
				a.add([]byte(e.Slug), id.Bytes(), []byte{byte(OrderSlug)})
			})
		}},
		{bucketAttr, nEnt + nAssess, func(a *arena) {
			eachEntity(func(e *domain.Entity, id ID) {
				for _, av := range entityAttrs(e) {
					a.add(nil, attrPrefix(av.attr, av.value), id.Bytes())
				}
			})
			for _, i := range l.assessments {
				as := &d.Assessments[i]
				if l.latest[as.Radar] == as.Edition {
					a.add(nil, attrPrefix(attrRing, as.Radar+"/"+as.Ring), EntityID(as.Entity).Bytes())
				}
			}
		}},
		{bucketTokens, nEnt, func(a *arena) {
			eachEntity(func(e *domain.Entity, id ID) {
				nameTokens := byte(min(len(Tokenize(e.Name)), 255))
				for tok, weight := range entityTokens(e) {
					v := make([]byte, 4)
					binary.BigEndian.PutUint16(v, weight)
					v[2], v[3] = byte(e.Type), nameTokens
					a.add(v, []byte(tok), zero, id.Bytes())
				}
			})
		}},
		{bucketRelOut, nRel, func(a *arena) {
			for _, ref := range refs {
				a.add([]byte{byte(ref.to.typ)}, relKey(ref.from.id, l.rel(int(ref.i)).Kind, ref.to.id, ref.id))
			}
		}},
		{bucketRelIn, nRel, func(a *arena) {
			for _, ref := range refs {
				a.add([]byte{byte(ref.from.typ)}, relKey(ref.to.id, l.rel(int(ref.i)).Kind, ref.from.id, ref.id))
			}
		}},
		{bucketAssessByEntity, nAssess, func(a *arena) {
			for _, i := range l.assessments {
				as := &d.Assessments[i]
				a.add(nil, EntityID(as.Entity).Bytes(), []byte(as.Radar), zero, []byte(as.Edition))
			}
		}},
		{bucketRecordHistory, int64(changes), func(a *arena) {
			var seq uint32
			_ = l.changes(func(key RecordKey, _ domain.EntityType, _ any) error {
				a.add(nil, key.prefix(), changeRef(set.Version, seq))
				seq++
				return nil
			})
		}},
		{bucketEntityChanges, int64(changes), func(a *arena) {
			var seq uint32
			_ = l.changes(func(key RecordKey, _ domain.EntityType, _ any) error {
				ref := changeRef(set.Version, seq)
				c := Change{Record: key}
				for _, slug := range dedup(c.Entities()) {
					a.add(nil, []byte(slug), zero, ref)
				}
				seq++
				return nil
			})
		}},
	}
	// The next index is built and sorted on another goroutine while one is written.
	built := make([]chan *arena, len(steps))
	build := func(i int) {
		built[i] = make(chan *arena, 1)
		go func() {
			a := &arena{}
			steps[i].build(a)
			a.sort()
			built[i] <- a
		}()
	}
	build(0)
	for i, s := range steps {
		if i+1 < len(steps) {
			build(i + 1)
		}
		if err := (<-built[i]).write(w, p, s.name, s.feeds); err != nil {
			return err
		}
	}
	p.finish()

	counts := map[domain.EntityType]int{}
	for i := range d.Entities {
		counts[d.Entities[i].Type]++
	}
	meta := w.tx.Bucket(bucketMeta)
	if err := meta.Put(metaVersion, u64(set.Version)); err != nil {
		return fmt.Errorf("write data version: %w", err)
	}
	if err := meta.Put(metaTime, u64(uint64(now.UnixNano()))); err != nil {
		return fmt.Errorf("write time: %w", err)
	}
	if err := meta.Put(metaCounts, mustJSON(counts)); err != nil {
		return fmt.Errorf("write counts: %w", err)
	}
	return w.ctx.Err()
}

// createJSON is mustJSON(c) for the change that creates a record, written out: encoding/json
// would scan After again to compact it, and a first import writes a million of them. After
// must be compact JSON from mustJSON; the bulk import test holds it to encoding/json's bytes.
func createJSON(c *Change) []byte {
	b := make([]byte, 0, len(c.After)+len(c.Record.Key)+96)
	b = append(b, `{"version":`...)
	b = strconv.AppendUint(b, c.Version, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, uint64(c.Seq), 10)
	b = append(b, `,"record":{"kind":`...)
	b = strconv.AppendUint(b, uint64(c.Record.Kind), 10)
	b = append(b, `,"key":`...)
	b = append(b, mustJSON(c.Record.Key)...)
	b = append(b, '}')
	if c.EntityType != 0 {
		b = append(b, `,"entityType":`...)
		b = append(b, mustJSON(c.EntityType)...)
	}
	b = append(b, `,"revision":`...)
	b = strconv.AppendUint(b, c.Revision, 10)
	if c.Before != nil {
		b = append(b, `,"before":`...)
		b = append(b, c.Before...)
	}
	if c.After != nil {
		b = append(b, `,"after":`...)
		b = append(b, c.After...)
	}
	return append(b, '}')
}
