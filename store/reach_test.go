package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// reachOracle walks the dataset's relationships by slug, as Reach walks the indexes.
func reachOracle(d *dataset.Dataset, from string, r Reach) []string {
	seen := map[string]bool{from: true}
	frontier := []string{from}
	var out []string
	for range r.Hops {
		var next []string
		for _, at := range frontier {
			for _, rel := range d.AllRelationships() {
				if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, rel.Kind) {
					continue
				}
				for _, step := range []struct {
					dir         Direction
					here, there string
				}{{Outgoing, rel.From, rel.To}, {Incoming, rel.To, rel.From}} {
					if (r.Dir == 0 || r.Dir&step.dir != 0) && step.here == at && !seen[step.there] {
						seen[step.there] = true
						next = append(next, step.there)
					}
				}
			}
		}
		frontier = next
		out = append(out, next...)
	}
	slices.Sort(out)
	return out
}

func listSlugs(t *testing.T, s *Store, f *Filter) []string {
	t.Helper()
	p, err := s.List(context.Background(), ListQuery{Filter: f, Page: PageArgs{Limit: 10_000}, Load: true})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(p.Entities))
	for i, e := range p.Entities {
		out[i] = e.Slug
	}
	slices.Sort(out)
	return out
}

// Issue 19: a reach filter matches what a walk of the dataset's relationships reaches, for
// every depth, direction and kind, by slug or by ID, negated or combined; filters differing
// only in their reach never share a cached set.
func TestReachMatchesAWalkOfTheDataset(t *testing.T) {
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 60, Relationships: 90, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := openTest(t, d)
	from := d.Entities[len(d.Entities)/2].Slug
	start, err := s.EntitiesBySlug(context.Background(), []string{from})
	if err != nil || start[0] == nil {
		t.Fatal(from, err)
	}
	everything := listSlugs(t, s, nil)
	kind := d.Relationships[0].Kind
	sizes := map[int]bool{}
	for hops := 0; hops <= 3; hops++ {
		for _, dir := range []Direction{0, Outgoing, Incoming} {
			for _, kinds := range [][]domain.RelKind{nil, {kind}} {
				r := Reach{Slug: from, Hops: hops, Dir: dir, Kinds: kinds}
				want := reachOracle(d, from, r)
				if got := listSlugs(t, s, &Filter{Reach: &r}); !slices.Equal(got, want) {
					t.Fatalf("%+v: got %v, want %v", r, got, want)
				}
				byID := r
				byID.Slug, byID.From = "", start[0].ID
				if got := listSlugs(t, s, &Filter{Reach: &byID}); !slices.Equal(got, want) {
					t.Fatalf("by ID %+v: got %v, want %v", byID, got, want)
				}
				rest := slices.DeleteFunc(slices.Clone(everything), func(x string) bool { return slices.Contains(want, x) })
				if got := listSlugs(t, s, &Filter{Not: &Filter{Reach: &r}}); !slices.Equal(got, rest) {
					t.Fatalf("not %+v: %d entities, want %d", r, len(got), len(rest))
				}
				sizes[len(want)] = true
			}
		}
	}
	if len(sizes) < 4 {
		t.Fatalf("the walks reached only sizes %v: the test would not tell depths apart", sizes)
	}
	if got := listSlugs(t, s, &Filter{Reach: &Reach{Slug: "no-such-entity", Hops: 2}}); len(got) != 0 {
		t.Fatalf("an unknown start reaches %v", got)
	}
}

// BenchmarkReachFilter lists a page of technologies within n hops of one, and of two at once
// (an and of two reaches), over 10k technologies and 100k relationships: evaluated afresh each
// time (no filter cache), and as a dashboard pages it (cached).
func BenchmarkReachFilter(b *testing.B) {
	s, d := benchStore(b)
	a, c := d.Entities[len(d.Entities)/3].Slug, d.Entities[2*len(d.Entities)/3].Slug
	techs := []domain.EntityType{domain.TypeTechnology}
	for _, cached := range []bool{false, true} {
		for _, hops := range []int{1, 2, 3} {
			for name, f := range map[string]*Filter{
				"one":      {Reach: &Reach{Slug: a, Hops: hops}},
				"and-of-2": {And: []*Filter{{Reach: &Reach{Slug: a, Hops: hops}}, {Reach: &Reach{Slug: c, Hops: hops}}}},
			} {
				label := "uncached"
				if cached {
					label = "cached"
				}
				b.Run(label+"/hops="+string(rune('0'+hops))+"/"+name, func(b *testing.B) {
					if !cached {
						s.filterSets = newFilterCache(0)
						defer func() { s.filterSets = newFilterCache(filterCacheBytes) }()
					}
					var total int
					before := s.Stats()
					b.ReportAllocs()
					for b.Loop() {
						p, err := s.List(context.Background(), ListQuery{Types: techs, Filter: f, Page: PageArgs{Limit: 20}, Load: true})
						if err != nil {
							b.Fatal(err)
						}
						total = p.Total
					}
					reportReads(b, s, before)
					b.ReportMetric(float64(total), "matches")
				})
			}
		}
	}
}

// A reach past its MaxReached fails, wrapped, instead of matching most of the database; a
// bound it stays within changes nothing.
func TestReachBound(t *testing.T) {
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 60, Relationships: 90, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := openTest(t, d)
	from := d.Entities[len(d.Entities)/2].Slug
	want := reachOracle(d, from, Reach{Hops: 3})
	if len(want) < 10 {
		t.Fatalf("reaches only %d", len(want))
	}
	if got := listSlugs(t, s, &Filter{Reach: &Reach{Slug: from, Hops: 3, MaxReached: len(want)}}); !slices.Equal(got, want) {
		t.Fatalf("within its bound: got %d, want %d", len(got), len(want))
	}
	_, err = s.List(context.Background(), ListQuery{Filter: &Filter{Not: &Filter{Reach: &Reach{Slug: from, Hops: 3, MaxReached: len(want) - 1}}}, Page: PageArgs{Limit: 5}})
	if !errors.Is(err, ErrReachTooWide) {
		t.Fatalf("past its bound: %v", err)
	}
}
