package graph

import (
	"slices"
	"testing"

	"github.com/99designs/gqlgen/client"
)

type searchFirst struct {
	Search struct {
		TotalCount int
		DidYouMean []string
		Edges      []struct {
			Score float64
			Node  struct {
				Typename string `json:"__typename"`
				Slug     string
			}
		}
	}
}

// What a person types into the search box, through the real handler: names and aliases first,
// other forms of words, misspellings with a suggestion, and benefit or challenge questions.
func TestSearchFindsWhatPeopleType(t *testing.T) {
	e := newEnv(t)
	q := `query($q: String!) { search(query: $q, first: 5) { totalCount didYouMean edges { score node { __typename slug } } } }`
	for _, c := range []struct {
		query, first string
		didYouMean   []string
	}{
		{"REST", "rest", nil},
		{"serverless", "serverless-computing", nil},
		{"k8s", "kubernetes", nil},
		{"relational database", "relational-databases", nil},
		{"kubrnetes", "kubernetes", []string{"kubernetes"}},
		{"Distributed tracng!", "distributed-tracing", []string{"Distributed tracing!"}},
		{"serverless challenges", "serverless-debugging-difficulty", nil},
		{"advantages of Rust", "high-performance", nil},
	} {
		t.Run(c.query, func(t *testing.T) {
			var r searchFirst
			e.query(t, q, &r, client.Var("q", c.query))
			s := r.Search
			if len(s.Edges) == 0 || s.Edges[0].Node.Slug != c.first {
				t.Fatalf("got %+v, want %s first", s.Edges, c.first)
			}
			if s.DidYouMean == nil || !slices.Equal(s.DidYouMean, append([]string{}, c.didYouMean...)) {
				t.Fatalf("didYouMean %#v, want %q", s.DidYouMean, c.didYouMean)
			}
			for i := 1; i < len(s.Edges); i++ {
				if s.Edges[i].Score > s.Edges[i-1].Score {
					t.Fatalf("not in score order: %+v", s.Edges)
				}
			}
		})
	}
	// Nothing matches a word three letters off; the suggestion says what would.
	var r searchFirst
	e.query(t, q, &r, client.Var("q", "kubrntis"))
	if r.Search.TotalCount != 0 || !slices.Equal(r.Search.DidYouMean, []string{"kubernetes"}) {
		t.Fatalf("kubrntis: %+v", r.Search)
	}
}
