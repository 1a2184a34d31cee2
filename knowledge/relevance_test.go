package knowledge

import (
	"bufio"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// relevanceCase is one line of testdata/relevance.txt: a query and the slugs of which one
// must come first.
type relevanceCase struct {
	query   string
	anyWord bool
	want    []string
}

func readRelevance(t testing.TB) []relevanceCase {
	t.Helper()
	f, err := os.Open("testdata/relevance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []relevanceCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q, want, ok := strings.Cut(line, "=>")
		if !ok {
			t.Fatalf("relevance line without =>: %q", line)
		}
		c := relevanceCase{query: strings.TrimSpace(q), want: strings.Fields(want)}
		if rest, ok := strings.CutPrefix(c.query, "any:"); ok {
			c.query, c.anyWord = strings.TrimSpace(rest), true
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// minMRR is the quality gate of search: the mean reciprocal rank of the relevance set.
const minMRR = 0.9

// relevanceMRR runs the relevance set against b and returns its mean reciprocal rank (1 when
// every wanted entity comes first, 1/2 when second, 0 when not in the first 10), calling
// miss for each query whose wanted entity is not first.
func relevanceMRR(t testing.TB, b *Base, cases []relevanceCase, miss func(c relevanceCase, rank int, got []string)) float64 {
	t.Helper()
	sum := 0.0
	for _, c := range cases {
		p, err := b.Search(context.Background(), SearchArgs{Text: c.query, AnyWord: c.anyWord, First: ptr(10)})
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		rank := 0
		var got []string
		for i, h := range p.Items {
			got = append(got, h.Entity.Slug)
			if rank == 0 && slices.Contains(c.want, h.Entity.Slug) {
				rank = i + 1
			}
		}
		if rank != 1 && miss != nil {
			miss(c, rank, got)
		}
		if rank > 0 {
			sum += 1 / float64(rank)
		}
	}
	return sum / float64(len(cases))
}

// TestSearchRelevance runs the relevance set against the curated dataset and requires its mean
// reciprocal rank to be at least minMRR, a gate on quality (not on time). It logs every query
// that misses first place.
func TestSearchRelevance(t *testing.T) {
	b := kb(t)
	cases := readRelevance(t)
	if len(cases) < 40 {
		t.Fatalf("the relevance set has %d queries, want at least 40", len(cases))
	}
	mrr := relevanceMRR(t, b, cases, func(c relevanceCase, rank int, got []string) {
		t.Logf("%q: wanted %v at rank 1, at %d; got %v", c.query, c.want, rank, got)
	})
	t.Logf("search relevance: MRR %.3f over %d queries", mrr, len(cases))
	if mrr < minMRR {
		t.Errorf("search relevance: MRR %.3f, want at least %.2f", mrr, minMRR)
	}
}

// BenchmarkSearchRelevance reports the relevance set's mean reciprocal rank (mrr) beside the
// time to run the whole set, so that a change to ranking shows both in one report.
func BenchmarkSearchRelevance(b *testing.B) {
	kb := kb(b)
	cases := readRelevance(b)
	var mrr float64
	for b.Loop() {
		mrr = relevanceMRR(b, kb, cases, nil)
	}
	b.ReportMetric(mrr, "mrr")
	b.ReportMetric(float64(len(cases)), "queries")
}
