package knowledge

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/store"
)

func TestShortestPath(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	otel, k8s := id(t, b, "opentelemetry"), id(t, b, "kubernetes")
	p, err := b.ShortestPath(ctx, PathArgs{From: otel, To: k8s})
	if err != nil || p == nil {
		t.Fatalf("path: %+v %v", p, err)
	}
	if len(p.Nodes) != len(p.Steps)+1 || p.Nodes[0].Slug != "opentelemetry" || p.Nodes[len(p.Nodes)-1].Slug != "kubernetes" {
		t.Fatalf("path nodes %v, %d steps", slugs(p.Nodes), len(p.Steps))
	}
	for i, s := range p.Steps {
		from, to := p.Nodes[i].ID, p.Nodes[i+1].ID
		if s.Dir == store.Incoming {
			from, to = to, from
		}
		if s.Relationship.FromID != from || s.Relationship.ToID != to {
			t.Fatalf("step %d: %+v does not join %s and %s as %v", i, s.Relationship, p.Nodes[i].Slug, p.Nodes[i+1].Slug, s.Dir)
		}
	}
	// The reverse question has a path of the same length.
	back, err := b.ShortestPath(ctx, PathArgs{From: k8s, To: otel})
	if err != nil || back == nil || len(back.Steps) != len(p.Steps) {
		t.Fatalf("reverse path: %+v %v", back, err)
	}
	if self, err := b.ShortestPath(ctx, PathArgs{From: otel, To: otel}); err != nil || len(self.Nodes) != 1 || len(self.Steps) != 0 {
		t.Fatalf("path to itself: %+v %v", self, err)
	}
	// No path within one step between distant entities: nil, not an error.
	if none, err := b.ShortestPath(ctx, PathArgs{From: otel, To: id(t, b, "php"), MaxDepth: ptr(1)}); none != nil || err != nil {
		t.Fatalf("within 1: %+v %v", none, err)
	}
	_, err = b.ShortestPath(ctx, PathArgs{From: otel, To: k8s, MaxDepth: ptr(MaxPathDepth + 1)})
	wantBound(t, err, "maxDepth", 1, MaxPathDepth, MaxPathDepth+1)
	_, err = b.ShortestPath(ctx, PathArgs{From: otel, To: k8s, MaxDepth: ptr(0)})
	wantBound(t, err, "maxDepth", 1, MaxPathDepth, 0)
	if _, err := b.ShortestPath(ctx, PathArgs{From: otel, To: 12345}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("to nothing: %v", err)
	}
}

func TestNeighborhood(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	center := id(t, b, "microservices")
	one, err := b.Neighborhood(ctx, NeighborhoodArgs{Center: center})
	if err != nil || one.Center.Slug != "microservices" || len(one.Nodes) == 0 || one.Truncated {
		t.Fatalf("depth 1: %+v %v", one, err)
	}
	in := map[store.ID]bool{center: true}
	for _, n := range one.Nodes {
		if n.Depth != 1 || in[n.Entity.ID] {
			t.Fatalf("depth 1 holds %s at depth %d (or twice)", n.Entity.Slug, n.Depth)
		}
		in[n.Entity.ID] = true
	}
	for _, r := range one.Relationships {
		if !in[r.From.ID] || !in[r.To.ID] || r.Relationship.FromID != r.From.ID || r.Relationship.ToID != r.To.ID {
			t.Fatalf("relationship %+v leaves the neighbourhood", r.Relationship)
		}
	}
	two, err := b.Neighborhood(ctx, NeighborhoodArgs{Center: center, Depth: ptr(2), Limit: ptr(MaxNeighborhoodLimit)})
	if err != nil || len(two.Nodes) <= len(one.Nodes) {
		t.Fatalf("depth 2: %d nodes (depth 1: %d) %v", len(two.Nodes), len(one.Nodes), err)
	}
	small, err := b.Neighborhood(ctx, NeighborhoodArgs{Center: center, Depth: ptr(3), Limit: ptr(5)})
	if err != nil || len(small.Nodes) != 5 || !small.Truncated {
		t.Fatalf("limit 5: %d nodes, truncated %v, %v", len(small.Nodes), small.Truncated, err)
	}
	out, err := b.Neighborhood(ctx, NeighborhoodArgs{Center: center, Dir: store.Outgoing})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Relationships {
		if r.From.ID != center {
			t.Fatalf("outgoing only, got %s -> %s", r.From.Slug, r.To.Slug)
		}
	}
	_, err = b.Neighborhood(ctx, NeighborhoodArgs{Center: center, Depth: ptr(MaxNeighborhoodDepth + 1)})
	wantBound(t, err, "depth", 1, MaxNeighborhoodDepth, MaxNeighborhoodDepth+1)
	_, err = b.Neighborhood(ctx, NeighborhoodArgs{Center: center, Limit: ptr(MaxNeighborhoodLimit + 1)})
	wantBound(t, err, "limit", 1, MaxNeighborhoodLimit, MaxNeighborhoodLimit+1)
	if _, err := b.Neighborhood(ctx, NeighborhoodArgs{Center: 12345}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("around nothing: %v", err)
	}
}

func TestCompare(t *testing.T) {
	b := kb(t)
	ctx := context.Background()
	lambda, gcf := id(t, b, "aws-lambda"), id(t, b, "google-cloud-functions")
	c, err := b.Compare(ctx, []store.ID{lambda, gcf})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(slugs(c.Entities), []string{"aws-lambda", "google-cloud-functions"}) || len(c.Assessments) != 2 {
		t.Fatalf("compare: %v, %d assessments", slugs(c.Entities), len(c.Assessments))
	}
	cold := slices.IndexFunc(c.Tradeoffs, func(t ComparedTradeoff) bool { return t.Tradeoff.Slug == "cold-starts" })
	if cold < 0 || !c.Tradeoffs[cold].Shared || !slices.Equal(c.Tradeoffs[cold].Of, []int{0, 1}) {
		t.Fatalf("cold starts: %+v", c.Tradeoffs)
	}
	// Shared ones first.
	for _, list := range [][]bool{shared(c.Tradeoffs, func(t ComparedTradeoff) bool { return t.Shared }), shared(c.Neighbors, func(n ComparedNeighbor) bool { return n.Shared })} {
		if !slices.IsSortedFunc(list, func(a, b bool) int { return boolInt(b) - boolInt(a) }) {
			t.Fatalf("shared not first: %v", list)
		}
	}
	for _, p := range c.Assessments {
		if p.Radar == nil || p.Entity == nil || p.Assessment.EntityID != p.Entity.ID {
			t.Fatalf("assessment: %+v", p)
		}
	}
	_, err = b.Compare(ctx, []store.ID{lambda})
	wantBound(t, err, "compare ids", MinCompare, MaxCompare, 1)
	_, err = b.Compare(ctx, make([]store.ID, MaxCompare+1))
	wantBound(t, err, "compare ids", MinCompare, MaxCompare, MaxCompare+1)
	if _, err := b.Compare(ctx, []store.ID{lambda, lambda}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("the same twice: %v", err)
	}
	if _, err := b.Compare(ctx, []store.ID{lambda, 12345}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("with nothing: %v", err)
	}
}

func shared[T any](list []T, f func(T) bool) []bool {
	out := make([]bool, len(list))
	for i, x := range list {
		out[i] = f(x)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
