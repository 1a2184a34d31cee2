package graph

import (
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/trendgraph/trendgraph/dataset"
)

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type slugConn struct {
	TotalCount int
	PageInfo   pageInfo
	Edges      []struct {
		Cursor string
		Node   struct{ Slug, Name string }
	}
	Nodes []struct{ Slug string }
}

func (c slugConn) slugs() []string {
	var out []string
	for _, e := range c.Edges {
		out = append(out, e.Node.Slug)
	}
	return out
}

const connFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { slug name } } nodes { slug }`

func codeOf(errs []gqlError) string {
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

func TestLookupsBySlugAndID(t *testing.T) {
	e := newEnv(t)
	var resp struct {
		Technology struct {
			ID, Slug, Name, Summary, Kind, Lifecycle string
			Aliases, Tags                            []string
			Vendor                                   struct{ Slug string }
		}
		Trend struct {
			Slug, Status string
			Parent       *struct{ Slug string }
		}
		Tradeoff struct{ Slug, Type string }
		UseCase  struct{ Slug string }
		Org      struct {
			Slug    string
			Aliases []string
		} `json:"organization"`
		Skill  struct{ Slug string }
		Entity struct {
			Typename string `json:"__typename"`
			Slug     string
		}
	}
	e.query(t, `{
		technology(slug: "aws-lambda") { id slug name summary kind lifecycle aliases tags vendor { slug } }
		trend(slug: "distributed-tracing-adoption") { slug status parent { slug } }
		tradeoff(slug: "cold-starts") { slug type }
		useCase(slug: "fraud-detection") { slug }
		organization(slug: "aws") { slug aliases }
		skill(slug: "continuous-learning") { slug }
		entity(slug: "neo4j") { __typename slug }
	}`, &resp)
	if resp.Technology.Kind != "CLOUD_SERVICE" || resp.Technology.Vendor.Slug != "aws" || resp.Technology.Summary == "" {
		t.Fatalf("technology: %+v", resp.Technology)
	}
	if resp.Trend.Parent == nil || resp.Trend.Parent.Slug != "observability" {
		t.Fatalf("trend parent: %+v", resp.Trend)
	}
	if resp.Tradeoff.Type != "CHALLENGE" || resp.Entity.Typename != "Technology" || resp.UseCase.Slug != "fraud-detection" || resp.Skill.Slug == "" {
		t.Fatalf("lookups: %+v", resp)
	}
	// The global ID resolves back through node and nodes.
	var nodes struct {
		Node struct {
			Typename string `json:"__typename"`
			ID       string
		}
		Nodes []*struct{ ID string }
	}
	e.query(t, `query($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id, $id]) { id } }`, &nodes, client.Var("id", resp.Technology.ID))
	if nodes.Node.Typename != "Technology" || nodes.Node.ID != resp.Technology.ID || len(nodes.Nodes) != 2 {
		t.Fatalf("node: %+v", nodes)
	}
}

func TestNotFoundAndBadIDs(t *testing.T) {
	e := newEnv(t)
	cases := []struct{ name, q, code string }{
		{"unknown slug", `{ technology(slug: "cobol-on-cogs") { name } }`, CodeNotFound},
		{"slug of another type", `{ trend(slug: "aws-lambda") { name } }`, CodeNotFound},
		{"garbage id", `{ node(id: "!!!") { id } }`, CodeBadUserInput},
		{"id of nothing", `{ node(id: "VGVjaG5vbG9neTpiZWVm") { id } }`, CodeNotFound},
		{"unknown radar", `{ radar(slug: "nope") { name } }`, CodeNotFound},
		{"bad date", `{ radar(slug: "backend-2026") { entries(edition: "2026-13-45") { totalCount } } }`, CodeBadUserInput},
		{"unknown edition", `{ radar(slug: "backend-2026") { entries(edition: "2020-01-01") { totalCount } } }`, CodeNotFound},
		{"unknown enum", `{ technologies(filter: {kinds: [TELEPATHY]}) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"wrong variable type", `query($n: Int) { technologies(first: $n) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown field", `{ technology(slug: "go") { colour } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax", `{ technology(slug: "go") { name }`, "GRAPHQL_PARSE_FAILED"},
		{"too many nodes", `{ nodes(ids: [` + strings.Repeat(`"x",`, 101) + `]) { id } }`, CodeBadUserInput},
		{"path from a non-entity", `{ path(from: "U291cmNlOng", to: "U291cmNlOng") { length } }`, CodeBadUserInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vars []map[string]any
			if c.name == "wrong variable type" {
				vars = append(vars, map[string]any{"n": "ten"})
			}
			errs := e.gqlErrors(t, c.q, vars...)
			if codeOf(errs) != c.code || errs[0].Message == "" {
				t.Fatalf("got %+v, want code %s", errs, c.code)
			}
		})
	}
	// A missing entity in nodes is a null, not an error.
	var resp struct{ Nodes []*struct{ ID string } }
	e.query(t, `{ nodes(ids: ["VGVjaG5vbG9neTpiZWVm"]) { id } }`, &resp)
	if len(resp.Nodes) != 1 || resp.Nodes[0] != nil {
		t.Fatalf("nodes: %+v", resp.Nodes)
	}
}

func TestPaginationEdges(t *testing.T) {
	e := newEnv(t)
	last := checkPagesAgree(t, e)
	// Past 100 technologies, where the reference list spans pages.
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 250, Relationships: 250, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("250 technologies", func(t *testing.T) { checkPagesAgree(t, newEnvWith(t, d, Options{})) })

	// The default page is 20.
	var d20 struct{ Trends slugConn }
	e.query(t, `{ trends { `+connFields+` } }`, &d20)
	if len(d20.Trends.Edges) != 20 || !d20.Trends.PageInfo.HasNextPage {
		t.Fatalf("default page: %d", len(d20.Trends.Edges))
	}

	for _, bad := range []string{
		`{ technologies(first: 101) { totalCount } }`,
		`{ technologies(last: 1000) { totalCount } }`,
		`{ technologies(first: -1) { totalCount } }`,
		`{ technologies(first: 1, last: 1) { totalCount } }`,
		`{ technologies(after: "bm9wZQ") { totalCount } }`,
		`{ technologies(after: "%%%") { totalCount } }`,
		`{ technology(slug: "go") { relationships(first: 500) { totalCount } } }`,
	} {
		if errs := e.gqlErrors(t, bad); codeOf(errs) != CodeBadUserInput {
			t.Errorf("%s: %+v", bad, errs)
		}
	}
	// A cursor of one list is refused by another.
	var rel struct {
		Technology struct{ Relationships struct{ PageInfo pageInfo } }
	}
	e.query(t, `{ technology(slug: "go") { relationships(first: 1) { pageInfo { endCursor hasNextPage hasPreviousPage } } } }`, &rel)
	errs := e.gqlErrors(t, `query($c: String) { technologies(after: $c) { totalCount } }`, map[string]any{"c": rel.Technology.Relationships.PageInfo.EndCursor})
	if codeOf(errs) != CodeBadUserInput || !strings.Contains(errs[0].Message, "cursor") {
		t.Fatalf("foreign cursor: %+v", errs)
	}
	if errs := e.gqlErrors(t, `query($c: String) { technologies(orderBy: {field: SLUG}, after: $c) { totalCount } }`, map[string]any{"c": last}); codeOf(errs) != CodeBadUserInput {
		t.Fatalf("cursor of another order: %+v", errs)
	}
}

// checkPagesAgree pages through the technologies forwards and backwards in pages of 7 and
// checks both against the whole list, read in pages of 100, and the empty pages at both ends;
// it returns the last item's cursor. (The reference used to be the first page of 100 only, so
// the checks quietly stopped at 100 items once the dataset had more.)
func checkPagesAgree(t *testing.T, e *testEnv) (last string) {
	t.Helper()
	var want, names []string
	total := 0
	for after := (*string)(nil); ; {
		var r struct{ Technologies slugConn }
		e.query(t, `query($after: String) { technologies(first: 100, after: $after) { `+connFields+` } }`, &r, client.Var("after", after))
		page := r.Technologies
		total = page.TotalCount
		if len(page.Edges) != min(total-len(want), 100) {
			t.Fatalf("a page of 100 after %d of %d items has %d", len(want), total, len(page.Edges))
		}
		for _, edge := range page.Edges {
			want, names, last = append(want, edge.Node.Slug), append(names, edge.Node.Name), edge.Cursor
		}
		if !page.PageInfo.HasNextPage {
			break
		}
		after = page.PageInfo.EndCursor
	}
	if total < 60 || len(want) != total {
		t.Fatalf("pages of 100 gave %d of %d", len(want), total)
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Fatal("not ordered by name")
	}

	// Forwards in pages of 7, then backwards in pages of 7: the same list.
	var fwd []string
	var after *string
	for {
		var r struct{ Technologies slugConn }
		e.query(t, `query($after: String) { technologies(first: 7, after: $after) { `+connFields+` } }`, &r, client.Var("after", after))
		fwd = append(fwd, r.Technologies.slugs()...)
		if (after != nil) != r.Technologies.PageInfo.HasPreviousPage {
			t.Fatalf("hasPreviousPage %v after %v", r.Technologies.PageInfo.HasPreviousPage, after)
		}
		if !r.Technologies.PageInfo.HasNextPage {
			break
		}
		after = r.Technologies.PageInfo.EndCursor
	}
	var back []string
	var before *string
	for {
		var r struct{ Technologies slugConn }
		e.query(t, `query($before: String) { technologies(last: 7, before: $before) { `+connFields+` } }`, &r, client.Var("before", before))
		back = append(r.Technologies.slugs(), back...)
		if !r.Technologies.PageInfo.HasPreviousPage {
			break
		}
		before = r.Technologies.PageInfo.StartCursor
	}
	if !slices.Equal(fwd, want) || !slices.Equal(back, fwd) {
		t.Fatalf("paging forwards gave %d, backwards %d, of %d", len(fwd), len(back), total)
	}

	// Empty pages and the end of the list.
	var r struct{ Zero, End slugConn }
	e.query(t, `query($c: String) { zero: technologies(first: 0) { `+connFields+` } end: technologies(after: $c) { `+connFields+` } }`, &r, client.Var("c", last))
	if len(r.Zero.Edges) != 0 || r.Zero.TotalCount != total || !r.Zero.PageInfo.HasNextPage || r.Zero.PageInfo.StartCursor != nil {
		t.Fatalf("first 0: %+v", r.Zero)
	}
	if len(r.End.Edges) != 0 || r.End.PageInfo.HasNextPage || !r.End.PageInfo.HasPreviousPage {
		t.Fatalf("beyond the end: %+v", r.End)
	}
	return last
}

func TestNestedConnectionsPage(t *testing.T) {
	e := newEnv(t)
	var r struct {
		Technology struct {
			Relationships struct {
				TotalCount int
				PageInfo   pageInfo
				Edges      []struct {
					Cursor    string
					Direction string
					Other     struct{ Slug string }
					Node      struct {
						Kind      string
						Derived   bool
						Rationale *string
						From, To  struct{ Slug string }
					}
				}
			}
		}
	}
	e.query(t, `{ technology(slug: "go") { relationships(first: 3) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
		edges { cursor direction other { slug } node { kind derived rationale from { slug } to { slug } } } } } }`, &r)
	rels := r.Technology.Relationships
	if rels.TotalCount <= 3 || len(rels.Edges) != 3 || !rels.PageInfo.HasNextPage {
		t.Fatalf("relationships: %+v", rels)
	}
	for _, edge := range rels.Edges {
		n := edge.Node
		if (edge.Direction == "OUTGOING") != (n.From.Slug == "go") || (edge.Direction == "OUTGOING" && n.To.Slug != edge.Other.Slug) {
			t.Fatalf("edge ends: %+v", edge)
		}
		if !n.Derived && n.Rationale == nil {
			t.Fatalf("listed relationship without rationale: %+v", edge)
		}
	}
	// Outgoing only, of one kind.
	var k struct {
		Technology struct {
			Relationships struct {
				TotalCount int
				Edges      []struct {
					Direction string
					Node      struct{ Kind string }
				}
			}
		}
	}
	e.query(t, `{ technology(slug: "kubernetes") { relationships(direction: OUTGOING, kinds: [WRITTEN_IN]) { totalCount edges { direction node { kind } } } } }`, &k)
	if k.Technology.Relationships.TotalCount != 1 || k.Technology.Relationships.Edges[0].Node.Kind != "WRITTEN_IN" {
		t.Fatalf("kubernetes written in: %+v", k)
	}
}

func TestFiltersAndOrder(t *testing.T) {
	e := newEnv(t)
	count := func(filter string) (int, []string) {
		var r struct{ Entities slugConn }
		e.query(t, `{ entities(first: 100, filter: `+filter+`) { `+connFields+` } }`, &r)
		return r.Entities.TotalCount, r.Entities.slugs()
	}
	n, slugs := count(`{kinds: [DATABASE]}`)
	if n < 5 || !slices.Contains(slugs, "neo4j") || slices.Contains(slugs, "go") {
		t.Fatalf("databases: %d %v", n, slugs)
	}
	lang, _ := count(`{kinds: [LANGUAGE]}`)
	either, _ := count(`{or: [{kinds: [DATABASE]}, {kinds: [LANGUAGE]}]}`)
	if either != n+lang {
		t.Fatalf("or: %d != %d + %d", either, n, lang)
	}
	notDB, _ := count(`{and: [{not: {kinds: [DATABASE]}}, {kinds: [DATABASE, LANGUAGE]}]}`)
	if notDB != lang {
		t.Fatalf("and/not: %d != %d", notDB, lang)
	}
	_, traced := count(`{trends: ["distributed-tracing-adoption"]}`)
	if !slices.Contains(traced, "jaeger") {
		t.Fatalf("trend filter: %v", traced)
	}
	_, adopt := count(`{ring: {radar: "backend-2026", rings: ["hold"]}}`)
	if !slices.Contains(adopt, "lamp-stack") || slices.Contains(adopt, "kubernetes") {
		t.Fatalf("ring filter: %v", adopt)
	}
	_, text := count(`{text: "serverl"}`)
	if !slices.Contains(text, "aws-lambda") {
		t.Fatalf("text filter: %v", text)
	}
	all, _ := count(`{tagsAll: ["serverless", "faas"]}`)
	anyOf, _ := count(`{tagsAny: ["serverless", "faas"]}`)
	if all > anyOf {
		t.Fatalf("tagsAll %d > tagsAny %d", all, anyOf)
	}
	var r struct{ Trends slugConn }
	e.query(t, `{ trends(first: 100, filter: {statuses: [EMERGING]}, orderBy: {field: SLUG, direction: DESC}) { `+connFields+` } }`, &r)
	got := r.Trends.slugs()
	if len(got) == 0 || !slices.IsSortedFunc(got, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("emerging trends by slug desc: %v", got)
	}
	deep := `{not: ` + strings.Repeat(`{not: `, 9) + `{kinds: [DATABASE]}` + strings.Repeat(`}`, 10)
	if errs := e.gqlErrors(t, `{ entities(filter: `+deep+`) { totalCount } }`); codeOf(errs) != CodeBadUserInput {
		t.Fatalf("deep filter: %+v", errs)
	}
}

func TestSearchRanksAndPages(t *testing.T) {
	e := newEnv(t)
	type searchResp struct {
		Search struct {
			TotalCount int
			PageInfo   pageInfo
			Edges      []struct {
				Score float64
				Node  struct {
					Typename string `json:"__typename"`
					Slug     string
				}
			}
		}
	}
	var r searchResp
	e.query(t, `{ search(query: "graphql", first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { score node { __typename slug } } } }`, &r)
	if r.Search.TotalCount < 5 || r.Search.Edges[0].Node.Slug != "graphql" {
		t.Fatalf("graphql search: %+v", r.Search)
	}
	for i := 1; i < len(r.Search.Edges); i++ {
		if r.Search.Edges[i].Score > r.Search.Edges[i-1].Score {
			t.Fatal("not ranked by score")
		}
	}
	var next searchResp
	e.query(t, `query($c: String) { search(query: "graphql", first: 5, after: $c) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { score node { slug } } } }`, &next, client.Var("c", r.Search.PageInfo.EndCursor))
	if !next.Search.PageInfo.HasPreviousPage || len(next.Search.Edges) == 0 || next.Search.Edges[0].Score > r.Search.Edges[4].Score {
		t.Fatalf("second page: %+v", next.Search)
	}
	var typed searchResp
	e.query(t, `{ search(query: "serverless", types: [TRADEOFF]) { totalCount edges { node { __typename slug } } } }`, &typed)
	for _, edge := range typed.Search.Edges {
		if edge.Node.Typename != "Tradeoff" {
			t.Fatalf("typed search returned %s", edge.Node.Typename)
		}
	}
	if errs := e.gqlErrors(t, `{ search(query: "  the of ") { totalCount } }`); codeOf(errs) != CodeBadUserInput {
		t.Fatalf("empty query: %+v", errs)
	}
}

// The three questions the issue asks us to answer in one query each.
func TestQuestionsInOneQuery(t *testing.T) {
	e := newEnv(t)
	t.Run("which challenges of microservices a service mesh addresses, and which meshes exist", func(t *testing.T) {
		var r struct {
			Technology struct {
				Relationships struct {
					Edges []struct {
						Other struct {
							Slug      string
							AppliesTo struct{ Nodes []struct{ Slug string } }
						}
					}
				}
				Implementations struct{ Nodes []struct{ Slug string } }
			}
		}
		e.query(t, `{ technology(slug: "service-mesh") {
			relationships(direction: OUTGOING, kinds: [ADDRESSES]) { edges { other { slug ... on Tradeoff { appliesTo(first: 100) { nodes { slug } } } } } }
			implementations { nodes { slug } } } }`, &r)
		var challenges []string
		for _, edge := range r.Technology.Relationships.Edges {
			for _, n := range edge.Other.AppliesTo.Nodes {
				if n.Slug == "microservices" {
					challenges = append(challenges, edge.Other.Slug)
				}
			}
		}
		var meshes []string
		for _, n := range r.Technology.Implementations.Nodes {
			meshes = append(meshes, n.Slug)
		}
		slices.Sort(meshes)
		if len(challenges) < 2 || !slices.Equal(meshes, []string{"aws-app-mesh", "istio", "linkerd"}) {
			t.Fatalf("challenges %v, meshes %v", challenges, meshes)
		}
	})
	t.Run("how OpenTelemetry is connected to Kubernetes", func(t *testing.T) {
		var ids struct{ A, B struct{ ID string } }
		e.query(t, `{ a: technology(slug: "opentelemetry") { id } b: technology(slug: "kubernetes") { id } }`, &ids)
		var r struct {
			Path *struct {
				Length int
				Nodes  []struct{ Slug string }
				Steps  []struct {
					Direction    string
					From, To     struct{ Slug string }
					Relationship struct {
						Kind     string
						From, To struct{ Slug string }
					}
				}
			}
		}
		e.query(t, `query($a: ID!, $b: ID!) { path(from: $a, to: $b, maxDepth: 6) { length nodes { slug }
			steps { direction from { slug } to { slug } relationship { kind from { slug } to { slug } } } } }`, &r,
			client.Var("a", ids.A.ID), client.Var("b", ids.B.ID))
		p := r.Path
		if p == nil || p.Length < 1 || p.Nodes[0].Slug != "opentelemetry" || p.Nodes[len(p.Nodes)-1].Slug != "kubernetes" || len(p.Steps) != p.Length {
			t.Fatalf("path: %+v", p)
		}
		for i, s := range p.Steps {
			if s.From.Slug != p.Nodes[i].Slug || s.To.Slug != p.Nodes[i+1].Slug {
				t.Fatalf("step %d does not chain: %+v", i, s)
			}
			fwd := s.Relationship.From.Slug == s.From.Slug && s.Relationship.To.Slug == s.To.Slug
			rev := s.Relationship.From.Slug == s.To.Slug && s.Relationship.To.Slug == s.From.Slug
			if (s.Direction == "OUTGOING" && !fwd) || (s.Direction == "INCOMING" && !rev) {
				t.Fatalf("step %d direction %s does not match its relationship: %+v", i, s.Direction, s)
			}
		}
	})
	t.Run("what future trends need from backend developers, with their technologies", func(t *testing.T) {
		var r struct {
			Trends struct {
				Nodes []struct {
					Slug           string
					Citations      []struct{ Section string }
					RequiredSkills struct{ Nodes []struct{ Slug string } }
					Technologies   struct{ Nodes []struct{ Slug string } }
				}
			}
		}
		e.query(t, `{ trends(first: 100) { nodes { slug citations { section } requiredSkills { nodes { slug } } technologies { nodes { slug } } } } }`, &r)
		found := 0
		for _, n := range r.Trends.Nodes {
			future := slices.ContainsFunc(n.Citations, func(c struct{ Section string }) bool { return c.Section == "The Future of Backend Development" })
			if future && len(n.RequiredSkills.Nodes) > 0 && len(n.Technologies.Nodes) > 0 {
				found++
			}
		}
		if found < 3 {
			t.Fatalf("only %d future trends with skills and technologies", found)
		}
	})
}

func TestNeighborhoodBounds(t *testing.T) {
	e := newEnv(t)
	var id struct{ Technology struct{ ID string } }
	e.query(t, `{ technology(slug: "microservices") { id } }`, &id)
	type hood struct {
		Neighborhood struct {
			Center    struct{ Slug string }
			Truncated bool
			Nodes     []struct {
				Depth  int
				Entity struct{ Slug string }
			}
			Relationships []struct{ Kind string }
		}
	}
	var one, two, small hood
	e.query(t, `query($id: ID!) { neighborhood(id: $id) { center { slug } truncated nodes { depth entity { slug } } relationships { kind } } }`, &one, client.Var("id", id.Technology.ID))
	e.query(t, `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 500) { center { slug } truncated nodes { depth entity { slug } } relationships { kind } } }`, &two, client.Var("id", id.Technology.ID))
	e.query(t, `query($id: ID!) { neighborhood(id: $id, depth: 3, limit: 5) { center { slug } truncated nodes { depth entity { slug } } relationships { kind } } }`, &small, client.Var("id", id.Technology.ID))
	if one.Neighborhood.Center.Slug != "microservices" || len(one.Neighborhood.Nodes) == 0 || one.Neighborhood.Truncated {
		t.Fatalf("depth 1: %+v", one.Neighborhood)
	}
	for _, n := range one.Neighborhood.Nodes {
		if n.Depth != 1 {
			t.Fatalf("depth 1 holds depth %d", n.Depth)
		}
	}
	if len(two.Neighborhood.Nodes) <= len(one.Neighborhood.Nodes) {
		t.Fatalf("depth 2 (%d) not larger than depth 1 (%d)", len(two.Neighborhood.Nodes), len(one.Neighborhood.Nodes))
	}
	if len(small.Neighborhood.Nodes) != 5 || !small.Neighborhood.Truncated {
		t.Fatalf("limit 5: %d nodes, truncated %v", len(small.Neighborhood.Nodes), small.Neighborhood.Truncated)
	}
	for _, bad := range []string{`depth: 0`, `depth: 4`, `limit: 0`, `limit: 501`} {
		if errs := e.gqlErrors(t, `query($id: ID!) { neighborhood(id: $id, `+bad+`) { truncated } }`, map[string]any{"id": id.Technology.ID}); codeOf(errs) != CodeBadUserInput {
			t.Errorf("%s: %+v", bad, errs)
		}
	}
	for _, bad := range []string{`maxDepth: 0`, `maxDepth: 7`} {
		if errs := e.gqlErrors(t, `query($id: ID!) { path(from: $id, to: $id, `+bad+`) { length } }`, map[string]any{"id": id.Technology.ID}); codeOf(errs) != CodeBadUserInput {
			t.Errorf("%s: %+v", bad, errs)
		}
	}
	// No path within a depth of 1 between two distant entities: null, not an error.
	var far struct{ A, B struct{ ID string } }
	e.query(t, `{ a: technology(slug: "opentelemetry") { id } b: technology(slug: "php") { id } }`, &far)
	var none struct{ Path *struct{ Length int } }
	e.query(t, `query($a: ID!, $b: ID!) { path(from: $a, to: $b, maxDepth: 1) { length } }`, &none, client.Var("a", far.A.ID), client.Var("b", far.B.ID))
	if none.Path != nil {
		t.Fatalf("path within 1: %+v", none.Path)
	}
}

func TestCompareAndFacets(t *testing.T) {
	e := newEnv(t)
	var ids struct{ A, B struct{ ID string } }
	e.query(t, `{ a: technology(slug: "aws-lambda") { id } b: technology(slug: "google-cloud-functions") { id } }`, &ids)
	var r struct {
		Compare struct {
			Entities  []struct{ Slug string }
			Tradeoffs []struct {
				Shared   bool
				Tradeoff struct{ Slug string }
				Entities []struct{ Slug string }
			}
			Neighbors []struct {
				Kind, Direction string
				Shared          bool
				Neighbor        struct{ Slug string }
			}
			Assessments []struct {
				Ring   struct{ Slug string }
				Entity struct{ Slug string }
			}
		}
	}
	e.query(t, `query($a: ID!, $b: ID!) { compare(ids: [$a, $b]) { entities { slug } tradeoffs { shared tradeoff { slug } entities { slug } }
		neighbors { kind direction shared neighbor { slug } } assessments { ring { slug } entity { slug } } } }`, &r,
		client.Var("a", ids.A.ID), client.Var("b", ids.B.ID))
	c := r.Compare
	coldShared := slices.ContainsFunc(c.Tradeoffs, func(t struct {
		Shared   bool
		Tradeoff struct{ Slug string }
		Entities []struct{ Slug string }
	}) bool {
		return t.Tradeoff.Slug == "cold-starts" && t.Shared && len(t.Entities) == 2
	})
	if len(c.Entities) != 2 || !coldShared || len(c.Assessments) != 2 {
		t.Fatalf("compare: %+v", c)
	}
	if errs := e.gqlErrors(t, `query($a: ID!) { compare(ids: [$a]) { entities { slug } } }`, map[string]any{"a": ids.A.ID}); codeOf(errs) != CodeBadUserInput {
		t.Fatalf("compare one: %+v", errs)
	}

	var f struct {
		Facets struct {
			TotalCount int
			Types      []struct {
				Value string
				Count int
			}
			Kinds []struct {
				Value string
				Count int
			}
			Rings []struct {
				Value string
				Count int
			}
		}
		Technologies struct{ TotalCount int }
	}
	e.query(t, `{ facets(types: [TECHNOLOGY]) { totalCount types { value count } kinds { value count } rings { value count } } technologies { totalCount } }`, &f)
	sum := 0
	for _, k := range f.Facets.Kinds {
		sum += k.Count
	}
	if f.Facets.TotalCount != f.Technologies.TotalCount || sum != f.Facets.TotalCount || len(f.Facets.Types) != 1 || f.Facets.Types[0].Value != "TECHNOLOGY" || len(f.Facets.Rings) == 0 {
		t.Fatalf("facets: %+v", f)
	}
}
