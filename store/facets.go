package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	bolt "go.etcd.io/bbolt"
)

// Facets counts, for the entities matching a filter, how many have each value of each
// indexed attribute.
type Facets struct {
	Total int
	// Counts maps an attribute name (type, kind, status, lifecycle, tradeoffType, tag, ring) to
	// value counts, values in index order.
	Counts map[string][]FacetCount
}

// FacetCount is how many entities have one value.
type FacetCount struct {
	Value string
	Count int
}

var facetAttrs = []struct {
	name string
	attr byte
}{
	{"type", attrType}, {"kind", attrKind}, {"status", attrStatus}, {"lifecycle", attrLifecycle},
	{"tradeoffType", attrTradeoff}, {"tag", attrTag}, {"ring", attrRing},
}

// Facets counts the entities of the types that match f (nil for all), in one read transaction.
// It walks each attribute index once: the cost grows with the index, not with the set. It stops
// with ctx's error when ctx ends.
func (s *Store) Facets(ctx context.Context, types []domain.EntityType, f *Filter) (*Facets, error) {
	if len(types) == 0 {
		types = domain.EntityTypes
	}
	out := &Facets{Counts: map[string][]FacetCount{}}
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		set, err := typeSet(tx, types, &steps)
		if err != nil {
			return err
		}
		if f != nil {
			m, err := evalFilter(ctx, tx, f, types, len(set))
			if err != nil {
				return err
			}
			if m.neg {
				set = difference(set, m.ids)
			} else {
				set = intersect(m.ids, set)
			}
		}
		out.Total = len(set)
		c := tx.Bucket(bucketAttr).Cursor()
		for _, fa := range facetAttrs {
			prefix := []byte{fa.attr}
			counts := []FacetCount{}
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if err := steps.step(); err != nil {
					return err
				}
				if len(k) < 10 || k[len(k)-9] != 0 {
					continue
				}
				if _, ok := slices.BinarySearch(set, idAt(k[len(k)-8:])); !ok {
					continue
				}
				value := string(k[1 : len(k)-9])
				if n := len(counts); n > 0 && counts[n-1].Value == value {
					counts[n-1].Count++
				} else {
					counts = append(counts, FacetCount{Value: value, Count: 1})
				}
			}
			out.Counts[fa.name] = counts
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	return out, nil
}
