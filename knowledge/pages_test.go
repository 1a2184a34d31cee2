package knowledge

import (
	"context"
	"testing"
)

func TestEntityPlacements(t *testing.T) {
	b := twoEditions(t)
	ctx := context.Background()
	for slug, want := range map[string][]Movement{
		"graphql":              {MovementNew, MovementMovedOut},
		"platform-engineering": {MovementNew, MovementMovedIn},
		"kubernetes":           {MovementNew, MovementUnchanged},
		"go":                   {MovementNew},
	} {
		ent, err := b.EntityBySlug(ctx, slug, 0)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := b.EntityPlacements(ctx, ent)
		if err != nil || len(ps) != len(want) {
			t.Fatalf("%s: %d placements, %v", slug, len(ps), err)
		}
		for i, p := range ps {
			if p.Radar.Slug != "backend-2026" || p.Entity != ent || p.Movement() != want[i] {
				t.Fatalf("%s: placement %d at %s moved %d, want %d", slug, i, p.Assessment.Edition, p.Movement(), want[i])
			}
		}
		if len(ps) == 2 && (ps[0].Assessment.Edition != "2026-03-01" || ps[1].Assessment.Edition != "2026-09-01") {
			t.Fatalf("%s: not oldest first", slug)
		}
	}
	// A tradeoff is on no radar.
	ent, err := b.EntityBySlug(ctx, "cross-service-data-consistency", 0)
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := b.EntityPlacements(ctx, ent); err != nil || len(ps) != 0 {
		t.Fatalf("tradeoff: %d placements, %v", len(ps), err)
	}
	srcs, err := b.Sources(ctx)
	if err != nil || len(srcs) == 0 || !srcs[0].Default {
		t.Fatalf("sources: %+v, %v", srcs, err)
	}
}
