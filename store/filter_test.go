package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/bytelru"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
)

// naiveEval is the evaluation before issue 10, kept as the reference: pairwise unions, and a
// complement against the whole type set for every not.
func naiveEval(tx *bolt.Tx, f *Filter, types []domain.EntityType) []ID {
	var sets [][]ID
	scan := func(attr byte, v string) []ID { ids, _ := scanAttr(tx, attr, v, nil); return ids }
	attrAny := func(attr byte, values []string) {
		if len(values) == 0 {
			return
		}
		var u []ID
		for _, v := range values {
			u = union(u, scan(attr, v))
		}
		sets = append(sets, u)
	}
	attrAny(attrKind, f.Kinds)
	attrAny(attrStatus, f.Statuses)
	attrAny(attrLifecycle, f.Lifecycles)
	attrAny(attrTradeoff, f.TradeoffTypes)
	attrAny(attrVendor, f.Vendors)
	attrAny(attrTrend, f.Trends)
	attrAny(attrTag, f.TagsAny)
	attrAny(attrRing, f.Rings)
	for _, t := range f.TagsAll {
		sets = append(sets, scan(attrTag, t))
	}
	if f.Text != "" {
		ids, _ := textSet(tx, f.Text, nil)
		sets = append(sets, ids)
	}
	for _, sub := range f.And {
		sets = append(sets, naiveEval(tx, sub, types))
	}
	if len(f.Or) > 0 {
		var u []ID
		for _, sub := range f.Or {
			u = union(u, naiveEval(tx, sub, types))
		}
		sets = append(sets, u)
	}
	if f.Not != nil {
		sets = append(sets, difference(mustTypeSet(tx, types), naiveEval(tx, f.Not, types)))
	}
	if len(sets) == 0 {
		return mustTypeSet(tx, types)
	}
	out := sets[0]
	for _, s := range sets[1:] {
		out = intersect(out, s)
	}
	return intersect(out, mustTypeSet(tx, types))
}

func mustTypeSet(tx *bolt.Tx, types []domain.EntityType) []ID {
	ids, _ := typeSet(tx, types, nil)
	return ids
}

// randomFilter draws a filter of every kind of term, nested up to depth.
func randomFilter(r *rand.Rand, depth int) *Filter {
	f := &Filter{}
	pick := func(n int, value func() string) []string {
		out := make([]string, r.IntN(n+1))
		for i := range out {
			out[i] = value()
		}
		return out
	}
	switch r.IntN(7) {
	case 0:
		f.Kinds = pick(3, func() string { return domain.TechnologyKinds[r.IntN(len(domain.TechnologyKinds))] })
	case 1:
		f.TagsAny = pick(3, func() string { return fmt.Sprintf("tag-%d", r.IntN(50)) })
	case 2:
		f.TagsAll = pick(2, func() string { return fmt.Sprintf("tag-%d", r.IntN(50)) })
	case 3:
		f.Vendors = pick(3, func() string { return fmt.Sprintf("org-%03d", r.IntN(5)) })
	case 4:
		f.Trends = pick(3, func() string { return fmt.Sprintf("trend-%04d", r.IntN(20)) })
	case 5:
		f.Text = []string{"stream", "cache que", "graph", "synthetic"}[r.IntN(4)]
	case 6:
		f.Lifecycles = pick(2, func() string { return domain.TechnologyLifecycle[r.IntN(len(domain.TechnologyLifecycle))] })
	}
	if depth > 0 {
		for range r.IntN(4) {
			f.And = append(f.And, randomFilter(r, depth-1))
		}
		for range r.IntN(5) {
			f.Or = append(f.Or, randomFilter(r, depth-1))
		}
		if r.IntN(3) == 0 {
			f.Not = randomFilter(r, depth-1)
		}
	}
	return f
}

// The linear evaluation (with its symbolic complements and folds) selects exactly what the
// naive one does, for every type selection, with folds forced at every step or never.
func TestFilterEvaluationMatchesTheNaiveOne(t *testing.T) {
	slow.Only(t) // seconds of work or waiting: the slow tier, which CI runs
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 2000, Relationships: 100, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := openTest(t, d)
	r := rand.New(rand.NewPCG(1, 2))
	typeChoices := [][]domain.EntityType{domain.EntityTypes, {domain.TypeTechnology}, {domain.TypeTrend, domain.TypeTradeoff}}
	err = s.view(func(tx *bolt.Tx) error {
		for i := range 150 {
			f := randomFilter(r, 3)
			types := typeChoices[i%len(typeChoices)]
			want := naiveEval(tx, f, types)
			universe := len(mustTypeSet(tx, types))
			for _, budget := range []int{0, 1 << 30} {
				e := &evaluator{tx: tx, types: types, steps: stepper{ctx: context.Background()}, budget: budget}
				got, err := e.eval(f)
				if err != nil {
					return err
				}
				if got.neg {
					got.ids = difference(mustTypeSet(tx, types), got.ids)
				} else {
					got.ids = intersect(got.ids, mustTypeSet(tx, types))
				}
				if !slices.Equal(got.ids, want) && !(len(got.ids) == 0 && len(want) == 0) {
					t.Fatalf("filter %d (budget %d, universe %d): %d IDs, want %d:\n%+v", i, budget, universe, len(got.ids), len(want), f)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 10: the filter-set cache was keyed by the filter's whole JSON and bounded by count, so
// distinct wide filters each kept a key as large as the filter and a set as large as the
// database. Its key is now a fixed-size hash and its bound is on bytes.
func TestFilterCacheIsBoundedByBytes(t *testing.T) {
	s, _ := synthStore(t, 10_000)
	if size := unsafe.Sizeof(filterKey{}); size != 32 {
		t.Fatalf("a filter key is %d bytes, want a 32-byte hash", size)
	}
	const bound = 1 << 20
	s.filterSets = newFilterCache(bound)
	ctx := context.Background()
	for i := range 100 {
		// Distinct, wide (some 200 values) and broad (nearly every entity): the worst case.
		f := &Filter{Not: &Filter{Vendors: []string{fmt.Sprintf("org-%03d", i%20)}, TagsAny: make([]string, 200)}}
		for j := range f.Not.TagsAny {
			f.Not.TagsAny[j] = fmt.Sprintf("no-such-tag-%d-%d", i, j)
		}
		if _, err := s.List(ctx, ListQuery{Filter: f, Page: PageArgs{Limit: 1}}); err != nil {
			t.Fatal(err)
		}
		if b := s.filterSets.Bytes(); b > bound {
			t.Fatalf("after %d filters the cache holds %d bytes, over its bound of %d", i+1, b, bound)
		}
	}
	n, b := s.filterSets.Len(), s.filterSets.Bytes()
	if n == 0 || n >= 100 {
		t.Fatalf("%d sets cached: want some, and evictions", n)
	}
	// The accounting covers what is held: every set's IDs, its 32-byte key and the overhead.
	var held int64
	s.filterSets.Range(func(_ filterKey, v versionedSet) bool {
		held += 32 + 8*int64(cap(v.ids)) + bytelru.EntryOverhead
		return true
	})
	if held != b {
		t.Fatalf("the cache counts %d bytes but holds %d", b, held)
	}
	t.Logf("%d sets in %d bytes", n, b)
}

// The edge-list cache is bounded by bytes too: a hub's list is large, a leaf's small.
func TestEdgeListCacheIsBoundedByBytes(t *testing.T) {
	s, d := synthStore(t, 5000)
	const bound = 64 << 10
	s.edgeLists = newEdgeListCache(bound)
	var reqs []EdgePageRequest
	for _, e := range d.Entities {
		if e.Type == domain.TypeTechnology {
			reqs = append(reqs, EdgePageRequest{Node: EntityID(e.Slug), Page: PageArgs{Limit: 1}})
		}
	}
	if _, err := s.EdgePages(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
	if n, b := s.edgeLists.Len(), s.edgeLists.Bytes(); b > bound || n == 0 || n >= len(reqs) {
		t.Fatalf("%d of %d lists cached in %d bytes (bound %d)", n, len(reqs), b, bound)
	}
	// Repeated kinds do not grow the key.
	f := EdgeFilter{Kinds: slices.Repeat([]domain.RelKind{domain.RelRequires}, 10_000)}
	if _, err := s.EdgePages(context.Background(), []EdgePageRequest{{Node: reqs[0].Node, Filter: f, Page: PageArgs{Limit: 1}}}); err != nil {
		t.Fatal(err)
	}
	s.edgeLists.Range(func(k string, _ versionedEdges) bool {
		if len(k) > 64 {
			t.Fatalf("an edge-list key of %d bytes", len(k))
		}
		return true
	})
}
