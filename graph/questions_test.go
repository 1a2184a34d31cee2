package graph

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// Issue 19: graph questions a reader of the article asks, each answered by one query. Each
// question's answer is written down from the article (want), and where the answer follows from
// the dataset's relationships it is also recomputed from the dataset files, not the store
// (oracle), so that a wrong answer is caught from both sides.
type question struct {
	ask   string
	query string
	// answer picks the answer out of the response, as slugs (or tags) in response order.
	answer func(data map[string]any) []string
	want   []string
	// ordered says want's order matters; otherwise the answer is compared as a set.
	ordered bool
	oracle  func(d *dataset.Dataset) []string
}

func graphQuestions() []question {
	return []question{{
		ask:    "Which databases are within two relationships of fraud detection?",
		query:  `{ technologies(filter: {kinds: [DATABASE], reach: {from: "fraud-detection", hops: 2}}) { nodes { slug } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["technologies"]) },
		// Graph databases serve fraud detection; Neo4j and Neptune are graph databases, and
		// relational databases are what graph databases beat on connected data.
		want:   []string{"amazon-neptune", "graph-databases", "neo4j", "relational-databases"},
		oracle: func(d *dataset.Dataset) []string { return reachOf(d, "fraud-detection", 2, nil, "", "database") },
	}, {
		ask: "Which technologies are related to both microservices and observability (within two relationships)?",
		query: `{ technologies(filter: {and: [{reach: {from: "microservices", hops: 2}}, {reach: {from: "observability", hops: 2}}]}, first: 50) {
			nodes { slug } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["technologies"]) },
		want: []string{"cloud-native-tracing-solutions", "distributed-tracing", "event-driven-architecture", "fault-tolerance", "go", "jaeger",
			"load-balancing", "logs", "metrics", "monolithic-architecture", "opentelemetry", "saga-pattern", "service-discovery", "service-mesh",
			"telemetry-collection", "traces", "zipkin"},
		oracle: func(d *dataset.Dataset) []string {
			a := reachOf(d, "microservices", 2, nil, "", "any")
			return intersectSlugs(a, reachOf(d, "observability", 2, nil, "", "any"), typeOf(d, domain.TypeTechnology))
		},
	}, {
		ask:    "Which tracing tools does the article name?",
		query:  `{ technologies(filter: {kinds: [TOOL], reach: {from: "distributed-tracing"}}) { nodes { slug } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["technologies"]) },
		want:   []string{"jaeger", "zipkin"},
		oracle: func(d *dataset.Dataset) []string { return reachOf(d, "distributed-tracing", 1, nil, "", "tool") },
	}, {
		ask:    "What does a microservices architecture require?",
		query:  `{ entities(filter: {reach: {from: "microservices", kinds: [REQUIRES], direction: OUTGOING}}) { nodes { slug } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["entities"]) },
		want:   []string{"distributed-tracing", "fault-tolerance", "load-balancing", "observability", "service-discovery"},
		oracle: func(d *dataset.Dataset) []string {
			return reachOf(d, "microservices", 1, []domain.RelKind{domain.RelRequires}, "out", "any")
		},
	}, {
		ask:    "What does microservices lead to itself (its outgoing relationships only, not those of what enables it)?",
		query:  `{ entities(filter: {reach: {from: "microservices", direction: OUTGOING}}, first: 50) { nodes { slug } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["entities"]) },
		oracle: func(d *dataset.Dataset) []string { return reachOf(d, "microservices", 1, nil, "out", "any") },
		want: []string{"shift-to-distributed-systems", "microservices-architecture", "large-scale-applications", "whole-application-scaling",
			"system-wide-change-impact", "event-driven-architecture", "monolithic-architecture", "fault-tolerance", "distributed-tracing",
			"service-discovery", "observability", "load-balancing", "independent-team-development", "per-service-scaling",
			"independent-deployment", "per-service-technology-choice", "cross-service-data-consistency", "distributed-systems-complexity",
			"explicit-service-networking", "critical-observability-needs", "saga-pattern"},
	}, {
		ask: "What do Jaeger and Zipkin have in common?",
		query: `{ compare(ids: ["jaeger", "zipkin"]) { sharedNeighbors { neighbors { slug } } sharedTradeoffs { slug }
			unique { neighbors { slug } tradeoffs { slug } } } }`,
		answer: func(d map[string]any) []string {
			c := d["compare"].(map[string]any)
			return append(append(slugsIn(c["sharedNeighbors"]), slugsIn(c["sharedTradeoffs"])...), slugsIn(c["unique"])...)
		},
		// Both trace requests across services, both give request-path visibility and help find
		// bottlenecks and bugs; neither has anything the other lacks.
		want: []string{"distributed-tracing", "distributed-tracing-adoption", "request-path-visibility", "bottleneck-and-bug-diagnosis"},
	}, {
		ask:    "Which tags do AWS Lambda, Azure Functions and Google Cloud Functions share?",
		query:  `{ compare(ids: ["aws-lambda", "azure-functions", "google-cloud-functions"]) { sharedTags } }`,
		answer: func(d map[string]any) []string { return stringsIn(d["compare"].(map[string]any)["sharedTags"]) },
		want:   []string{"serverless", "faas"},
	}, {
		ask:    "What sets the three serverless platforms apart from each other?",
		query:  `{ compare(ids: ["aws-lambda", "azure-functions", "google-cloud-functions"]) { unique { neighbors { slug } } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["compare"]) },
		// Only their vendors: each is one cloud's platform.
		want: []string{"aws", "microsoft-azure", "google-cloud"}, ordered: true,
	}, {
		ask:   "Which benefits and challenges does GraphQL have that REST does not?",
		query: `{ compare(ids: ["rest", "graphql"]) { unique { entity { slug } tradeoffs { slug } } } }`,
		answer: func(d map[string]any) []string {
			u := d["compare"].(map[string]any)["unique"].([]any)
			return slugsIn(u[1].(map[string]any)["tradeoffs"])
		},
		want: []string{"strong-api-tooling", "no-over-fetching", "no-under-fetching", "self-documenting-schema", "faster-development-fewer-errors",
			"client-centric-api-design", "steep-learning-curve", "flexibility-performance-risk", "query-optimization-difficulty", "different-caching-strategies"},
	}, {
		ask:    "How is Go tied to microservices (by slug, no ID lookup first)?",
		query:  `{ path(from: "go", to: "microservices") { steps { relationship { kind } } nodes { slug } } }`,
		answer: func(d map[string]any) []string { return append(slugsIn(d["path"]), kindsIn(d["path"])...) },
		want:   []string{"go", "microservices", "ENABLES"}, ordered: true,
	}, {
		ask:    "What is directly around observability?",
		query:  `{ neighborhood(id: "observability") { nodes { entity { slug } } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["neighborhood"]) },
		want: []string{"troubleshooting-distributed-systems", "complementary-system-views", "observability-vendor-lock-in", "logs", "metrics",
			"vendor-neutral-observability", "distributed-tracing-adoption", "traces", "opentelemetry", "telemetry-collection", "microservices"},
		oracle: func(d *dataset.Dataset) []string { return reachOf(d, "observability", 1, nil, "", "any") },
	}, {
		ask:    "Fetch Go and Rust by slug.",
		query:  `{ nodes(ids: ["go", "rust", "no-such-thing"]) { ... on Technology { slug } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["nodes"]) },
		want:   []string{"go", "rust"}, ordered: true,
	}, {
		ask:   "Which entities does the article support with what it says about performance bottlenecks?",
		query: `{ search(query: "bottlenecks", evidence: true) { edges { node { slug } passage { section paragraph } } } }`,
		answer: func(d map[string]any) []string {
			var out []string
			for _, e := range d["search"].(map[string]any)["edges"].([]any) {
				if p, _ := e.(map[string]any)["passage"].(map[string]any); p != nil {
					out = append(out, slugsIn(e.(map[string]any)["node"])[0]+"@"+fmt.Sprint(p["section"], " ¶", p["paragraph"]))
				}
			}
			return out
		},
		want: []string{"cloud-native-tracing-solutions", "request-path-visibility", "distributed-tracing-adoption", "distributed-tracing", "jaeger", "zipkin"},
		oracle: func(d *dataset.Dataset) []string {
			// Those citing the tracing paragraph, less those whose own fields say "bottleneck".
			return citing(d, domain.Citation{Section: "Observability and Monitoring", Paragraph: 2}, "bottleneck-and-bug-diagnosis", "troubleshooting-distributed-systems")
		},
	}, {
		ask:    "What does the article say about cold starts, latency or Kubernetes (any of the words, best matches first)?",
		query:  `{ search(query: "kubernetes cold start latency", mode: ANY_WORD, first: 3) { edges { matchedWords node { slug } } } }`,
		answer: func(d map[string]any) []string { return slugsIn(d["search"]) },
		// Cold starts matches three of the words; the others one each, and of those the word
		// Kubernetes is the whole of its name, latency half of Lower latency's.
		want: []string{"cold-starts", "kubernetes", "lower-latency"}, ordered: true,
	}}
}

func TestGraphQuestions(t *testing.T) {
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, d, Options{Texts: texts})
	for _, q := range graphQuestions() {
		t.Run(q.ask, func(t *testing.T) {
			var data map[string]any
			e.query(t, q.query, &data)
			got := q.answer(data)
			for i, g := range got {
				got[i], _, _ = strings.Cut(g, "@") // evidence answers carry their passage
			}
			if !sameAnswer(got, q.want, q.ordered) {
				t.Errorf("got %v\nwant %v", got, q.want)
			}
			if q.oracle != nil {
				if o := q.oracle(d); !sameAnswer(got, o, false) {
					t.Errorf("got %v\nthe dataset says %v", got, o)
				}
			}
		})
	}
}

// Each evidence answer names the passage it matched, whose text holds the word.
func TestEvidenceNamesThePassage(t *testing.T) {
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, d, Options{Texts: texts})
	var resp struct {
		Search struct {
			TotalCount int
			Edges      []struct {
				MatchedWords int
				Node         struct{ Slug string }
				Passage      *struct {
					Section   string
					Paragraph int
					Excerpt   string
				}
			}
		}
	}
	e.query(t, `{ search(query: "replication backups", evidence: true) { totalCount edges { matchedWords node { slug } passage { section paragraph excerpt } } } }`, &resp)
	passages := 0
	for _, h := range resp.Search.Edges {
		if h.MatchedWords != 2 {
			t.Errorf("%s matches %d words, want 2", h.Node.Slug, h.MatchedWords)
		}
		if p := h.Passage; p != nil {
			passages++
			if p.Section != "Database Technologies" || p.Paragraph != 2 || !strings.Contains(p.Excerpt, "replication, backups") {
				t.Errorf("%s: passage %+v", h.Node.Slug, p)
			}
		}
	}
	if passages == 0 || passages == len(resp.Search.Edges) {
		t.Fatalf("want hits by own fields and by evidence: %+v", resp.Search.Edges)
	}
	// Without evidence, the same search finds only the entities whose own fields hold the words;
	// without the source text on the server, evidence finds nothing more.
	var plain struct{ Search struct{ TotalCount int } }
	e.query(t, `{ search(query: "replication backups") { totalCount } }`, &plain)
	noText := newEnv(t)
	var without struct{ Search struct{ TotalCount int } }
	noText.query(t, `{ search(query: "replication backups", evidence: true) { totalCount } }`, &without)
	if plain.Search.TotalCount != resp.Search.TotalCount-passages || without.Search.TotalCount != plain.Search.TotalCount {
		t.Fatalf("plain %d, with evidence %d (%d by passage), evidence without text %d", plain.Search.TotalCount, resp.Search.TotalCount, passages, without.Search.TotalCount)
	}
}

// The default search is unchanged: every word must match.
func TestSearchModes(t *testing.T) {
	e := newEnv(t)
	var all, any struct {
		Search struct {
			TotalCount int
			Edges      []struct{ MatchedWords int }
		}
	}
	e.query(t, `{ search(query: "kubernetes cold") { totalCount edges { matchedWords } } }`, &all)
	e.query(t, `{ search(query: "kubernetes cold", mode: ANY_WORD, first: 100) { totalCount edges { matchedWords } } }`, &any)
	if all.Search.TotalCount != 0 || any.Search.TotalCount < 2 {
		t.Fatalf("every word: %d hits; any word: %d", all.Search.TotalCount, any.Search.TotalCount)
	}
	// Words matched rank before score: GraphQL itself (whose exact name outscores everything)
	// matches one of the two words, so it comes after every hit matching both.
	var ranked struct {
		Search struct {
			Edges []struct {
				MatchedWords int
				Node         struct{ Slug string }
			}
		}
	}
	e.query(t, `{ search(query: "graphql rest", mode: ANY_WORD, first: 100) { edges { matchedWords node { slug } } } }`, &ranked)
	edges := ranked.Search.Edges
	for i := 1; i < len(edges); i++ {
		if edges[i].MatchedWords > edges[i-1].MatchedWords {
			t.Fatalf("any-word hits not ranked by words matched: %+v", edges)
		}
	}
	if len(edges) < 3 || edges[0].MatchedWords != 2 || !slices.ContainsFunc(edges, func(h struct {
		MatchedWords int
		Node         struct{ Slug string }
	}) bool {
		return h.Node.Slug == "graphql" && h.MatchedWords == 1
	}) {
		t.Fatalf("graphql rest: %+v", edges)
	}
}

// In any-word mode an entity whose own fields hold one word and whose cited passage holds both
// is found through the passage, counting both words.
func TestEvidenceOutmatchesOwnFields(t *testing.T) {
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, d, Options{Texts: texts})
	var plain, ev struct {
		Search struct {
			Edges []struct {
				MatchedWords int
				Node         struct{ Slug string }
				Passage      *struct{ Paragraph int }
			}
		}
	}
	q := `query($ev: Boolean) { search(query: "replication expertise", mode: ANY_WORD, evidence: $ev, first: 100) {
		edges { matchedWords node { slug } passage { paragraph } } } }`
	e.query(t, q, &plain, client.Var("ev", false))
	e.query(t, q, &ev, client.Var("ev", true))
	find := func(edges []struct {
		MatchedWords int
		Node         struct{ Slug string }
		Passage      *struct{ Paragraph int }
	}) (int, bool) {
		for _, h := range edges {
			if h.Node.Slug == "cloud-native-databases" {
				return h.MatchedWords, h.Passage != nil
			}
		}
		return 0, false
	}
	if n, p := find(plain.Search.Edges); n != 1 || p {
		t.Fatalf("by its own fields: %d words, passage %v", n, p)
	}
	if n, p := find(ev.Search.Edges); n != 2 || !p {
		t.Fatalf("with evidence: %d words, passage %v", n, p)
	}
	// A passage matches other forms of the words, as the entities' fields do.
	var forms struct {
		Search struct {
			Edges []struct {
				MatchedWords int
				Node         struct{ Slug string }
				Passage      *struct{ Paragraph int }
			}
		}
	}
	e.query(t, `{ search(query: "replicated expertise", mode: ANY_WORD, evidence: true, first: 100) {
		edges { matchedWords node { slug } passage { paragraph } } } }`, &forms)
	if n, p := find(forms.Search.Edges); n != 2 || !p {
		t.Fatalf("other forms, with evidence: %d words, passage %v", n, p)
	}
}

// Bad reach and slug arguments are the caller's mistakes, with stable codes, naming the value.
func TestGraphQuestionErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ name, q, code, mentions string }{
		{"four hops", `{ entities(filter: {reach: {from: "go", hops: 4}}) { totalCount } }`, CodeBadUserInput, "reach hops"},
		{"zero hops", `{ entities(filter: {reach: {from: "go", hops: 0}}) { totalCount } }`, CodeBadUserInput, "reach hops"},
		{"unknown reach slug", `{ entities(filter: {reach: {from: "cobol-on-cogs"}}) { totalCount } }`, CodeNotFound, "cobol-on-cogs"},
		{"not a slug", `{ entities(filter: {reach: {from: "Not A Slug"}}) { totalCount } }`, CodeBadUserInput, "Not A Slug"},
		{"reach in facets", `{ facets(filter: {not: {reach: {from: "nope-nope"}}}) { totalCount } }`, CodeNotFound, "nope-nope"},
		{"unknown path end", `{ path(from: "go", to: "cobol-on-cogs") { length } }`, CodeNotFound, "cobol-on-cogs"},
		{"unknown centre", `{ neighborhood(id: "cobol-on-cogs") { truncated } }`, CodeNotFound, "cobol-on-cogs"},
		{"unknown compared", `{ compare(ids: ["go", "cobol-on-cogs"]) { sharedTags } }`, CodeNotFound, "cobol-on-cogs"},
		{"same entity twice", `{ compare(ids: ["go", "go"]) { sharedTags } }`, CodeBadUserInput, "distinct"},
		{"too many compared", `{ compare(ids: [` + strings.Repeat(`"go",`, 11) + `]) { sharedTags } }`, CodeBadUserInput, "compare ids"},
		{"garbage in nodes", `{ nodes(ids: ["!!!"]) { id } }`, CodeBadUserInput, "!!!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := e.gqlErrors(t, c.q)
			if codeOf(errs) != c.code || !strings.Contains(errs[0].Message, c.mentions) {
				t.Fatalf("got %+v, want code %s mentioning %q", errs, c.code, c.mentions)
			}
		})
	}
}

// A reach filter's size counts its hops, so the filter-size limit bounds it too.
func TestReachCountsInTheFilterSize(t *testing.T) {
	e := newEnvWith(t, kbtest.Curated(t), Options{MaxFilterSize: 10})
	q := `query($f: EntityFilter) { entities(filter: $f) { totalCount } }`
	reach := func(hops int) map[string]any {
		return map[string]any{"reach": map[string]any{"from": "go", "hops": hops}}
	}
	// 1 + (1 + 3×2) = 8 fits; 1 + (1 + 3×3) = 11 does not.
	var ok struct{ Entities struct{ TotalCount int } }
	e.query(t, q, &ok, client.Var("f", reach(2)))
	if errs := e.gqlErrors(t, q, map[string]any{"f": reach(3)}); codeOf(errs) != CodeFilterSizeLimit {
		t.Fatalf("a 3-hop reach under a filter-size limit of 10: %+v", errs)
	}
}

// reachOf walks the dataset's relationships (listed and derived) from slug, as a reach filter
// does: kinds empty follows all, dir "out" only outgoing, and keeps the entities of the kind
// (a technology kind, or "any").
func reachOf(d *dataset.Dataset, slug string, hops int, kinds []domain.RelKind, dir, kind string) []string {
	kindOf := map[string]string{}
	for _, e := range d.Entities {
		kindOf[e.Slug] = e.Kind
	}
	seen := map[string]bool{slug: true}
	frontier := []string{slug}
	var out []string
	for range hops {
		var next []string
		for _, at := range frontier {
			for _, r := range d.AllRelationships() {
				if len(kinds) > 0 && !slices.Contains(kinds, r.Kind) {
					continue
				}
				other := ""
				switch {
				case r.From == at:
					other = r.To
				case r.To == at && dir != "out":
					other = r.From
				}
				if other != "" && !seen[other] {
					seen[other] = true
					next = append(next, other)
				}
			}
		}
		frontier = next
		out = append(out, next...)
	}
	return slices.DeleteFunc(out, func(s string) bool { return kind != "any" && kindOf[s] != kind })
}

func typeOf(d *dataset.Dataset, t domain.EntityType) map[string]bool {
	out := map[string]bool{}
	for _, e := range d.Entities {
		if e.Type == t {
			out[e.Slug] = true
		}
	}
	return out
}

func intersectSlugs(a, b []string, keep map[string]bool) []string {
	var out []string
	for _, s := range a {
		if slices.Contains(b, s) && keep[s] {
			out = append(out, s)
		}
	}
	return out
}

// citing lists the entities citing the passage (as written, without a source), except some.
func citing(d *dataset.Dataset, c domain.Citation, except ...string) []string {
	var out []string
	for _, e := range d.Entities {
		if slices.Contains(e.Citations, c) && !slices.Contains(except, e.Slug) {
			out = append(out, e.Slug)
		}
	}
	return out
}

// slugsIn collects every "slug" value under v, depth first, in response order.
func slugsIn(v any) []string {
	return valuesIn(v, "slug")
}

func kindsIn(v any) []string { return valuesIn(v, "kind") }

func valuesIn(v any, key string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if s, ok := x[k].(string); ok && k == key {
				out = append(out, s)
				continue
			}
			out = append(out, valuesIn(x[k], key)...)
		}
	case []any:
		for _, y := range x {
			out = append(out, valuesIn(y, key)...)
		}
	}
	return out
}

func stringsIn(v any) []string {
	var out []string
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &out)
	return out
}

func sameAnswer(got, want []string, ordered bool) bool {
	if !ordered {
		got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	}
	return slices.Equal(got, want)
}

// The passage index follows the data: an entity created citing a passage is found through it
// at once, and a reach filter sees a relationship as soon as it is written.
func TestGraphQuestionsFollowWrites(t *testing.T) {
	e := newCuratorEnv(t)
	search := `{ search(query: "bottlenecks", evidence: true, first: 100) { edges { node { slug } passage { section } } } }`
	has := func(slug string) bool {
		var resp map[string]any
		e.query(t, search, &resp)
		return slices.Contains(slugsIn(resp["search"]), slug)
	}
	if has("trace-viewer") {
		t.Fatal("found before it exists")
	}
	e.query(t, `mutation { createEntity(input: {reason: "the article names such tools", type: TECHNOLOGY, slug: "trace-viewer",
		name: "Trace viewer", summary: "Shows a request's spans.", kind: TOOL, lifecycle: MATURE,
		citations: [{section: "Observability and Monitoring", paragraph: 2}]}) { entity { slug } } }`, new(any))
	if !has("trace-viewer") {
		t.Fatal("an entity citing the passage is not found through it after it was created")
	}
	reach := `{ technologies(filter: {kinds: [TOOL], reach: {from: "distributed-tracing"}}) { nodes { slug } } }`
	var before, after map[string]any
	e.query(t, reach, &before)
	e.query(t, `mutation { relate(input: {reason: "it shows traces", from: "trace-viewer", kind: INTEGRATES_WITH, to: "distributed-tracing", rationale: "It displays traces.",
		citations: [{section: "Observability and Monitoring", paragraph: 2}]}) { relationship { kind } } }`, new(any))
	e.query(t, reach, &after)
	if slices.Contains(slugsIn(before), "trace-viewer") || !slices.Contains(slugsIn(after), "trace-viewer") {
		t.Fatalf("reach before the relationship: %v; after: %v", slugsIn(before), slugsIn(after))
	}
}
