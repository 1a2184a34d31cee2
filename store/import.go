package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// Import makes the database hold exactly d, as one change set by the actor "import". See
// ImportChange.
func (s *Store) Import(ctx context.Context, d *dataset.Dataset) error {
	_, err := s.ImportChange(ctx, d, nil, "import", "")
	return err
}

// ImportChange makes the database hold exactly d, in one write transaction, and records it as
// one change set: into an empty database, every record is created; into one with data, only
// the difference is applied (records created, changed and archived), so that history shows
// what the import changed. It returns nil when d is what the database holds already. After an
// error (including an invalid dataset, which is checked first, against texts when given:
// source texts by source slug) the database is unchanged.
func (s *Store) ImportChange(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText, actor, reason string) (*ChangeSet, error) {
	problems := dataset.Validate(d, texts)
	if len(problems) == 0 {
		problems = checkIDs(d)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("import: invalid dataset: %w", problems)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if s.readOnly {
		return nil, ErrReadOnly
	}
	var cs *ChangeSet
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if k, _ := tx.Bucket(bucketChangeSets).Cursor().First(); k == nil {
			cs, err = s.importAll(ctx, tx, d, actor, reason)
			return err
		}
		ops, err := diff(tx, d)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return errNothingChanged
		}
		cs, err = s.apply(tx, &ChangeRequest{Actor: actor, Reason: reason, Ops: ops, validated: true})
		if err == nil {
			err = ctx.Err()
		}
		return err
	})
	if errors.Is(err, errNothingChanged) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("import into %s: %w", s.path, err)
	}
	// Only now is the write visible to readers: publish its version.
	s.published(cs.Version)
	return cs, nil
}

// checkIDs refuses two slugs whose IDs collide, as a problem of the dataset.
func checkIDs(d *dataset.Dataset) dataset.Problems {
	ids := make(map[ID]string, len(d.Entities))
	for i := range d.Entities {
		slug := d.Entities[i].Slug
		id := EntityID(slug)
		if other, dup := ids[id]; dup {
			return dataset.Problems{{Msg: fmt.Sprintf("slugs %q and %q hash to the same ID: rename one", other, slug)}}
		}
		ids[id] = slug
	}
	return nil
}

// importAll writes every record of d into an empty database, bucket by bucket in key order,
// and the change set that creates them.
func (s *Store) importAll(ctx context.Context, tx *bolt.Tx, d *dataset.Dataset, actor, reason string) (*ChangeSet, error) {
	meta := tx.Bucket(bucketMeta)
	now := time.Now().UTC().Truncate(time.Microsecond)
	log := changeLog{set: ChangeSet{Version: txVersion(tx) + 1, Time: now, Actor: actor, Reason: reason}}
	m := Meta{Revision: 1, CreatedAt: now, UpdatedAt: now, Version: log.set.Version}
	// The change set lists records in canonical order, whatever order d has them in.
	d = &dataset.Dataset{Sources: slices.Clone(d.Sources), Entities: slices.Clone(d.Entities), Relationships: slices.Clone(d.Relationships),
		Radars: slices.Clone(d.Radars), Assessments: slices.Clone(d.Assessments)}
	d.Sort()
	var all []entry
	add := func(key RecordKey, t domain.EntityType, after any, entries []entry) {
		all = append(all, entries...)
		log.add(Change{Record: key, EntityType: t, Revision: 1, After: mustJSON(after)})
	}
	for i := range d.Sources {
		src := &d.Sources[i]
		add(RecordKey{RecordSource, src.Slug}, 0, src, sourceEntries(&Source{Source: *src, Meta: m}))
	}
	latest := map[string]string{}
	for i := range d.Radars {
		r := &d.Radars[i]
		latest[r.Slug] = latestEdition(r)
		add(RecordKey{RecordRadar, r.Slug}, 0, r, radarEntries(&Radar{Radar: *r, Meta: m}))
	}
	counts := map[domain.EntityType]int{}
	typeOf := make(map[string]domain.EntityType, len(d.Entities))
	for i := range d.Entities {
		e := &d.Entities[i]
		counts[e.Type]++
		typeOf[e.Slug] = e.Type
		add(EntityKey(e.Slug), e.Type, e, entityEntries(&Entity{ID: EntityID(e.Slug), Entity: *e, Meta: m}))
	}
	for _, r := range d.AllRelationships() {
		entries := relEntries(newRelationship(r, m), typeOf[r.From], typeOf[r.To])
		if r.Derived {
			all = append(all, entries...) // part of its entity's change
		} else {
			add(RelationshipKey(r.From, r.Kind, r.To), 0, &r, entries)
		}
	}
	for i := range d.Assessments {
		a := &d.Assessments[i]
		rec := &Assessment{EntityID: EntityID(a.Entity), Assessment: *a, Meta: m}
		add(AssessmentKey(a.Radar, a.Edition, a.Entity), 0, a, assessmentEntries(rec, latest[a.Radar] == a.Edition))
	}
	all = append(all, log.finish()...)
	// Keys go in in order, so full pages waste nothing.
	slices.SortStableFunc(all, func(a, b entry) int {
		if c := bytes.Compare(a.bucket, b.bucket); c != 0 {
			return c
		}
		return bytes.Compare(a.k, b.k)
	})
	var b *bolt.Bucket
	for i, e := range all {
		if b == nil || !bytes.Equal(all[i-1].bucket, e.bucket) {
			// Cancelling rolls the whole import back; checked between buckets, not per key.
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("import cancelled: %w", err)
			}
			b = tx.Bucket(e.bucket)
			b.FillPercent = 0.95
		} else if bytes.Equal(all[i-1].k, e.k) {
			return nil, fmt.Errorf("bucket %s: duplicate key %x", e.bucket, e.k)
		}
		if err := b.Put(e.k, e.v); err != nil {
			return nil, fmt.Errorf("write bucket %s: %w", e.bucket, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("import cancelled: %w", err)
	}
	if err := meta.Put(metaVersion, u64(log.set.Version)); err != nil {
		return nil, fmt.Errorf("write data version: %w", err)
	}
	if err := meta.Put(metaTime, u64(uint64(now.UnixNano()))); err != nil {
		return nil, fmt.Errorf("write time: %w", err)
	}
	if err := meta.Put(metaCounts, mustJSON(counts)); err != nil {
		return nil, fmt.Errorf("write counts: %w", err)
	}
	return &log.set, nil
}

// diff lists the ops that turn what the transaction holds into d: a put for every record that
// is new or differs, an archive for every record d no longer has.
func diff(tx *bolt.Tx, d *dataset.Dataset) ([]Op, error) {
	have, err := currentRecords(tx)
	if err != nil {
		return nil, err
	}
	var ops []Op
	want := map[RecordKey]bool{}
	put := func(key RecordKey, rec any, op Op) {
		want[key] = true
		if cur, ok := have[key]; ok && bytes.Equal(cur.json, mustJSON(rec)) {
			return
		}
		op.Action = Put
		ops = append(ops, op)
	}
	for i := range d.Sources {
		src := &d.Sources[i]
		put(RecordKey{RecordSource, src.Slug}, src, Op{Source: src})
	}
	for i := range d.Radars {
		r := &d.Radars[i]
		put(RecordKey{RecordRadar, r.Slug}, r, Op{Radar: r})
	}
	for i := range d.Entities {
		e := &d.Entities[i]
		put(EntityKey(e.Slug), e, Op{Entity: e})
	}
	for i := range d.Relationships {
		r := &d.Relationships[i]
		put(RelationshipKey(r.From, r.Kind, r.To), r, Op{Relationship: r})
	}
	for i := range d.Assessments {
		a := &d.Assessments[i]
		put(AssessmentKey(a.Radar, a.Edition, a.Entity), a, Op{Assessment: a})
	}
	for key, cur := range have {
		if !want[key] {
			ops = append(ops, Op{Action: Archive, Source: cur.source, Radar: cur.radar, Entity: cur.entity, Relationship: cur.rel, Assessment: cur.assessment})
		}
	}
	// Map order must not leak into the change set's order.
	slices.SortStableFunc(ops, func(a, b Op) int {
		ka, kb := a.Key(), b.Key()
		if ka.Kind != kb.Kind {
			return int(ka.Kind) - int(kb.Kind)
		}
		return bytes.Compare([]byte(ka.Key), []byte(kb.Key))
	})
	return ops, nil
}

// currentRecord is one curated record as the database holds it: its JSON as curated (without
// the store's meta, as a dataset's record encodes) and the record.
type currentRecord struct {
	json       []byte
	source     *domain.Source
	radar      *domain.Radar
	entity     *domain.Entity
	rel        *domain.Relationship
	assessment *domain.Assessment
}

// currentRecords reads every curated record (derived relationships excepted) by record key.
func currentRecords(tx *bolt.Tx) (map[RecordKey]currentRecord, error) {
	out := map[RecordKey]currentRecord{}
	each := func(bucket []byte, fn func(v []byte) error) error {
		return tx.Bucket(bucket).ForEach(func(_, v []byte) error { return fn(v) })
	}
	if err := each(bucketSources, func(v []byte) error {
		rec, err := decode[Source](v, "source")
		if err == nil {
			out[RecordKey{RecordSource, rec.Slug}] = currentRecord{json: mustJSON(&rec.Source), source: &rec.Source}
		}
		return err
	}); err != nil {
		return nil, err
	}
	if err := each(bucketRadars, func(v []byte) error {
		rec, err := decode[Radar](v, "radar")
		if err == nil {
			out[RecordKey{RecordRadar, rec.Slug}] = currentRecord{json: mustJSON(&rec.Radar), radar: &rec.Radar}
		}
		return err
	}); err != nil {
		return nil, err
	}
	if err := each(bucketEntities, func(v []byte) error {
		rec, err := decode[Entity](v, "entity")
		if err == nil {
			out[EntityKey(rec.Slug)] = currentRecord{json: mustJSON(&rec.Entity), entity: &rec.Entity}
		}
		return err
	}); err != nil {
		return nil, err
	}
	if err := each(bucketRels, func(v []byte) error {
		rec, err := decode[Relationship](v, "relationship")
		if err == nil && !rec.Derived {
			out[RelationshipKey(rec.From, rec.Kind, rec.To)] = currentRecord{json: mustJSON(&rec.Relationship), rel: &rec.Relationship}
		}
		return err
	}); err != nil {
		return nil, err
	}
	err := each(bucketAssessments, func(v []byte) error {
		rec, err := decode[Assessment](v, "assessment")
		if err == nil {
			out[AssessmentKey(rec.Radar, rec.Edition, rec.Entity)] = currentRecord{json: mustJSON(&rec.Assessment), assessment: &rec.Assessment}
		}
		return err
	})
	return out, err
}

func assessmentKey(radar, edition string, id ID) []byte {
	return cat([]byte(radar), zero, []byte(edition), zero, id.Bytes())
}

type attrValue struct {
	attr  byte
	value string
}

// entityAttrs lists the attribute index entries of an entity.
func entityAttrs(e *domain.Entity) []attrValue {
	out := []attrValue{{attrType, string([]byte{byte(e.Type)})}}
	for _, a := range indexedAttributes {
		for _, v := range a.ofEntity(e) {
			if v != "" {
				out = append(out, attrValue{a.attr, v})
			}
		}
	}
	return out
}

func dedup(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
