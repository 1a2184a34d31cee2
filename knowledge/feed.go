package knowledge

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/trendgraph/trendgraph/store"
)

// ErrTooSlow ends a follower whose reader did not keep up: its buffer filled while change sets
// were waiting. Writers never wait for followers; a follower that falls behind is dropped and
// can resume from the last version it saw.
var ErrTooSlow = errors.New("the subscriber fell behind the changes and was dropped: resubscribe from the last version received")

// ErrTooManyFollowers refuses a follower past the feed's bound.
var ErrTooManyFollowers = errors.New("too many subscribers")

// Feed hands out the change log as it grows, to a bounded number of followers with bounded
// buffers. One Feed serves a store for the life of a server.
type Feed struct {
	store *store.Store
	// max bounds the followers at once; buffer the change sets one may have unread.
	max, buffer int
	active      atomic.Int64
}

// NewFeed returns a feed of s's changes for at most max followers (0: 1000), each with a
// buffer of buffer change sets (0: 256).
func NewFeed(s *store.Store, max, buffer int) *Feed {
	if max <= 0 {
		max = 1000
	}
	if buffer <= 0 {
		buffer = 256
	}
	return &Feed{store: s, max: max, buffer: buffer}
}

// Followers is how many follow the feed now.
func (f *Feed) Followers() int { return int(f.active.Load()) }

// Follow sends every change set after version since (the newest, when since is nil) and then
// each new one as it commits, oldest first, none twice and none left out, until ctx ends. When
// the reader falls a whole buffer behind, the channel is closed and *stop holds ErrTooSlow;
// after ctx ends it holds ctx's error.
func (f *Feed) Follow(ctx context.Context, since *uint64) (<-chan *store.ChangeSet, *error, error) {
	if n := f.active.Add(1); n > int64(f.max) {
		f.active.Add(-1)
		return nil, nil, fmt.Errorf("%w: the server takes at most %d at once", ErrTooManyFollowers, f.max)
	}
	// Take the wake-up channel before reading where to start: a commit in between then wakes
	// the first wait, and nothing is missed.
	wake := f.store.Changed()
	next := f.store.Version() + 1
	if since != nil {
		// A since past this store's version is not refused: a replica behind its cluster
		// sends those change sets once it has them.
		next = *since + 1
	}
	out := make(chan *store.ChangeSet, f.buffer)
	var stop error
	go func() {
		// The count drops before the channel closes: a follower that sees the end sees it gone.
		defer close(out)
		defer f.active.Add(-1)
		for {
			sets, err := f.store.ChangeSets(ctx, next, f.buffer, false)
			if err != nil {
				stop = err
				return
			}
			for i := range sets {
				select {
				case out <- &sets[i]:
					next = sets[i].Version + 1
				default:
					stop = ErrTooSlow
					return
				}
			}
			if len(sets) == f.buffer {
				continue // more are waiting
			}
			select {
			case <-ctx.Done():
				stop = ctx.Err()
				return
			case <-wake:
				wake = f.store.Changed()
			}
		}
	}()
	return out, &stop, nil
}
