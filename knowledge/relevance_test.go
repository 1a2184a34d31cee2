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

// TestSearchRelevance runs the relevance set against the curated dataset and requires its mean
// reciprocal rank (1 when every wanted entity comes first, 1/2 when second, 0 when not in the
// first 10) to be at least minMRR. It logs every query that misses first place.
func TestSearchRelevance(t *testing.T) {
	b := kb(t)
	cases := readRelevance(t)
	if len(cases) < 40 {
		t.Fatalf("the relevance set has %d queries, want at least 40", len(cases))
	}
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
		if rank != 1 {
			t.Logf("%q: wanted %v at rank 1, at %d; got %v", c.query, c.want, rank, got)
		}
		if rank > 0 {
			sum += 1 / float64(rank)
		}
	}
	mrr := sum / float64(len(cases))
	t.Logf("search relevance: MRR %.3f over %d queries", mrr, len(cases))
	if mrr < minMRR {
		t.Errorf("search relevance: MRR %.3f, want at least %.2f", mrr, minMRR)
	}
}
