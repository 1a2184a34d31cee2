package graph

import (
	"strings"
	"sync"
	"testing"
)

// Queries of different shapes, run side by side over and over, give each time the answer they
// give without arenas: an arena reused while an answer still used it would mix answers, or
// (under the race detector, as make test runs) be reported as a race between two queries.
func TestArenaAnswersUnderLoad(t *testing.T) {
	e := newEnv(t)
	queries := []string{
		// Lists whose elements wait on loaders, so run in goroutines of their own.
		`{ trends(first: 10) { nodes { slug name status technologies(first: 6) { nodes { slug name kind
			tradeoffs(first: 5) { nodes { slug name type } }
			relationships(first: 10) { edges { direction node { kind rationale } other { __typename slug name } } } } } } } }`,
		// A page, with cursors and counts.
		`{ technologies(first: 40) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug name kind } } } }`,
		// Errors with paths through list indexes (the non-null lists make data null).
		`{ trends(first: 4) { nodes { slug technologies(first: 3, after: "not a cursor") { nodes { slug } } } } }`,
		// Introspection: gqlgen's own types, many fields each.
		`{ __schema { types { name kind fields { name args { name } type { name kind ofType { name } } } } } }`,
		// More objects than a chunk of them holds.
		`{ entities(first: 100) { nodes { __typename slug name } } }`,
	}
	want := make([]string, len(queries))
	withoutArenas = true
	defer func() { withoutArenas = false }()
	for i, q := range queries {
		want[i] = post(t, e, q)
		if i != 2 && !strings.Contains(want[i], `"data":{"`) {
			t.Fatalf("query %d has no data: %s", i, want[i])
		}
	}
	withoutArenas = false
	if !strings.Contains(want[2], `"path":["trends","nodes",0,"technologies"]`) {
		t.Fatalf("the bad cursor's error lacks its path: %s", want[2])
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for n := range 12 {
				i := (g + n) % len(queries)
				if got := post(t, e, queries[i]); got != want[i] {
					t.Errorf("query %d, run %d of goroutine %d: answer differs from its first\ngot  %.300s\nwant %.300s", i, n, g, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func post(t *testing.T, e *testEnv, q string) string {
	return string(e.raw(q, nil))
}

// A slab's runs never overlap, taken side by side, and reset clears what it handed out.
func TestSlabRuns(t *testing.T) {
	s := slab[int]{size: 64}
	var mu sync.Mutex
	var runs [][]int
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 200 {
				r := s.take(1 + (g+n)%20) // some above a quarter of a chunk: plain allocations
				for i := range r {
					if r[i] != 0 {
						t.Errorf("run handed out twice: %v", r)
						return
					}
					r[i] = g*1000 + n + 1
				}
				mu.Lock()
				runs = append(runs, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, r := range runs {
		for i := range r {
			if r[i] != r[0] {
				t.Fatalf("runs overlap: %v", r)
			}
		}
		if cap(r) != len(r) {
			t.Fatalf("a run's capacity reaches into the next: %d of %d", len(r), cap(r))
		}
	}
	s.reset()
	for _, r := range runs {
		if len(r) <= s.size/4 && r[0] != 0 {
			t.Fatalf("reset left %v", r)
		}
	}
	if len(s.free) == 0 || len(s.free) > maxChunks || s.cur.Load() != nil {
		t.Fatalf("after reset: %d free chunks, current %v", len(s.free), s.cur.Load())
	}
}
