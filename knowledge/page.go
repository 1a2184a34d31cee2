package knowledge

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/trendgraph/trendgraph/store"
)

// Window picks a page of an ordered list, as Relay connections do: the First items after the
// After cursor, or the Last items before the Before cursor. Nil fields are not given; with
// neither First nor Last a page holds DefaultPageSize items.
type Window struct {
	First, Last   *int
	After, Before *string
}

// Page is one page of an ordered list: its items, each item's cursor, and the exact count of
// the whole list.
type Page[T any] struct {
	Items []T
	// Cursors[i] is the cursor of Items[i], to pass back as After or Before.
	Cursors                      []string
	HasPreviousPage, HasNextPage bool
	Total                        int
}

// CursorKind is the first byte of every cursor: a cursor of one kind of list is refused by
// another, instead of paging it from a meaningless position.
type CursorKind byte

// The kinds of cursors. They are inside cursors that clients keep: never change one.
const (
	ListCursor   CursorKind = 'L' // entity lists, radars, sources
	EdgeCursor   CursorKind = 'E' // an entity's relationships
	SearchCursor CursorKind = 'S'
	EntryCursor  CursorKind = 'A' // a radar's entries
)

// Args validates the window for a list of the given kind and turns it into the store's page
// arguments.
func (w Window) Args(kind CursorKind) (store.PageArgs, error) {
	var p store.PageArgs
	if w.First != nil && w.Last != nil {
		return p, badInput("pass either first or last, not both")
	}
	switch {
	case w.First != nil:
		if err := within("first", *w.First, 0, MaxPageSize); err != nil {
			return p, err
		}
		p.Limit = *w.First
	case w.Last != nil:
		if err := within("last", *w.Last, 0, MaxPageSize); err != nil {
			return p, err
		}
		p.Limit, p.FromEnd = *w.Last, true
	default:
		p.Limit = DefaultPageSize
	}
	var err error
	if p.After, err = decodeCursor(kind, w.After, "after"); err != nil {
		return p, err
	}
	if p.Before, err = decodeCursor(kind, w.Before, "before"); err != nil {
		return p, err
	}
	return p, nil
}

// DecodeCursor returns the bytes a cursor of kind holds, or a bad-input error naming arg.
func decodeCursor(kind CursorKind, c *string, arg string) ([]byte, error) {
	if c == nil {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(*c)
	// As with IDs: a cursor must be exactly the encoding of its bytes (no skipped newlines).
	if err != nil || len(b) < 2 || b[0] != byte(kind) || len(*c) > MaxCursorLength || base64.RawURLEncoding.EncodeToString(b) != *c {
		return nil, badInput("%s is not a cursor of this list: %q", arg, *c)
	}
	return b[1:], nil
}

// EncodeCursor makes the cursor of kind for a position the store gave (raw).
func EncodeCursor(kind CursorKind, raw []byte) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte{byte(kind)}, raw...))
}

// PageSlugs pages a sorted list of slugs (radars, sources), each slug its own cursor.
func PageSlugs(sorted []string, w Window) (*Page[string], error) {
	args, err := w.Args(ListCursor)
	if err != nil {
		return nil, err
	}
	from, to, hasPrev, hasNext := store.PageBounds(len(sorted), func(i int, c []byte) int { return strings.Compare(sorted[i], string(c)) }, args)
	p := &Page[string]{Items: sorted[from:to], Cursors: make([]string, 0, to-from), HasPreviousPage: hasPrev, HasNextPage: hasNext, Total: len(sorted)}
	for _, s := range p.Items {
		p.Cursors = append(p.Cursors, EncodeCursor(ListCursor, []byte(s)))
	}
	return p, nil
}

// storeError turns the store's refusal of a cursor into the caller's mistake, and wraps any
// other failure with what was being done.
func storeError(what string, err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return badInput("the cursor does not belong to this list and order")
	}
	if errors.Is(err, store.ErrReachTooWide) {
		return badInput("a reach of the filter reaches more than %d entities: lower its hops or follow fewer kinds", MaxVisited)
	}
	return fmt.Errorf("%s: %w", what, err)
}
