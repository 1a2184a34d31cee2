package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/domain"
)

// RecordKind is the kind of a curated record in the change log. The numeric values are written
// into keys: never renumber them.
type RecordKind uint8

// The kinds of record that change.
const (
	RecordSource       RecordKind = 1
	RecordRadar        RecordKind = 2
	RecordEntity       RecordKind = 3
	RecordRelationship RecordKind = 4
	RecordAssessment   RecordKind = 5
)

var recordKindNames = map[RecordKind]string{
	RecordSource: "source", RecordRadar: "radar", RecordEntity: "entity",
	RecordRelationship: "relationship", RecordAssessment: "assessment",
}

// String names the kind in lower case.
func (k RecordKind) String() string {
	if n, ok := recordKindNames[k]; ok {
		return n
	}
	return "unknown"
}

// RecordKey names one curated record: an entity or source by slug, a relationship as
// "from/kind/to", an assessment as "radar/edition/entity", a radar by slug.
type RecordKey struct {
	Kind RecordKind `json:"kind"`
	Key  string     `json:"key"`
}

// String is "kind:key".
func (k RecordKey) String() string { return k.Kind.String() + ":" + k.Key }

// EntityKey is the record key of an entity.
func EntityKey(slug string) RecordKey { return RecordKey{RecordEntity, slug} }

// RelationshipKey is the record key of a relationship.
func RelationshipKey(from string, kind domain.RelKind, to string) RecordKey {
	return RecordKey{RecordRelationship, from + "/" + kind.String() + "/" + to}
}

// AssessmentKey is the record key of an assessment.
func AssessmentKey(radar, edition, entity string) RecordKey {
	return RecordKey{RecordAssessment, radar + "/" + edition + "/" + entity}
}

// ParseRelationshipKey splits a relationship's record key into its ends and kind.
func ParseRelationshipKey(key string) (from string, kind domain.RelKind, to string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 {
		return "", 0, "", false
	}
	kind, ok = domain.ParseRelKind(parts[1])
	return parts[0], kind, parts[2], ok
}

// ParseAssessmentKey splits an assessment's record key.
func ParseAssessmentKey(key string) (radar, edition, entity string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func (k RecordKey) prefix() []byte { return cat([]byte{byte(k.Kind)}, []byte(k.Key), zero) }

// ChangeSet is one committed change: every record it touched changed in one transaction, under
// one new data version. Change sets are never rewritten.
type ChangeSet struct {
	// Version is the data version the change set made.
	Version uint64    `json:"version"`
	Time    time.Time `json:"time"`
	// Actor names who made it: a token's name, "cli" for an import from a file, and so on.
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
	// Reverts is the version of the change set this one reverted, if any.
	Reverts uint64 `json:"reverts,omitempty"`
	// Changes is how many records it changed.
	Changes int `json:"changes"`
}

// Change is one record's before and after within a change set; Before is empty for a record
// created, After for one archived. Both are the curated record as JSON (the domain type),
// without the store's meta.
type Change struct {
	Version uint64 `json:"version"`
	// Seq numbers the changes of a set from 0.
	Seq    uint32    `json:"seq"`
	Record RecordKey `json:"record"`
	// EntityType is the type of a changed entity.
	EntityType domain.EntityType `json:"entityType,omitempty"`
	// Revision is the record's revision after the change; for an archive, the revision archived.
	Revision uint64          `json:"revision"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
}

// Entities are the slugs of the entities a change touches: the entity itself, a
// relationship's ends, an assessment's entity.
func (c *Change) Entities() []string {
	switch c.Record.Kind {
	case RecordEntity:
		return []string{c.Record.Key}
	case RecordRelationship:
		if from, _, to, ok := ParseRelationshipKey(c.Record.Key); ok {
			return []string{from, to}
		}
	case RecordAssessment:
		if _, _, entity, ok := ParseAssessmentKey(c.Record.Key); ok {
			return []string{entity}
		}
	}
	return nil
}

// changeRef is the version and sequence of a change: its key in bucketChanges.
func changeRef(version uint64, seq uint32) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint64(b, version)
	binary.BigEndian.PutUint32(b[8:], seq)
	return b
}

// changeLog collects the entries of one change set as its changes are made.
type changeLog struct {
	set     ChangeSet
	entries []entry
}

func (l *changeLog) add(c Change) {
	c.Version, c.Seq = l.set.Version, uint32(l.set.Changes)
	l.set.Changes++
	ref := changeRef(c.Version, c.Seq)
	l.entries = append(l.entries,
		entry{bucketChanges, ref, mustJSON(c)},
		entry{bucketRecordHistory, cat(c.Record.prefix(), ref), nil})
	for _, slug := range dedup(c.Entities()) {
		l.entries = append(l.entries, entry{bucketEntityChanges, cat([]byte(slug), zero, ref), nil})
	}
}

// finish adds the change set's own record.
func (l *changeLog) finish() []entry {
	return append(l.entries, entry{bucketChangeSets, u64(l.set.Version), mustJSON(l.set)})
}

// ChangeSets returns the change sets from version from (inclusive) up, at most limit of them,
// oldest first; newestFirst walks down from from instead (from 0 meaning the newest).
func (s *Store) ChangeSets(ctx context.Context, from uint64, limit int, newestFirst bool) ([]ChangeSet, error) {
	var out []ChangeSet
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChangeSets).Cursor()
		var k, v []byte
		switch {
		case !newestFirst:
			k, v = c.Seek(u64(from))
		case from == 0:
			k, v = c.Last()
		default:
			k, v = c.Seek(u64(from))
			if k == nil || binary.BigEndian.Uint64(k) > from {
				k, v = c.Prev()
			}
		}
		for ; k != nil && len(out) < limit; k, v = step(c, newestFirst) {
			if err := steps.step(); err != nil {
				return err
			}
			cs, err := decode[ChangeSet](v, "change set")
			if err != nil {
				return err
			}
			out = append(out, *cs)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read change sets: %w", err)
	}
	return out, nil
}

func step(c *bolt.Cursor, back bool) ([]byte, []byte) {
	if back {
		return c.Prev()
	}
	return c.Next()
}

// ChangeSetsAt returns the change sets of many versions in one read transaction, aligned with
// versions; nil where a version has none.
func (s *Store) ChangeSetsAt(ctx context.Context, versions []uint64) ([]*ChangeSet, error) {
	out := make([]*ChangeSet, len(versions))
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChangeSets)
		for i, version := range versions {
			if v := b.Get(u64(version)); v != nil {
				cs, err := decode[ChangeSet](v, "change set")
				if err != nil {
					return err
				}
				out[i] = cs
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read change sets: %w", err)
	}
	return out, nil
}

// ChangeSetAt returns the change set of a version, or nil.
func (s *Store) ChangeSetAt(ctx context.Context, version uint64) (*ChangeSet, error) {
	var cs *ChangeSet
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketChangeSets).Get(u64(version))
		if v == nil {
			return nil
		}
		var err error
		cs, err = decode[ChangeSet](v, "change set")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read change set %d: %w", version, err)
	}
	return cs, nil
}

// ChangesOf returns the changes of one change set, from sequence from on, at most limit.
func (s *Store) ChangesOf(ctx context.Context, version uint64, from uint32, limit int) ([]Change, error) {
	var out []Change
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		prefix := u64(version)
		for k, v := c.Seek(changeRef(version, from)); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			if err := steps.step(); err != nil {
				return err
			}
			ch, err := decode[Change](v, "change")
			if err != nil {
				return err
			}
			out = append(out, *ch)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read changes of version %d: %w", version, err)
	}
	return out, nil
}

// ChangeFilter selects changes across change sets.
type ChangeFilter struct {
	// Record limits the changes to one record's; Entity to those touching one entity (its own,
	// its relationships' and assessments'). At most one of them is set.
	Record *RecordKey
	Entity string
	// MinVersion and MaxVersion bound the versions, inclusive; 0 means unbounded.
	MinVersion, MaxVersion uint64
	// Actor keeps only the changes of change sets made by this actor; EntityType only the
	// changes of entities of this type. Zero values keep all.
	Actor      string
	EntityType domain.EntityType
	// Before, when set, starts after the change of that version and sequence (exclusive):
	// where the previous page ended.
	Before *ChangeRef
	// OldestFirst walks up from the oldest change (or from just past After) instead of down
	// from the newest: a list paged backwards (last, before) reads the changes nearest its
	// cursor without reading all those between it and the newest.
	OldestFirst bool
	After       *ChangeRef
}

// ChangeRef names one change: its change set's version and its sequence in the set.
type ChangeRef struct {
	Version uint64
	Seq     uint32
}

// Changes returns the changes matching f, newest first (oldest first with f.OldestFirst), at
// most limit, and whether more follow.
func (s *Store) Changes(ctx context.Context, f ChangeFilter, limit int) ([]Change, bool, error) {
	outs, more, err := s.ChangesMany(ctx, []ChangeFilter{f}, []int{limit})
	if err != nil {
		return nil, false, err
	}
	return outs[0], more[0], nil
}

// ChangesMany is Changes for many filters (the histories of many records, say), each with its
// limit, in one read transaction.
func (s *Store) ChangesMany(ctx context.Context, fs []ChangeFilter, limits []int) ([][]Change, []bool, error) {
	outs, mores := make([][]Change, len(fs)), make([]bool, len(fs))
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		for i := range fs {
			var err error
			outs[i], mores[i], err = changesTx(tx, &steps, fs[i], limits[i])
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read changes: %w", err)
	}
	return outs, mores, nil
}

func changesTx(tx *bolt.Tx, steps *stepper, f ChangeFilter, limit int) ([]Change, bool, error) {
	var out []Change
	more := false
	err := func() error {
		var idx *bolt.Bucket
		var prefix []byte
		switch {
		case f.Record != nil:
			idx, prefix = tx.Bucket(bucketRecordHistory), f.Record.prefix()
		case f.Entity != "":
			idx, prefix = tx.Bucket(bucketEntityChanges), cat([]byte(f.Entity), zero)
		}
		changes, sets := tx.Bucket(bucketChanges), tx.Bucket(bucketChangeSets)
		actorOf := map[uint64]string{}
		visit := func(ref, v []byte) (bool, error) {
			version := binary.BigEndian.Uint64(ref)
			if f.MinVersion != 0 && version < f.MinVersion {
				return false, nil
			}
			if f.Actor != "" {
				actor, ok := actorOf[version]
				if !ok {
					cs, err := decode[ChangeSet](sets.Get(u64(version)), "change set")
					if err != nil {
						return false, err
					}
					actor, actorOf[version] = cs.Actor, cs.Actor
				}
				if actor != f.Actor {
					return true, nil
				}
			}
			if v == nil {
				v = changes.Get(ref)
			}
			ch, err := decode[Change](v, "change")
			if err != nil {
				return false, err
			}
			if f.EntityType != 0 && ch.EntityType != f.EntityType {
				return true, nil
			}
			if len(out) == limit {
				more = true
				return false, nil
			}
			out = append(out, *ch)
			return true, nil
		}
		maxRef := changeRef(f.MaxVersion, ^uint32(0))
		if f.MaxVersion == 0 {
			maxRef = changeRef(^uint64(0), ^uint32(0))
		}
		if f.Before != nil {
			ref := ChangeRef{f.Before.Version, f.Before.Seq - 1}
			if f.Before.Seq == 0 {
				ref = ChangeRef{f.Before.Version - 1, ^uint32(0)}
			}
			if f.Before.Version == 0 && f.Before.Seq == 0 {
				return nil // nothing comes before the first change
			}
			if r := changeRef(ref.Version, ref.Seq); bytes.Compare(r, maxRef) < 0 {
				maxRef = r
			}
		}
		var c *bolt.Cursor
		if idx == nil {
			c = changes.Cursor()
		} else {
			c = idx.Cursor()
		}
		if f.OldestFirst {
			minRef := changeRef(f.MinVersion, 0)
			if a := f.After; a != nil {
				next := ChangeRef{a.Version, a.Seq + 1}
				if a.Seq == ^uint32(0) {
					next = ChangeRef{a.Version + 1, 0}
				}
				if r := changeRef(next.Version, next.Seq); bytes.Compare(r, minRef) > 0 {
					minRef = r
				}
			}
			for k, v := c.Seek(cat(prefix, minRef)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if err := steps.step(); err != nil {
					return err
				}
				ref := k[len(prefix):]
				if len(ref) != 12 {
					continue
				}
				if bytes.Compare(ref, maxRef) > 0 {
					return nil
				}
				if idx != nil {
					v = nil
				}
				goOn, err := visit(ref, v)
				if err != nil || !goOn {
					return err
				}
			}
			return nil
		}
		// Seek finds the first key at or past the newest wanted; the walk starts one back
		// unless it landed exactly on it.
		target := cat(prefix, maxRef)
		k, v := c.Seek(target)
		if k == nil {
			k, v = c.Last()
		} else if !bytes.Equal(k, target) {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if err := steps.step(); err != nil {
				return err
			}
			ref := k[len(prefix):]
			if len(ref) != 12 || bytes.Compare(ref, maxRef) > 0 {
				continue
			}
			if idx != nil {
				v = nil
			}
			goOn, err := visit(ref, v)
			if err != nil || !goOn {
				return err
			}
		}
		return nil
	}()
	return out, more, err
}

// RecordAsOf returns a record's curated JSON as of a data version (the After of its newest
// change at or before it) and that change; nil when the record did not exist then.
func (s *Store) RecordAsOf(ctx context.Context, key RecordKey, version uint64) (*Change, error) {
	changes, _, err := s.Changes(ctx, ChangeFilter{Record: &key, MaxVersion: version}, 1)
	if err != nil || len(changes) == 0 || changes[0].After == nil {
		return nil, err
	}
	return &changes[0], nil
}

// VersionAt returns the newest data version committed at or before t, 0 if none.
func (s *Store) VersionAt(ctx context.Context, t time.Time) (uint64, error) {
	// Versions and times sort alike (see metaTime), so the answer is found by bisecting.
	var version uint64
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChangeSets).Cursor()
		lo, hi := uint64(1), uint64(0)
		if k, _ := c.Last(); k != nil {
			hi = binary.BigEndian.Uint64(k)
		}
		for lo <= hi {
			mid := lo + (hi-lo)/2
			k, v := c.Seek(u64(mid))
			if k == nil {
				break
			}
			cs, err := decode[ChangeSet](v, "change set")
			if err != nil {
				return err
			}
			if cs.Time.After(t) {
				hi = mid - 1
			} else {
				version = cs.Version
				lo = cs.Version + 1
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("find the version at %s: %w", t.Format(time.RFC3339), err)
	}
	return version, nil
}
