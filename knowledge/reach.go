package knowledge

import (
	"context"
	"fmt"

	"github.com/trendgraph/trendgraph/store"
)

// prepareFilter checks a filter's bounds and resolves the starting entity of each of its reach
// conditions: slugs become IDs (one read for all of them), and a start that names no entity is
// refused as not found, naming the value, rather than silently reaching nothing. It fills in
// Reach.From in place.
func (b *Base) prepareFilter(ctx context.Context, f *store.Filter) error {
	if err := checkFilter(f, 0); err != nil {
		return err
	}
	var reaches []*store.Reach
	walkFilter(f, func(g *store.Filter) {
		if g.Reach != nil {
			reaches = append(reaches, g.Reach)
		}
	})
	if len(reaches) == 0 {
		return nil
	}
	var slugs []string
	var ids []store.ID
	for _, r := range reaches {
		r.MaxReached = MaxVisited
		if r.From == 0 {
			slugs = append(slugs, r.Slug)
		} else {
			ids = append(ids, r.From)
		}
	}
	// One read for the slugs and one for the IDs, each only when there are some.
	var bySlug, byID []*store.Entity
	var err error
	if len(slugs) > 0 {
		if bySlug, err = b.store.EntitiesBySlug(ctx, slugs); err != nil {
			return fmt.Errorf("reach: resolve slugs: %w", err)
		}
	}
	if len(ids) > 0 {
		if byID, err = b.store.EntitiesByID(ctx, ids); err != nil {
			return fmt.Errorf("reach: resolve IDs: %w", err)
		}
	}
	si, ii := 0, 0
	for _, r := range reaches {
		if r.From == 0 {
			e := bySlug[si]
			si++
			if e == nil {
				return notFound("reach.from: no entity has the slug %q", r.Slug)
			}
			r.From = e.ID
			continue
		}
		if byID[ii] == nil {
			return notFound("reach.from: no entity has the ID given")
		}
		ii++
	}
	return nil
}

// walkFilter calls fn on f and every filter nested in it.
func walkFilter(f *store.Filter, fn func(*store.Filter)) {
	if f == nil {
		return
	}
	fn(f)
	for _, sub := range f.And {
		walkFilter(sub, fn)
	}
	for _, sub := range f.Or {
		walkFilter(sub, fn)
	}
	walkFilter(f.Not, fn)
}
