package store

import (
	"context"
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
)

// Pages of one node's edges, forwards and backwards, join up to the whole ordered list, for
// several nodes in one call (one transaction).
func TestEdgePagesPageThroughEveryEdge(t *testing.T) {
	d := mustSynth(t, 200, 4000)
	s := openTest(t, d)
	nodes := []ID{EntityID("tech-0000001"), EntityID("tech-0000002"), EntityID("trend-0003")}
	all, err := s.Edges(context.Background(), nodes, EdgeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for size := 1; size <= 7; size += 3 {
		for _, fromEnd := range []bool{false, true} {
			reqs := make([]EdgePageRequest, len(nodes))
			got := make([][]ID, len(nodes))
			done := make([]bool, len(nodes))
			for i, n := range nodes {
				reqs[i] = EdgePageRequest{Node: n, Page: PageArgs{Limit: size, FromEnd: fromEnd}}
			}
			for round := 0; round < 1000; round++ {
				before := s.Stats().ReadTxns
				pages, err := s.EdgePages(context.Background(), reqs)
				if err != nil {
					t.Fatal(err)
				}
				if s.Stats().ReadTxns-before != 1 {
					t.Fatal("EdgePages used more than one transaction")
				}
				more := false
				for i, p := range pages {
					if done[i] {
						continue
					}
					if p.Total != len(all[i]) {
						t.Fatalf("total %d, want %d", p.Total, len(all[i]))
					}
					ids := make([]ID, len(p.Edges))
					for j, e := range p.Edges {
						ids[j] = e.Rel
						if p.Relationships[j] == nil || p.Others[j] == nil || p.Others[j].ID != e.Other {
							t.Fatal("page without its records")
						}
					}
					if fromEnd {
						got[i] = append(ids, got[i]...)
						if p.HasPreviousPage {
							reqs[i].Page.Before = p.Cursors[0]
							more = true
						} else {
							done[i] = true
						}
					} else {
						got[i] = append(got[i], ids...)
						if p.HasNextPage {
							reqs[i].Page.After = p.Cursors[len(p.Cursors)-1]
							more = true
						} else {
							done[i] = true
						}
					}
				}
				if !more {
					break
				}
			}
			for i := range nodes {
				want := make([]ID, len(all[i]))
				for j, e := range all[i] {
					want[j] = e.Rel
				}
				if !sameSet(got[i], want) {
					t.Fatalf("node %d, size %d, fromEnd %v: paged %d edges, want %d", i, size, fromEnd, len(got[i]), len(want))
				}
			}
		}
	}
	if _, err := s.EdgePages(context.Background(), []EdgePageRequest{{Node: nodes[0], Page: PageArgs{After: []byte("junk"), Limit: 1}}}); err == nil {
		t.Fatal("a junk cursor was accepted")
	}
}

func sameSet(a, b []ID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b) && len(slices.Compact(a)) == len(a)
}

func TestEdgePagesFilterByKindAndOtherType(t *testing.T) {
	s := openTest(t, fixture())
	pages, err := s.EdgePages(context.Background(), []EdgePageRequest{
		{Node: EntityID("tracing"), Filter: EdgeFilter{Dir: Incoming, Kinds: []domain.RelKind{domain.RelPartOf}, OtherTypes: []domain.EntityType{domain.TypeTechnology}}, Page: PageArgs{Limit: 10}},
		{Node: EntityID("observability"), Filter: EdgeFilter{Dir: Incoming, OtherTypes: []domain.EntityType{domain.TypeTrend}}, Page: PageArgs{Limit: 10}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range pages[0].Others {
		names = append(names, e.Slug)
	}
	// Ordered by the other end's name.
	if !slices.Equal(names, []string{"jaeger", "zipkin"}) || pages[1].Total != 1 || pages[1].Others[0].Slug != "tracing" {
		t.Fatalf("technologies of tracing: %v; trends under observability: %d", names, pages[1].Total)
	}
}

func TestFacetsCountTheFilteredSet(t *testing.T) {
	s := openTest(t, fixture())
	f, err := s.Facets(context.Background(), []domain.EntityType{domain.TypeTechnology}, &Filter{TagsAny: []string{"tracing"}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range f.Counts["kind"] {
		kinds[c.Value] = c.Count
	}
	if f.Total != 3 || kinds["tool"] != 2 || kinds["standard"] != 1 || len(f.Counts["type"]) != 1 {
		t.Fatalf("facets: %+v", f)
	}
	rings := f.Counts["ring"]
	if len(rings) != 2 || rings[0].Value != "r/adopt" || rings[1].Value != "r/hold" {
		t.Fatalf("rings at the latest edition: %+v", rings)
	}
}
