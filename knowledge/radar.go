package knowledge

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// Placement is an entity's place on a radar at one edition.
type Placement struct {
	Radar      *domain.Radar
	Assessment *store.Assessment
	// Previous is the same entity's assessment at the radar's previous edition, if any.
	Previous *store.Assessment
	// Entity is the assessed entity, nil if it was not loaded (or no longer exists).
	Entity *store.Entity
}

// Movement is how a placement changed since the radar's previous edition: derived, never
// stored.
type Movement int8

// The movements. MovedIn is towards the centre (a ring of lower position).
const (
	MovementNew Movement = iota
	MovementMovedIn
	MovementMovedOut
	MovementUnchanged
)

// Movement compares the placement's ring with the previous edition's. An entity the previous
// edition did not place, or placed in a ring the radar no longer has, is new.
func (p Placement) Movement() Movement {
	if p.Previous == nil {
		return MovementNew
	}
	prev, ok := RingPosition(p.Radar, p.Previous.Ring)
	if !ok {
		return MovementNew
	}
	cur, _ := RingPosition(p.Radar, p.Assessment.Ring)
	switch {
	case cur < prev:
		return MovementMovedIn
	case cur > prev:
		return MovementMovedOut
	}
	return MovementUnchanged
}

// RingPosition is the position of a ring, innermost 0; an unknown ring is at 0 and not ok.
func RingPosition(rd *domain.Radar, slug string) (int, bool) {
	i := slices.IndexFunc(rd.Rings, func(r domain.Ring) bool { return r.Slug == slug })
	return max(i, 0), i >= 0
}

// PreviousEdition returns the date of the radar's edition before date, or "".
func PreviousEdition(rd *domain.Radar, date string) string {
	prev := ""
	for _, e := range rd.Editions {
		if e.Date < date && e.Date > prev {
			prev = e.Date
		}
	}
	return prev
}

// LatestEdition returns the date of the radar's newest edition (editions are kept oldest
// first), or "" when it has none.
func LatestEdition(rd *domain.Radar) string {
	if len(rd.Editions) == 0 {
		return ""
	}
	return rd.Editions[len(rd.Editions)-1].Date
}

// radars reads every radar: a small table, read whole.
func (b *Base) radars() (map[string]*domain.Radar, error) {
	list, err := b.store.Radars()
	if err != nil {
		return nil, fmt.Errorf("radars: %w", err)
	}
	m := make(map[string]*domain.Radar, len(list))
	for i := range list {
		m[list[i].Slug] = &list[i]
	}
	return m, nil
}

// Radar returns the radar with the slug.
func (b *Base) Radar(ctx context.Context, slug string) (*domain.Radar, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	radars, err := b.radars()
	if err != nil {
		return nil, err
	}
	rd, ok := radars[slug]
	if !ok {
		return nil, notFound("no radar has the slug %q", slug)
	}
	return rd, nil
}

// EntriesArgs asks for a page of a radar's entries.
type EntriesArgs struct {
	Radar *domain.Radar
	// Edition is an edition's date; "" is the latest.
	Edition string
	// Quadrant and Ring, when given, keep only the entries in them; they must be the radar's.
	Quadrant, Ring *string
	Window         Window
}

// RadarEntries pages through a radar's placements at an edition, in display order (quadrant,
// ring, entity name), each with its movement since the previous edition.
func (b *Base) RadarEntries(ctx context.Context, a EntriesArgs) (*Page[Placement], error) {
	args, err := a.Window.Args(EntryCursor)
	if err != nil {
		return nil, err
	}
	if a.Quadrant != nil && !slices.ContainsFunc(a.Radar.Quadrants, func(q domain.Quadrant) bool { return q.Slug == *a.Quadrant }) {
		return nil, notFound("radar %q has no quadrant %q", a.Radar.Slug, *a.Quadrant)
	}
	if a.Ring != nil {
		if _, ok := RingPosition(a.Radar, *a.Ring); !ok {
			return nil, notFound("radar %q has no ring %q", a.Radar.Slug, *a.Ring)
		}
	}
	entries, keys, err := b.edition(ctx, a.Radar, a.Edition, func(as *store.Assessment) bool {
		return (a.Quadrant == nil || as.Quadrant == *a.Quadrant) && (a.Ring == nil || as.Ring == *a.Ring)
	})
	if err != nil {
		return nil, err
	}
	from, to, hasPrev, hasNext := store.PageBounds(len(entries), func(i int, c []byte) int { return bytes.Compare(keys[i], c) }, args)
	p := &Page[Placement]{Items: entries[from:to], Cursors: make([]string, 0, to-from), HasPreviousPage: hasPrev, HasNextPage: hasNext, Total: len(entries)}
	for _, k := range keys[from:to] {
		p.Cursors = append(p.Cursors, EncodeCursor(EntryCursor, k))
	}
	return p, nil
}

// RadarEdition returns every placement of a radar's edition ("" for the latest), in display
// order: what a whole-radar view shows, read in three transactions whatever its size.
func (b *Base) RadarEdition(ctx context.Context, rd *domain.Radar, edition string) ([]Placement, error) {
	entries, _, err := b.edition(ctx, rd, edition, nil)
	return entries, err
}

// edition reads the placements of an edition that keep allows (nil: all), sorted by their
// cursor keys, and returns the keys alongside.
func (b *Base) edition(ctx context.Context, rd *domain.Radar, date string, keep func(*store.Assessment) bool) ([]Placement, [][]byte, error) {
	if date == "" {
		date = LatestEdition(rd)
	} else if !slices.ContainsFunc(rd.Editions, func(e domain.Edition) bool { return e.Date == date }) {
		return nil, nil, notFound("radar %q has no edition %s", rd.Slug, date)
	}
	current, err := b.store.Assessments(ctx, rd.Slug, date)
	if err != nil {
		return nil, nil, fmt.Errorf("radar %s at %s: %w", rd.Slug, date, err)
	}
	previous := map[store.ID]*store.Assessment{}
	if prev := PreviousEdition(rd, date); prev != "" {
		list, err := b.store.Assessments(ctx, rd.Slug, prev)
		if err != nil {
			return nil, nil, fmt.Errorf("radar %s at %s: %w", rd.Slug, prev, err)
		}
		for _, a := range list {
			previous[a.EntityID] = a
		}
	}
	if keep != nil {
		current = slices.DeleteFunc(current, func(a *store.Assessment) bool { return !keep(a) })
	}
	ids := make([]store.ID, len(current))
	for i, a := range current {
		ids[i] = a.EntityID
	}
	ents, err := b.store.EntitiesByID(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("radar %s at %s: load entities: %w", rd.Slug, date, err)
	}
	order := make([]int, len(current))
	keys := make([][]byte, len(current))
	quadrants, rings := positions(rd)
	for i, a := range current {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		order[i] = i
		name := ""
		if ents[i] != nil {
			name = ents[i].Name
		}
		keys[i] = entryKey(quadrants, rings, a, name)
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	entries := make([]Placement, len(order))
	sorted := make([][]byte, len(order))
	for j, i := range order {
		entries[j] = Placement{Radar: rd, Assessment: current[i], Previous: previous[current[i].EntityID], Entity: ents[i]}
		sorted[j] = keys[i]
	}
	return entries, sorted, nil
}

// checkEvery is how many items a loop of ours handles between looks at its context.
const checkEvery = 1024

// positions maps the radar's quadrant and ring slugs to their display positions.
func positions(rd *domain.Radar) (quadrants, rings map[string]byte) {
	quadrants, rings = map[string]byte{}, map[string]byte{}
	for i, q := range rd.Quadrants {
		quadrants[q.Slug] = byte(i)
	}
	for i, r := range rd.Rings {
		rings[r.Slug] = byte(i)
	}
	return quadrants, rings
}

// entryKey is an entry's sort key and cursor: quadrant position, ring position, folded name,
// entity ID. An unknown quadrant or ring sorts first.
func entryKey(quadrants, rings map[string]byte, a *store.Assessment, name string) []byte {
	k := make([]byte, 0, 2+len(name)+1+8)
	k = append(k, quadrants[a.Quadrant], rings[a.Ring])
	k = append(k, bytes.ToLower([]byte(name))...)
	k = append(k, 0)
	return append(k, a.EntityID.Bytes()...)
}
