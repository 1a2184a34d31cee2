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
	if err := s.checkImport(ctx, d, texts); err != nil {
		return nil, err
	}
	var cs *ChangeSet
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if k, _ := tx.Bucket(bucketChangeSets).Cursor().First(); k == nil {
			cs, err = s.importAll(ctx, tx, d, actor, reason)
			return err
		}
		p := progressOf(ctx)
		ops, err := diff(tx, d, p)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return errNothingChanged
		}
		cs, err = s.apply(tx, &ChangeRequest{Actor: actor, Reason: reason, Ops: ops, validated: true, progress: p})
		if err == nil {
			p.finish()
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

// checkImport refuses an invalid dataset (checked against texts when given), an ended
// context and a read-only store.
func (s *Store) checkImport(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText) error {
	problems := dataset.Validate(d, texts)
	if len(problems) == 0 {
		problems = checkIDs(d)
	}
	if len(problems) > 0 {
		return fmt.Errorf("import: invalid dataset: %w", problems)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if s.readOnly {
		return ErrReadOnly
	}
	return nil
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
// and the change set that creates them, all in tx.
func (s *Store) importAll(ctx context.Context, tx *bolt.Tx, d *dataset.Dataset, actor, reason string) (*ChangeSet, error) {
	w := &bulkWriter{ctx: ctx, db: s.db, tx: tx}
	return bulkImport(w, progressOf(ctx), d, actor, reason, time.Now().UTC().Truncate(time.Microsecond))
}

// bulkImport writes d with w as the change set of actor and reason, made at now.
func bulkImport(w *bulkWriter, p *progress, d *dataset.Dataset, actor, reason string, now time.Time) (*ChangeSet, error) {
	set := &ChangeSet{Version: txVersion(w.tx) + 1, Time: now, Actor: actor, Reason: reason}
	m := Meta{Revision: 1, CreatedAt: now, UpdatedAt: now, Version: set.Version}
	if err := newBulkLoad(d, m).write(w, p, set, now); err != nil {
		return nil, err
	}
	return set, nil
}

// ImportNew fills a database that Open has just created with d, as one change set by actor
// for reason, like a first ImportChange (texts as there), but in many write transactions,
// each committed without waiting for the disk, and the file synced once at the end: a first
// import of a million records then needs neither the memory of one transaction the size of
// the database nor a sync per transaction. It writes exactly what ImportChange would.
//
// It is not atomic: after an error, or a crash, the file holds part of the data. Create the
// database under a temporary name, and rename it into place only once ImportNew and Close
// have succeeded (as trendgraph import does for a new --db). It refuses a database that holds
// any change set, and a dataset that is not valid (the database is then unchanged). Nothing
// else may use the store while it runs.
func (s *Store) ImportNew(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText, actor, reason string) (*ChangeSet, error) {
	if err := s.checkImport(ctx, d, texts); err != nil {
		return nil, err
	}
	cs, err := s.importNew(ctx, d, actor, reason, time.Now().UTC().Truncate(time.Microsecond), bulkChunkBytes)
	if err != nil {
		return nil, fmt.Errorf("import into %s: %w", s.path, err)
	}
	s.published(cs.Version)
	return cs, nil
}

// importNew is ImportNew's work, made at now, committing every chunk bytes.
func (s *Store) importNew(ctx context.Context, d *dataset.Dataset, actor, reason string, now time.Time, chunk int) (cs *ChangeSet, err error) {
	noSync := s.db.NoSync
	s.db.NoSync = true
	defer func() { s.db.NoSync = noSync }()
	tx, err := s.db.Begin(true)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	w := &bulkWriter{ctx: ctx, db: s.db, tx: tx, chunk: chunk}
	defer func() {
		if err != nil && w.tx != nil {
			_ = w.tx.Rollback()
		}
	}()
	if k, _ := tx.Bucket(bucketChangeSets).Cursor().First(); k != nil {
		return nil, errors.New("the database is not empty: ImportNew fills only a new one")
	}
	cs, err = bulkImport(w, progressOf(ctx), d, actor, reason, now)
	if err != nil {
		return nil, err
	}
	if err := w.tx.Commit(); err != nil {
		w.tx = nil
		return nil, fmt.Errorf("commit: %w", err)
	}
	w.tx = nil
	if !noSync {
		if err := s.db.Sync(); err != nil {
			return nil, fmt.Errorf("sync: %w", err)
		}
	}
	return cs, nil
}

// diff lists the ops that turn what the transaction holds into d: a put for every record that
// is new or differs, an archive for every record d no longer has.
// It reports the "comparing" stage to p, a record of d at a time.
func diff(tx *bolt.Tx, d *dataset.Dataset, p *progress) ([]Op, error) {
	p.start("comparing", int64(len(d.Sources)+len(d.Radars)+len(d.Entities)+len(d.Relationships)+len(d.Assessments)))
	have, err := currentRecords(tx)
	if err != nil {
		return nil, err
	}
	var ops []Op
	want := map[RecordKey]bool{}
	put := func(key RecordKey, rec any, op Op) {
		p.add(1)
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
	p.finish()
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
