package store

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

func slugsOf(t testing.TB, s *Store, ids []ID) []string {
	t.Helper()
	ents, err := s.EntitiesByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ents))
	for i, e := range ents {
		if e == nil {
			out[i] = "<nil>"
			continue
		}
		out[i] = e.Slug
	}
	return out
}

func TestEntitiesByIDKeepsOrderAndMissing(t *testing.T) {
	s := openTest(t, fixture())
	ids := []ID{EntityID("zipkin"), EntityID("nope"), EntityID("go"), EntityID("zipkin")}
	before := s.Stats()
	got := slugsOf(t, s, ids)
	if want := []string{"zipkin", "<nil>", "go", "zipkin"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	after := s.Stats()
	if after.ReadTxns-before.ReadTxns != 1 || after.RecordsRead-before.RecordsRead != 2 {
		t.Fatalf("one transaction and two distinct records expected, got %+v -> %+v", before, after)
	}
	ents, err := s.EntitiesBySlug(context.Background(), []string{"go", "missing", "aws"})
	if err != nil || ents[0].ID != EntityID("go") || ents[1] != nil || ents[2].Name != "Amazon Web Services" {
		t.Fatalf("by slug: %+v %v", ents, err)
	}
}

func TestEdgesBothDirectionsAndKinds(t *testing.T) {
	s := openTest(t, fixture())
	edges, err := s.Edges(context.Background(), []ID{EntityID("jaeger"), EntityID("cold-starts")}, EdgeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	describe := func(es []Edge) []string {
		var out []string
		for _, e := range es {
			dir := "out"
			if e.Dir == Incoming {
				dir = "in"
			}
			out = append(out, fmt.Sprintf("%s %s %s", dir, e.Kind, slugsOf(t, s, []ID{e.Other})[0]))
		}
		slices.Sort(out)
		return out
	}
	want := []string{"in integrates_with opentelemetry", "out alternative_to zipkin", "out part_of tracing"}
	if got := describe(edges[0]); !slices.Equal(got, want) {
		t.Fatalf("jaeger: %v, want %v", got, want)
	}
	want = []string{"in has_challenge aws-lambda", "in has_challenge azure-functions", "in has_challenge serverless"}
	if got := describe(edges[1]); !slices.Equal(got, want) {
		t.Fatalf("cold-starts: %v, want %v", got, want)
	}
	edges, err = s.Edges(context.Background(), []ID{EntityID("jaeger")}, EdgeFilter{Dir: Outgoing, Kinds: []domain.RelKind{domain.RelPartOf}})
	if err != nil || len(edges[0]) != 1 || edges[0][0].Other != EntityID("tracing") {
		t.Fatalf("filtered: %+v %v", edges, err)
	}
	rels, err := s.RelationshipsByID(context.Background(), []ID{edges[0][0].Rel, 42})
	if err != nil || rels[0] == nil || !rels[0].Derived || rels[0].From != "jaeger" || rels[1] != nil {
		t.Fatalf("relationship records: %+v %v", rels, err)
	}
}

// listAll pages through a whole list, forwards or backwards, and returns the slugs in list order.
func listAll(t testing.TB, s *Store, q ListQuery, size int, backwards bool) ([]string, int) {
	t.Helper()
	var all []string
	total := -1
	q.Page = PageArgs{Limit: size, FromEnd: backwards}
	for range 10000 {
		p, err := s.List(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if total >= 0 && p.Total != total {
			t.Fatalf("total changed from %d to %d", total, p.Total)
		}
		total = p.Total
		page := slugsOf(t, s, p.IDs)
		if backwards {
			all = append(page, all...)
			if !p.HasPreviousPage {
				return all, total
			}
			q.Page.Before = p.Cursors[0]
		} else {
			all = append(all, page...)
			if !p.HasNextPage {
				return all, total
			}
			q.Page.After = p.Cursors[len(p.Cursors)-1]
		}
		if len(p.IDs) != size {
			t.Fatalf("short page %d of %d before the end", len(p.IDs), size)
		}
	}
	t.Fatal("paging did not end")
	return nil, 0
}

func TestListOrdersFiltersAndPages(t *testing.T) {
	s := openTest(t, fixture())
	techs := []domain.EntityType{domain.TypeTechnology}
	byName := []string{"aws-lambda", "azure-functions", "go", "jaeger", "opentelemetry", "zipkin"}
	cases := []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"all technologies by name", ListQuery{Types: techs}, byName},
		{"descending", ListQuery{Types: techs, Desc: true}, reversed(byName)},
		{"by slug", ListQuery{Types: techs, Order: OrderSlug}, byName},
		{"kind", ListQuery{Types: techs, Filter: &Filter{Kinds: []string{"tool", "standard"}}}, []string{"jaeger", "opentelemetry", "zipkin"}},
		{"tags any", ListQuery{Types: techs, Filter: &Filter{TagsAny: []string{"faas", "vendor-neutral"}}}, []string{"aws-lambda", "azure-functions", "opentelemetry"}},
		{"tags all", ListQuery{Types: techs, Filter: &Filter{TagsAll: []string{"tracing", "vendor-neutral"}}}, []string{"opentelemetry"}},
		{"trend", ListQuery{Types: techs, Filter: &Filter{Trends: []string{"tracing"}}}, []string{"jaeger", "zipkin"}},
		{"not", ListQuery{Types: techs, Filter: &Filter{Not: &Filter{Kinds: []string{"cloud-service"}}}}, []string{"go", "jaeger", "opentelemetry", "zipkin"}},
		{"or", ListQuery{Types: techs, Filter: &Filter{Or: []*Filter{{Kinds: []string{"language"}}, {Trends: []string{"serverless"}}}}}, []string{"aws-lambda", "azure-functions", "go"}},
		{"and with text", ListQuery{Types: techs, Filter: &Filter{And: []*Filter{{TagsAny: []string{"tracing"}}}, Text: "zip"}}, []string{"zipkin"}},
		{"ring at latest edition", ListQuery{Filter: &Filter{Rings: []string{"r/adopt"}}}, []string{"jaeger"}},
		{"status across types", ListQuery{Filter: &Filter{Statuses: []string{"growing"}}}, []string{"tracing", "observability"}},
		{"no match", ListQuery{Types: techs, Filter: &Filter{Kinds: []string{"database"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, size := range []int{1, 2, 100} {
				got, total := listAll(t, s, c.q, size, false)
				if !slices.Equal(got, c.want) || total != len(c.want) {
					t.Fatalf("size %d: got %v (total %d), want %v", size, got, total, c.want)
				}
				back, _ := listAll(t, s, c.q, size, true)
				if !slices.Equal(back, c.want) {
					t.Fatalf("size %d backwards: got %v, want %v", size, back, c.want)
				}
			}
		})
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestListPageFlagsAndBounds(t *testing.T) {
	s := openTest(t, fixture())
	q := ListQuery{Types: []domain.EntityType{domain.TypeTechnology}, Page: PageArgs{Limit: 2}}
	first, err := s.List(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if first.HasPreviousPage || !first.HasNextPage || first.Total != 6 {
		t.Fatalf("first page flags: %+v", first)
	}
	// Between two cursors: only what lies strictly between.
	all, _ := s.List(context.Background(), ListQuery{Types: q.Types, Page: PageArgs{Limit: 6}})
	between, err := s.List(context.Background(), ListQuery{Types: q.Types, Page: PageArgs{After: all.Cursors[0], Before: all.Cursors[4], Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if got := slugsOf(t, s, between.IDs); !slices.Equal(got, []string{"azure-functions", "go", "jaeger"}) || !between.HasNextPage || !between.HasPreviousPage {
		t.Fatalf("between: %v %+v", got, between)
	}
	// Past the end: empty, with a previous page.
	end, err := s.List(context.Background(), ListQuery{Types: q.Types, Page: PageArgs{After: all.Cursors[5], Limit: 3}})
	if err != nil || len(end.IDs) != 0 || end.HasNextPage || !end.HasPreviousPage {
		t.Fatalf("past the end: %+v %v", end, err)
	}
	zero, err := s.List(context.Background(), ListQuery{Types: q.Types, Page: PageArgs{Limit: 0}})
	if err != nil || len(zero.IDs) != 0 || !zero.HasNextPage || zero.Total != 6 {
		t.Fatalf("limit 0: %+v %v", zero, err)
	}
	for _, bad := range [][]byte{{}, {byte(OrderSlug), 'x'}, {byte(OrderName), 'a'}, {9, 0, 0, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := s.List(context.Background(), ListQuery{Page: PageArgs{After: bad, Limit: 1}}); err == nil {
			t.Fatalf("cursor %q accepted", bad)
		}
	}
}

// The two strategies (walking the index, sorting a small set) must agree on every page.
func TestListStrategiesAgree(t *testing.T) {
	d := mustSynth(t, 3000, 3000)
	s := openTest(t, d)
	for _, f := range []*Filter{
		{Kinds: []string{"language"}},                     // small: sorted set
		{Not: &Filter{Kinds: []string{"language"}}},       // large: index walk
		{Lifecycles: []string{"mature", "growing"}},       // large
		{TagsAll: []string{"tag-1"}, Text: "stream"},      // small
		{Or: []*Filter{{TagsAny: []string{"tag-3"}}, {}}}, // everything
	} {
		for _, desc := range []bool{false, true} {
			q := ListQuery{Types: []domain.EntityType{domain.TypeTechnology}, Filter: f, Desc: desc}
			got, total := listAll(t, s, q, 37, false)
			back, _ := listAll(t, s, q, 37, true)
			want := bruteForce(d, f, desc)
			if total != len(want) || !slices.Equal(got, want) || !slices.Equal(back, want) {
				t.Fatalf("filter %+v desc %v: got %d items (total %d), backwards %d, want %d", f, desc, len(got), total, len(back), len(want))
			}
		}
	}
}

// bruteForce evaluates the filters of TestListStrategiesAgree directly over the dataset.
func bruteForce(d *dataset.Dataset, f *Filter, desc bool) []string {
	var match func(e *domain.Entity, f *Filter) bool
	match = func(e *domain.Entity, f *Filter) bool {
		if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind) {
			return false
		}
		if len(f.Lifecycles) > 0 && !slices.Contains(f.Lifecycles, e.Lifecycle) {
			return false
		}
		for _, t := range f.TagsAll {
			if !slices.Contains(e.Tags, t) {
				return false
			}
		}
		if len(f.TagsAny) > 0 && !slices.ContainsFunc(f.TagsAny, func(t string) bool { return slices.Contains(e.Tags, t) }) {
			return false
		}
		if f.Text != "" {
			hit := false
			for tok := range entityTokens(e) {
				if len(tok) >= len(f.Text) && tok[:len(f.Text)] == f.Text {
					hit = true
				}
			}
			if !hit {
				return false
			}
		}
		if f.Not != nil && match(e, f.Not) {
			return false
		}
		if len(f.Or) > 0 && !slices.ContainsFunc(f.Or, func(sub *Filter) bool { return match(e, sub) }) {
			return false
		}
		return true
	}
	type item struct {
		slug string
		key  []byte
	}
	var items []item
	for i := range d.Entities {
		e := &d.Entities[i]
		if e.Type == domain.TypeTechnology && match(e, f) {
			items = append(items, item{e.Slug, nameKey(e.Name, EntityID(e.Slug))})
		}
	}
	slices.SortFunc(items, func(a, b item) int { return bytes.Compare(a.key, b.key) })
	if desc {
		slices.Reverse(items)
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.slug
	}
	return out
}

func TestSearchRanksNameOverSummary(t *testing.T) {
	s := openTest(t, fixture())
	res, err := s.Search(context.Background(), SearchQuery{Text: "tracing", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := slugsOf(t, s, hitIDs(res.Hits))
	// The trend named "Distributed tracing" outranks the tools only tagged "tracing".
	if res.Total != 4 || got[0] != "tracing" {
		t.Fatalf("got %v (total %d)", got, res.Total)
	}
	res, _ = s.Search(context.Background(), SearchQuery{Text: "tracing", Types: []domain.EntityType{domain.TypeTechnology}, Limit: 2})
	if res.Total != 3 || len(res.Hits) != 2 {
		t.Fatalf("typed search: %+v", res)
	}
	res, _ = s.Search(context.Background(), SearchQuery{Text: "AWS lamb", Limit: 10})
	if got := slugsOf(t, s, hitIDs(res.Hits)); !slices.Equal(got, []string{"aws-lambda"}) {
		t.Fatalf("prefix search: %v", got)
	}
	res, _ = s.Search(context.Background(), SearchQuery{Text: "  the of !!", Limit: 10})
	if res.Total != 0 {
		t.Fatalf("stop words matched: %+v", res)
	}
}

func hitIDs(hits []Hit) []ID {
	ids := make([]ID, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func TestAssessments(t *testing.T) {
	s := openTest(t, fixture())
	all, err := s.Assessments(context.Background(), "r", "")
	if err != nil || len(all) != 3 {
		t.Fatalf("all editions: %d %v", len(all), err)
	}
	latest, _ := s.Assessments(context.Background(), "r", "2026-06-01")
	if len(latest) != 2 {
		t.Fatalf("latest: %d", len(latest))
	}
	of, err := s.AssessmentsOf(context.Background(), []ID{EntityID("jaeger"), EntityID("go")})
	if err != nil || len(of[0]) != 2 || len(of[1]) != 0 || of[0][0].Ring != "hold" || of[0][1].Ring != "adopt" {
		t.Fatalf("of: %+v %v", of, err)
	}
}

// Readers keep reading, and always see one whole dataset or the other, while imports run.
func TestConcurrentReadersDuringWrites(t *testing.T) {
	small, large := fixture(), mustSynth(t, 400, 800)
	s := openTest(t, small)
	wantTotals := map[int]bool{6: true, 400: true}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p, err := s.List(context.Background(), ListQuery{Types: []domain.EntityType{domain.TypeTechnology}, Page: PageArgs{Limit: 1000}})
				if err != nil {
					errs <- err
					return
				}
				if !wantTotals[p.Total] || len(p.IDs) != p.Total {
					errs <- fmt.Errorf("torn read: total %d, %d ids", p.Total, len(p.IDs))
					return
				}
				if _, err := s.EntitiesByID(context.Background(), p.IDs); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 6 {
		d := small
		if i%2 == 0 {
			d = large
		}
		if err := s.Import(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A backup taken through a second, read-only handle (as 'trendgraph backup' does beside a server)
// is a complete database.
func TestBackupIsACompleteCopy(t *testing.T) {
	s := openTest(t, nil)
	if err := s.Import(context.Background(), fixture()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "backup.db")
	writeFile(t, file, buf.Bytes())
	b, err := Open(file, Config{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, snapshot(t, s), snapshot(t, b), false)
}

// Evaluated filters and decoded records are kept, but never across a write.
func TestCachesFollowTheDataVersion(t *testing.T) {
	s := openTest(t, fixture())
	q := ListQuery{Types: []domain.EntityType{domain.TypeTechnology}, Filter: &Filter{Kinds: []string{"tool"}}, Page: PageArgs{Limit: 10}, Load: true}
	before, err := s.List(context.Background(), q)
	if err != nil || before.Total != 2 {
		t.Fatalf("tools before: %+v %v", before, err)
	}
	d := fixture()
	for i := range d.Entities {
		if d.Entities[i].Slug == "go" {
			d.Entities[i].Kind = "tool"
			d.Entities[i].Name = "Go (renamed)"
		}
	}
	if err := s.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	after, err := s.List(context.Background(), q)
	if err != nil || after.Total != 3 {
		t.Fatalf("tools after the import: %d %v", after.Total, err)
	}
	// The members kept in order follow the version too: the renamed one is in its new place,
	// both ways.
	for _, desc := range []bool{false, true} {
		q.Desc = desc
		p, err := s.List(context.Background(), q)
		if err != nil || len(p.Entities) != 3 {
			t.Fatalf("desc %v: %+v %v", desc, p, err)
		}
		var names []string
		for _, e := range p.Entities {
			names = append(names, strings.ToLower(e.Name))
		}
		if !slices.Contains(names, "go (renamed)") || slices.IsSorted(names) == desc {
			t.Fatalf("desc %v: order %q", desc, names)
		}
	}
	ents, _ := s.EntitiesBySlug(context.Background(), []string{"go"})
	if ents[0].Name != "Go (renamed)" {
		t.Fatalf("a decoded record outlived the write: %q", ents[0].Name)
	}
}
