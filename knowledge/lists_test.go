package knowledge

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// pageAll walks a list forward, n at a time, and returns every entity in order.
func pageAll(t *testing.T, b *Base, a ListArgs, n int) []*store.Entity {
	t.Helper()
	var all []*store.Entity
	a.Window = Window{First: &n}
	for {
		p, err := b.ListEntities(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != len(p.Cursors) || len(p.Items) > n {
			t.Fatalf("%d items, %d cursors", len(p.Items), len(p.Cursors))
		}
		all = append(all, p.Items...)
		if !p.HasNextPage {
			if len(all) != p.Total {
				t.Fatalf("paged %d of %d", len(all), p.Total)
			}
			return all
		}
		a.Window.After = &p.Cursors[len(p.Cursors)-1]
	}
}

func TestListEntitiesPagesFiltersAndOrders(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	techs := ListArgs{Types: []domain.EntityType{domain.TypeTechnology}}
	all := pageAll(t, b, ListArgs{}, 7)
	if len(all) <= MaxPageSize {
		// The curated dataset has more entities than the largest page holds, so the walk
		// crosses pages whatever their size.
		t.Fatalf("only %d entities", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b *store.Entity) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }) {
		t.Fatalf("not by name: %v", slugs(all)[:10])
	}
	bySlugDesc := pageAll(t, b, ListArgs{Order: store.OrderSlug, Desc: true}, MaxPageSize)
	if len(bySlugDesc) != len(all) || !slices.IsSortedFunc(bySlugDesc, func(a, b *store.Entity) int { return strings.Compare(b.Slug, a.Slug) }) {
		t.Fatalf("by slug, descending: %d, %v", len(bySlugDesc), slugs(bySlugDesc)[:5])
	}
	// The last page, read backwards from the end, is the end of the forward walk.
	last, err := b.ListEntities(ctx, ListArgs{Window: Window{Last: ptr(5)}})
	if err != nil || !slices.Equal(slugs(last.Items), slugs(all[len(all)-5:])) || last.HasNextPage || !last.HasPreviousPage {
		t.Fatalf("last 5: %v %v", slugs(last.Items), err)
	}
	dbs := pageAll(t, b, ListArgs{Types: techs.Types, Filter: &store.Filter{Kinds: []string{"database"}}}, 10)
	if len(dbs) == 0 || len(dbs) >= len(pageAll(t, b, techs, MaxPageSize)) {
		t.Fatalf("%d databases", len(dbs))
	}
	for _, e := range dbs {
		if e.Kind != "database" {
			t.Fatalf("%s is a %s", e.Slug, e.Kind)
		}
	}

	deep := &store.Filter{Kinds: []string{"database"}}
	for range MaxFilterDepth + 1 {
		deep = &store.Filter{Not: deep}
	}
	_, err = b.ListEntities(ctx, ListArgs{Filter: deep})
	wantBound(t, err, "filter depth", 0, MaxFilterDepth, MaxFilterDepth+1)
	_, err = b.ListEntities(ctx, ListArgs{Filter: &store.Filter{And: []*store.Filter{{Text: strings.Repeat("a", MaxTextLength+1)}}}})
	wantBound(t, err, "text length", 0, MaxTextLength, MaxTextLength+1)
	if _, err := b.ListEntities(ctx, ListArgs{Filter: &store.Filter{Text: "!!"}}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("text without words: %v", err)
	}
	search := EncodeCursor(SearchCursor, []byte{0, 0, 0, 1})
	if _, err := b.ListEntities(ctx, ListArgs{Window: Window{After: &search}}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("a search cursor: %v", err)
	}
	// A list cursor of another order: the store refuses it as the caller's mistake.
	bySlug, _ := b.ListEntities(ctx, ListArgs{Order: store.OrderSlug, Window: Window{First: ptr(1)}})
	if _, err := b.ListEntities(ctx, ListArgs{Window: Window{After: &bySlug.Cursors[0]}}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("a cursor of another order: %v", err)
	}
}

func TestSearchRanksAndPages(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	top, err := b.Search(ctx, SearchArgs{Text: "serverless functions", First: ptr(10)})
	if err != nil || len(top.Items) == 0 || top.Total < len(top.Items) {
		t.Fatalf("search: %+v %v", top, err)
	}
	if !slices.IsSortedFunc(top.Items, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) }) {
		t.Fatalf("not best first: %+v", top.Items)
	}
	// Two at a time from the start gives the same ranking.
	var paged []string
	args := SearchArgs{Text: "serverless functions", First: ptr(2)}
	for len(paged) < len(top.Items) {
		p, err := b.Search(ctx, args)
		if err != nil || (len(paged) > 0) != p.HasPreviousPage {
			t.Fatalf("page after %d: %+v %v", len(paged), p, err)
		}
		for _, h := range p.Items {
			paged = append(paged, h.Entity.Slug)
		}
		args.After = &p.Cursors[len(p.Cursors)-1]
	}
	want := make([]string, len(top.Items))
	for i, h := range top.Items {
		want[i] = h.Entity.Slug
	}
	if !slices.Equal(paged[:len(want)], want) {
		t.Fatalf("paged %v, want %v", paged, want)
	}
	onlyTrends, err := b.Search(ctx, SearchArgs{Text: "serverless", Types: []domain.EntityType{domain.TypeTrend}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range onlyTrends.Items {
		if h.Entity.Type != domain.TypeTrend {
			t.Fatalf("%s is not a trend", h.Entity.Slug)
		}
	}
	_, err = b.Search(ctx, SearchArgs{Text: strings.Repeat("go ", 100)})
	wantBound(t, err, "query length", 0, MaxTextLength, 300)
	if _, err := b.Search(ctx, SearchArgs{Text: "  "}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("no words: %v", err)
	}
	list := EncodeCursor(ListCursor, []byte{0, 0, 0, 1})
	if _, err := b.Search(ctx, SearchArgs{Text: "go", After: &list}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("a list cursor: %v", err)
	}
}

func TestFacetsCountTheFilteredSet(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	techs := []domain.EntityType{domain.TypeTechnology}
	f, err := b.Facets(ctx, techs, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := b.ListEntities(ctx, ListArgs{Types: techs, Window: Window{First: ptr(0)}})
	sum := 0
	for _, c := range f.Counts["kind"] {
		sum += c.Count
	}
	if f.Total != all.Total || sum != f.Total || len(f.Counts["type"]) != 1 || len(f.Counts["ring"]) == 0 {
		t.Fatalf("facets: total %d, kinds sum %d, list total %d, types %v", f.Total, sum, all.Total, f.Counts["type"])
	}
	for name, counts := range f.Counts {
		if !slices.IsSortedFunc(counts, func(a, b store.FacetCount) int { return b.Count - a.Count }) {
			t.Fatalf("%s not most frequent first: %v", name, counts)
		}
	}
	dbs, err := b.Facets(ctx, techs, &store.Filter{Kinds: []string{"database"}})
	if err != nil || len(dbs.Counts["kind"]) != 1 || dbs.Counts["kind"][0] != (store.FacetCount{Value: "database", Count: dbs.Total}) {
		t.Fatalf("databases: %+v %v", dbs, err)
	}
	_, err = b.Facets(ctx, nil, &store.Filter{Text: strings.Repeat("x", MaxTextLength+1)})
	wantBound(t, err, "text length", 0, MaxTextLength, MaxTextLength+1)
}

func TestEntityBySlug(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	if e, err := b.EntityBySlug(ctx, "aws-lambda", domain.TypeTechnology); err != nil || e.Name == "" {
		t.Fatalf("aws-lambda: %+v %v", e, err)
	}
	for slug, want := range map[string]domain.EntityType{"aws-lambda": domain.TypeTrend, "cobol-on-cogs": 0} {
		if _, err := b.EntityBySlug(ctx, slug, want); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s as %v: %v", slug, want, err)
		}
	}
}
