package knowledge

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// twoEditions is the curated dataset with a second edition of backend-2026 that places four
// entities: one moved in, one moved out, two unchanged.
func twoEditions(t *testing.T) *Base {
	t.Helper()
	d := kbtest.Curated(t)
	rd, _ := d.FindRadar("backend-2026")
	rd.Editions = append(rd.Editions, domain.Edition{Date: "2026-09-01"})
	moves := map[string]string{"platform-engineering": "trial", "graphql": "hold", "kubernetes": "adopt", "lamp-stack": "hold"}
	for _, a := range slices.Clone(d.Assessments) {
		if ring, ok := moves[a.Entity]; ok && a.Radar == "backend-2026" {
			a.Edition, a.Ring = "2026-09-01", ring
			d.Assessments = append(d.Assessments, a)
		}
	}
	return New(kbtest.Open(t, d))
}

func TestRadarEntriesMovementAndOrder(t *testing.T) {
	b := twoEditions(t)
	ctx := context.Background()
	rd, err := b.Radar(ctx, "backend-2026")
	if err != nil {
		t.Fatal(err)
	}
	latest, err := b.RadarEdition(ctx, rd, "")
	if err != nil || len(latest) != 4 {
		t.Fatalf("latest edition: %d entries, %v", len(latest), err)
	}
	want := map[string]Movement{"platform-engineering": MovementMovedIn, "graphql": MovementMovedOut, "kubernetes": MovementUnchanged, "lamp-stack": MovementUnchanged}
	for _, e := range latest {
		if e.Assessment.Edition != "2026-09-01" || e.Previous == nil || e.Movement() != want[e.Entity.Slug] {
			t.Errorf("%s: movement %d, want %d", e.Entity.Slug, e.Movement(), want[e.Entity.Slug])
		}
	}
	first, err := b.RadarEdition(ctx, rd, "2026-03-01")
	if err != nil || len(first) < 100 {
		t.Fatalf("first edition: %d entries, %v", len(first), err)
	}
	quadrants, rings := positions(rd)
	for i, e := range first {
		if e.Movement() != MovementNew || e.Entity == nil {
			t.Fatalf("first edition: %s is %d", e.Assessment.Entity, e.Movement())
		}
		if i > 0 && bytes.Compare(entryKey(quadrants, rings, first[i-1].Assessment, first[i-1].Entity.Name), entryKey(quadrants, rings, e.Assessment, e.Entity.Name)) >= 0 {
			t.Fatalf("out of order at %d: %s after %s", i, e.Entity.Slug, first[i-1].Entity.Slug)
		}
	}
	// Paging forward, three at a time, gives the whole edition in the same order.
	var paged []string
	w := Window{First: ptr(3)}
	for {
		p, err := b.RadarEntries(ctx, EntriesArgs{Radar: rd, Edition: "2026-03-01", Window: w})
		if err != nil || p.Total != len(first) {
			t.Fatalf("page: %+v %v", p, err)
		}
		for _, e := range p.Items {
			paged = append(paged, e.Entity.Slug)
		}
		if !p.HasNextPage {
			break
		}
		w.After = &p.Cursors[len(p.Cursors)-1]
	}
	all := make([]string, len(first))
	for i, e := range first {
		all[i] = e.Entity.Slug
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("paged %d entries, not the edition's %d in order", len(paged), len(all))
	}
	p, err := b.RadarEntries(ctx, EntriesArgs{Radar: rd, Quadrant: ptr("platforms"), Ring: ptr("adopt"), Edition: "2026-03-01", Window: Window{First: ptr(MaxPageSize)}})
	if err != nil || p.Total == 0 {
		t.Fatalf("platforms in adopt: %+v %v", p, err)
	}
	for _, e := range p.Items {
		if e.Assessment.Quadrant != "platforms" || e.Assessment.Ring != "adopt" {
			t.Fatalf("filtered entry: %+v", e.Assessment)
		}
	}
	for name, a := range map[string]EntriesArgs{
		"edition":  {Radar: rd, Edition: "2020-01-01"},
		"quadrant": {Radar: rd, Quadrant: ptr("nope")},
		"ring":     {Radar: rd, Ring: ptr("")},
	} {
		if _, err := b.RadarEntries(ctx, a); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown %s: %v", name, err)
		}
	}
	if _, err := b.Radar(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown radar: %v", err)
	}
	_, err = b.RadarEntries(ctx, EntriesArgs{Radar: rd, Window: Window{First: ptr(MaxPageSize + 1)}})
	wantBound(t, err, "first", 0, MaxPageSize, MaxPageSize+1)
}

// Issue 11: a radar of 10,000 entries was paged a hundred at a time through GraphQL, and its
// view timed out. The whole edition now comes back in one call, every entry with its entity.
func TestRadarEditionOf10kEntries(t *testing.T) {
	b := New(kbtest.Open(t, kbtest.SyntheticRadar(t, 10_000)))
	ctx := context.Background()
	rd, err := b.Radar(ctx, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	moves := map[Movement]int{}
	for _, date := range []string{"2026-01-01", "2026-07-01"} {
		entries, err := b.RadarEdition(ctx, rd, date)
		if err != nil || len(entries) != 10_000 {
			t.Fatalf("%s: %d entries, %v", date, len(entries), err)
		}
		for _, e := range entries {
			if e.Entity == nil || e.Assessment.Edition != date {
				t.Fatalf("%s: entry %+v", date, e.Assessment)
			}
			moves[e.Movement()]++
		}
	}
	if moves[MovementNew] != 10_000 || moves[MovementMovedIn] == 0 || moves[MovementMovedOut] == 0 || moves[MovementUnchanged] == 0 {
		t.Fatalf("movements: %v", moves)
	}
}

// BenchmarkRadarEdition reads the latest edition of a 10,000-entry radar, with the previous
// edition for movement: three read transactions.
func BenchmarkRadarEdition(b *testing.B) {
	kb := New(kbtest.Open(b, kbtest.SyntheticRadar(b, 10_000)))
	ctx := context.Background()
	rd, err := kb.Radar(ctx, "synthetic")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if entries, err := kb.RadarEdition(ctx, rd, ""); err != nil || len(entries) != 10_000 {
			b.Fatalf("%d entries, %v", len(entries), err)
		}
	}
}
