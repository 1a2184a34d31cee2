package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	bolt "go.etcd.io/bbolt"
)

// sortedUnique returns the distinct IDs in key order: one pass of a cursor then visits each
// page once.
func sortedUnique(ids []ID) []ID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// IndexByID maps entities (as EntitiesByID returns them) by ID, leaving out the missing (nil)
// ones.
func IndexByID(ents []*Entity) map[ID]*Entity {
	byID := make(map[ID]*Entity, len(ents))
	for _, e := range ents {
		if e != nil {
			byID[e.ID] = e
		}
	}
	return byID
}

// EntitiesByID loads many entities in one read transaction, in key order. The result is aligned
// with ids; an ID that names nothing gives nil. It stops with ctx's error when ctx ends.
func (s *Store) EntitiesByID(ctx context.Context, ids []ID) ([]*Entity, error) {
	return getMany(ctx, s, s.entities, bucketEntities, ids, "entity")
}

// getMany reads the records of many IDs from one bucket in one read transaction, visiting the
// keys in order; the result is aligned with ids, nil where nothing is stored.
func getMany[T any](ctx context.Context, s *Store, cache *recordCache[T], bucket []byte, ids []ID, what string) ([]*T, error) {
	found := make(map[ID]*T, len(ids))
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		b, version := tx.Bucket(bucket), txVersion(tx)
		for _, id := range sortedUnique(ids) {
			if err := steps.step(); err != nil {
				return err
			}
			rec, err := cache.get(b, id, version, what)
			if err != nil {
				return err
			}
			if rec != nil {
				found[id] = rec
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %s records: %w", what, err)
	}
	s.recordsRead.Add(uint64(len(found)))
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = found[id]
	}
	return out, nil
}

// EntitiesBySlug loads many entities by slug in one read transaction; unknown slugs give nil.
// It stops with ctx's error when ctx ends.
func (s *Store) EntitiesBySlug(ctx context.Context, slugs []string) ([]*Entity, error) {
	out := make([]*Entity, len(slugs))
	n := 0
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		idx, ents, version := tx.Bucket(bucketSlugs), tx.Bucket(bucketEntities), txVersion(tx)
		for i, slug := range slugs {
			if err := steps.step(); err != nil {
				return err
			}
			ref := idx.Get([]byte(slug))
			if len(ref) < 8 {
				continue
			}
			e, err := s.entities.get(ents, idAt(ref), version, "entity")
			if err != nil {
				return err
			}
			if e != nil {
				out[i] = e
				n++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load entities by slug: %w", err)
	}
	s.recordsRead.Add(uint64(n))
	return out, nil
}

// Direction selects relationships by which end a node is on.
type Direction uint8

// Directions of a relationship, seen from a node.
const (
	Outgoing Direction = 1 << iota // the node is the relationship's "from"
	Incoming                       // the node is the relationship's "to"
	Both     = Outgoing | Incoming
)

// Edge is a relationship seen from one of its ends, read from the indexes alone: enough to page
// and to load the other end, without decoding the relationship record.
type Edge struct {
	Rel       ID
	Kind      domain.RelKind
	Dir       Direction
	Other     ID
	OtherType domain.EntityType
}

// EdgeFilter selects the edges of a node.
type EdgeFilter struct {
	// Dir is Outgoing, Incoming or Both (zero means Both).
	Dir Direction
	// Kinds limits the kinds; empty means all.
	Kinds []domain.RelKind
	// OtherTypes limits the type of the entity at the other end; empty means all.
	OtherTypes []domain.EntityType
}

// Edges returns, for each node, its edges matching f, in one read transaction: outgoing first,
// each direction ordered by kind, then the other end's ID. The order is stable, so what callers
// compute from whole lists (paths, neighbourhoods) comes out the same every time; pages of a
// node's edges come from EdgePages. It stops with ctx's error when ctx ends.
func (s *Store) Edges(ctx context.Context, ids []ID, f EdgeFilter) ([][]Edge, error) {
	if f.Dir == 0 {
		f.Dir = Both
	}
	kinds := slices.Clone(f.Kinds)
	slices.Sort(kinds)
	out := make([][]Edge, len(ids))
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		outC, inC := tx.Bucket(bucketRelOut).Cursor(), tx.Bucket(bucketRelIn).Cursor()
		for i, id := range ids {
			var err error
			if out[i], err = collectEdges(outC, inC, id, f, kinds, &steps); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load edges: %w", err)
	}
	return out, nil
}

// collectEdges reads a node's edges matching f from the out and in indexes; kinds is sorted.
func collectEdges(outC, inC *bolt.Cursor, id ID, f EdgeFilter, kinds []domain.RelKind, steps *stepper) ([]Edge, error) {
	if err := steps.now(); err != nil {
		return nil, err
	}
	var edges []Edge
	var err error
	if f.Dir&Outgoing != 0 {
		if edges, err = scanEdges(outC, id, kinds, f.OtherTypes, Outgoing, edges, steps); err != nil {
			return nil, err
		}
	}
	if f.Dir&Incoming != 0 {
		if edges, err = scanEdges(inC, id, kinds, f.OtherTypes, Incoming, edges, steps); err != nil {
			return nil, err
		}
	}
	return edges, nil
}

func scanEdges(c *bolt.Cursor, id ID, kinds []domain.RelKind, types []domain.EntityType, dir Direction, edges []Edge, steps *stepper) ([]Edge, error) {
	add := func(prefix []byte) error {
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := steps.step(); err != nil {
				return err
			}
			if len(k) != 25 || len(v) != 1 {
				continue
			}
			t := domain.EntityType(v[0])
			if len(types) > 0 && !slices.Contains(types, t) {
				continue
			}
			edges = append(edges, Edge{Rel: idAt(k[17:]), Kind: domain.RelKind(k[8]), Dir: dir, Other: idAt(k[9:17]), OtherType: t})
		}
		return nil
	}
	if len(kinds) == 0 {
		return edges, add(id.Bytes())
	}
	for _, k := range kinds {
		if err := add(cat(id.Bytes(), []byte{byte(k)})); err != nil {
			return nil, err
		}
	}
	return edges, nil
}

// RelationshipsByID loads many relationship records in one read transaction; unknown IDs give
// nil. It stops with ctx's error when ctx ends.
func (s *Store) RelationshipsByID(ctx context.Context, ids []ID) ([]*Relationship, error) {
	return getMany(ctx, s, s.rels, bucketRels, ids, "relationship")
}

// Sources returns every source, by slug.
func (s *Store) Sources() ([]Source, error) {
	var out []Source
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSources).ForEach(func(_, v []byte) error {
			src, err := decode[Source](v, "source")
			if err != nil {
				return err
			}
			out = append(out, *src)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load sources: %w", err)
	}
	s.recordsRead.Add(uint64(len(out)))
	return out, nil
}

// Radars returns every radar, by slug.
func (s *Store) Radars() ([]domain.Radar, error) {
	var out []domain.Radar
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRadars).ForEach(func(_, v []byte) error {
			r, err := decode[domain.Radar](v, "radar")
			if err != nil {
				return err
			}
			out = append(out, *r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load radars: %w", err)
	}
	s.recordsRead.Add(uint64(len(out)))
	return out, nil
}

// Assessments returns the assessments of one radar: of one edition, or of all editions when
// edition is empty; ordered by edition, then entity ID. It stops with ctx's error when ctx ends.
func (s *Store) Assessments(ctx context.Context, radar, edition string) ([]*Assessment, error) {
	prefix := cat([]byte(radar), zero)
	if edition != "" {
		prefix = cat(prefix, []byte(edition), zero)
	}
	var out []*Assessment
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAssessments).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := steps.step(); err != nil {
				return err
			}
			a, err := decode[Assessment](v, "assessment")
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assessments of radar %s: %w", radar, err)
	}
	s.recordsRead.Add(uint64(len(out)))
	return out, nil
}

// AssessmentsOf returns, for each entity, its assessments in every radar and edition, in one
// read transaction. It stops with ctx's error when ctx ends.
func (s *Store) AssessmentsOf(ctx context.Context, ids []ID) ([][]*Assessment, error) {
	out := make([][]*Assessment, len(ids))
	n := 0
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAssessByEntity).Cursor()
		recs := tx.Bucket(bucketAssessments)
		for i, id := range ids {
			if err := steps.step(); err != nil {
				return err
			}
			prefix := id.Bytes()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				radar, edition, ok := bytes.Cut(k[8:], zero)
				if !ok {
					continue
				}
				v := recs.Get(assessmentKey(string(radar), string(edition), id))
				if v == nil {
					continue
				}
				a, err := decode[Assessment](v, "assessment")
				if err != nil {
					return err
				}
				out[i] = append(out[i], a)
				n++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assessments: %w", err)
	}
	s.recordsRead.Add(uint64(n))
	return out, nil
}
