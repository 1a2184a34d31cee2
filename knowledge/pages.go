package knowledge

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// The readers of the server's pages (an entity's page, the radar picture): what a page shows
// that no list or walk of this package already answers.

// EntityPlacements returns every placement of an entity, on every radar and at every edition
// that assesses it, ordered by radar slug and then edition date, oldest first; each carries the
// entity's assessment at its radar's previous edition, so its movement is the API's. A radar
// that is gone leaves its assessments out.
func (b *Base) EntityPlacements(ctx context.Context, ent *store.Entity) ([]Placement, error) {
	radars, err := b.radars()
	if err != nil {
		return nil, err
	}
	all, err := b.store.AssessmentsOf(ctx, []store.ID{ent.ID})
	if err != nil {
		return nil, fmt.Errorf("placements of %s: %w", ent.Slug, err)
	}
	at := map[[2]string]*store.Assessment{}
	for _, a := range all[0] {
		at[[2]string{a.Radar, a.Edition}] = a
	}
	out := make([]Placement, 0, len(all[0]))
	for _, a := range all[0] {
		rd, ok := radars[a.Radar]
		if !ok {
			continue
		}
		p := Placement{Radar: rd, Assessment: a, Entity: ent}
		if prev := PreviousEdition(rd, a.Edition); prev != "" {
			p.Previous = at[[2]string{a.Radar, prev}]
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y Placement) int {
		return cmp.Or(cmp.Compare(x.Radar.Slug, y.Radar.Slug), cmp.Compare(x.Assessment.Edition, y.Assessment.Edition))
	})
	return out, nil
}

// Sources returns every source, ordered by slug: a small table, read whole.
func (b *Base) Sources(ctx context.Context) ([]store.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	list, err := b.store.Sources()
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	slices.SortFunc(list, func(x, y store.Source) int { return cmp.Compare(x.Slug, y.Slug) })
	return list, nil
}

// CitedBy returns the entities that cite a passage of the source src, ordered by name. Citations
// of the default source may name it or leave it out: both are counted when isDefault.
func (b *Base) CitedBy(ctx context.Context, src string, isDefault bool, section string, paragraph int) ([]*store.Entity, error) {
	cites := []domain.Citation{{Source: src, Section: section, Paragraph: paragraph}}
	if isDefault {
		cites = append(cites, domain.Citation{Section: section, Paragraph: paragraph})
	}
	citing, err := b.store.CitingEntities(ctx, cites)
	if err != nil {
		return nil, fmt.Errorf("entities citing %s: %w", src, err)
	}
	var ids []store.ID
	for _, list := range citing {
		for _, c := range list {
			ids = append(ids, c.ID)
		}
	}
	ents, err := b.store.EntitiesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("entities citing %s: %w", src, err)
	}
	out := slices.DeleteFunc(ents, func(e *store.Entity) bool { return e == nil })
	slices.SortFunc(out, func(x, y *store.Entity) int { return cmp.Compare(x.Name, y.Name) })
	return slices.CompactFunc(out, func(x, y *store.Entity) bool { return x.ID == y.ID }), nil
}

// Linked is a relationship seen from one end, with the entity at its other end.
type Linked struct {
	Relationship *store.Relationship
	Other        *store.Entity
}

// LinkedMany returns, for each entity of ids, its relationships matching f (at most limit
// each, in the store's edge order) with the entities at their other ends: three reads, however
// many entities (the mitigations of every tradeoff on an entity's page, say).
func (b *Base) LinkedMany(ctx context.Context, ids []store.ID, f store.EdgeFilter, limit int) ([][]Linked, error) {
	edges, err := b.store.Edges(ctx, ids, f)
	if err != nil {
		return nil, fmt.Errorf("linked entities: %w", err)
	}
	var relIDs, otherIDs []store.ID
	for i := range edges {
		edges[i] = edges[i][:min(len(edges[i]), limit)]
		for _, e := range edges[i] {
			relIDs, otherIDs = append(relIDs, e.Rel), append(otherIDs, e.Other)
		}
	}
	rels, err := b.store.RelationshipsByID(ctx, relIDs)
	if err != nil {
		return nil, fmt.Errorf("linked entities: %w", err)
	}
	others, err := b.store.EntitiesByID(ctx, otherIDs)
	if err != nil {
		return nil, fmt.Errorf("linked entities: %w", err)
	}
	out := make([][]Linked, len(ids))
	n := 0
	for i := range edges {
		for range edges[i] {
			if rels[n] != nil && others[n] != nil {
				out[i] = append(out[i], Linked{Relationship: rels[n], Other: others[n]})
			}
			n++
		}
	}
	return out, nil
}
