package graph

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// nestedQuery walks trends -> technologies -> relationships -> the related entities, with
// tradeoffs and vendors on the way: the playground's default shape.
func nestedQuery(trends, techs int) string {
	return fmt.Sprintf(`{ trends(first: %d) { totalCount edges { node { slug name status
		technologies(first: %d) { totalCount edges { node { slug name kind
			vendor { name }
			tradeoffs(first: 5) { nodes { slug type } }
			relationships(first: 10) { totalCount edges { direction
				node { kind rationale citations { section paragraph } }
				other { __typename slug name } } } } } } } } } }`, trends, techs)
}

// Every level of a nested query costs at most one store read transaction, however many
// objects the levels return: batching is by level, not by parent.
func TestNestedQueryReadsOncePerLevel(t *testing.T) {
	// A synthetic dataset, so that every level is wide: 10+ trends with many technologies each.
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 2000, Relationships: 20000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	// A long safety-net wait: batches must run because every sibling arrived, never on a timer
	// that a slow (race-detector) run could hit before the last arrival.
	e := newEnvWith(t, d, Options{Loaders: LoaderOptions{Wait: time.Minute}})
	txns := func(q string) (uint64, uint64) {
		before := e.store.Stats()
		var out map[string]any
		e.query(t, q, &out)
		after := e.store.Stats()
		return after.ReadTxns - before.ReadTxns, after.RecordsRead - before.RecordsRead
	}
	// The shape: trends, their technologies, their relationships, the related entities.
	// Four levels; the related entities come in the relationships' transaction.
	levels := func(trends, techs int) string {
		return fmt.Sprintf(`{ trends(first: %d) { edges { node { slug technologies(first: %d) { edges { node { slug
			relationships(first: 20) { edges { node { kind } other { slug name } } } } } } } } } }`, trends, techs)
	}
	small, smallRecords := txns(levels(2, 2))
	large, largeRecords := txns(levels(12, 30))
	if large > 4 || small != large {
		t.Fatalf("read transactions: %d for a small query, %d for a large one; want the same, at most 4", small, large)
	}
	if largeRecords < 10*smallRecords {
		t.Fatalf("the large query read only %d records (small: %d): it did not go wide", largeRecords, smallRecords)
	}
	t.Logf("4 levels: %d read transactions for %d and for %d records", large, smallRecords, largeRecords)

	// With more fields at the third level (vendor, tradeoffs and relationships), at most one
	// transaction per field and level: 5. Fields served by the same loader may share one.
	small, smallRecords = txns(nestedQuery(2, 2))
	large, largeRecords = txns(nestedQuery(12, 20))
	if large > 5 || small > 5 || largeRecords < 10*smallRecords {
		t.Fatalf("read transactions: %d for a small query, %d for a large one; want at most 5", small, large)
	}

	// The ends of relationships, reached through from and to, batch by level too: each end's
	// group is kept by the loaders, as every object's is.
	ends := func(trends, techs int) string {
		return fmt.Sprintf(`{ trends(first: %d) { edges { node { technologies(first: %d) { edges { node {
			relationships(first: 20) { edges { node { from { ... on Technology { vendor { slug } } }
				to { ... on Technology { vendor { slug } } } } } } } } } } } } }`, trends, techs)
	}
	small, _ = txns(ends(2, 2))
	large, _ = txns(ends(12, 30))
	if large > 5 {
		t.Fatalf("read transactions: %d for a small query, %d for a large one; want at most 5", small, large)
	}
	t.Logf("relationship ends: %d read transactions for the small query, %d for the large one", small, large)
	// The same asked through a fragment: ends are made ahead only for queries that ask for them,
	// and a fragment must count as asking.
	viaFragment := `{ trends(first: 12) { edges { node { technologies(first: 30) { edges { node {
		relationships(first: 20) { edges { node { ...Ends } } } } } } } } } }
		fragment Ends on Relationship { from { ... on Technology { vendor { slug } } } to { ... on Technology { vendor { slug } } } }`
	if n, _ := txns(viaFragment); n > 5 {
		t.Fatalf("read transactions through a fragment: %d; want at most 5", n)
	}
}

// The same on the curated dataset, with the radar and citations the playground shows.
func TestCuratedNestedQueryBatches(t *testing.T) {
	// As above: batches must run on the last arrival, whatever the safety-net wait.
	e := newEnvWith(t, curated(t), Options{Loaders: LoaderOptions{Wait: time.Minute}})
	q := `{ trends(first: 12) { edges { node { slug assessments { ring { name } movement radar { name } }
		technologies(first: 20) { edges { node { slug assessments { ring { slug } }
			relationships(first: 10) { edges { other { slug ... on Technology { vendor { slug } } } } } } } } } } } }`
	before := e.store.Stats()
	var out map[string]any
	e.query(t, q, &out)
	// trends, trend assessments, technologies, technology assessments, relationships, vendors of
	// the related technologies; sources and radars are read once each, at most.
	if got := e.store.Stats().ReadTxns - before.ReadTxns; got > 8 {
		t.Fatalf("%d read transactions", got)
	}
}

func curated(t testing.TB) *dataset.Dataset { return kbtest.Curated(t) }

// Movement is derived from the previous edition: new, in, out, unchanged.
func TestRadarEntriesAndMovement(t *testing.T) {
	d := curated(t)
	rd, _ := d.FindRadar("backend-2026")
	rd.Editions = append(rd.Editions, domain.Edition{Date: "2026-09-01", Name: "September 2026"})
	var prev []domain.Assessment
	for _, a := range d.Assessments {
		if a.Radar == "backend-2026" {
			prev = append(prev, a)
		}
	}
	ringOf := map[string]string{}
	for _, a := range prev {
		ringOf[a.Entity] = a.Ring
	}
	next := func(entity, ring string) {
		base := prev[0]
		for _, a := range prev {
			if a.Entity == entity {
				base = a
			}
		}
		base.Edition, base.Entity, base.Ring = "2026-09-01", entity, ring
		d.Assessments = append(d.Assessments, base)
	}
	next("kubernetes", ringOf["kubernetes"]) // unchanged
	next("platform-engineering", "trial")    // assess -> trial: moved in
	next("lamp-stack", "hold")               // unchanged
	next("graphql", "hold")                  // moved out
	if ringOf["platform-engineering"] != "assess" || ringOf["graphql"] == "hold" {
		t.Fatalf("the curated rings changed: %v %v", ringOf["platform-engineering"], ringOf["graphql"])
	}
	e := newEnvWith(t, d, Options{})
	var r struct {
		Radar struct {
			LatestEdition struct{ Date string }
			Rings         []struct {
				Slug     string
				Position int
			}
			Entries struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Movement     string
						Ring         struct{ Slug string }
						PreviousRing *struct{ Slug string }
						Entity       struct{ Slug string }
					}
				}
			}
			First struct{ TotalCount int } `json:"first"`
		}
	}
	e.query(t, `{ radar(slug: "backend-2026") { latestEdition { date } rings { slug position }
		entries(first: 100) { totalCount edges { node { movement ring { slug } previousRing { slug } entity { slug } } } }
		first: entries(edition: "2026-03-01") { totalCount } } }`, &r)
	if r.Radar.LatestEdition.Date != "2026-09-01" || r.Radar.Entries.TotalCount != 4 || r.Radar.First.TotalCount != len(prev) {
		t.Fatalf("radar: %+v", r.Radar)
	}
	want := map[string]string{"kubernetes": "UNCHANGED", "platform-engineering": "MOVED_IN", "lamp-stack": "UNCHANGED", "graphql": "MOVED_OUT"}
	for _, edge := range r.Radar.Entries.Edges {
		if got := edge.Node.Movement; got != want[edge.Node.Entity.Slug] {
			t.Errorf("%s: %s, want %s", edge.Node.Entity.Slug, got, want[edge.Node.Entity.Slug])
		}
	}
	// At the first edition everything is new.
	var first struct {
		Radar struct {
			Entries struct {
				Edges []struct{ Node struct{ Movement string } }
			}
		}
	}
	e.query(t, `{ radar(slug: "backend-2026") { entries(edition: "2026-03-01", first: 100) { edges { node { movement } } } } }`, &first)
	for _, edge := range first.Radar.Entries.Edges {
		if edge.Node.Movement != "NEW" {
			t.Fatalf("first edition movement %s", edge.Node.Movement)
		}
	}
}

// Excerpts appear when the server has the source text, and are null otherwise.
func TestCitationExcerpts(t *testing.T) {
	d := curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	with := newEnvWith(t, d, Options{Texts: texts})
	without := newEnvWith(t, curated(t), Options{})
	q := `{ tradeoff(slug: "cold-starts") { citations { section paragraph excerpt source { title publisher published } } } }`
	var a, b struct {
		Tradeoff struct {
			Citations []struct {
				Section   string
				Paragraph int
				Excerpt   *string
				Source    struct{ Title, Publisher, Published string }
			}
		}
	}
	with.query(t, q, &a)
	without.query(t, q, &b)
	c := a.Tradeoff.Citations[0]
	if c.Excerpt == nil || c.Source.Published != "2026-03-01" {
		t.Fatalf("with text: %+v", c)
	}
	want, _ := texts["backend-trends-2026"].Paragraph(c.Section, c.Paragraph)
	if *c.Excerpt != want || b.Tradeoff.Citations[0].Excerpt != nil {
		t.Fatalf("excerpt %q, want %q; without text: %v", *c.Excerpt, want, b.Tradeoff.Citations[0].Excerpt)
	}
}

// Issue 11: a neighbourhood's centre was counted in its nodes' sibling group as well as in a
// group of its own, so the nodes' group never saw its last arrival and their vendors waited
// for the loaders' timer (5 ms by default). Here the timer is an hour: were the bug back, the
// test would hang until go test's -timeout fails it.
func TestNeighborhoodNodesBatchWithoutTheTimer(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{Loaders: LoaderOptions{Wait: time.Hour}})
	var ids struct{ Center struct{ ID string } }
	e.query(t, `{ center: technology(slug: "amazon-aurora") { id } }`, &ids)
	var out struct {
		Neighborhood struct {
			Nodes []struct {
				Entity struct{ Vendor *struct{ Slug string } }
			}
		}
	}
	e.query(t, `query($id: ID!) { neighborhood(id: $id) { nodes { entity { ... on Technology { vendor { slug } } } } } }`,
		&out, client.Var("id", ids.Center.ID))
	vendors := 0
	for _, n := range out.Neighborhood.Nodes {
		if n.Entity.Vendor != nil {
			vendors++
		}
	}
	if vendors == 0 {
		t.Fatal("no neighbour of amazon-aurora has a vendor: the test no longer asks the loaders anything")
	}
}

// Issue 11: nodes(ids:) counted, in its sibling group, an entity whose ID named another type,
// though it returned null for it; the group never saw its last arrival and the other entities'
// vendors waited for the loaders' timer. Here the timer is an hour, as above.
func TestNodesOfMixedIDsBatchWithoutTheTimer(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{Loaders: LoaderOptions{Wait: time.Hour}})
	var ids struct{ Lambda, Aurora struct{ ID string } }
	e.query(t, `{ lambda: technology(slug: "aws-lambda") { id } aurora: technology(slug: "amazon-aurora") { id } }`, &ids)
	// The same entity under another type's name: a valid ID that names nothing.
	raw, _ := base64.RawURLEncoding.DecodeString(ids.Aurora.ID)
	wrongType := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "Technology:", "Trend:", 1)))
	var out struct {
		Nodes []*struct{ Vendor *struct{ Slug string } }
	}
	e.query(t, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Technology { vendor { slug } } } }`,
		&out, client.Var("ids", []string{ids.Lambda.ID, wrongType}))
	if len(out.Nodes) != 2 || out.Nodes[1] != nil || out.Nodes[0] == nil || out.Nodes[0].Vendor == nil || out.Nodes[0].Vendor.Slug == "" {
		t.Fatalf("nodes: %+v", out.Nodes)
	}
}

// Issue 11: compare counted its entities, tradeoffs, neighbours and assessed entities as one
// sibling group, though their fields arrive at different positions of the query, so their
// loads waited for the loaders' timer. Here the timer is an hour, as above.
func TestCompareBatchesWithoutTheTimer(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{Loaders: LoaderOptions{Wait: time.Hour}})
	var ids struct{ A, B struct{ ID string } }
	e.query(t, `{ a: technology(slug: "aws-lambda") { id } b: technology(slug: "amazon-aurora") { id } }`, &ids)
	var out struct {
		Compare struct {
			Entities  []struct{ Vendor *struct{ Slug string } }
			Neighbors []struct {
				Neighbor struct{ Vendor *struct{ Slug string } }
			}
			Assessments []struct {
				Entity struct{ Vendor *struct{ Slug string } }
			}
		}
	}
	e.query(t, `query($ids: [ID!]!) { compare(ids: $ids) {
		entities { ... on Technology { vendor { slug } } }
		neighbors { neighbor { ... on Technology { vendor { slug } } } }
		assessments { entity { ... on Technology { vendor { slug } } } } } }`,
		&out, client.Var("ids", []string{ids.A.ID, ids.B.ID}))
	if len(out.Compare.Entities) != 2 || out.Compare.Entities[0].Vendor == nil || len(out.Compare.Neighbors) == 0 {
		t.Fatalf("compare: %+v", out.Compare)
	}
}
