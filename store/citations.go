package store

import (
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/domain"
)

// citationIndex maps each cited passage to the entities citing it, at one data version.
type citationIndex struct {
	version uint64
	byCite  map[domain.Citation][]ID
}

// CitingEntities returns, for each passage, the IDs of the entities that cite it, ascending. A
// citation is matched as written: one without a source (the default source's) matches only
// passages given without a source. The passage-to-entities index is not on disk (that would
// change the file's layout): it is built from one pass over the entities, in one read
// transaction, the first time it is asked for at a data version, and kept until the data
// changes. It stops with ctx's error when ctx ends.
func (s *Store) CitingEntities(ctx context.Context, passages []domain.Citation) ([][]ID, error) {
	idx := s.citations.Load()
	if idx == nil || idx.version != s.Version() {
		built := &citationIndex{byCite: map[domain.Citation][]ID{}}
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
				for _, c := range e.Citations {
					if ids := built.byCite[c]; len(ids) == 0 || ids[len(ids)-1] != e.ID {
						built.byCite[c] = append(ids, e.ID)
					}
				}
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("index citations: %w", err)
		}
		for c, ids := range built.byCite {
			slices.Sort(ids)
			built.byCite[c] = slices.Compact(ids)
		}
		s.citations.Store(built)
		idx = built
	}
	out := make([][]ID, len(passages))
	for i, p := range passages {
		out[i] = idx.byCite[p]
	}
	return out, nil
}
