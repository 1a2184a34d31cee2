package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
)

// referenceImport is the first import as it was written before the bulk loader: every entry of
// every record, from the same layout functions as a change's, sorted and put in one
// transaction. The bulk loader must write exactly what it writes.
func referenceImport(tx *bolt.Tx, d *dataset.Dataset, actor, reason string, now time.Time) error {
	log := changeLog{set: ChangeSet{Version: txVersion(tx) + 1, Time: now, Actor: actor, Reason: reason}}
	m := Meta{Revision: 1, CreatedAt: now, UpdatedAt: now, Version: log.set.Version}
	d = &dataset.Dataset{Sources: slices.Clone(d.Sources), Entities: slices.Clone(d.Entities), Relationships: slices.Clone(d.Relationships),
		Radars: slices.Clone(d.Radars), Assessments: slices.Clone(d.Assessments)}
	d.Sort()
	var all []entry
	add := func(key RecordKey, t domain.EntityType, after any, entries []entry) {
		all = append(all, entries...)
		log.add(Change{Record: key, EntityType: t, Revision: 1, After: mustJSON(after)})
	}
	for i := range d.Sources {
		src := &d.Sources[i]
		add(RecordKey{RecordSource, src.Slug}, 0, src, sourceEntries(&Source{Source: *src, Meta: m}))
	}
	latest := map[string]string{}
	for i := range d.Radars {
		r := &d.Radars[i]
		latest[r.Slug] = latestEdition(r)
		add(RecordKey{RecordRadar, r.Slug}, 0, r, radarEntries(&Radar{Radar: *r, Meta: m}))
	}
	counts := map[domain.EntityType]int{}
	typeOf := map[string]domain.EntityType{}
	for i := range d.Entities {
		e := &d.Entities[i]
		counts[e.Type]++
		typeOf[e.Slug] = e.Type
		add(EntityKey(e.Slug), e.Type, e, entityEntries(&Entity{ID: EntityID(e.Slug), Entity: *e, Meta: m}))
	}
	for _, r := range d.AllRelationships() {
		entries := relEntries(newRelationship(r, m), typeOf[r.From], typeOf[r.To])
		if r.Derived {
			all = append(all, entries...)
		} else {
			add(RelationshipKey(r.From, r.Kind, r.To), 0, &r, entries)
		}
	}
	for i := range d.Assessments {
		a := &d.Assessments[i]
		rec := &Assessment{EntityID: EntityID(a.Entity), Assessment: *a, Meta: m}
		add(AssessmentKey(a.Radar, a.Edition, a.Entity), 0, a, assessmentEntries(rec, latest[a.Radar] == a.Edition))
	}
	all = append(all, log.finish()...)
	all = append(all, entry{bucketMeta, metaVersion, u64(log.set.Version)}, entry{bucketMeta, metaTime, u64(uint64(now.UnixNano()))},
		entry{bucketMeta, metaCounts, mustJSON(counts)})
	for _, e := range all {
		b := tx.Bucket(e.bucket)
		if b.Get(e.k) != nil && !bytes.Equal(e.bucket, bucketMeta) {
			return fmt.Errorf("bucket %s: duplicate key %x", e.bucket, e.k)
		}
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// dump lists every key and value of every bucket of the database at path.
func dump(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				out[string(name)] = append(out[string(name)], fmt.Sprintf("%x=%x", k, v))
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "new.db"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Error(err)
		}
		_ = s.Close()
	})
	return s
}

// The bulk loader writes, key for key, what the reference import writes, both within one
// transaction (ImportChange) and in many (ImportNew, here committing every few kilobytes).
func TestBulkImportWritesWhatTheReferenceWrites(t *testing.T) {
	synth, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 300, Relationships: 2000, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	curated, err := dataset.LoadPath("../data")
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]*dataset.Dataset{"curated": curated, "synthetic": synth} {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			ref := newStore(t)
			if err := ref.db.Update(func(tx *bolt.Tx) error { return referenceImport(tx, d, "import", "why", now) }); err != nil {
				t.Fatal(err)
			}
			want := dump(t, ref)
			one := newStore(t)
			err := one.db.Update(func(tx *bolt.Tx) error {
				_, err := bulkImport(&bulkWriter{ctx: context.Background(), db: one.db, tx: tx}, &progress{}, d, "import", "why", now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			many := newStore(t)
			if _, err := many.importNew(context.Background(), d, "import", "why", now, 4096); err != nil {
				t.Fatal(err)
			}
			for label, s := range map[string]*Store{"one transaction": one, "many transactions": many} {
				got := dump(t, s)
				for bucket, keys := range want {
					if !slices.Equal(got[bucket], keys) {
						t.Errorf("%s: bucket %s: %d keys, want %d, or different ones", label, bucket, len(got[bucket]), len(keys))
					}
				}
				if len(got) != len(want) {
					t.Errorf("%s: %d buckets, want %d", label, len(got), len(want))
				}
			}
		})
	}
}

type report struct {
	stage       string
	done, total int64
}

// stages checks reports: each stage from 0 to its total, never back, its total fixed; it
// returns the stages in order.
func stages(t *testing.T, reports []report) []string {
	t.Helper()
	var out []string
	midway := map[string]bool{}
	for i, r := range reports {
		if r.done < 0 || r.done > r.total {
			t.Fatalf("report %d: %+v", i, r)
		}
		if i == 0 || reports[i-1].stage != r.stage {
			out = append(out, r.stage)
			if r.done != 0 {
				t.Fatalf("stage %s starts at %d", r.stage, r.done)
			}
		} else if r.done < reports[i-1].done || r.total != reports[i-1].total {
			t.Fatalf("report %d goes back or changes its total: %+v after %+v", i, r, reports[i-1])
		}
		if (i+1 == len(reports) || reports[i+1].stage != r.stage) && r.done != r.total {
			t.Fatalf("stage %s ends at %d of %d", r.stage, r.done, r.total)
		}
		if 0 < r.done && r.done < r.total {
			midway[r.stage] = true
		}
	}
	// A long stage is reported on the way, not only at its start and end.
	for _, r := range reports {
		if r.total >= 4*progressStep && !midway[r.stage] {
			t.Fatalf("stage %s (%d units) reported only at its start and end", r.stage, r.total)
		}
	}
	return out
}

// Imports report their stages to the context's ProgressFunc, each from 0 to its total, often
// but not per record; ImportNew refuses a database that has data, and stops when cancelled.
func TestImportProgress(t *testing.T) {
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 1000, Relationships: 6000, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	var reports []report
	ctx := WithProgress(context.Background(), func(stage string, done, total int64) {
		reports = append(reports, report{stage, done, total})
	})
	s := newStore(t)
	if _, err := s.ImportNew(ctx, d, nil, "import", ""); err != nil {
		t.Fatal(err)
	}
	if got := stages(t, reports); !slices.Equal(got, []string{"writing", "indexing"}) {
		t.Fatalf("ImportNew: stages %v", got)
	}
	// About one report per progressStep units, and one at each bucket's end.
	most := 0
	for i, r := range reports {
		if i == 0 || reports[i-1].stage != r.stage {
			most += int(r.total)/progressStep + 16
		}
	}
	if len(reports) < 20 || len(reports) > most {
		t.Fatalf("ImportNew: %d reports, want 20 to %d", len(reports), most)
	}
	if _, err := s.ImportNew(context.Background(), d, nil, "import", ""); err == nil {
		t.Fatal("ImportNew into a database with data succeeded")
	}

	// Into a database with data: compared, then the difference written.
	next, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 1000, Relationships: 6000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	reports = nil
	if _, err := s.ImportChange(ctx, next, nil, "import", ""); err != nil {
		t.Fatal(err)
	}
	if got := stages(t, reports); !slices.Equal(got, []string{"comparing", "writing"}) {
		t.Fatalf("ImportChange: stages %v", got)
	}

	// Cancelled, it stops with the context's error.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newStore(t).ImportNew(cctx, d, nil, "import", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ImportNew: %v", err)
	}
}

// createJSON writes what encoding/json writes for a change.
func TestCreateJSON(t *testing.T) {
	for _, c := range []Change{
		{Version: 7, Seq: 3, Record: EntityKey("graphql"), EntityType: domain.TypeTechnology, Revision: 1, After: mustJSON(map[string]string{"a": "<b>&"})},
		{Version: 1 << 40, Seq: 1 << 31, Record: RelationshipKey("a", domain.RelKind(1), "b"), Revision: 9, Before: []byte(`{"x":1}`), After: []byte(`[]`)},
		{Record: RecordKey{RecordSource, `odd "key" <&>`}},
	} {
		if got, want := createJSON(&c), mustJSON(c); !bytes.Equal(got, want) {
			t.Errorf("createJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}
