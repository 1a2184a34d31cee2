package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// openTest opens a new database in a temp dir, imports d (if any) and, at cleanup, runs the
// file's consistency check before closing it.
func openTest(t testing.TB, d *dataset.Dataset) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "test.db"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if d != nil {
		if err := s.Import(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// snapshot returns every key and value of every bucket, to compare databases by content.
var stampRe = regexp.MustCompile(`"(createdAt|updatedAt|time)":"[^"]*"`)

func snapshot(t testing.TB, s *Store) map[string][][2][]byte {
	t.Helper()
	out := map[string][][2][]byte{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				// Times say when a record was written, not what it holds.
				v = stampRe.ReplaceAll(v, []byte(`"$1":"T"`))
				if bytes.Equal(name, bucketMeta) && bytes.Equal(k, metaTime) {
					v = nil
				}
				out[string(name)] = append(out[string(name)], [2][]byte{bytes.Clone(k), v})
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t testing.TB, a, b map[string][][2][]byte, ignoreMeta bool) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("bucket count %d != %d", len(a), len(b))
	}
	for name, kvs := range a {
		if ignoreMeta && name == string(bucketMeta) {
			continue
		}
		other := b[name]
		if len(kvs) != len(other) {
			t.Fatalf("bucket %s: %d keys != %d", name, len(kvs), len(other))
		}
		for i := range kvs {
			if !bytes.Equal(kvs[i][0], other[i][0]) || !bytes.Equal(kvs[i][1], other[i][1]) {
				t.Fatalf("bucket %s key %d differs: %q=%q vs %q=%q", name, i, kvs[i][0], kvs[i][1], other[i][0], other[i][1])
			}
		}
	}
}

// fixture is a small hand-made dataset whose answers the tests know.
func fixture() *dataset.Dataset {
	c := []domain.Citation{{Section: "S", Paragraph: 1}}
	tech := func(slug, name, kind string, tags []string, trends ...string) domain.Entity {
		return domain.Entity{Type: domain.TypeTechnology, Slug: slug, Name: name, Kind: kind, Lifecycle: "mature",
			Tags: tags, Trends: trends, Summary: name + " summary text", Citations: c}
	}
	d := &dataset.Dataset{
		Sources: []domain.Source{{Slug: "src", Title: "Source", Default: true}},
		Entities: []domain.Entity{
			{Type: domain.TypeTrend, Slug: "serverless", Name: "Serverless computing", Status: "mainstream", Summary: "Functions on demand.", Citations: c},
			{Type: domain.TypeTrend, Slug: "observability", Name: "Observability", Status: "growing", Summary: "Seeing inside systems.", Citations: c},
			{Type: domain.TypeTrend, Slug: "tracing", Name: "Distributed tracing", Status: "growing", Parent: "observability", Summary: "Following requests.", Citations: c},
			{Type: domain.TypeOrganization, Slug: "aws", Name: "Amazon Web Services", Aliases: []string{"AWS"}, Summary: "A cloud provider.", Citations: c},
			tech("aws-lambda", "AWS Lambda", "cloud-service", []string{"serverless", "faas"}, "serverless"),
			tech("azure-functions", "Azure Functions", "cloud-service", []string{"serverless", "faas"}, "serverless"),
			tech("jaeger", "Jaeger", "tool", []string{"tracing"}, "tracing"),
			tech("zipkin", "Zipkin", "tool", []string{"tracing"}, "tracing"),
			tech("opentelemetry", "OpenTelemetry", "standard", []string{"tracing", "vendor-neutral"}, "observability"),
			tech("go", "Go", "language", []string{"language"}),
			{Type: domain.TypeTradeoff, Slug: "cold-starts", Name: "Cold starts", TradeoffType: "challenge",
				AppliesTo: []string{"serverless", "aws-lambda", "azure-functions"}, Summary: "Latency on first call.", Citations: c},
			{Type: domain.TypeUseCase, Slug: "event-driven", Name: "Event-driven workloads", Summary: "Work triggered by events.", Citations: c},
		},
		Relationships: []domain.Relationship{
			{From: "jaeger", Kind: domain.RelAlternativeTo, To: "zipkin", Rationale: "Both trace requests.", Citations: c},
			{From: "aws-lambda", Kind: domain.RelUsedFor, To: "event-driven", Rationale: "Runs on events.", Citations: c},
			{From: "opentelemetry", Kind: domain.RelIntegratesWith, To: "jaeger", Rationale: "Feeds traces.", Citations: c},
		},
		Radars: []domain.Radar{{Slug: "r", Name: "R", Quadrants: []domain.Quadrant{{Slug: "tools", Name: "Tools"}},
			Rings:    []domain.Ring{{Slug: "adopt", Name: "Adopt"}, {Slug: "hold", Name: "Hold"}},
			Editions: []domain.Edition{{Date: "2026-01-01"}, {Date: "2026-06-01"}}}},
		Assessments: []domain.Assessment{
			{Radar: "r", Edition: "2026-01-01", Entity: "jaeger", Quadrant: "tools", Ring: "hold", Rationale: "Old.", Citations: c},
			{Radar: "r", Edition: "2026-06-01", Entity: "jaeger", Quadrant: "tools", Ring: "adopt", Rationale: "New.", Citations: c},
			{Radar: "r", Edition: "2026-06-01", Entity: "zipkin", Quadrant: "tools", Ring: "hold", Rationale: "Meh.", Citations: c},
		},
	}
	return d
}

func TestImportExportRoundTrip(t *testing.T) {
	for name, d := range map[string]*dataset.Dataset{"fixture": fixture(), "synthetic": mustSynth(t, 300, 2000)} {
		t.Run(name, func(t *testing.T) {
			a := openTest(t, d)
			exported, err := a.Export()
			if err != nil {
				t.Fatal(err)
			}
			// Through the file format too, as 'trendgraph export | trendgraph import' does.
			for _, format := range []string{"yaml", "json"} {
				var buf bytes.Buffer
				if err := dataset.Write(&buf, exported, format); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				file := filepath.Join(dir, "export."+format)
				writeFile(t, file, buf.Bytes())
				reread, err := dataset.LoadPath(file)
				if err != nil {
					t.Fatal(err)
				}
				b := openTest(t, reread)
				sameSnapshot(t, snapshot(t, a), snapshot(t, b), false)
			}
		})
	}
}

func mustSynth(t testing.TB, techs, rels int) *dataset.Dataset {
	t.Helper()
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: techs, Relationships: rels, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFailedImportChangesNothing(t *testing.T) {
	s := openTest(t, fixture())
	before := snapshot(t, s)
	version, _ := s.DataVersion()

	bad := fixture()
	bad.Relationships = append(bad.Relationships, domain.Relationship{From: "go", Kind: domain.RelWrittenIn, To: "no-such-thing",
		Rationale: "x", Citations: bad.Relationships[0].Citations})
	err := s.Import(context.Background(), bad)
	var problems dataset.Problems
	if !errors.As(err, &problems) || len(problems) != 1 {
		t.Fatalf("want one validation problem, got %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s), false)

	// A valid import cancelled before it commits rolls back as a whole.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Import(ctx, mustSynth(t, 50, 100)); !errors.Is(err, context.Canceled) {
		t.Fatalf("want cancellation, got %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s), false)
	if v, _ := s.DataVersion(); v != version {
		t.Fatalf("data version moved from %d to %d", version, v)
	}
}

// Every import that changes something is a change set with a new data version; one that
// changes nothing is none.
func TestDataVersionBumpsOnEveryChangingImport(t *testing.T) {
	s := openTest(t, nil)
	changed := fixture()
	changed.Entities[0].Summary = "Functions that run when called."
	for i, d := range []*dataset.Dataset{fixture(), changed, changed, fixture()} {
		if err := s.Import(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		want := []uint64{1, 2, 2, 3}[i]
		if v, err := s.DataVersion(); err != nil || v != want || s.Version() != want {
			t.Fatalf("import %d: version %d (in memory %d), %v; want %d", i, v, s.Version(), err, want)
		}
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	writeFile(t, garbage, bytes.Repeat([]byte("not a database "), 1000))
	if _, err := Open(garbage, Config{}); err == nil {
		t.Fatal("opened a garbage file")
	}
	// A bbolt file of another program is not ours to write into.
	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(other, Config{}); err == nil {
		t.Fatal("opened another program's database")
	}
	// A missing file is not created read-only.
	if _, err := Open(filepath.Join(dir, "missing.db"), Config{ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a missing file succeeded")
	}
}

func TestLockedDatabaseTimesOut(t *testing.T) {
	s := openTest(t, fixture())
	_, err := Open(s.Path(), Config{Timeout: 100_000_000})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("locked by another process")) {
		t.Fatalf("want a lock error, got %v", err)
	}
}

// Issue 17: the leftovers of a creation killed half-way (an empty file, a bbolt file with no
// buckets) are named for what they are, in both modes, and never initialised or modified.
func TestOpenNamesEmptyDatabases(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	writeFile(t, empty, nil)
	bare := filepath.Join(dir, "bare.db")
	db, err := bolt.Open(bare, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{empty, bare} {
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, readOnly := range []bool{true, false} {
			s, err := Open(path, Config{ReadOnly: readOnly})
			if err == nil {
				_ = s.Close()
				t.Fatalf("%s (read-only %v): opened", path, readOnly)
			}
			if !errors.Is(err, ErrEmptyDatabase) || !strings.Contains(err.Error(), path) {
				t.Fatalf("%s (read-only %v): %v; want ErrEmptyDatabase naming the file", path, readOnly, err)
			}
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Fatalf("%s: opening it changed the file", path)
		}
	}
}

// Issue 10: a dangling symbolic link is refused, not created through.
func TestOpenRefusesDanglingLinks(t *testing.T) {
	dir := t.TempDir()
	link, target := filepath.Join(dir, "link.db"), filepath.Join(dir, "nowhere.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, readOnly := range []bool{true, false} {
		s, err := Open(link, Config{ReadOnly: readOnly})
		if err == nil {
			_ = s.Close()
			t.Fatalf("read-only %v: opened a dangling link", readOnly)
		}
		if !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("read-only %v: unclear message: %v", readOnly, err)
		}
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the link's target was created: %v", err)
	}
}
