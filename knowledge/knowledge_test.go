package knowledge

import (
	"context"
	"errors"
	"testing"

	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

// kb opens the curated dataset for one test.
func kb(t testing.TB) *Base {
	t.Helper()
	return New(kbtest.Open(t, kbtest.Curated(t)))
}

// id is the store ID of the curated entity with the slug; the test fails if there is none.
func id(t testing.TB, b *Base, slug string) store.ID {
	t.Helper()
	e, err := b.EntityBySlug(context.Background(), slug, 0)
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}

func ptr[T any](v T) *T { return &v }

// wantBound fails unless err is a *BoundError on arg with the bounds and value given.
func wantBound(t *testing.T, err error, arg string, lo, hi, actual int) {
	t.Helper()
	var be *BoundError
	if !errors.As(err, &be) || !errors.Is(err, ErrBadInput) || *be != (BoundError{Arg: arg, Min: lo, Max: hi, Actual: actual}) {
		t.Fatalf("got %v, want a bound error on %s %d..%d, actual %d", err, arg, lo, hi, actual)
	}
}

func slugs(ents []*store.Entity) []string {
	out := make([]string, len(ents))
	for i, e := range ents {
		out[i] = e.Slug
	}
	return out
}

// ended is a context that has already ended.
func ended() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// Every question stops with the context's error when the request has ended (issue 10: the
// request timeout could not stop them while they took no context).
func TestQuestionsStopWhenTheContextEnds(t *testing.T) {
	b := kb(t)
	a, z := id(t, b, "jaeger"), id(t, b, "zipkin")
	rd, err := b.Radar(context.Background(), "backend-2026")
	if err != nil {
		t.Fatal(err)
	}
	f := &store.Filter{Or: []*store.Filter{{TagsAny: []string{"tracing"}}, {Not: &store.Filter{Kinds: []string{"database"}}}}}
	questions := map[string]func(ctx context.Context) error{
		"list":   func(ctx context.Context) error { _, err := b.ListEntities(ctx, ListArgs{Filter: f}); return err },
		"search": func(ctx context.Context) error { _, err := b.Search(ctx, SearchArgs{Text: "tracing"}); return err },
		"facets": func(ctx context.Context) error { _, err := b.Facets(ctx, nil, f); return err },
		"path":   func(ctx context.Context) error { _, err := b.ShortestPath(ctx, PathArgs{From: a, To: z}); return err },
		"neighborhood": func(ctx context.Context) error {
			_, err := b.Neighborhood(ctx, NeighborhoodArgs{Center: a})
			return err
		},
		"compare":       func(ctx context.Context) error { _, err := b.Compare(ctx, []store.ID{a, z}); return err },
		"by slug":       func(ctx context.Context) error { _, err := b.EntityBySlug(ctx, "jaeger", 0); return err },
		"radar":         func(ctx context.Context) error { _, err := b.Radar(ctx, "backend-2026"); return err },
		"radar entries": func(ctx context.Context) error { _, err := b.RadarEntries(ctx, EntriesArgs{Radar: rd}); return err },
		"radar edition": func(ctx context.Context) error { _, err := b.RadarEdition(ctx, rd, ""); return err },
	}
	for name, ask := range questions {
		t.Run(name, func(t *testing.T) {
			if err := ask(context.Background()); err != nil {
				t.Fatalf("with a live context: %v", err)
			}
			if err := ask(ended()); !errors.Is(err, context.Canceled) {
				t.Fatalf("with an ended context: %v, want context.Canceled", err)
			}
		})
	}
}
