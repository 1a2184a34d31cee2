package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/internal/bytelru"
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
// transaction: the API's nested connections of a whole level cost one transaction. It stops
// with ctx's error when ctx ends.
func (s *Store) EdgePages(ctx context.Context, reqs []EdgePageRequest) ([]*EdgePage, error) {
	for _, r := range reqs {
		for _, c := range [][]byte{r.Page.After, r.Page.Before} {
			if c != nil && !validEdgeCursor(c) {
				return nil, fmt.Errorf("edges: %w", ErrBadCursor)
			}
		}
	}
	out := make([]*EdgePage, len(reqs))
	records := 0
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		outC, inC := tx.Bucket(bucketRelOut).Cursor(), tx.Bucket(bucketRelIn).Cursor()
		sortKeys, rels, ents := tx.Bucket(bucketSortKey), tx.Bucket(bucketRels), tx.Bucket(bucketEntities)
		version := txVersion(tx)
		for i, r := range reqs {
			f := r.Filter
			if f.Dir == 0 {
				f.Dir = Both
			}
			list, err := s.sortedEdges(outC, inC, sortKeys, r.Node, f, version, &steps)
			if err != nil {
				return err
			}
			from, to, hasPrev, hasNext := PageBounds(len(list), func(j int, c []byte) int { return bytes.Compare(list[j].key, c) }, r.Page)
			n := to - from
			page := &EdgePage{Total: len(list), HasPreviousPage: hasPrev, HasNextPage: hasNext,
				Edges: make([]Edge, 0, n), Cursors: make([][]byte, 0, n), Relationships: make([]*Relationship, 0, n), Others: make([]*Entity, 0, n)}
			for _, item := range list[from:to] {
				e := item.edge
				page.Edges = append(page.Edges, e)
				page.Cursors = append(page.Cursors, item.key)
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

// sortedEdge is an edge with its key in list order.
type sortedEdge struct {
	edge Edge
	key  []byte
}

type versionedEdges struct {
	version uint64
	list    []sortedEdge
}

// edgeListCacheBytes bounds the sorted edge lists kept (lists and keys): a hub's list may hold
// thousands of edges and a leaf's one, so the bound is on bytes. Some 100 bytes an edge.
const edgeListCacheBytes = 64 << 20

func newEdgeListCache(maxBytes int64) *bytelru.Cache[string, versionedEdges] {
	return bytelru.New(maxBytes, maxBytes/4, func(k string, v versionedEdges) int64 {
		n := int64(len(k)) + int64(cap(v.list))*int64(unsafe.Sizeof(sortedEdge{}))
		for _, e := range v.list {
			n += int64(cap(e.key))
		}
		return n
	})
}

// sortedEdges returns a node's edges matching f in list order: outgoing first, then by kind,
// then by the other end's name. Sorting needs every edge's name key, so the sorted list is kept
// per node, filter and data version: paging through it again costs only the page. The list is
// shared: never modify it.
func (s *Store) sortedEdges(outC, inC *bolt.Cursor, sortKeys *bolt.Bucket, node ID, f EdgeFilter, version uint64, steps *stepper) ([]sortedEdge, error) {
	// Sorted and without repeats, the key is at most a few dozen bytes whatever the request.
	kinds := slices.Compact(slices.Sorted(slices.Values(f.Kinds)))
	types := slices.Compact(slices.Sorted(slices.Values(f.OtherTypes)))
	ck := make([]byte, 0, 16+len(kinds)+len(types))
	ck = append(ck, node.Bytes()...)
	ck = append(ck, byte(f.Dir), byte(len(kinds)))
	for _, k := range kinds {
		ck = append(ck, byte(k))
	}
	for _, t := range types {
		ck = append(ck, byte(t))
	}
	if hit, ok := s.edgeLists.Get(string(ck)); ok && hit.version == version {
		return hit.list, nil
	}
	edges, err := collectEdges(outC, inC, node, f, kinds, steps)
	if err != nil {
		return nil, err
	}
	list := make([]sortedEdge, len(edges))
	for j, e := range edges {
		name := sortKeys.Get(cat(e.Other.Bytes(), []byte{byte(OrderName)}))
		list[j] = sortedEdge{edge: e, key: cat([]byte{byte(e.Dir), byte(e.Kind)}, name, e.Rel.Bytes())}
	}
	slices.SortFunc(list, func(a, b sortedEdge) int { return bytes.Compare(a.key, b.key) })
	s.edgeLists.Add(string(ck), versionedEdges{version: version, list: list})
	return list, nil
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
