package store

import (
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/domain"
)

// Reach selects the entities within Hops relationships of one entity, the entity itself left
// out: "related to X within n hops". It walks the relationship indexes level by level inside
// the filter's read transaction, so a reach costs the edges it follows, never a record read.
type Reach struct {
	// From is the entity to start from. When it is zero, Slug names it instead (an unknown slug
	// reaches nothing; the query layer refuses it before the store sees it).
	From ID
	Slug string
	// Hops is the most relationships between From and a match; below 1 it matches nothing.
	Hops int
	// Kinds limits the relationships followed (empty: all); Dir their direction as seen from
	// the entity being left at each step (zero: both).
	Kinds []domain.RelKind
	Dir   Direction
	// MaxReached, when positive, bounds the entities the walk may reach: past it the filter
	// fails with ErrReachTooWide rather than match most of the database.
	MaxReached int
}

// ErrReachTooWide is returned, wrapped, for a reach that passes its MaxReached.
var ErrReachTooWide = errors.New("the reach passes its bound")

// reachSet returns the IDs reached, ascending.
func reachSet(tx *bolt.Tx, r *Reach, steps *stepper) ([]ID, error) {
	from := r.From
	if from == 0 {
		ref := tx.Bucket(bucketSlugs).Get([]byte(r.Slug))
		if len(ref) < 8 {
			return nil, nil
		}
		from = idAt(ref)
	}
	f := EdgeFilter{Dir: r.Dir, Kinds: slices.Sorted(slices.Values(r.Kinds))}
	if f.Dir == 0 {
		f.Dir = Both
	}
	outC, inC := tx.Bucket(bucketRelOut).Cursor(), tx.Bucket(bucketRelIn).Cursor()
	seen := map[ID]bool{from: true}
	var out []ID
	frontier := []ID{from}
	for level := 0; level < r.Hops && len(frontier) > 0; level++ {
		var next []ID
		for _, id := range frontier {
			edges, err := collectEdges(outC, inC, id, f, f.Kinds, steps)
			if err != nil {
				return nil, err
			}
			for _, e := range edges {
				if !seen[e.Other] {
					seen[e.Other] = true
					next = append(next, e.Other)
					if r.MaxReached > 0 && len(out)+len(next) > r.MaxReached {
						return nil, fmt.Errorf("%w: more than %d entities", ErrReachTooWide, r.MaxReached)
					}
				}
			}
		}
		out = append(out, next...)
		frontier = next
	}
	slices.Sort(out)
	return out, nil
}
