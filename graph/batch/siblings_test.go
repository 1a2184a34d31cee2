package batch_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/trendgraph/trendgraph/graph/batch"
)

// arrival is one field resolver reaching its loader: as a field of an object of type object
// (none: a context without a field, as outside gqlgen), at position sig of the query.
type arrival struct{ object, sig string }

func (a arrival) ctx() context.Context {
	if a.object == "" {
		return context.Background()
	}
	return graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Object: a.object})
}

// group returns a function making a group of the given objects, added one by one.
func group(typeNames ...string) func() *batch.Siblings {
	return func() *batch.Siblings {
		s := batch.New()
		for _, t := range typeNames {
			s.Add(t)
		}
		return s
	}
}

// When does an arrival flush its loader? Only the last sibling of its type at its position
// may flush, and whenever the group cannot tell, an arrival flushes at once: a flush too early
// costs one more batch, one never made costs the loader's wait.
func TestArrivalFlushesOnlyWhenItIsTheLast(t *testing.T) {
	const tech, trend = "Technology", "Trend"
	cases := []struct {
		name     string
		group    func() *batch.Siblings
		arrivals []arrival
		flushes  []int // the arrivals, by index, that flush
	}{
		{"the last of three siblings", group(tech, tech, tech),
			[]arrival{{tech, "a"}, {tech, "a"}, {tech, "a"}}, []int{2}},
		{"a group of one", group(tech),
			[]arrival{{tech, "a"}}, []int{0}},
		{"a nil group is a group of one", func() *batch.Siblings { return nil },
			[]arrival{{tech, "a"}, {tech, "a"}}, []int{0, 1}},
		{"no field context: no way to count", group(tech, tech),
			[]arrival{{"", "a"}, {"", "a"}}, []int{0, 1}},
		// The same objects reached twice, as through a connection's edges and its nodes.
		{"positions are counted apart", group(tech, tech),
			[]arrival{{tech, "edges.node.x"}, {tech, "nodes.x"}, {tech, "nodes.x"}, {tech, "edges.node.x"}}, []int{2, 3}},
		// An entity list mixes types; each type's fields are asked by that type's objects only.
		{"types are counted apart", group(tech, trend, tech),
			[]arrival{{tech, "a"}, {trend, "a"}, {tech, "a"}}, []int{1, 2}},
		{"a type the group never counted", group(tech),
			[]arrival{{trend, "a"}}, []int{0}},
		{"arrivals past the count flush again", group(tech),
			[]arrival{{tech, "a"}, {tech, "a"}}, []int{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.group()
			var got []int
			for i, a := range c.arrivals {
				s.Arrive(a.ctx(), a.sig, func() { got = append(got, i) })
			}
			if !slices.Equal(got, c.flushes) {
				t.Fatalf("flushed at arrivals %v, want %v", got, c.flushes)
			}
		})
	}
}

// gqlgen resolves siblings in goroutines of their own: however their arrivals interleave, the
// loader is flushed once, by the last of them, after every sibling has queued its key.
func TestConcurrentSiblingsFlushOnceAfterAllArrive(t *testing.T) {
	const n = 200
	s := batch.New()
	for range n {
		s.Add("Technology")
	}
	ctx := arrival{"Technology", "x"}.ctx()
	var queued, flushes atomic.Int64
	var atFlush int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			queued.Add(1) // the key is queued before the arrival is reported
			s.Arrive(ctx, "x", func() {
				atFlush = queued.Load()
				flushes.Add(1)
			})
		}()
	}
	close(start)
	wg.Wait()
	if flushes.Load() != 1 || atFlush != n {
		t.Fatalf("%d flushes, the first after %d of %d keys were queued; want 1, after all", flushes.Load(), atFlush, n)
	}
}

// Objects are members by identity: two objects with equal contents can belong to different
// groups (as a relationship's end and the same entity as its other end do), and an object
// never added is in no group, which Arrive treats as a group of one.
func TestMembersAreKeptByIdentity(t *testing.T) {
	type object struct{ slug string }
	a, b, stranger := &object{"x"}, &object{"x"}, &object{"x"}
	ga, gb := batch.New(), batch.New()
	var m batch.Members
	m.Add(a, ga)
	m.Add(b, gb)
	if m.Of(a) != ga || m.Of(b) != gb {
		t.Fatal("equal objects share a group")
	}
	if m.Of(stranger) != nil || m.Of(nil) != nil {
		t.Fatal("an object never added has a group")
	}
}
