package knowledge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

func addSkill(t *testing.T, c *Curator, slug string) *store.ChangeSet {
	t.Helper()
	cs, err := c.CreateEntity(context.Background(), Author{Actor: "t", Reason: "test"}, domain.Entity{Type: domain.TypeSkill, Slug: slug,
		Name: slug, Summary: "A skill for the test.", Citations: []domain.Citation{{Section: "Conclusion", Paragraph: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func receive(t *testing.T, ch <-chan *store.ChangeSet) *store.ChangeSet {
	t.Helper()
	select {
	case cs := <-ch:
		return cs
	case <-time.After(10 * time.Second):
		t.Fatal("no change set arrived")
		return nil
	}
}

// A follower gets the change sets after its version, then each new one, in order; a follower
// that does not read is dropped with ErrTooSlow, and past the bound followers are refused.
func TestFeed(t *testing.T) {
	s := kbtest.Open(t, kbtest.Curated(t))
	c := NewCurator(s, nil, nil)
	first := addSkill(t, c, "skill-a")
	f := NewFeed(s, 2, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	since := first.Version - 1
	ch, stop, err := f.Follow(ctx, &since)
	if err != nil {
		t.Fatal(err)
	}
	if cs := receive(t, ch); cs.Version != first.Version {
		t.Fatalf("catch-up sent version %d, want %d", cs.Version, first.Version)
	}
	second := addSkill(t, c, "skill-b")
	if cs := receive(t, ch); cs.Version != second.Version {
		t.Fatalf("live sent version %d, want %d", cs.Version, second.Version)
	}

	// A follower that never reads: its buffer of 2 fills, the third change set drops it.
	lazy, lazyStop, err := f.Follow(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Follow(ctx, nil); !errors.Is(err, ErrTooManyFollowers) {
		t.Fatalf("third follower: %v", err)
	}
	for _, slug := range []string{"skill-c", "skill-d", "skill-e"} {
		addSkill(t, c, slug)
		receive(t, ch) // the reading follower keeps up
	}
	// Reading now would make room and rescue it: wait until the feed has let it go.
	for deadline := time.Now().Add(10 * time.Second); f.Followers() > 1; {
		if time.Now().After(deadline) {
			t.Fatal("the lazy follower was never dropped")
		}
		time.Sleep(time.Millisecond)
	}
	n := 0
	for range lazy {
		n++
	}
	if n != 2 || !errors.Is(*lazyStop, ErrTooSlow) {
		t.Fatalf("lazy follower: %d change sets, stop %v", n, *lazyStop)
	}
	cancel()
	for range ch {
	}
	if !errors.Is(*stop, context.Canceled) {
		t.Fatalf("stop after cancel: %v", *stop)
	}
	if f.Followers() != 0 {
		t.Fatalf("%d followers left", f.Followers())
	}
}
