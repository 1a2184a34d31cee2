package store

import (
	"cmp"
	"context"
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
)

// search runs q on s and returns the hits' slugs and the result.
func search(t *testing.T, s *Store, q SearchQuery) ([]string, *SearchResult) {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 10
	}
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return slugsOf(t, s, hitIDs(res.Hits)), res
}

func TestSearchMatchesOtherFormsOfAWord(t *testing.T) {
	s := openTest(t, fixture())
	for q, want := range map[string]string{
		"function":          "azure-functions", // the name says "Functions"
		"cold start":        "cold-starts",
		"distributed trace": "tracing",
		"traced":            "tracing",
	} {
		if got, _ := search(t, s, SearchQuery{Text: q}); len(got) == 0 || got[0] != want {
			t.Errorf("%q: got %v, want %s first", q, got, want)
		}
	}
	// The word as typed ranks before its other forms: "tracing" is in the trend's name.
	if got, _ := search(t, s, SearchQuery{Text: "tracing", Types: []domain.EntityType{domain.TypeTechnology}}); got[0] == "go" {
		t.Errorf("tracing: %v", got)
	}
}

func TestSearchCorrectsMisspeltWords(t *testing.T) {
	s := openTest(t, fixture())
	got, res := search(t, s, SearchQuery{Text: "Jaegr"})
	if len(got) == 0 || got[0] != "jaeger" || !slices.Equal(res.DidYouMean, []string{"Jaeger"}) {
		t.Fatalf("Jaegr: %v, did you mean %v", got, res.DidYouMean)
	}
	// Other words keep their spelling and place.
	got, res = search(t, s, SearchQuery{Text: "Distributed tracng!"})
	if len(got) == 0 || got[0] != "tracing" || !slices.Equal(res.DidYouMean, []string{"Distributed tracing!"}) {
		t.Fatalf("Distributed tracng: %v, did you mean %v", got, res.DidYouMean)
	}
	// Three edits from "opentelemetry": too far to match, near enough to suggest.
	got, res = search(t, s, SearchQuery{Text: "opntlemetri"})
	if len(got) != 0 || !slices.Equal(res.DidYouMean, []string{"opentelemetry"}) {
		t.Fatalf("opntlemetri: %v, did you mean %v", got, res.DidYouMean)
	}
	// A word that is in the index, or near nothing, or two edits from a word that starts
	// otherwise, suggests nothing.
	for _, q := range []string{"jaeger", "xqzvw", "aipkinn"} {
		if _, res := search(t, s, SearchQuery{Text: q}); len(res.DidYouMean) != 0 {
			t.Errorf("%q: did you mean %v", q, res.DidYouMean)
		}
	}
	// Short words are not corrected: "og" is not "go".
	if got, res := search(t, s, SearchQuery{Text: "og"}); len(got) != 0 || len(res.DidYouMean) != 0 {
		t.Errorf("og: %v, did you mean %v", got, res.DidYouMean)
	}
}

func TestSearchRanksExactNameOrAliasFirst(t *testing.T) {
	s := openTest(t, fixture())
	// AWS Lambda's name holds the word; Amazon Web Services's alias is the word.
	if got, _ := search(t, s, SearchQuery{Text: "aws"}); len(got) < 2 || got[0] != "aws" || got[1] != "aws-lambda" {
		t.Errorf("aws: %v", got)
	}
	// The trend named for the topic comes before the technologies tagged with it.
	if got, _ := search(t, s, SearchQuery{Text: "serverless"}); len(got) < 3 || got[0] != "serverless" {
		t.Errorf("serverless: %v", got)
	}
	// Scores order the hits.
	_, res := search(t, s, SearchQuery{Text: "aws", AnyWord: true})
	if !slices.IsSortedFunc(res.Hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) }) {
		t.Errorf("not in score order: %+v", res.Hits)
	}
}

func TestSearchAnswersBenefitAndChallengeQuestions(t *testing.T) {
	s := openTest(t, fixture())
	for _, q := range []string{"serverless challenges", "challenges of AWS Lambda", "azure functions drawbacks"} {
		got, res := search(t, s, SearchQuery{Text: q})
		// The word asking is in no entity, and is not misspelt for that.
		if len(got) == 0 || got[0] != "cold-starts" || res.Hits[0].Matched != len(slices.Compact(Tokenize(q))) || len(res.DidYouMean) != 0 {
			t.Errorf("%q: %v, did you mean %v", q, got, res.DidYouMean)
		}
	}
	// Cold starts is a challenge, not a benefit; and a question needs a subject.
	for _, q := range []string{"serverless benefits", "challenges"} {
		if got, _ := search(t, s, SearchQuery{Text: q}); slices.Contains(got, "cold-starts") {
			t.Errorf("%q: %v", q, got)
		}
	}
	// The type filter applies to answers too.
	if got, _ := search(t, s, SearchQuery{Text: "serverless challenges", Types: []domain.EntityType{domain.TypeTrend}}); len(got) != 0 {
		t.Errorf("trends only: %v", got)
	}
}

// The vocabulary is derived per data version: a word that an import brings is found and
// corrected at once.
func TestSearchVocabularyFollowsWrites(t *testing.T) {
	s := openTest(t, fixture())
	if got, _ := search(t, s, SearchQuery{Text: "kubrnetes"}); len(got) != 0 {
		t.Fatalf("before: %v", got)
	}
	d := fixture()
	d.Entities = append(d.Entities, domain.Entity{Type: domain.TypeTechnology, Slug: "kubernetes", Name: "Kubernetes",
		Kind: "platform", Lifecycle: "mature", Summary: "Runs containers.", Citations: d.Entities[0].Citations})
	if err := s.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if got, res := search(t, s, SearchQuery{Text: "kubrnetes"}); len(got) != 1 || got[0] != "kubernetes" || len(res.DidYouMean) != 1 {
		t.Fatalf("after: %v, did you mean %v", got, res.DidYouMean)
	}
}

// Where the query holds a larger share of one name, that entity ranks first, whatever the
// other fields add; where the share ties, a trend ranks before a technology.
func TestSearchRanksByShareOfNameThenType(t *testing.T) {
	d := fixture()
	c := d.Entities[0].Citations
	d.Entities = append(d.Entities,
		domain.Entity{Type: domain.TypeTechnology, Slug: "serverless-functions", Name: "Serverless functions", Kind: "architecture",
			Lifecycle: "mature", Aliases: []string{"Serverless model"}, Tags: []string{"serverless"}, Summary: "Serverless code.", Citations: c},
		domain.Entity{Type: domain.TypeTechnology, Slug: "lambda-layers", Name: "Lambda layer packaging", Kind: "practice",
			Lifecycle: "mature", Aliases: []string{"Lambda layers"}, Tags: []string{"lambda"}, Summary: "Lambda code shared.", Citations: c})
	s := openTest(t, d)
	if got, _ := search(t, s, SearchQuery{Text: "serverless"}); len(got) < 2 || got[0] != "serverless" || got[1] != "serverless-functions" {
		t.Errorf("serverless: %v", got)
	}
	if got, _ := search(t, s, SearchQuery{Text: "lambda"}); len(got) < 2 || got[0] != "aws-lambda" || got[1] != "lambda-layers" {
		t.Errorf("lambda: %v", got)
	}
}
