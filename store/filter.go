package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/bytelru"
)

// Filters are evaluated to sets of entity IDs, kept as ascending slices: an attribute index
// entry ends in the ID, so each scan yields a sorted list and sets combine by merging. Every
// combination is linear in the sets it reads, so a filter costs O(sum of its index scans +
// its nodes), however wide: an or of k terms is one k-way merge, an and intersects from its
// smallest set, and a not stays symbolic (a complement) until the one complement at the end.

// filterCacheBytes bounds the evaluated filters kept (their ID sets and keys): a broad filter at
// 100k entities holds under 1 MB, so dozens of dashboards' filters fit.
const filterCacheBytes = 32 << 20

// sortedCacheBytes bounds the small filters' members kept in order, with their sort keys.
const sortedCacheBytes = 16 << 20

// filterKey identifies an evaluated filter: a hash of its canonical encoding, so a key costs the
// same 32 bytes whatever the filter's width.
type filterKey [sha256.Size]byte

type versionedSet struct {
	version uint64
	ids     []ID
}

// sortedKey identifies a filter's members in one order.
type sortedKey struct {
	filter filterKey
	order  Order
}

// sortedMembers are a filter's members in ascending order of their sort keys, with the keys
// (which are also their cursors), at a data version.
type sortedMembers struct {
	version uint64
	ids     []ID
	keys    [][]byte
}

func newSortedCache(maxBytes int64) *bytelru.Cache[sortedKey, sortedMembers] {
	return bytelru.New(maxBytes, maxBytes/4, func(_ sortedKey, v sortedMembers) int64 {
		n := int64(sha256.Size + 1 + 8*cap(v.ids) + 24*cap(v.keys))
		for _, k := range v.keys {
			n += int64(len(k))
		}
		return n
	})
}

func newFilterCache(maxBytes int64) *bytelru.Cache[filterKey, versionedSet] {
	return bytelru.New(maxBytes, maxBytes/4, func(_ filterKey, v versionedSet) int64 { return sha256.Size + 8*int64(cap(v.ids)) })
}

// filterSet evaluates f over the types, or returns the set evaluated before at the same data
// version: dashboards page through the same filters again and again, and at 100k entities a
// broad filter costs milliseconds to evaluate but microseconds to page once evaluated.
func (s *Store) filterSet(ctx context.Context, tx *bolt.Tx, key filterKey, f *Filter, types []domain.EntityType, universe int, counts map[domain.EntityType]int) ([]ID, error) {
	version := txVersion(tx)
	if hit, ok := s.filterSets.Get(key); ok && hit.version == version {
		return hit.ids, nil
	}
	set, err := evalFilter(ctx, tx, f, types, universe)
	if err != nil {
		return nil, err
	}
	steps := &stepper{ctx: ctx}
	if set.neg {
		all, err := typeSet(tx, types, steps)
		if err != nil {
			return nil, err
		}
		set.ids = difference(all, set.ids)
	} else if set.ids, err = restrictTypes(tx, set.ids, types, universe, counts, steps); err != nil {
		return nil, err
	}
	if cap(set.ids) > len(set.ids)+len(set.ids)/4 {
		// A merge reserves room for all its inputs; the cache should hold only the answer.
		set.ids = slices.Clone(set.ids)
	}
	// An interrupted evaluation never gets here, so the cache holds only whole answers.
	s.filterSets.Add(key, versionedSet{version: version, ids: set.ids})
	return set.ids, nil
}

// hashFilter hashes the canonical encoding of types and f: every field tagged and every string
// length-prefixed, so two different filters never encode alike.
func hashFilter(types []domain.EntityType, f *Filter) filterKey {
	h := sha256.New()
	for _, t := range types {
		h.Write([]byte{byte(t)})
	}
	h.Write([]byte{0xff})
	writeFilter(h, f)
	var k filterKey
	h.Sum(k[:0])
	return k
}

func writeFilter(h hash.Hash, f *Filter) {
	if f == nil {
		h.Write([]byte{0})
		return
	}
	var buf [binary.MaxVarintLen64]byte
	str := func(s string) {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	list := func(tag byte, values []string) {
		h.Write([]byte{tag})
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(values)))])
		for _, v := range values {
			str(v)
		}
	}
	h.Write([]byte{1})
	// The attribute table, so a field added there is hashed too and never lets two filters
	// share a cached set.
	for _, a := range indexedAttributes {
		list(a.attr, a.ofFilter(f))
	}
	list('A', f.TagsAll)
	list(attrRing, f.Rings)
	h.Write([]byte{'x'})
	str(f.Text)
	if r := f.Reach; r != nil {
		h.Write([]byte{'r'})
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(r.From))])
		str(r.Slug)
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(max(r.Hops, 0)))])
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(max(r.MaxReached, 0)))])
		h.Write([]byte{byte(r.Dir)})
		kinds := slices.Compact(slices.Sorted(slices.Values(r.Kinds)))
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(kinds)))])
		for _, k := range kinds {
			h.Write([]byte{byte(k)})
		}
	}
	h.Write([]byte{'&'})
	h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(f.And)))])
	for _, sub := range f.And {
		writeFilter(h, sub)
	}
	h.Write([]byte{'|'})
	h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(f.Or)))])
	for _, sub := range f.Or {
		writeFilter(h, sub)
	}
	h.Write([]byte{'!'})
	writeFilter(h, f.Not)
}

// idSet is a set of entity IDs, ascending; with neg it stands for its complement: every entity
// of the filter's types except ids. Keeping a not symbolic is what spares a pass over the whole
// database for every negated term.
type idSet struct {
	ids []ID
	neg bool
}

// evaluator evaluates one filter in one read transaction.
type evaluator struct {
	tx    *bolt.Tx
	types []domain.EntityType
	steps stepper
	// budget is how many IDs a combination may gather before folding them into one set, so
	// memory stays near the universe's size however wide the filter.
	budget int
}

// evalFilter returns the entities, among those of the types, that match f, or the complement
// of that set; universe is how many entities of the types there are. It stops with ctx's error
// when ctx ends.
func evalFilter(ctx context.Context, tx *bolt.Tx, f *Filter, types []domain.EntityType, universe int) (idSet, error) {
	e := &evaluator{tx: tx, types: types, steps: stepper{ctx: ctx}, budget: 2*universe + checkEvery}
	return e.eval(f)
}

func (e *evaluator) eval(f *Filter) (idSet, error) {
	if err := e.steps.now(); err != nil {
		return idSet{}, err
	}
	all := e.fold(e.intersectAll)
	none := e.fold(e.unionAll) // the union of what negated terms leave out
	add := func(s idSet) error {
		if s.neg {
			return none.add(s.ids)
		}
		return all.add(s.ids)
	}
	anyOf := func(attr byte, values []string) error {
		if len(values) == 0 {
			return nil
		}
		u := e.fold(e.unionAll)
		for _, v := range values {
			ids, err := e.scanAttr(attr, v)
			if err != nil {
				return err
			}
			if err := u.add(ids); err != nil {
				return err
			}
		}
		ids, err := u.result()
		if err != nil {
			return err
		}
		return all.add(ids)
	}
	for _, a := range indexedAttributes {
		if err := anyOf(a.attr, a.ofFilter(f)); err != nil {
			return idSet{}, err
		}
	}
	if err := anyOf(attrRing, f.Rings); err != nil {
		return idSet{}, err
	}
	for _, t := range f.TagsAll {
		ids, err := e.scanAttr(attrTag, t)
		if err != nil {
			return idSet{}, err
		}
		if err := all.add(ids); err != nil {
			return idSet{}, err
		}
	}
	if f.Text != "" {
		ids, err := textSet(e.tx, f.Text, &e.steps)
		if err != nil {
			return idSet{}, err
		}
		if err := all.add(ids); err != nil {
			return idSet{}, err
		}
	}
	if f.Reach != nil {
		ids, err := reachSet(e.tx, f.Reach, &e.steps)
		if err != nil {
			return idSet{}, err
		}
		if err := all.add(ids); err != nil {
			return idSet{}, err
		}
	}
	for _, sub := range f.And {
		if sub == nil {
			continue
		}
		s, err := e.eval(sub)
		if err != nil {
			return idSet{}, err
		}
		if err := add(s); err != nil {
			return idSet{}, err
		}
	}
	if len(f.Or) > 0 {
		s, err := e.or(f.Or)
		if err != nil {
			return idSet{}, err
		}
		if err := add(s); err != nil {
			return idSet{}, err
		}
	}
	if f.Not != nil {
		s, err := e.eval(f.Not)
		if err != nil {
			return idSet{}, err
		}
		s.neg = !s.neg
		if err := add(s); err != nil {
			return idSet{}, err
		}
	}
	excluded, err := none.result()
	if err != nil {
		return idSet{}, err
	}
	if len(all.sets) == 0 {
		// Only negated terms, or none at all (an empty filter matches everything).
		return idSet{ids: excluded, neg: true}, nil
	}
	ids, err := all.result()
	if err != nil {
		return idSet{}, err
	}
	return idSet{ids: difference(ids, excluded)}, nil
}

// or is the union of the subfilters: P1 ∪ … ∪ (U∖N1) ∪ … is U ∖ ((N1 ∩ …) ∖ (P1 ∪ …)), so
// negated terms cost their own size, not the universe's.
func (e *evaluator) or(subs []*Filter) (idSet, error) {
	pos := e.fold(e.unionAll)
	neg := e.fold(e.intersectAll)
	for _, sub := range subs {
		if sub == nil {
			continue
		}
		s, err := e.eval(sub)
		if err != nil {
			return idSet{}, err
		}
		if s.neg {
			err = neg.add(s.ids)
		} else {
			err = pos.add(s.ids)
		}
		if err != nil {
			return idSet{}, err
		}
	}
	u, err := pos.result()
	if err != nil {
		return idSet{}, err
	}
	if len(neg.sets) == 0 {
		return idSet{ids: u}, nil
	}
	common, err := neg.result()
	if err != nil {
		return idSet{}, err
	}
	return idSet{ids: difference(common, u), neg: true}, nil
}

// setFold gathers the sets of one combination and folds them into one whenever they hold more
// than the budget: each fold reads at most the budget plus one set the size of the universe,
// so the work stays linear and memory stays bounded.
type setFold struct {
	sets    [][]ID
	held    int
	budget  int
	combine func([][]ID) ([]ID, error)
}

func (e *evaluator) fold(combine func([][]ID) ([]ID, error)) *setFold {
	return &setFold{budget: e.budget, combine: combine}
}

func (f *setFold) add(ids []ID) error {
	f.sets = append(f.sets, ids)
	f.held += len(ids)
	if f.held <= f.budget || len(f.sets) < 2 {
		return nil
	}
	one, err := f.combine(f.sets)
	if err != nil {
		return err
	}
	f.sets, f.held = append(f.sets[:0], one), len(one)
	return nil
}

func (f *setFold) result() ([]ID, error) {
	if len(f.sets) == 0 {
		return nil, nil
	}
	return f.combine(f.sets)
}

// intersectAll intersects sets smallest first, so the work is bounded by the most selective
// one and stops as soon as nothing is left.
func (e *evaluator) intersectAll(sets [][]ID) ([]ID, error) {
	slices.SortFunc(sets, func(a, b []ID) int { return len(a) - len(b) })
	out := sets[0]
	for _, s := range sets[1:] {
		if len(out) == 0 {
			break
		}
		if err := e.steps.now(); err != nil {
			return nil, err
		}
		out = intersect(out, s)
	}
	return out, nil
}

// unionAll merges sorted sets in one k-way merge, dropping duplicates.
func (e *evaluator) unionAll(sets [][]ID) ([]ID, error) {
	sets = slices.DeleteFunc(sets, func(s []ID) bool { return len(s) == 0 })
	switch len(sets) {
	case 0:
		return nil, nil
	case 1:
		return sets[0], nil
	case 2:
		return union(sets[0], sets[1]), nil
	}
	total := 0
	for _, s := range sets {
		total += len(s)
	}
	out := make([]ID, 0, total)
	// A min-heap of set numbers by each set's next ID (sets[i][at[i]]): ints, so that
	// reordering it moves no pointers.
	at := make([]int, len(sets))
	h := make([]int, len(sets))
	for i := range h {
		h[i] = i
	}
	next := func(i int) ID { return sets[h[i]][at[h[i]]] }
	down := func(i int) {
		for {
			m := i
			if l := 2*i + 1; l < len(h) && next(l) < next(m) {
				m = l
			}
			if r := 2*i + 2; r < len(h) && next(r) < next(m) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		if err := e.steps.step(); err != nil {
			return nil, err
		}
		top := h[0]
		id := sets[top][at[top]]
		if n := len(out); n == 0 || out[n-1] != id {
			out = append(out, id)
		}
		if at[top]++; at[top] == len(sets[top]) {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return out, nil
}

func (e *evaluator) scanAttr(attr byte, value string) ([]ID, error) {
	return scanAttr(e.tx, attr, value, &e.steps)
}

// restrictTypes keeps the members of set whose type is one of types; when types cover the whole
// database the set is returned as is.
func restrictTypes(tx *bolt.Tx, set []ID, types []domain.EntityType, universe int, counts map[domain.EntityType]int, steps *stepper) ([]ID, error) {
	total := 0
	for _, c := range counts {
		total += c
	}
	if universe == total {
		return set, nil
	}
	all, err := typeSet(tx, types, steps)
	if err != nil {
		return nil, err
	}
	return intersect(set, all), nil
}

// typeSet returns the IDs of every entity of the types, ascending.
func typeSet(tx *bolt.Tx, types []domain.EntityType, steps *stepper) ([]ID, error) {
	var u []ID
	for _, t := range types {
		ids, err := scanAttr(tx, attrType, string([]byte{byte(t)}), steps)
		if err != nil {
			return nil, err
		}
		u = union(u, ids)
	}
	return u, nil
}

// scanAttr returns the IDs indexed under one attribute value, ascending. With steps, it stops
// when the request ends.
func scanAttr(tx *bolt.Tx, attr byte, value string, steps *stepper) ([]ID, error) {
	prefix := attrPrefix(attr, value)
	var out []ID
	c := tx.Bucket(bucketAttr).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if steps != nil {
			if err := steps.step(); err != nil {
				return nil, err
			}
		}
		if len(k) == len(prefix)+8 {
			out = append(out, idAt(k[len(prefix):]))
		}
	}
	return out, nil
}

// textSet returns the IDs matching every token of text, the last also as a prefix.
func textSet(tx *bolt.Tx, text string, steps *stepper) ([]ID, error) {
	tokens := slices.Compact(Tokenize(text))
	if len(tokens) == 0 {
		return nil, nil
	}
	c := tx.Bucket(bucketTokens).Cursor()
	var out []ID
	for i, tok := range tokens {
		m, err := scanToken(c, tok, i == len(tokens)-1 && len(tok) >= 3, nil, steps)
		if err != nil {
			return nil, err
		}
		ids := make([]ID, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if i == 0 {
			out = ids
		} else {
			out = intersect(out, ids)
		}
	}
	return out, nil
}

func union(a, b []ID) []ID {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]ID, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func intersect(a, b []ID) []ID {
	var out []ID
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// difference is a minus b.
func difference(a, b []ID) []ID {
	if len(b) == 0 {
		return a
	}
	var out []ID
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}
