package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
)

var metaRe = regexp.MustCompile(`,"meta":\{[^}]*\}`)

// dataSnapshot is the snapshot of the data buckets alone, without records' meta: what two
// databases holding the same records must agree on byte for byte, however they got there.
func dataSnapshot(t testing.TB, s *Store) map[string][][2][]byte {
	t.Helper()
	all := snapshot(t, s)
	out := map[string][][2][]byte{}
	for _, name := range dataBuckets {
		for _, kv := range all[string(name)] {
			out[string(name)] = append(out[string(name)], [2][]byte{kv[0], metaRe.ReplaceAll(kv[1], nil)})
		}
	}
	return out
}

// sameAsFreshImport checks that s's indexes are exactly those a fresh import of its own
// export writes, and that replaying its history gives its records.
func sameAsFreshImport(t *testing.T, s *Store) {
	t.Helper()
	d, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	fresh := openTest(t, d)
	sameSnapshot(t, dataSnapshot(t, s), dataSnapshot(t, fresh), false)
	if diffs, err := s.VerifyHistory(context.Background()); err != nil || len(diffs) > 0 {
		t.Fatalf("history disagrees with the data: %v %v", diffs, err)
	}
}

func apply(t testing.TB, s *Store, ops ...Op) (*ChangeSet, error) {
	t.Helper()
	return s.Apply(context.Background(), ChangeRequest{Actor: "alice", Reason: "test", Ops: ops})
}

func entityOf(t testing.TB, s *Store, slug string) *Entity {
	t.Helper()
	es, err := s.EntitiesBySlug(context.Background(), []string{slug})
	if err != nil {
		t.Fatal(err)
	}
	return es[0]
}

func TestApplyCreatesUpdatesAndArchives(t *testing.T) {
	s := openTest(t, fixture())
	ctx := context.Background()
	c := []domain.Citation{{Section: "S", Paragraph: 1}}
	rust := domain.Entity{Type: domain.TypeTechnology, Slug: "rust", Name: "Rust", Kind: "language", Lifecycle: "growing",
		Tags: []string{"language", "memory-safe"}, Summary: "A systems language.", Citations: c}
	cs, err := apply(t, s, Op{Action: Create, Entity: &rust})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Version != 2 || cs.Actor != "alice" || cs.Reason != "test" || cs.Changes != 1 || s.Version() != 2 {
		t.Fatalf("change set %+v, store version %d", cs, s.Version())
	}
	got := entityOf(t, s, "rust")
	if got == nil || got.Meta.Revision != 1 || got.Meta.Version != 2 || got.Meta.CreatedAt.IsZero() {
		t.Fatalf("created: %+v", got)
	}
	// Creating it again conflicts, naming the revision it has.
	var conflict *ConflictError
	if _, err := apply(t, s, Op{Action: Create, Entity: &rust}); !errors.As(err, &conflict) || conflict.Current != 1 {
		t.Fatalf("second create: %v", err)
	}

	// An update based on a stale revision conflicts and writes nothing.
	before := snapshot(t, s)
	renamed := rust
	renamed.Name, renamed.Tags, renamed.Vendor = "Rust language", []string{"systems"}, "aws"
	if _, err := apply(t, s, Op{Action: Update, Entity: &renamed, IfRevision: 7}); !errors.As(err, &conflict) || conflict.Current != 1 || conflict.Expected != 7 {
		t.Fatalf("stale update: %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s), false)
	if _, err := apply(t, s, Op{Action: Update, Entity: &renamed, IfRevision: 1}); err != nil {
		t.Fatal(err)
	}
	got = entityOf(t, s, "rust")
	if got.Name != "Rust language" || got.Meta.Revision != 2 || !got.Meta.CreatedAt.Equal(entityOf(t, s, "rust").Meta.CreatedAt) {
		t.Fatalf("updated: %+v", got)
	}
	// The indexes moved with it: search, tag filter and the vendor's derived edge.
	res, err := s.Search(ctx, SearchQuery{Text: "memory", Limit: 5})
	if err != nil || res.Total != 0 {
		t.Fatalf("old tag still found: %+v %v", res, err)
	}
	page, err := s.List(ctx, ListQuery{Filter: &Filter{Vendors: []string{"aws"}}, Page: PageArgs{Limit: 10}})
	if err != nil || !slices.Contains(slugsOf(t, s, page.IDs), "rust") {
		t.Fatalf("vendor filter: %v %v", page, err)
	}
	sameAsFreshImport(t, s)

	// Archiving an entity named by another's field is refused: the vendor of rust.
	var invalid *ValidationError
	aws := entityOf(t, s, "aws")
	if _, err := apply(t, s, Op{Action: Archive, Entity: &domain.Entity{Slug: "aws"}, IfRevision: aws.Meta.Revision}); !errors.As(err, &invalid) {
		t.Fatalf("archive of a vendor: %v", err)
	}
	// Archiving jaeger takes its listed relationships and assessments with it.
	cs, err = apply(t, s, Op{Action: Archive, Entity: &domain.Entity{Slug: "jaeger"}})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := s.ChangesOf(ctx, cs.Version, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ch := range changes {
		if ch.After != nil {
			t.Errorf("archive with an after: %+v", ch)
		}
		keys = append(keys, ch.Record.String())
	}
	slices.Sort(keys)
	want := []string{"assessment:r/2026-01-01/jaeger", "assessment:r/2026-06-01/jaeger", "entity:jaeger",
		"relationship:jaeger/alternative_to/zipkin", "relationship:opentelemetry/integrates_with/jaeger"}
	if !slices.Equal(keys, want) {
		t.Fatalf("archived %v, want %v", keys, want)
	}
	if entityOf(t, s, "jaeger") != nil {
		t.Fatal("jaeger still readable")
	}
	sameAsFreshImport(t, s)

	// The record as of the version before its archive is still there.
	ch, err := s.RecordAsOf(ctx, EntityKey("jaeger"), cs.Version-1)
	if err != nil || ch == nil || ch.Revision != 1 {
		t.Fatalf("jaeger as of %d: %+v %v", cs.Version-1, ch, err)
	}
	if ch, _ := s.RecordAsOf(ctx, EntityKey("jaeger"), cs.Version); ch != nil {
		t.Fatalf("jaeger as of its archive: %+v", ch)
	}
	old, err := s.ExportAsOf(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want1 := fixture()
	want1.Sort()
	if fmt.Sprint(old.Entities) != fmt.Sprint(want1.Entities) || len(old.Relationships) != len(want1.Relationships) {
		t.Fatalf("as of version 1: %d entities, %d relationships", len(old.Entities), len(old.Relationships))
	}
}

func TestApplyValidatesAndWritesNothing(t *testing.T) {
	s := openTest(t, fixture())
	before := snapshot(t, s)
	c := []domain.Citation{{Section: "S", Paragraph: 1}}
	bad := domain.Entity{Type: domain.TypeTechnology, Slug: "rust", Name: "Rust", Kind: "language", Lifecycle: "growing",
		Vendor: "mozilla", Summary: "A systems language.", Citations: c}
	cases := map[string]Op{
		"unknown vendor":   {Action: Create, Entity: &bad},
		"unknown end":      {Action: Create, Relationship: &domain.Relationship{From: "go", Kind: domain.RelWrittenIn, To: "c", Rationale: "x", Citations: c}},
		"derived edge":     {Action: Create, Relationship: &domain.Relationship{From: "aws-lambda", Kind: domain.RelPartOf, To: "serverless", Rationale: "x", Citations: c}},
		"no citation":      {Action: Create, Relationship: &domain.Relationship{From: "go", Kind: domain.RelAlternativeTo, To: "zipkin", Rationale: "x"}},
		"unknown ring":     {Action: Create, Assessment: &domain.Assessment{Radar: "r", Edition: "2026-06-01", Entity: "go", Quadrant: "tools", Ring: "nope", Rationale: "x", Citations: c}},
		"type change":      {Action: Update, Entity: &domain.Entity{Type: domain.TypeTrend, Slug: "go", Name: "Go", Status: "growing", Summary: "x", Citations: c}},
		"parent cycle":     {Action: Update, Entity: &domain.Entity{Type: domain.TypeTrend, Slug: "observability", Name: "O", Status: "growing", Parent: "tracing", Summary: "x", Citations: c}},
		"missing to apply": {Action: Update, Entity: &domain.Entity{Type: domain.TypeTechnology, Slug: "no-such", Name: "N", Kind: "tool", Lifecycle: "mature", Summary: "x", Citations: c}},
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := apply(t, s, op)
			var invalid *ValidationError
			var missing *RecordNotFoundError
			if !errors.As(err, &invalid) && !errors.As(err, &missing) {
				t.Fatalf("want a validation or not-found error, got %v", err)
			}
			if invalid != nil && len(invalid.Problems) == 0 {
				t.Fatal("a validation error with no problem")
			}
		})
	}
	if name := "unknown vendor"; true {
		_, err := apply(t, s, cases[name])
		var invalid *ValidationError
		if errors.As(err, &invalid) && (invalid.Problems[0].Field != "vendor" || invalid.Problems[0].Record != EntityKey("rust")) {
			t.Errorf("%s: problem %+v, want field vendor of entity:rust", name, invalid.Problems[0])
		}
	}
	sameSnapshot(t, before, snapshot(t, s), false)
}

// A long random sequence of changes keeps every index exactly as a fresh import of the result
// would write it, and history replays to the data: the incremental writes and the import
// share one layout.
func TestRandomChangesKeepIndexesExact(t *testing.T) {
	slow.Only(t) // seconds of work or waiting: the slow tier, which CI runs
	d := mustSynth(t, 120, 600)
	s := openTest(t, d)
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	applied := 0
	for i := 0; i < 300; i++ {
		cur, err := s.Export()
		if err != nil {
			t.Fatal(err)
		}
		var op Op
		switch rng.IntN(6) {
		case 0, 1: // retag, rename or move a technology to another vendor and trends
			techs := slices.DeleteFunc(slices.Clone(cur.Entities), func(e domain.Entity) bool { return e.Type != domain.TypeTechnology })
			e := techs[rng.IntN(len(techs))]
			e.Tags = []string{fmt.Sprintf("tag-%d", rng.IntN(20))}
			e.Name = fmt.Sprintf("Renamed %d", i)
			if rng.IntN(2) == 0 {
				e.Vendor = ""
			}
			e.Trends = e.Trends[:rng.IntN(len(e.Trends)+1)]
			op = Op{Action: Update, Entity: &e}
		case 2: // unrelate a listed relationship
			if len(cur.Relationships) == 0 {
				continue
			}
			r := cur.Relationships[rng.IntN(len(cur.Relationships))]
			op = Op{Action: Archive, Relationship: &r}
		case 3: // relate two technologies
			a, b := cur.Entities[rng.IntN(len(cur.Entities))], cur.Entities[rng.IntN(len(cur.Entities))]
			op = Op{Action: Create, Relationship: &domain.Relationship{From: a.Slug, Kind: domain.RelIntegratesWith, To: b.Slug, Rationale: "Works with it.", Citations: a.Citations}}
		case 4: // archive an entity
			e := cur.Entities[rng.IntN(len(cur.Entities))]
			op = Op{Action: Archive, Entity: &e}
		case 5: // move an assessment to another ring
			if len(cur.Assessments) == 0 {
				continue
			}
			a := cur.Assessments[rng.IntN(len(cur.Assessments))]
			radar, _ := cur.FindRadar(a.Radar)
			a.Ring = radar.Rings[rng.IntN(len(radar.Rings))].Slug
			op = Op{Action: Update, Assessment: &a}
		}
		if _, err := apply(t, s, op); err == nil {
			applied++
		} else if var1, var2 := (*ValidationError)(nil), (*ConflictError)(nil); !errors.As(err, &var1) && !errors.As(err, &var2) {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	if applied < 150 {
		t.Fatalf("only %d of 300 random changes applied: the test exercises too little", applied)
	}
	sameAsFreshImport(t, s)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	// An import of the original dataset is one change set of the difference and restores it.
	if err := s.Import(ctx, d); err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, dataSnapshot(t, s), dataSnapshot(t, openTest(t, d)), false)
	sameAsFreshImport(t, s)
}

// A record archived and created again goes on from the revision its history ended at.
func TestRevisionsGoOnAfterAnArchive(t *testing.T) {
	s := openTest(t, fixture())
	goEntity := *entityOf(t, s, "go")
	if _, err := apply(t, s, Op{Action: Archive, Entity: &goEntity.Entity, IfRevision: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := apply(t, s, Op{Action: Create, Entity: &goEntity.Entity}); err != nil {
		t.Fatal(err)
	}
	if got := entityOf(t, s, "go"); got.Meta.Revision != 2 {
		t.Fatalf("revision after archive and create: %d, want 2", got.Meta.Revision)
	}
	sameAsFreshImport(t, s)
}

// An import that removes two related entities archives both, and the relationship between
// them once, in one change set; the indexes end as a fresh import's.
func TestImportArchivingRelatedEntities(t *testing.T) {
	s := openTest(t, fixture())
	d := fixture()
	d.Entities = slices.DeleteFunc(d.Entities, func(e domain.Entity) bool { return e.Slug == "jaeger" || e.Slug == "zipkin" })
	d.Relationships = slices.DeleteFunc(d.Relationships, func(r domain.Relationship) bool {
		return r.From == "jaeger" || r.To == "jaeger" || r.From == "zipkin" || r.To == "zipkin"
	})
	d.Assessments = slices.DeleteFunc(d.Assessments, func(a domain.Assessment) bool { return a.Entity == "jaeger" || a.Entity == "zipkin" })
	cs, err := s.ImportChange(context.Background(), d, nil, "import", "drop two")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := s.ChangesOf(context.Background(), cs.Version, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[RecordKey]int{}
	for _, ch := range changes {
		seen[ch.Record]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s changed %d times in one change set", k, n)
		}
	}
	sameSnapshot(t, dataSnapshot(t, s), dataSnapshot(t, openTest(t, d)), false)
	sameAsFreshImport(t, s)
}
