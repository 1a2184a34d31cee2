package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// Action says what an Op does to its record.
type Action uint8

// The actions of an Op.
const (
	// Create adds a record that must not exist yet.
	Create Action = iota + 1
	// Update replaces a record that must exist.
	Update
	// Put creates or replaces a record (an import's diff).
	Put
	// Archive takes a record out of the live graph; its history stays readable. Archiving an
	// entity archives its listed relationships and assessments with it.
	Archive
)

// Op is one record operation of a change request. Exactly one record field is set; for
// Archive only the fields that make up the record's key matter.
type Op struct {
	Action       Action               `json:"action"`
	Source       *domain.Source       `json:"source,omitempty"`
	Radar        *domain.Radar        `json:"radar,omitempty"`
	Entity       *domain.Entity       `json:"entity,omitempty"`
	Relationship *domain.Relationship `json:"relationship,omitempty"`
	Assessment   *domain.Assessment   `json:"assessment,omitempty"`
	// IfRevision, when not 0, must be the record's current revision, or the change set fails
	// with a ConflictError: optimistic concurrency for records read, changed and written back.
	IfRevision uint64 `json:"ifRevision,omitempty"`
}

// Key is the record key of the op's record.
func (op *Op) Key() RecordKey {
	switch {
	case op.Source != nil:
		return RecordKey{RecordSource, op.Source.Slug}
	case op.Radar != nil:
		return RecordKey{RecordRadar, op.Radar.Slug}
	case op.Entity != nil:
		return EntityKey(op.Entity.Slug)
	case op.Relationship != nil:
		return RelationshipKey(op.Relationship.From, op.Relationship.Kind, op.Relationship.To)
	case op.Assessment != nil:
		return AssessmentKey(op.Assessment.Radar, op.Assessment.Edition, op.Assessment.Entity)
	}
	return RecordKey{}
}

// ChangeRequest is a change set to apply: its ops, who asks and why.
type ChangeRequest struct {
	Actor, Reason string
	// Reverts is the version of the change set this one reverts, if any.
	Reverts uint64
	Ops     []Op
	// Texts are the source texts that citations and the own-words rule are checked against;
	// a source with no text is checked for the shape of its citations only.
	Texts map[string]*dataset.SourceText

	// validated skips the per-record rules: an import has checked its whole dataset, and a
	// replica applies what its writer checked.
	validated bool
	// time, when set, is the change set's time (a replica applying a logged change set).
	time time.Time
	// progress, when set, counts the ops applied (an import's "writing" stage).
	progress *progress
}

// ConflictError refuses a change based on a revision that is no longer current, or one that
// creates a record that exists.
type ConflictError struct {
	Record RecordKey
	// Current is the record's current revision (0: it does not exist); Expected the one the
	// change named (0 for a create).
	Current, Expected uint64
}

func (e *ConflictError) Error() string {
	if e.Expected == 0 {
		return fmt.Sprintf("%s already exists (revision %d)", e.Record, e.Current)
	}
	if e.Current == 0 {
		return fmt.Sprintf("%s was based on revision %d, but it no longer exists", e.Record, e.Expected)
	}
	return fmt.Sprintf("%s was based on revision %d, but it is at revision %d: someone else changed it; read it again", e.Record, e.Expected, e.Current)
}

// RecordNotFoundError refuses a change to a record that does not exist.
type RecordNotFoundError struct{ Record RecordKey }

func (e *RecordNotFoundError) Error() string { return fmt.Sprintf("%s does not exist", e.Record) }

// ValidationError refuses a change set whose records break the dataset's rules; nothing was
// written.
type ValidationError struct{ Problems []RecordProblem }

// RecordProblem is one problem of one record of a change request.
type RecordProblem struct {
	// Op is the index of the op in the request (-1 for a record the store changed on its own,
	// such as a relationship archived with its entity).
	Op     int
	Record RecordKey
	dataset.Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Record.String() + ": " + p.Problem.String()
	}
	return "invalid change: " + fmt.Sprint(msgs)
}

// ErrReadOnly refuses a change to a database opened read-only.
var ErrReadOnly = errors.New("this server opened its database read-only and takes no changes")

// Apply commits a change request as one change set, in one write transaction shared with other
// concurrent writers (bbolt's Batch: group commit), and returns the change set. Nothing is
// written when it fails: a *ConflictError, *RecordNotFoundError or *ValidationError says why.
// Readers never wait for it.
func (s *Store) Apply(ctx context.Context, req ChangeRequest) (*ChangeSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("apply change: %w", err)
	}
	if len(req.Ops) == 0 {
		return nil, errors.New("apply change: no operation")
	}
	if s.readOnly {
		return nil, ErrReadOnly
	}
	var cs *ChangeSet
	err := s.db.Batch(func(tx *bolt.Tx) error {
		var err error
		cs, err = s.apply(tx, &req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("apply change to %s: %w", s.path, err)
	}
	s.published(cs.Version)
	return cs, nil
}

// published makes a committed version visible to readers and wakes whoever waits on Changed.
func (s *Store) published(version uint64) {
	for {
		cur := s.version.Load()
		if version <= cur || s.version.CompareAndSwap(cur, version) {
			break
		}
	}
	s.changedMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changedMu.Unlock()
}

// Changed returns a channel closed at the next commit: wait on it, then read what changed.
func (s *Store) Changed() <-chan struct{} {
	s.changedMu.Lock()
	defer s.changedMu.Unlock()
	return s.changed
}

// errNothingChanged ends a change request that changed no record: no change set is written.
var errNothingChanged = errors.New("nothing changed")

// writer applies one change request inside one write transaction.
type writer struct {
	tx       *bolt.Tx
	log      changeLog
	now      time.Time
	counts   map[domain.EntityType]int
	problems []RecordProblem
	// archived holds the records archived so far, so that a cascade and an explicit archive
	// of the same record do not collide.
	archived map[RecordKey]bool
	// putEntities are written before their derived edges, which need every end to exist.
	putEntities []*Entity
	// checks are the records to validate once every op is applied.
	checks []check
	// validated is set for an import, whose whole dataset was checked before.
	validated bool
	// badKeys are the ops whose record key is not made of slugs: never written, always refused.
	badKeys []int
	// pending are the writes to write-only buckets, for flush.
	pending []pending
}

type check struct {
	op     int
	record RecordKey
	run    func(dataset.Lookup, map[string]*dataset.SourceText) dataset.Problems
}

// opOrder applies archives before puts, and each in the order records depend on one another.
func opOrder(op *Op) int {
	kind := int(op.Key().Kind)
	if op.Action == Archive {
		return 10 - kind // assessments, relationships, entities, radars, sources
	}
	return 10 + kind // sources, radars, entities, relationships, assessments
}

func (s *Store) apply(tx *bolt.Tx, req *ChangeRequest) (*ChangeSet, error) {
	meta := tx.Bucket(bucketMeta)
	counts, err := readCounts(tx)
	if err != nil {
		return nil, err
	}
	w := &writer{tx: tx, counts: counts, archived: map[RecordKey]bool{}, validated: req.validated}
	w.now = time.Now().UTC().Truncate(time.Microsecond)
	if !req.time.IsZero() {
		// A logged change set replayed on a replica keeps the time its writer gave it.
		w.now = req.time
	} else if b := meta.Get(metaTime); len(b) == 8 {
		// Never before the previous change set, whatever the clock did.
		w.now = maxTime(w.now, time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC().Add(time.Microsecond))
	}
	w.log.set = ChangeSet{Version: txVersion(tx) + 1, Time: w.now, Actor: req.Actor, Reason: req.Reason, Reverts: req.Reverts}

	order := make([]int, len(req.Ops))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(opOrder(&req.Ops[a]), opOrder(&req.Ops[b])) })
	req.progress.start("writing", int64(len(order)))
	for _, i := range order {
		if err := w.do(i, &req.Ops[i]); err != nil {
			return nil, err
		}
		req.progress.add(1)
	}
	if err := w.writeDerived(); err != nil {
		return nil, err
	}
	if !req.validated {
		l := newTxLookup(tx)
		for _, c := range w.checks {
			for _, p := range c.run(l, req.Texts) {
				w.problems = append(w.problems, RecordProblem{Op: c.op, Record: c.record, Problem: p})
			}
		}
	}
	for _, i := range w.badKeys {
		// The rules may find nothing wrong with a key that is merely unusual: say it anyway.
		if !slices.ContainsFunc(w.problems, func(p RecordProblem) bool { return p.Op == i }) {
			op := &req.Ops[i]
			w.problem(i, op.Key(), "", "%s is not a valid record key: use lower-case words of a-z and 0-9 joined by '-'", op.Key())
		}
	}
	if len(w.problems) > 0 {
		return nil, &ValidationError{Problems: w.problems}
	}
	if w.log.set.Changes == 0 {
		return nil, errNothingChanged
	}
	if err := w.put(w.log.finish()); err != nil {
		return nil, err
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	if err := meta.Put(metaVersion, u64(w.log.set.Version)); err != nil {
		return nil, fmt.Errorf("write data version: %w", err)
	}
	if err := meta.Put(metaTime, u64(uint64(w.now.UnixNano()))); err != nil {
		return nil, fmt.Errorf("write time: %w", err)
	}
	if err := meta.Put(metaCounts, mustJSON(w.counts)); err != nil {
		return nil, fmt.Errorf("write counts: %w", err)
	}
	cs := w.log.set
	return &cs, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (w *writer) problem(op int, key RecordKey, field, format string, args ...any) {
	w.problems = append(w.problems, RecordProblem{Op: op, Record: key, Problem: dataset.Problem{Field: field, Msg: fmt.Sprintf(format, args...)}})
}

// writeOnly are the buckets a change never reads back while it is applied: their writes wait,
// and go in in key order at the end (flush). bbolt grows a node in place until commit, so
// thousands of puts in random order into one bucket cost quadratic copying; in order they
// append.
//
// The relationship indexes are read only by an archive's cascade, and archives run before any
// put of the change set; what an earlier archive of it deleted there and has not flushed names
// a relationship record that is gone already, which the cascade skips.
var writeOnly = map[string]bool{
	string(bucketTokens): true, string(bucketAttr): true, string(bucketByName): true, string(bucketSortKey): true,
	string(bucketRelOut): true, string(bucketRelIn): true,
	string(bucketChanges): true, string(bucketRecordHistory): true, string(bucketEntityChanges): true, string(bucketChangeSets): true,
}

// pending is a write to a write-only bucket, waiting for flush.
type pending struct {
	entry
	del bool
}

func (w *writer) put(entries []entry) error { return w.write(entries, false) }

func (w *writer) del(entries []entry) error { return w.write(entries, true) }

func (w *writer) write(entries []entry, del bool) error {
	for _, e := range entries {
		if writeOnly[string(e.bucket)] {
			w.pending = append(w.pending, pending{e, del})
			continue
		}
		b := w.tx.Bucket(e.bucket)
		var err error
		if del {
			err = b.Delete(e.k)
		} else {
			err = b.Put(e.k, e.v)
		}
		if err != nil {
			return fmt.Errorf("write bucket %s: %w", e.bucket, err)
		}
	}
	return nil
}

// flush writes the pending writes, bucket by bucket in key order; writes to one key keep the
// order they were made in.
func (w *writer) flush() error {
	slices.SortStableFunc(w.pending, func(a, b pending) int {
		return cmp.Or(bytes.Compare(a.bucket, b.bucket), bytes.Compare(a.k, b.k))
	})
	for _, p := range w.pending {
		b := w.tx.Bucket(p.bucket)
		var err error
		if p.del {
			err = b.Delete(p.k)
		} else {
			err = b.Put(p.k, p.v)
		}
		if err != nil {
			return fmt.Errorf("write bucket %s: %w", p.bucket, err)
		}
	}
	w.pending = nil
	return nil
}

// meta is the meta of a record's next revision. A record created again after an archive goes
// on from the revision its history ended at, so that a revision names one state of the record.
func (w *writer) meta(key RecordKey, old *Meta) Meta {
	m := Meta{Revision: 1, CreatedAt: w.now, UpdatedAt: w.now, Version: w.log.set.Version}
	if old != nil {
		m.Revision, m.CreatedAt = old.Revision+1, old.CreatedAt
	} else if last := w.lastRevision(key); last > 0 {
		m.Revision = last + 1
	}
	return m
}

// lastRevision is the revision of a record's newest change, 0 when it has none.
func (w *writer) lastRevision(key RecordKey) uint64 {
	prefix := key.prefix()
	c := w.tx.Bucket(bucketRecordHistory).Cursor()
	k, _ := c.Seek(cat(prefix, changeRef(^uint64(0), ^uint32(0))))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return 0
	}
	ch, err := getRecord[Change](w.tx, bucketChanges, k[len(prefix):], "change")
	if err != nil || ch == nil {
		return 0
	}
	return ch.Revision
}

// admit checks an op's action and expected revision against the record's current meta (nil
// when it does not exist).
func admit(op *Op, key RecordKey, cur *Meta) error {
	switch {
	case cur == nil && (op.Action == Update || op.Action == Archive):
		if op.IfRevision != 0 {
			return &ConflictError{Record: key, Expected: op.IfRevision}
		}
		return &RecordNotFoundError{Record: key}
	case cur != nil && op.Action == Create:
		return &ConflictError{Record: key, Current: cur.Revision}
	case cur != nil && op.IfRevision != 0 && cur.Revision != op.IfRevision:
		return &ConflictError{Record: key, Current: cur.Revision, Expected: op.IfRevision}
	}
	return nil
}

// logChange records a record's change in the change set.
func (w *writer) logChange(key RecordKey, t domain.EntityType, revision uint64, before, after any) {
	c := Change{Record: key, EntityType: t, Revision: revision}
	// A nil record pointer in an interface is not nil: it encodes as null.
	if b := mustJSON(before); string(b) != "null" {
		c.Before = b
	}
	if a := mustJSON(after); string(a) != "null" {
		c.After = a
	}
	w.log.add(c)
}

func (w *writer) do(i int, op *Op) error {
	key := op.Key()
	if op.Action == Archive && w.archived[key] {
		return nil // archived already with its entity
	}
	// Records with no type or kind cannot even be encoded: refuse them before anything else.
	if op.Entity != nil && op.Action != Archive {
		if _, ok := op.Entity.Type.Info(); !ok {
			w.problem(i, key, "type", "unknown entity type %d", uint8(op.Entity.Type))
			return nil
		}
	}
	if op.Relationship != nil && op.Relationship.Kind.String() == "unknown" {
		w.problem(i, key, "kind", "unknown relationship kind %d", uint8(op.Relationship.Kind))
		return nil
	}
	// A record whose key is no slug cannot be stored (or found): only its rules run, which
	// say what is wrong with it and with the rest of it.
	if op.Action != Archive && !validKey(op) {
		w.checks = append(w.checks, check{i, key, func(l dataset.Lookup, t map[string]*dataset.SourceText) dataset.Problems {
			switch {
			case op.Entity != nil:
				return dataset.ValidateEntity(l, t, op.Entity)
			case op.Relationship != nil:
				return dataset.ValidateRelationship(l, t, op.Relationship)
			case op.Assessment != nil:
				return dataset.ValidateAssessment(l, t, op.Assessment)
			case op.Source != nil:
				return dataset.ValidateSource(op.Source)
			}
			return dataset.Problems{{Msg: "invalid radar slug"}}
		}})
		w.badKeys = append(w.badKeys, i)
		return nil
	}
	switch {
	case op.Entity != nil:
		return w.entity(i, op, key)
	case op.Relationship != nil:
		return w.relationship(i, op, key)
	case op.Assessment != nil:
		return w.assessment(i, op, key)
	case op.Source != nil:
		return w.source(i, op, key)
	case op.Radar != nil:
		return w.radar(op, key)
	}
	return fmt.Errorf("op %d names no record", i)
}

func getRecord[T any](tx *bolt.Tx, bucket, k []byte, what string) (*T, error) {
	v := tx.Bucket(bucket).Get(k)
	if v == nil {
		return nil, nil
	}
	return decode[T](v, what)
}

func (w *writer) currentEntity(slug string) (*Entity, error) {
	return getRecord[Entity](w.tx, bucketEntities, EntityID(slug).Bytes(), "entity")
}

func (w *writer) entity(i int, op *Op, key RecordKey) error {
	old, err := w.currentEntity(key.Key)
	if err != nil {
		return err
	}
	if err := admit(op, key, old.meta()); err != nil {
		return err
	}
	if old != nil {
		if op.Action != Archive && old.Type != op.Entity.Type {
			w.problem(i, key, "", "%q is a %s: an entity's type cannot change (archive it and create another)", key.Key, old.Type)
			return nil
		}
		if err := w.removeEntity(i, old, op.Action == Archive); err != nil {
			return err
		}
	}
	if op.Action == Archive {
		w.archived[key] = true
		w.counts[old.Type]--
		w.logChange(key, old.Type, old.Meta.Revision, &old.Entity, nil)
		return nil
	}
	if old == nil {
		w.counts[op.Entity.Type]++
	}
	rec := &Entity{ID: EntityID(op.Entity.Slug), Entity: *op.Entity, Meta: w.meta(key, old.meta())}
	if err := w.put(entityEntries(rec)); err != nil {
		return err
	}
	w.putEntities = append(w.putEntities, rec)
	e := rec.Entity
	w.checks = append(w.checks, check{i, key, func(l dataset.Lookup, t map[string]*dataset.SourceText) dataset.Problems {
		return dataset.ValidateEntity(l, t, &e)
	}})
	w.logChange(key, e.Type, rec.Meta.Revision, old.curated(), &e)
	return nil
}

// derivedOwner is the slug of the entity whose field writes a derived relationship.
func derivedOwner(r *domain.Relationship) string {
	if r.Kind == domain.RelHasBenefit || r.Kind == domain.RelHasChallenge {
		return r.To
	}
	return r.From
}

// removeEntity deletes an entity's entries and the derived edges it owns. Archiving it also
// archives its listed relationships and assessments, and is refused while another entity's
// field names it.
func (w *writer) removeEntity(i int, old *Entity, archive bool) error {
	if err := w.del(entityEntries(old)); err != nil {
		return err
	}
	for _, r := range domain.DerivedRelationships(&old.Entity) {
		if err := w.del(relEntries(newRelationship(r, Meta{}), 0, 0)); err != nil {
			return err
		}
	}
	if !archive {
		return nil
	}
	key := EntityKey(old.Slug)
	var listed []*Relationship
	for _, b := range [][]byte{bucketRelOut, bucketRelIn} {
		c := w.tx.Bucket(b).Cursor()
		prefix := old.ID.Bytes()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			rel, err := getRecord[Relationship](w.tx, bucketRels, k[17:25], "relationship")
			if err != nil {
				return err
			}
			if rel == nil {
				continue
			}
			if !rel.Derived {
				listed = append(listed, rel)
			} else if owner := derivedOwner(&rel.Relationship); owner != old.Slug && !w.validated {
				// (A validated import rewrites the owner too, or archives it.)
				w.problem(i, key, "", "%q is named by a field of %q (%s %s %s): change that first", old.Slug, owner, rel.From, rel.Kind, rel.To)
			}
		}
	}
	for _, rel := range listed {
		rk := RelationshipKey(rel.From, rel.Kind, rel.To)
		if w.archived[rk] {
			continue
		}
		if err := w.del(relEntries(rel, 0, 0)); err != nil {
			return err
		}
		w.archived[rk] = true
		w.logChange(rk, 0, rel.Meta.Revision, &rel.Relationship, nil)
	}
	c := w.tx.Bucket(bucketAssessByEntity).Cursor()
	prefix := old.ID.Bytes()
	var assessed []*Assessment
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		radar, edition, _ := bytes.Cut(k[8:], zero)
		a, err := getRecord[Assessment](w.tx, bucketAssessments, assessmentKey(string(radar), string(edition), old.ID), "assessment")
		if err != nil {
			return err
		}
		if a != nil {
			assessed = append(assessed, a)
		}
	}
	for _, a := range assessed {
		if err := w.removeAssessment(a, AssessmentKey(a.Radar, a.Edition, a.Entity)); err != nil {
			return err
		}
	}
	return nil
}

// writeDerived writes the derived edges of every entity put, once every entity exists.
func (w *writer) writeDerived() error {
	for _, rec := range w.putEntities {
		for _, r := range domain.DerivedRelationships(&rec.Entity) {
			rel := newRelationship(r, rec.Meta)
			if cur, err := getRecord[Relationship](w.tx, bucketRels, rel.ID.Bytes(), "relationship"); err != nil {
				return err
			} else if cur != nil && !cur.Derived {
				w.problem(-1, EntityKey(rec.Slug), "", "its field writes %s %s %s, which is already listed as a relationship: unrelate that first", r.From, r.Kind, r.To)
				continue
			}
			if err := w.put(relEntries(rel, w.typeOf(r.From), w.typeOf(r.To))); err != nil {
				return err
			}
		}
	}
	return nil
}

// typeOf is the type of the entity with the slug, 0 when there is none (the record's
// validation then reports the reference).
func (w *writer) typeOf(slug string) domain.EntityType {
	if v := w.tx.Bucket(bucketSlugs).Get([]byte(slug)); len(v) == 9 {
		return domain.EntityType(v[8])
	}
	return 0
}

func (w *writer) relationship(i int, op *Op, key RecordKey) error {
	r := op.Relationship
	id := RelationshipID(r.From, r.Kind, r.To)
	old, err := getRecord[Relationship](w.tx, bucketRels, id.Bytes(), "relationship")
	if err != nil {
		return err
	}
	if old != nil && old.Derived {
		w.problem(i, key, "", "%s %s %s is written by a field of %q: change that entity instead", r.From, r.Kind, r.To, derivedOwner(&old.Relationship))
		return nil
	}
	if err := admit(op, key, old.meta()); err != nil {
		return err
	}
	if old != nil {
		if err := w.del(relEntries(old, 0, 0)); err != nil {
			return err
		}
	}
	if op.Action == Archive {
		w.archived[key] = true
		w.logChange(key, 0, old.Meta.Revision, &old.Relationship, nil)
		return nil
	}
	rel := *r
	rel.Derived = false
	rec := newRelationship(rel, w.meta(key, old.meta()))
	if err := w.put(relEntries(rec, w.typeOf(r.From), w.typeOf(r.To))); err != nil {
		return err
	}
	w.checks = append(w.checks, check{i, key, func(l dataset.Lookup, t map[string]*dataset.SourceText) dataset.Problems {
		return dataset.ValidateRelationship(l, t, &rel)
	}})
	w.logChange(key, 0, rec.Meta.Revision, old.curated(), &rel)
	return nil
}

// latest reports whether edition is the newest of the radar, as the transaction sees it.
func (w *writer) latest(radar, edition string) (bool, error) {
	r, err := getRecord[Radar](w.tx, bucketRadars, []byte(radar), "radar")
	if err != nil || r == nil {
		return false, err
	}
	return latestEdition(&r.Radar) == edition, nil
}

func (w *writer) removeAssessment(a *Assessment, key RecordKey) error {
	latest, err := w.latest(a.Radar, a.Edition)
	if err != nil {
		return err
	}
	if err := w.del(assessmentEntries(a, latest)); err != nil {
		return err
	}
	w.archived[key] = true
	w.logChange(key, 0, a.Meta.Revision, &a.Assessment, nil)
	return nil
}

func (w *writer) assessment(i int, op *Op, key RecordKey) error {
	a := op.Assessment
	id := EntityID(a.Entity)
	old, err := getRecord[Assessment](w.tx, bucketAssessments, assessmentKey(a.Radar, a.Edition, id), "assessment")
	if err != nil {
		return err
	}
	if err := admit(op, key, old.meta()); err != nil {
		return err
	}
	if op.Action == Archive {
		return w.removeAssessment(old, key)
	}
	latest, err := w.latest(a.Radar, a.Edition)
	if err != nil {
		return err
	}
	if old != nil {
		if err := w.del(assessmentEntries(old, latest)); err != nil {
			return err
		}
	}
	rec := &Assessment{EntityID: id, Assessment: *a, Meta: w.meta(key, old.meta())}
	if err := w.put(assessmentEntries(rec, latest)); err != nil {
		return err
	}
	after := *a
	w.checks = append(w.checks, check{i, key, func(l dataset.Lookup, t map[string]*dataset.SourceText) dataset.Problems {
		return dataset.ValidateAssessment(l, t, &after)
	}})
	w.logChange(key, 0, rec.Meta.Revision, old.curated(), &after)
	return nil
}

func (w *writer) source(i int, op *Op, key RecordKey) error {
	old, err := getRecord[Source](w.tx, bucketSources, []byte(key.Key), "source")
	if err != nil {
		return err
	}
	if err := admit(op, key, old.meta()); err != nil {
		return err
	}
	if op.Action == Archive {
		w.archived[key] = true
		w.logChange(key, 0, old.Meta.Revision, &old.Source, nil)
		return w.del(sourceEntries(old))
	}
	rec := &Source{Source: *op.Source, Meta: w.meta(key, old.meta())}
	src := rec.Source
	w.checks = append(w.checks, check{i, key, func(dataset.Lookup, map[string]*dataset.SourceText) dataset.Problems {
		return dataset.ValidateSource(&src)
	}})
	w.logChange(key, 0, rec.Meta.Revision, old.curated(), &src)
	return w.put(sourceEntries(rec))
}

// radar puts or archives a radar. A new newest edition moves the ring index of its
// assessments to that edition.
func (w *writer) radar(op *Op, key RecordKey) error {
	old, err := getRecord[Radar](w.tx, bucketRadars, []byte(key.Key), "radar")
	if err != nil {
		return err
	}
	if err := admit(op, key, old.meta()); err != nil {
		return err
	}
	oldLatest, newLatest := "", ""
	if old != nil {
		oldLatest = latestEdition(&old.Radar)
	}
	if op.Action != Archive {
		newLatest = latestEdition(op.Radar)
	}
	if oldLatest != newLatest {
		if err := w.moveRings(key.Key, oldLatest, newLatest); err != nil {
			return err
		}
	}
	if op.Action == Archive {
		w.archived[key] = true
		w.logChange(key, 0, old.Meta.Revision, &old.Radar, nil)
		return w.del(radarEntries(old))
	}
	rec := &Radar{Radar: *op.Radar, Meta: w.meta(key, old.meta())}
	r := rec.Radar
	w.logChange(key, 0, rec.Meta.Revision, old.curated(), &r)
	return w.put(radarEntries(rec))
}

// moveRings moves a radar's ring index entries from the assessments of one edition to those
// of another ("" for none).
func (w *writer) moveRings(radar, from, to string) error {
	for _, edition := range []string{from, to} {
		if edition == "" {
			continue
		}
		prefix := cat([]byte(radar), zero, []byte(edition), zero)
		c := w.tx.Bucket(bucketAssessments).Cursor()
		var keys [][]byte
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			a, err := decode[Assessment](v, "assessment")
			if err != nil {
				return err
			}
			keys = append(keys, cat(attrPrefix(attrRing, a.Radar+"/"+a.Ring), a.EntityID.Bytes()))
		}
		for _, k := range keys {
			e := []entry{{bucketAttr, k, nil}}
			var err error
			if edition == from {
				err = w.del(e)
			} else {
				err = w.put(e)
			}
			if err != nil {
				return fmt.Errorf("move ring index of radar %s: %w", radar, err)
			}
		}
	}
	return nil
}

// txLookup answers the dataset rules' questions from a write transaction, which sees its own
// writes: records are validated against the state the change set leaves.
type txLookup struct {
	tx            *bolt.Tx
	defaultSource *string
}

func newTxLookup(tx *bolt.Tx) *txLookup { return &txLookup{tx: tx} }

func (l *txLookup) Entity(slug string) (domain.Entity, bool) {
	e, err := getRecord[Entity](l.tx, bucketEntities, EntityID(slug).Bytes(), "entity")
	if err != nil || e == nil || e.Slug != slug {
		return domain.Entity{}, false
	}
	return e.Entity, true
}

func (l *txLookup) Source(slug string) bool {
	return l.tx.Bucket(bucketSources).Get([]byte(slug)) != nil
}

func (l *txLookup) DefaultSource() string {
	if l.defaultSource == nil {
		def := ""
		_ = l.tx.Bucket(bucketSources).ForEach(func(_, v []byte) error {
			var src domain.Source
			if json.Unmarshal(v, &src) == nil && src.Default {
				def = src.Slug
			}
			return nil
		})
		l.defaultSource = &def
	}
	return *l.defaultSource
}

func (l *txLookup) Radar(slug string) (domain.Radar, bool) {
	r, err := getRecord[Radar](l.tx, bucketRadars, []byte(slug), "radar")
	if err != nil || r == nil {
		return domain.Radar{}, false
	}
	return r.Radar, true
}

// validKey reports whether the fields that make up an op's record key are slugs (an
// assessment's edition a date), as every stored record's are.
func validKey(op *Op) bool {
	switch {
	case op.Entity != nil:
		return domain.ValidSlug(op.Entity.Slug)
	case op.Source != nil:
		return domain.ValidSlug(op.Source.Slug)
	case op.Radar != nil:
		return domain.ValidSlug(op.Radar.Slug)
	case op.Relationship != nil:
		return domain.ValidSlug(op.Relationship.From) && domain.ValidSlug(op.Relationship.To)
	case op.Assessment != nil:
		_, err := time.Parse("2006-01-02", op.Assessment.Edition)
		return domain.ValidSlug(op.Assessment.Radar) && domain.ValidSlug(op.Assessment.Entity) && err == nil
	}
	return false
}
