package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
)

// endsAfter is a context that ends once it has been asked a number of times whether it has: a
// request cancelled in the middle of a read, at the same point on every machine.
type endsAfter struct {
	context.Context
	mu   sync.Mutex
	left int
}

func (c *endsAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left <= 0 {
		return context.Canceled
	}
	c.left--
	return nil
}

// cancelDataset is techs synthetic technologies, each assessed in the synthetic radar's first
// edition (the synthesizer assesses one in ten), so that every read below, assessments
// included, takes more than checkEvery steps: a context that ends during a read is seen by
// the read's own loops, not only by the check before its transaction.
func cancelDataset(t testing.TB, techs int) *dataset.Dataset {
	t.Helper()
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: techs, Relationships: techs, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	first := d.Assessments[0]
	for i := 1; i < techs; i++ {
		if i%10 != 0 {
			a := first
			a.Entity = fmt.Sprintf("tech-%07d", i)
			d.Assessments = append(d.Assessments, a)
		}
	}
	if techs <= checkEvery {
		t.Fatalf("%d technologies: a read over them takes no more than checkEvery (%d) steps", techs, checkEvery)
	}
	return d
}

// Issue 10: store reads ignored the request's context, so a wide filter, a search or a walk
// ran to its end after the request had timed out. Each read must stop with the context's
// error, whether the context ended before the read (nothing is opened) or during it.
// The slow tier repeats it on 50k technologies, the size issue 10 was seen at.
func TestStoreReadsStopWhenTheRequestEnds(t *testing.T) {
	sizes := []int{6_000}
	if slow.On() {
		sizes = append(sizes, 50_000)
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) { testReadsStopWhenTheRequestEnds(t, cancelDataset(t, n)) })
	}
}

func testReadsStopWhenTheRequestEnds(t *testing.T, d *dataset.Dataset) {
	s := openTest(t, d)
	var techs, rels []ID
	var slugs []string
	for _, e := range d.Entities {
		if e.Type == domain.TypeTechnology {
			techs = append(techs, EntityID(e.Slug))
			slugs = append(slugs, e.Slug)
		}
	}
	for _, r := range d.Relationships {
		rels = append(rels, RelationshipID(r.From, r.Kind, r.To))
	}
	var pageReqs []EdgePageRequest
	for _, id := range techs {
		pageReqs = append(pageReqs, EdgePageRequest{Node: id, Page: PageArgs{Limit: 5}})
	}
	orgs := []domain.EntityType{domain.TypeOrganization}
	reads := map[string]func(ctx context.Context) error{
		"List wide filter": func(ctx context.Context) error {
			_, err := s.List(ctx, ListQuery{Filter: wideFilter(1000), Page: PageArgs{Limit: 20}})
			return err
		},
		"List walk": func(ctx context.Context) error {
			// Organizations are rare in the name index: the walk passes most of it.
			_, err := s.List(ctx, ListQuery{Types: orgs, Page: PageArgs{Limit: 100}})
			return err
		},
		"List sorted set": func(ctx context.Context) error {
			_, err := s.List(ctx, ListQuery{Filter: &Filter{Kinds: []string{domain.TechnologyKinds[0]}}, Page: PageArgs{Limit: 20}})
			return err
		},
		"Search": func(ctx context.Context) error {
			_, err := s.Search(ctx, SearchQuery{Text: "synthetic technology stream", Limit: 20})
			return err
		},
		"Facets": func(ctx context.Context) error {
			_, err := s.Facets(ctx, nil, &Filter{Not: &Filter{Kinds: []string{"database"}}})
			return err
		},
		"Edges": func(ctx context.Context) error {
			_, err := s.Edges(ctx, techs, EdgeFilter{})
			return err
		},
		"EdgePages": func(ctx context.Context) error {
			_, err := s.EdgePages(ctx, pageReqs)
			return err
		},
		"EntitiesByID": func(ctx context.Context) error {
			_, err := s.EntitiesByID(ctx, techs)
			return err
		},
		"EntitiesBySlug": func(ctx context.Context) error {
			_, err := s.EntitiesBySlug(ctx, slugs)
			return err
		},
		"RelationshipsByID": func(ctx context.Context) error {
			_, err := s.RelationshipsByID(ctx, rels)
			return err
		},
		"Assessments": func(ctx context.Context) error {
			_, err := s.Assessments(ctx, "synthetic", "")
			return err
		},
		"AssessmentsOf": func(ctx context.Context) error {
			_, err := s.AssessmentsOf(ctx, techs)
			return err
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			cancelled, cancel := context.WithCancel(context.Background())
			cancel()
			txns := s.Stats().ReadTxns
			if err := read(cancelled); !errors.Is(err, context.Canceled) {
				t.Fatalf("with a cancelled context: %v, want context.Canceled", err)
			}
			if s.Stats().ReadTxns != txns {
				t.Error("a read transaction was opened for a request that had already ended")
			}
			// Past the check before the transaction, the context ends: the read's loops must see it.
			s.filterSets.Purge()
			s.edgeLists.Purge()
			if err := read(&endsAfter{Context: context.Background(), left: 1}); !errors.Is(err, context.Canceled) {
				t.Fatalf("with a context ending during the read: %v, want context.Canceled", err)
			}
			if err := read(context.Background()); err != nil {
				t.Fatalf("with a live context: %v", err)
			}
		})
	}
}

// An interrupted evaluation leaves nothing in the cache: the next request evaluates afresh.
func TestCancelledFilterIsNotCached(t *testing.T) {
	s, _ := synthStore(t, 10_000)
	q := ListQuery{Filter: wideFilter(500), Page: PageArgs{Limit: 20}}
	if _, err := s.List(&endsAfter{Context: context.Background(), left: 3}, q); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n := s.filterSets.Len(); n != 0 {
		t.Fatalf("%d sets cached after a cancelled evaluation", n)
	}
	if _, err := s.List(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if n := s.filterSets.Len(); n != 1 {
		t.Fatalf("%d sets cached, want 1", n)
	}
}
