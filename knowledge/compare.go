package knowledge

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strings"

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

	// SharedNeighbors are the entities related to every compared entity, whatever the kind or
	// direction of each relationship, tradeoffs and the compared entities left out: by type,
	// then by name.
	SharedNeighbors []*store.Entity
	// SharedTradeoffs are the tradeoffs every compared entity has, SharedTags their common tags.
	SharedTradeoffs []*store.Entity
	SharedTags      []string
	// Unique is, for each compared entity in order, what none of the others has.
	Unique []Unique
}

// Unique is what one compared entity has that none of the others has.
type Unique struct {
	// Neighbors are related to it alone (tradeoffs left out), by type, then by name.
	Neighbors []*store.Entity
	Tradeoffs []*store.Entity
	Tags      []string
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
	out.inCommon(edges, byID)
	return out, nil
}

// inCommon fills in what the compared entities share and what is unique to each, by entity:
// a neighbour one of them uses and another is used by is shared all the same.
func (c *Comparison) inCommon(edges [][]store.Edge, byID map[store.ID]*store.Entity) {
	n := len(c.Entities)
	compared := map[store.ID]bool{}
	for _, e := range c.Entities {
		compared[e.ID] = true
	}
	// of[x] is the set of compared entities (as a bit mask: at most MaxCompare) related to x.
	of := map[store.ID]uint32{}
	var order []store.ID
	for i := range c.Entities {
		for _, e := range edges[i] {
			other := byID[e.Other]
			if other == nil || compared[e.Other] || other.Type == domain.TypeTradeoff {
				continue
			}
			if of[e.Other] == 0 {
				order = append(order, e.Other)
			}
			of[e.Other] |= 1 << i
		}
	}
	all := uint32(1)<<n - 1
	c.SharedNeighbors = []*store.Entity{}
	c.SharedTradeoffs = []*store.Entity{}
	c.Unique = make([]Unique, n)
	for i := range c.Unique {
		c.Unique[i] = Unique{Neighbors: []*store.Entity{}, Tradeoffs: []*store.Entity{}, Tags: []string{}}
	}
	for _, id := range order {
		switch m := of[id]; {
		case m == all:
			c.SharedNeighbors = append(c.SharedNeighbors, byID[id])
		case m&(m-1) == 0: // one bit: one compared entity
			i := bits.TrailingZeros32(m)
			c.Unique[i].Neighbors = append(c.Unique[i].Neighbors, byID[id])
		}
	}
	byTypeAndName := func(a, b *store.Entity) int {
		if a.Type != b.Type {
			return int(a.Type) - int(b.Type)
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	}
	slices.SortStableFunc(c.SharedNeighbors, byTypeAndName)
	for i := range c.Unique {
		slices.SortStableFunc(c.Unique[i].Neighbors, byTypeAndName)
	}
	// A tradeoff counts once per entity, whether it is a benefit or a challenge of it.
	tradeoffOf := map[store.ID]uint32{}
	var tradeoffs []*store.Entity
	for _, t := range c.Tradeoffs {
		if tradeoffOf[t.Tradeoff.ID] == 0 {
			tradeoffs = append(tradeoffs, t.Tradeoff)
		}
		for _, i := range t.Of {
			tradeoffOf[t.Tradeoff.ID] |= 1 << i
		}
	}
	for _, t := range tradeoffs {
		switch m := tradeoffOf[t.ID]; {
		case m == all:
			c.SharedTradeoffs = append(c.SharedTradeoffs, t)
		case m&(m-1) == 0:
			i := bits.TrailingZeros32(m)
			c.Unique[i].Tradeoffs = append(c.Unique[i].Tradeoffs, t)
		}
	}
	tagOf := map[string]uint32{}
	var tags []string
	for i, e := range c.Entities {
		for _, t := range e.Tags {
			if tagOf[t] == 0 {
				tags = append(tags, t)
			}
			tagOf[t] |= 1 << i
		}
	}
	c.SharedTags = []string{}
	for _, t := range tags {
		switch m := tagOf[t]; {
		case m == all:
			c.SharedTags = append(c.SharedTags, t)
		case m&(m-1) == 0:
			i := bits.TrailingZeros32(m)
			c.Unique[i].Tags = append(c.Unique[i].Tags, t)
		}
	}
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
