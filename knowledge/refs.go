package knowledge

import (
	"context"
	"fmt"

	"github.com/trendgraph/trendgraph/store"
)

// EntityRef names an entity by its ID or, when ID is zero, by its slug: every argument that
// takes an entity (a path's ends, a neighbourhood's centre, the compared entities) takes either.
type EntityRef struct {
	ID   store.ID
	Slug string
}

// ResolveRefs returns the IDs of the entities refs name, reading all the slugs in one read
// transaction; IDs are returned as given (the function that takes them checks they exist). arg
// names the argument in errors: a slug that names nothing is NOT_FOUND, naming the slug.
func (b *Base) ResolveRefs(ctx context.Context, arg string, refs []EntityRef) ([]store.ID, error) {
	out := make([]store.ID, len(refs))
	var slugs []string
	var at []int
	for i, r := range refs {
		if r.ID != 0 {
			out[i] = r.ID
			continue
		}
		if r.Slug == "" {
			return nil, badInput("%s needs a slug or an ID", arg)
		}
		slugs, at = append(slugs, r.Slug), append(at, i)
	}
	if len(slugs) == 0 {
		return out, nil
	}
	if err := within(arg+" slugs", len(slugs), 0, MaxIDs); err != nil {
		return nil, err
	}
	ents, err := b.store.EntitiesBySlug(ctx, slugs)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", arg, err)
	}
	for j, e := range ents {
		if e == nil {
			return nil, notFound("%s: no entity has the slug or ID %q", arg, slugs[j])
		}
		out[at[j]] = e.ID
	}
	return out, nil
}
