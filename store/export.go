package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// Export reads the whole database back into a dataset, in canonical order, from one read
// transaction. Importing the result gives back the same database.
func (s *Store) Export() (*dataset.Dataset, error) {
	d := &dataset.Dataset{}
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		each := func(bucket []byte, fn func(v []byte) error) error {
			return tx.Bucket(bucket).ForEach(func(_, v []byte) error {
				n++
				return fn(v)
			})
		}
		if err := each(bucketSources, func(v []byte) error {
			src, err := decode[domain.Source](v, "source")
			if err == nil {
				d.Sources = append(d.Sources, *src)
			}
			return err
		}); err != nil {
			return err
		}
		if err := each(bucketEntities, func(v []byte) error {
			e, err := decode[Entity](v, "entity")
			if err == nil {
				d.Entities = append(d.Entities, e.Entity)
			}
			return err
		}); err != nil {
			return err
		}
		if err := each(bucketRels, func(v []byte) error {
			r, err := decode[Relationship](v, "relationship")
			if err == nil && !r.Derived {
				d.Relationships = append(d.Relationships, r.Relationship)
			}
			return err
		}); err != nil {
			return err
		}
		if err := each(bucketRadars, func(v []byte) error {
			r, err := decode[domain.Radar](v, "radar")
			if err == nil {
				d.Radars = append(d.Radars, *r)
			}
			return err
		}); err != nil {
			return err
		}
		return each(bucketAssessments, func(v []byte) error {
			a, err := decode[Assessment](v, "assessment")
			if err == nil {
				d.Assessments = append(d.Assessments, a.Assessment)
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", s.path, err)
	}
	s.recordsRead.Add(uint64(n))
	d.Sort()
	return d, nil
}
