package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	bolt "go.etcd.io/bbolt"
)

// Order is a field that lists can be sorted by.
type Order uint8

// The orders. Their values are the first byte of every cursor: never renumber them.
const (
	OrderName Order = 1 // case-insensitive name, then ID
	OrderSlug Order = 2
)

// Filter selects entities. Fields that are set must all match (a list field matches when any of
// its values does); And, Or and Not combine nested filters.
type Filter struct {
	Kinds         []string
	Statuses      []string
	Lifecycles    []string
	TradeoffTypes []string
	// Vendors are organization slugs.
	Vendors []string
	// Trends are trend slugs: technologies of these trends, or trends under these parents.
	Trends  []string
	TagsAny []string
	TagsAll []string
	// Rings are "radar/ring" slugs, at each radar's latest edition.
	Rings []string
	// Text matches entities holding every word (see Search).
	Text string
	// Reach matches the entities within a few relationships of one entity.
	Reach *Reach

	And []*Filter
	Or  []*Filter
	Not *Filter
}

// PageArgs picks a page of an ordered list. Without FromEnd it is the first Limit items after
// the After cursor (and before Before, if given); with FromEnd the last Limit items before
// Before (and after After).
type PageArgs struct {
	After, Before []byte
	Limit         int
	FromEnd       bool
}

// ListQuery asks for a page of entities.
type ListQuery struct {
	// Types limits the list to these entity types; empty means all.
	Types  []domain.EntityType
	Filter *Filter
	Order  Order
	Desc   bool
	Page   PageArgs
	// Load also decodes the page's entities, in the same transaction, into Page.Entities.
	Load bool
}

// Page is a page of an ordered list with the exact count of the whole list.
type Page struct {
	IDs []ID
	// Entities[i] is the entity of IDs[i], when the query asked to Load them.
	Entities []*Entity
	// Cursors[i] is the cursor of IDs[i], to pass as After or Before.
	Cursors         [][]byte
	Total           int
	HasNextPage     bool
	HasPreviousPage bool
}

// ErrBadCursor is returned for a cursor that this list did not produce.
var ErrBadCursor = errors.New("invalid cursor")

// smallSet is the filtered-set size below which sorting the set beats walking the index.
const smallSet = 2048

// List returns a page of the entities matching q, in q's order, with the exact total, in one
// read transaction. Cost depends on the page and the filter's matches, not on the database. It
// stops with ctx's error when ctx ends, however wide the filter.
func (s *Store) List(ctx context.Context, q ListQuery) (*Page, error) {
	if q.Order == 0 {
		q.Order = OrderName
	}
	if q.Order != OrderName && q.Order != OrderSlug {
		return nil, fmt.Errorf("list: unknown order %d", q.Order)
	}
	for _, c := range [][]byte{q.Page.After, q.Page.Before} {
		if c != nil && !validCursor(c, q.Order) {
			return nil, fmt.Errorf("list: %w", ErrBadCursor)
		}
	}
	types := q.Types
	if len(types) == 0 {
		types = domain.EntityTypes
	}
	var page *Page
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		counts, err := readCounts(tx)
		if err != nil {
			return err
		}
		universe := 0
		for _, t := range types {
			universe += counts[t]
		}
		if q.Filter == nil {
			member := func(_ ID, t domain.EntityType) bool { return slices.Contains(types, t) }
			if page, err = walkPage(tx, q, member, &steps); err != nil {
				return err
			}
			page.Total = universe
			return s.loadPage(tx, q, page)
		}
		key := hashFilter(types, q.Filter)
		set, err := s.filterSet(ctx, tx, key, q.Filter, types, universe, counts)
		if err != nil {
			return err
		}
		if len(set) <= smallSet || len(set)*8 <= universe {
			page, err = s.sortedSetPage(tx, q, key, set, &steps)
		} else {
			member := func(id ID, _ domain.EntityType) bool { _, ok := slices.BinarySearch(set, id); return ok }
			page, err = walkPage(tx, q, member, &steps)
		}
		if err != nil {
			return err
		}
		page.Total = len(set)
		return s.loadPage(tx, q, page)
	})
	if page != nil {
		s.recordsRead.Add(uint64(len(page.Entities)))
	}
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	return page, nil
}

func validCursor(c []byte, o Order) bool {
	if len(c) < 2 || Order(c[0]) != o {
		return false
	}
	if o == OrderName {
		return len(c) >= 10 && c[len(c)-9] == 0
	}
	return domain.ValidSlug(string(c[1:]))
}

// orderIndex is the bucket that holds an order, and how to read an ID and type from its entries.
func orderIndex(tx *bolt.Tx, o Order) (*bolt.Bucket, func(k, v []byte) (ID, domain.EntityType, bool)) {
	if o == OrderSlug {
		return tx.Bucket(bucketSlugs), func(_, v []byte) (ID, domain.EntityType, bool) {
			if len(v) != 9 {
				return 0, 0, false
			}
			return idAt(v), domain.EntityType(v[8]), true
		}
	}
	return tx.Bucket(bucketByName), func(k, v []byte) (ID, domain.EntityType, bool) {
		if len(k) < 9 || len(v) != 1 {
			return 0, 0, false
		}
		return idAt(k[len(k)-8:]), domain.EntityType(v[0]), true
	}
}

// direction walks a bolt cursor forwards or backwards.
type direction struct {
	c    *bolt.Cursor
	desc bool
}

func (d direction) first() ([]byte, []byte) {
	if d.desc {
		return d.c.Last()
	}
	return d.c.First()
}

func (d direction) next() ([]byte, []byte) {
	if d.desc {
		return d.c.Prev()
	}
	return d.c.Next()
}

// after positions on the first key strictly after key in walking order.
func (d direction) after(key []byte) ([]byte, []byte) {
	k, v := d.c.Seek(key)
	if !d.desc {
		if k != nil && bytes.Equal(k, key) {
			return d.c.Next()
		}
		return k, v
	}
	if k == nil {
		return d.c.Last()
	}
	return d.c.Prev()
}

// beyond reports whether k is at or past the bound in walking order.
func (d direction) beyond(k, bound []byte) bool {
	c := bytes.Compare(k, bound)
	if d.desc {
		return c <= 0
	}
	return c >= 0
}

// walkPage walks the order's index from the cursor, keeping members, until the page is full.
// Few members may mean a walk over most of the index, so it stops when the request ends.
func walkPage(tx *bolt.Tx, q ListQuery, member func(ID, domain.EntityType) bool, steps *stepper) (*Page, error) {
	b, read := orderIndex(tx, q.Order)
	desc := q.Desc
	start, stop := q.Page.After, q.Page.Before
	if q.Page.FromEnd {
		desc, start, stop = !desc, stop, start
	}
	key := func(c []byte) []byte {
		if c == nil {
			return nil
		}
		return c[1:]
	}
	dir := direction{c: b.Cursor(), desc: desc}
	page := &Page{}
	var k, v []byte
	if start == nil {
		k, v = dir.first()
	} else {
		k, v = dir.after(key(start))
	}
	for ; k != nil; k, v = dir.next() {
		if err := steps.step(); err != nil {
			return nil, err
		}
		id, t, ok := read(k, v)
		if !ok || !member(id, t) {
			continue
		}
		// A member past the page's end, or past the stop bound, means there is a next page.
		if len(page.IDs) == q.Page.Limit || (stop != nil && dir.beyond(k, key(stop))) {
			page.HasNextPage = true
			break
		}
		page.IDs = append(page.IDs, id)
		page.Cursors = append(page.Cursors, cat([]byte{byte(q.Order)}, k))
	}
	// Is there a member before the start? The cursor's own item lies before the page; else walk
	// back from it until one is found.
	if start != nil {
		if id, t, ok := cursorMember(b, key(start), read); ok && member(id, t) {
			page.HasPreviousPage = true
		} else {
			back := direction{c: b.Cursor(), desc: !desc}
			for k, v := back.after(key(start)); k != nil; k, v = back.next() {
				if err := steps.step(); err != nil {
					return nil, err
				}
				if id, t, ok := read(k, v); ok && member(id, t) {
					page.HasPreviousPage = true
					break
				}
			}
		}
	}
	if q.Page.FromEnd {
		finishBackward(page)
	}
	return page, nil
}

func cursorMember(b *bolt.Bucket, key []byte, read func(k, v []byte) (ID, domain.EntityType, bool)) (ID, domain.EntityType, bool) {
	v := b.Get(key)
	if v == nil {
		return 0, 0, false
	}
	return read(key, v)
}

// finishBackward turns a page collected walking backwards into list order.
func finishBackward(p *Page) {
	slices.Reverse(p.IDs)
	slices.Reverse(p.Cursors)
	p.HasNextPage, p.HasPreviousPage = p.HasPreviousPage, p.HasNextPage
}

// sortedSetPage pages a small set in the query's order. The members in order, with their sort
// keys, are kept per filter, order and data version (a dashboard pages through one filter again
// and again): a page then reads no sort key and sorts nothing.
func (s *Store) sortedSetPage(tx *bolt.Tx, q ListQuery, key filterKey, set []ID, steps *stepper) (*Page, error) {
	sorted, err := s.sortedSet(tx, sortedKey{key, q.Order}, set, steps)
	if err != nil {
		return nil, err
	}
	n := len(sorted.ids)
	at := func(i int) int { // the i-th member in the query's direction
		if q.Desc {
			return n - 1 - i
		}
		return i
	}
	from, to, hasPrev, hasNext := PageBounds(n, func(i int, c []byte) int {
		if q.Desc {
			return bytes.Compare(c, sorted.keys[at(i)])
		}
		return bytes.Compare(sorted.keys[i], c)
	}, q.Page)
	page := &Page{HasPreviousPage: hasPrev, HasNextPage: hasNext,
		IDs: make([]ID, 0, to-from), Cursors: make([][]byte, 0, to-from)}
	for i := from; i < to; i++ {
		page.IDs = append(page.IDs, sorted.ids[at(i)])
		page.Cursors = append(page.Cursors, sorted.keys[at(i)])
	}
	return page, nil
}

// sortedSet returns the members of set in ascending order of their sort keys, from the cache
// when it holds them at this data version. The slices are shared: never modify them.
func (s *Store) sortedSet(tx *bolt.Tx, key sortedKey, set []ID, steps *stepper) (sortedMembers, error) {
	version := txVersion(tx)
	if hit, ok := s.sortedSets.Get(key); ok && hit.version == version {
		return hit, nil
	}
	sk := tx.Bucket(bucketSortKey)
	type item struct {
		id  ID
		key []byte
	}
	items := make([]item, 0, len(set))
	for _, id := range set {
		if err := steps.step(); err != nil {
			return sortedMembers{}, err
		}
		if k := sk.Get(cat(id.Bytes(), []byte{byte(key.order)})); k != nil {
			items = append(items, item{id, cat([]byte{byte(key.order)}, k)})
		}
	}
	slices.SortFunc(items, func(a, b item) int { return bytes.Compare(a.key, b.key) })
	out := sortedMembers{version: version, ids: make([]ID, len(items)), keys: make([][]byte, len(items))}
	for i, it := range items {
		out.ids[i], out.keys[i] = it.id, it.key
	}
	s.sortedSets.Add(key, out)
	return out, nil
}

// searchFirst returns the smallest i in [0, n) with f(i) true, or n; f must be monotone.
func searchFirst(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f(m) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// loadPage reads the page's entities when the query asks for them.
func (s *Store) loadPage(tx *bolt.Tx, q ListQuery, page *Page) error {
	if !q.Load {
		return nil
	}
	var err error
	page.Entities, err = s.loadEntities(tx, page.IDs)
	return err
}

// loadEntities reads entities by ID within a transaction; missing ones are nil.
func (s *Store) loadEntities(tx *bolt.Tx, ids []ID) ([]*Entity, error) {
	b, version := tx.Bucket(bucketEntities), txVersion(tx)
	out := make([]*Entity, len(ids))
	for i, id := range ids {
		e, err := s.entities.get(b, id, version, "entity")
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}
