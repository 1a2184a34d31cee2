package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/domain"
)

// citationIndex maps each cited passage to the entities citing it, at one data version.
type citationIndex struct {
	version uint64
	byCite  map[domain.Citation][]Citing
}

// Citing is an entity citing a passage, with its type so that callers can filter by type
// without reading the entity.
type Citing struct {
	ID   ID
	Type domain.EntityType
}

// CitingEntities returns, for each passage, the entities that cite it, by ascending ID. A
// citation is matched as written: one without a source (the default source's) matches only
// passages given without a source. The passage-to-entities index is not on disk (that would
// change the file's layout): it is built from one pass over the entities, in one read
// transaction, the first time it is asked for at a data version, and kept until the data
// changes. It stops with ctx's error when ctx ends.
func (s *Store) CitingEntities(ctx context.Context, passages []domain.Citation) ([][]Citing, error) {
	idx := s.citations.Load()
	if idx == nil || idx.version != s.Version() {
		built := &citationIndex{byCite: map[domain.Citation][]Citing{}}
		steps := stepper{ctx: ctx}
		err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
			built.version = txVersion(tx)
			return tx.Bucket(bucketEntities).ForEach(func(_, v []byte) error {
				if err := steps.step(); err != nil {
					return err
				}
				e, err := decode[Entity](v, "entity")
				if err != nil {
					return err
				}
				// The bucket is keyed by ID: each list comes out ascending.
				for _, c := range e.Citations {
					if ids := built.byCite[c]; len(ids) == 0 || ids[len(ids)-1].ID != e.ID {
						built.byCite[c] = append(ids, Citing{ID: e.ID, Type: e.Type})
					}
				}
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("index citations: %w", err)
		}
		s.citations.Store(built)
		idx = built
	}
	out := make([][]Citing, len(passages))
	for i, p := range passages {
		out[i] = idx.byCite[p]
	}
	return out, nil
}
