package knowledge

import (
	"context"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// Comparison lays several entities side by side.
type Comparison struct {
	// Entities are the compared entities, in the order asked.
	Entities []*store.Entity
	// Tradeoffs are the benefits and challenges of any of them, shared ones first.
	Tradeoffs []ComparedTradeoff
	// Neighbors are their other related entities, by kind and direction, shared ones first.
	Neighbors []ComparedNeighbor
	// Assessments are each entity's latest assessment on every radar that placed it.
	Assessments []Placement
}

// ComparedTradeoff is a tradeoff of some of the compared entities.
type ComparedTradeoff struct {
	Tradeoff *store.Entity
	// Of indexes the Comparison's Entities that have it; Shared says all of them do.
	Of     []int
	Shared bool
}

// ComparedNeighbor is an entity related to some of the compared entities in one way.
type ComparedNeighbor struct {
	Kind     domain.RelKind
	Dir      store.Direction // as seen from the compared entities
	Neighbor *store.Entity
	Of       []int
	Shared   bool
}

// Compare lays MinCompare to MaxCompare distinct entities side by side from their edges: one
// read for the edges, one for the entities at their other ends, one for the assessments.
func (b *Base) Compare(ctx context.Context, ids []store.ID) (*Comparison, error) {
	if err := within("compare ids", len(ids), MinCompare, MaxCompare); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if j := slices.Index(ids[:i], id); j >= 0 {
			return nil, badInput("compare needs distinct entities; ids %d and %d are the same", j, i)
		}
	}
	edges, err := b.store.Edges(ctx, ids, store.EdgeFilter{Dir: store.Both})
	if err != nil {
		return nil, fmt.Errorf("compare: load edges: %w", err)
	}
	type key struct {
		kind  domain.RelKind
		dir   store.Direction
		other store.ID
	}
	var keys []key
	members := map[key][]int{}
	need := slices.Clone(ids)
	for i := range ids {
		for _, e := range edges[i] {
			k := key{e.Kind, e.Dir, e.Other}
			if len(members[k]) == 0 {
				keys = append(keys, k)
				need = append(need, e.Other)
			}
			if !slices.Contains(members[k], i) {
				members[k] = append(members[k], i)
			}
		}
	}
	ents, err := b.store.EntitiesByID(ctx, need)
	if err != nil {
		return nil, fmt.Errorf("compare: load entities: %w", err)
	}
	byID := store.IndexByID(ents)
	out := &Comparison{Entities: make([]*store.Entity, len(ids)), Tradeoffs: []ComparedTradeoff{}, Neighbors: []ComparedNeighbor{}, Assessments: []Placement{}}
	for i, id := range ids {
		if byID[id] == nil {
			return nil, notFound("no entity has the ID given as ids[%d]", i)
		}
		out.Entities[i] = byID[id]
	}
	for _, k := range keys {
		other := byID[k.other]
		if other == nil {
			continue
		}
		shared := len(members[k]) == len(ids)
		if (k.kind == domain.RelHasBenefit || k.kind == domain.RelHasChallenge) && k.dir == store.Outgoing && other.Type == domain.TypeTradeoff {
			out.Tradeoffs = append(out.Tradeoffs, ComparedTradeoff{Tradeoff: other, Of: members[k], Shared: shared})
			continue
		}
		out.Neighbors = append(out.Neighbors, ComparedNeighbor{Kind: k.kind, Dir: k.dir, Neighbor: other, Of: members[k], Shared: shared})
	}
	// Shared first, then by how many compared entities have it.
	slices.SortStableFunc(out.Tradeoffs, func(a, b ComparedTradeoff) int { return len(b.Of) - len(a.Of) })
	slices.SortStableFunc(out.Neighbors, func(a, b ComparedNeighbor) int { return len(b.Of) - len(a.Of) })
	if out.Assessments, err = b.latestPlacements(ctx, out.Entities); err != nil {
		return nil, err
	}
	return out, nil
}

// latestPlacements returns each entity's latest assessment on every radar, with the one before.
func (b *Base) latestPlacements(ctx context.Context, ents []*store.Entity) ([]Placement, error) {
	ids := make([]store.ID, len(ents))
	for i, e := range ents {
		ids[i] = e.ID
	}
	all, err := b.store.AssessmentsOf(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("compare: load assessments: %w", err)
	}
	radars, err := b.radars()
	if err != nil {
		return nil, err
	}
	out := []Placement{}
	for i, list := range all {
		latest := map[string]*store.Assessment{}
		for _, a := range list {
			if cur := latest[a.Radar]; cur == nil || a.Edition > cur.Edition {
				latest[a.Radar] = a
			}
		}
		for _, a := range list {
			rd, ok := radars[a.Radar]
			if !ok || latest[a.Radar] != a {
				continue
			}
			var prev *store.Assessment
			for _, p := range list {
				if p.Radar == a.Radar && p.Edition == PreviousEdition(rd, a.Edition) {
					prev = p
				}
			}
			out = append(out, Placement{Radar: rd, Assessment: a, Previous: prev, Entity: ents[i]})
		}
	}
	return out, nil
}
