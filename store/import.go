package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// Import replaces the whole content of the database with d, in one write transaction: after an
// error (including an invalid dataset, which is checked first) the database is unchanged.
func (s *Store) Import(ctx context.Context, d *dataset.Dataset) error {
	if problems := dataset.Validate(d, nil); len(problems) > 0 {
		return fmt.Errorf("import: invalid dataset: %w", problems)
	}
	w, err := buildWrites(d)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var newVersion uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range dataBuckets {
			if tx.Bucket(name) != nil {
				if err := tx.DeleteBucket(name); err != nil {
					return fmt.Errorf("clear bucket %s: %w", name, err)
				}
			}
			b, err := tx.CreateBucket(name)
			if err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
			kvs := w.writes[string(name)]
			slices.SortFunc(kvs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
			// Keys go in in order, so full pages waste nothing.
			b.FillPercent = 0.95
			for i, e := range kvs {
				if i > 0 && bytes.Equal(kvs[i-1].k, e.k) {
					return fmt.Errorf("bucket %s: duplicate key %x", name, e.k)
				}
				if err := b.Put(e.k, e.v); err != nil {
					return fmt.Errorf("write bucket %s: %w", name, err)
				}
			}
			// Cancelling rolls the whole import back; checked between buckets, not per key.
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("import cancelled: %w", err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		var version uint64
		if v := meta.Get(metaVersion); v != nil {
			version = binary.BigEndian.Uint64(v)
		}
		newVersion = version + 1
		if err := meta.Put(metaVersion, u64(newVersion)); err != nil {
			return fmt.Errorf("write data version: %w", err)
		}
		if err := meta.Put(metaCounts, w.counts); err != nil {
			return fmt.Errorf("write counts: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import into %s: %w", s.path, err)
	}
	// Only now is the write visible to readers: publish its version.
	s.version.Store(newVersion)
	return nil
}

type kv struct{ k, v []byte }

// writes holds every key and value of an import, by bucket name.
type writes map[string][]kv

func (w writes) put(bucket []byte, k, v []byte) {
	w[string(bucket)] = append(w[string(bucket)], kv{k, v})
}

// buildWrites computes every record and index entry of d, before any transaction opens.
func buildWrites(d *dataset.Dataset) (writesWithCounts, error) {
	w := writes{}
	mustJSON := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err) // our own plain structs always encode
		}
		return b
	}
	for _, src := range d.Sources {
		w.put(bucketSources, []byte(src.Slug), mustJSON(src))
	}
	counts := map[domain.EntityType]int{}
	ids := make(map[ID]string, len(d.Entities))
	for i := range d.Entities {
		e := &d.Entities[i]
		id := EntityID(e.Slug)
		if other, dup := ids[id]; dup {
			return writesWithCounts{}, fmt.Errorf("slugs %q and %q hash to the same ID: rename one", other, e.Slug)
		}
		ids[id] = e.Slug
		counts[e.Type]++
		w.put(bucketEntities, id.Bytes(), mustJSON(Entity{ID: id, Entity: *e}))
		w.put(bucketSlugs, []byte(e.Slug), cat(id.Bytes(), []byte{byte(e.Type)}))
		nk := nameKey(e.Name, id)
		w.put(bucketByName, nk, []byte{byte(e.Type)})
		w.put(bucketSortKey, cat(id.Bytes(), []byte{byte(OrderName)}), nk)
		w.put(bucketSortKey, cat(id.Bytes(), []byte{byte(OrderSlug)}), []byte(e.Slug))
		for _, a := range entityAttrs(e) {
			w.put(bucketAttr, cat(attrPrefix(a.attr, a.value), id.Bytes()), nil)
		}
		nameTokens := byte(min(len(Tokenize(e.Name)), 255))
		for tok, weight := range entityTokens(e) {
			v := make([]byte, 4)
			binary.BigEndian.PutUint16(v, weight)
			v[2] = byte(e.Type)
			v[3] = nameTokens
			w.put(bucketTokens, cat([]byte(tok), zero, id.Bytes()), v)
		}
	}
	typeOf := make(map[string]domain.EntityType, len(d.Entities))
	for i := range d.Entities {
		typeOf[d.Entities[i].Slug] = d.Entities[i].Type
	}
	for _, r := range d.AllRelationships() {
		rec := Relationship{ID: RelationshipID(r.From, r.Kind, r.To), FromID: EntityID(r.From), ToID: EntityID(r.To), Relationship: r}
		w.put(bucketRels, rec.ID.Bytes(), mustJSON(rec))
		// Each index entry's value is the other end's type, so edges can be filtered by it unread.
		w.put(bucketRelOut, relKey(rec.FromID, r.Kind, rec.ToID, rec.ID), []byte{byte(typeOf[r.To])})
		w.put(bucketRelIn, relKey(rec.ToID, r.Kind, rec.FromID, rec.ID), []byte{byte(typeOf[r.From])})
	}
	for _, r := range d.Radars {
		w.put(bucketRadars, []byte(r.Slug), mustJSON(r))
	}
	latest := latestEditions(d)
	for _, a := range d.Assessments {
		id := EntityID(a.Entity)
		w.put(bucketAssessments, assessmentKey(a.Radar, a.Edition, id), mustJSON(Assessment{EntityID: id, Assessment: a}))
		w.put(bucketAssessByEntity, cat(id.Bytes(), []byte(a.Radar), zero, []byte(a.Edition)), nil)
		if latest[a.Radar] == a.Edition {
			w.put(bucketAttr, cat(attrPrefix(attrRing, a.Radar+"/"+a.Ring), id.Bytes()), nil)
		}
	}
	return writesWithCounts{writes: w, counts: mustJSON(counts)}, nil
}

type writesWithCounts struct {
	writes
	counts []byte
}

func assessmentKey(radar, edition string, id ID) []byte {
	return cat([]byte(radar), zero, []byte(edition), zero, id.Bytes())
}

// latestEditions maps each radar to the date of its newest edition.
func latestEditions(d *dataset.Dataset) map[string]string {
	m := map[string]string{}
	for _, r := range d.Radars {
		for _, e := range r.Editions {
			if e.Date > m[r.Slug] {
				m[r.Slug] = e.Date
			}
		}
	}
	return m
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
