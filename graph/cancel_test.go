package graph

import (
	"context"
	"errors"
	"testing"

	"github.com/trendgraph/trendgraph/graph/model"
)

// Issue 10: root fields read the store without the request's context, so a request past its
// --timeout kept reading to the end. Called with a context that has ended, every resolver that
// reads the store returns the context's error instead of an answer. (The executor itself
// refuses a request whose context ended before it began, so the resolvers are called here
// directly, with the per-operation loaders they run with.)
func TestResolversStopWhenTheRequestEnds(t *testing.T) {
	e := newEnv(t)
	var ids struct {
		A, B struct{ ID string }
	}
	e.query(t, `{ a: technology(slug: "jaeger") { id } b: technology(slug: "zipkin") { id } }`, &ids)
	root := &Resolver{Store: e.store}
	q := &queryResolver{root}
	f := &model.EntityFilter{Or: []*model.EntityFilter{{TagsAny: []string{"tracing"}}, {Not: &model.EntityFilter{Kinds: []model.TechnologyKind{"DATABASE"}}}}}
	reads := map[string]func(ctx context.Context) error{
		"list": func(ctx context.Context) error { _, err := q.Technologies(ctx, f, nil, nil, nil, nil, nil); return err },
		"search": func(ctx context.Context) error {
			_, err := q.Search(ctx, "tracing", nil, nil, nil, nil, nil, nil, nil)
			return err
		},
		"path": func(ctx context.Context) error { _, err := q.Path(ctx, ids.A.ID, ids.B.ID, nil, nil); return err },
		"neighborhood": func(ctx context.Context) error {
			_, err := q.Neighborhood(ctx, ids.A.ID, nil, nil, nil, nil)
			return err
		},
		"compare": func(ctx context.Context) error { _, err := q.Compare(ctx, []string{ids.A.ID, ids.B.ID}); return err },
		"facets":  func(ctx context.Context) error { _, err := q.Facets(ctx, nil, f); return err },
		"by slug": func(ctx context.Context) error { _, err := q.Technology(ctx, "jaeger"); return err },
		"radar entries": func(ctx context.Context) error {
			rd, err := q.Radar(withLoaders(context.Background(), e.store, LoaderOptions{}, nil), "backend-2026")
			if err != nil {
				return err
			}
			_, err = (&radarResolver{root}).Entries(ctx, rd, nil, nil, nil, nil, nil, nil, nil)
			return err
		},
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			if err := read(withLoaders(context.Background(), e.store, LoaderOptions{}, nil)); err != nil {
				t.Fatalf("with a live context: %v", err)
			}
			if err := read(withLoaders(ended, e.store, LoaderOptions{}, nil)); !errors.Is(err, context.Canceled) {
				t.Fatalf("with an ended context: %v, want context.Canceled", err)
			}
		})
	}
}
