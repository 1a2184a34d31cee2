package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// EdgePageRequest asks for one page of one node's edges.
type EdgePageRequest struct {
	Node   ID
	Filter EdgeFilter
	Page   PageArgs
}

// EdgePage is a page of a node's edges, ordered outgoing first, then by kind, then by the other
// end's name, with the relationship records and the entities at the other end.
type EdgePage struct {
	Edges []Edge
	// Cursors[i] is the cursor of Edges[i].
	Cursors [][]byte
	// Relationships[i] and Others[i] belong to Edges[i].
	Relationships   []*Relationship
	Others          []*Entity
	Total           int
	HasNextPage     bool
	HasPreviousPage bool
}

// EdgePages answers many page requests, of any nodes, filters and pages, in one read
// transaction: the API's nested connections of a whole level cost one transaction.
func (s *Store) EdgePages(reqs []EdgePageRequest) ([]*EdgePage, error) {
	for _, r := range reqs {
		for _, c := range [][]byte{r.Page.After, r.Page.Before} {
			if c != nil && !validEdgeCursor(c) {
				return nil, fmt.Errorf("edges: %w", ErrBadCursor)
			}
		}
	}
	out := make([]*EdgePage, len(reqs))
	records := 0
	err := s.view(func(tx *bolt.Tx) error {
		outC, inC := tx.Bucket(bucketRelOut).Cursor(), tx.Bucket(bucketRelIn).Cursor()
		sortKeys, rels, ents := tx.Bucket(bucketSortKey), tx.Bucket(bucketRels), tx.Bucket(bucketEntities)
		version := txVersion(tx)
		for i, r := range reqs {
			f := r.Filter
			if f.Dir == 0 {
				f.Dir = Both
			}
			kinds := slices.Clone(f.Kinds)
			slices.Sort(kinds)
			edges := collectEdges(outC, inC, r.Node, f, kinds)
			keys := make([][]byte, len(edges))
			for j, e := range edges {
				name := sortKeys.Get(cat(e.Other.Bytes(), []byte{byte(OrderName)}))
				keys[j] = cat([]byte{byte(e.Dir), byte(e.Kind)}, name, e.Rel.Bytes())
			}
			order := make([]int, len(edges))
			for j := range order {
				order[j] = j
			}
			slices.SortFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
			from, to, hasPrev, hasNext := PageBounds(len(order), func(j int, c []byte) int { return bytes.Compare(keys[order[j]], c) }, r.Page)
			page := &EdgePage{Total: len(edges), HasPreviousPage: hasPrev, HasNextPage: hasNext}
			for _, j := range order[from:to] {
				e := edges[j]
				page.Edges = append(page.Edges, e)
				page.Cursors = append(page.Cursors, keys[j])
				rel, err := s.rels.get(rels, e.Rel, version, "relationship")
				if err != nil {
					return err
				}
				other, err := s.entities.get(ents, e.Other, version, "entity")
				if err != nil {
					return err
				}
				if rel != nil {
					records++
				}
				if other != nil {
					records++
				}
				page.Relationships = append(page.Relationships, rel)
				page.Others = append(page.Others, other)
			}
			out[i] = page
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load edge pages: %w", err)
	}
	s.recordsRead.Add(uint64(records))
	return out, nil
}

// validEdgeCursor checks the shape dir (1) + kind (1) + name key + relationship ID (8).
func validEdgeCursor(c []byte) bool {
	if len(c) < 2+10+8 || (c[0] != byte(Outgoing) && c[0] != byte(Incoming)) {
		return false
	}
	return c[len(c)-17] == 0
}

// PageBounds finds the page of n items in list order that args select: items [from, to), and
// whether items exist before and after it. cmp compares item i with a cursor in list order.
func PageBounds(n int, cmp func(i int, cursor []byte) int, args PageArgs) (from, to int, hasPrev, hasNext bool) {
	lo, hi := 0, n
	if args.After != nil {
		lo = searchFirst(n, func(i int) bool { return cmp(i, args.After) > 0 })
	}
	if args.Before != nil {
		hi = searchFirst(n, func(i int) bool { return cmp(i, args.Before) >= 0 })
	}
	hi = max(hi, lo)
	from, to = lo, hi
	if args.FromEnd {
		from = max(lo, hi-args.Limit)
	} else {
		to = min(hi, lo+args.Limit)
	}
	return from, to, from > 0, to < n
}
