package store

import (
	"context"
	"fmt"
	bolt "go.etcd.io/bbolt"
	"os"
	"path/filepath"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// benchStore is a database of 10k technologies and 100k listed relationships, built once per
// benchmark function.
func benchStore(b *testing.B) (*Store, *dataset.Dataset) {
	b.Helper()
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 10_000, Relationships: 100_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return openTest(b, d), d
}

func reportReads(b *testing.B, s *Store, before Stats) {
	after := s.Stats()
	b.ReportMetric(float64(after.ReadTxns-before.ReadTxns)/float64(b.N), "txns/op")
	b.ReportMetric(float64(after.RecordsRead-before.RecordsRead)/float64(b.N), "records/op")
}

func BenchmarkEntitiesByID(b *testing.B) {
	s, d := benchStore(b)
	for _, n := range []int{10, 100, 1000} {
		ids := make([]ID, n)
		for i := range ids {
			ids[i] = EntityID(d.Entities[(i*7919)%len(d.Entities)].Slug)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			before := s.Stats()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.EntitiesByID(context.Background(), ids); err != nil {
					b.Fatal(err)
				}
			}
			reportReads(b, s, before)
		})
	}
}

// BenchmarkRelationshipPage loads one node's edges and the records of a page of 20 of them.
func BenchmarkRelationshipPage(b *testing.B) {
	s, _ := benchStore(b)
	node := []ID{EntityID("tech-0000042")}
	before := s.Stats()
	b.ReportAllocs()
	for b.Loop() {
		edges, err := s.Edges(context.Background(), node, EdgeFilter{})
		if err != nil {
			b.Fatal(err)
		}
		page := edges[0][:min(20, len(edges[0]))]
		ids := make([]ID, len(page))
		for i, e := range page {
			ids[i] = e.Rel
		}
		if _, err := s.RelationshipsByID(context.Background(), ids); err != nil {
			b.Fatal(err)
		}
	}
	reportReads(b, s, before)
}

func BenchmarkSearch(b *testing.B) {
	s, _ := benchStore(b)
	// The first three are those measured before word forms and corrections; then a word in
	// another form, a misspelt one (the whole vocabulary is compared) and a question.
	for _, q := range []string{"stream", "stream cache", "sched", "streams", "straem", "stream challenges"} {
		b.Run(q, func(b *testing.B) {
			before := s.Stats()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(context.Background(), SearchQuery{Text: q, Limit: 20}); err != nil {
					b.Fatal(err)
				}
			}
			reportReads(b, s, before)
		})
	}
}

// BenchmarkSearchVocabulary is the cost of deriving the search vocabulary after a write (the
// first search at a new data version pays it once).
func BenchmarkSearchVocabulary(b *testing.B) {
	s, _ := benchStore(b)
	var words int
	for b.Loop() {
		s.vocab.Store(nil)
		if err := s.db.View(func(tx *bolt.Tx) error {
			v, err := s.searchVocabulary(tx, nil)
			words = len(v.words)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(words), "words")
}

// BenchmarkListPage pages a filtered list with its exact total: deep in the list, and through
// both strategies (a large match walks the index, a small one sorts the set).
func BenchmarkListPage(b *testing.B) {
	s, _ := benchStore(b)
	techs := []domain.EntityType{domain.TypeTechnology}
	cases := map[string]*Filter{
		"unfiltered": nil,
		"large":      {Lifecycles: []string{"mature", "growing"}},
		"small":      {Kinds: []string{"database"}, TagsAny: []string{"tag-7"}},
	}
	for name, f := range cases {
		first, err := s.List(context.Background(), ListQuery{Types: techs, Filter: f, Page: PageArgs{Limit: 100}})
		if err != nil || len(first.Cursors) == 0 {
			b.Fatal(err)
		}
		after := first.Cursors[len(first.Cursors)/2]
		b.Run(name, func(b *testing.B) {
			before := s.Stats()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.List(context.Background(), ListQuery{Types: techs, Filter: f, Page: PageArgs{After: after, Limit: 20}}); err != nil {
					b.Fatal(err)
				}
			}
			reportReads(b, s, before)
		})
	}
}

// BenchmarkImport measures the first import: ImportChange, in one transaction, and ImportNew,
// in many (as trendgraph import creates a database). The 100k/1M size takes minutes and
// gigabytes, so it runs only with TRENDGRAPH_BENCH_IMPORT=1 (make bench-import).
func BenchmarkImport(b *testing.B) {
	sizes := []struct{ techs, rels int }{{10_000, 100_000}}
	if os.Getenv("TRENDGRAPH_BENCH_IMPORT") != "" {
		sizes = append(sizes, struct{ techs, rels int }{100_000, 1_000_000})
	}
	for _, size := range sizes {
		d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: size.techs, Relationships: size.rels, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		total := len(d.AllRelationships())
		for _, how := range []string{"ImportChange", "ImportNew"} {
			b.Run(fmt.Sprintf("%s/%dk-techs-%dk-rels", how, size.techs/1000, size.rels/1000), func(b *testing.B) {
				for b.Loop() {
					s, err := Open(filepath.Join(b.TempDir(), "import.db"), Config{})
					if err != nil {
						b.Fatal(err)
					}
					if how == "ImportNew" {
						_, err = s.ImportNew(context.Background(), d, nil, "import", "")
					} else {
						err = s.Import(context.Background(), d)
					}
					if err != nil {
						b.Fatal(err)
					}
					if err := s.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "rels/s")
				b.ReportMetric(float64(len(d.Entities)*b.N)/b.Elapsed().Seconds(), "entities/s")
			})
		}
	}
}
