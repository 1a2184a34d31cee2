package knowledge

import (
	"context"
	"fmt"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// NeighborhoodArgs asks for the entities around one.
type NeighborhoodArgs struct {
	Center store.ID
	// Depth is how many relationships out to walk (DefaultNeighborhoodDepth when nil, at most
	// MaxNeighborhoodDepth); Limit how many entities to return besides the centre
	// (DefaultNeighborhoodLimit when nil, at most MaxNeighborhoodLimit).
	Depth, Limit *int
	// Kinds limits the relationships followed (empty: all); Dir their direction (zero: both).
	Kinds []domain.RelKind
	Dir   store.Direction
}

// Neighborhood is the entities around a centre and the relationships among them.
type Neighborhood struct {
	Center *store.Entity
	// Nodes are in the order the walk reached them, nearest first.
	Nodes []Neighbor
	// Relationships are those the walk followed whose both ends are in the neighbourhood.
	Relationships []Relation
	// Truncated says the limit left out entities within the depth.
	Truncated bool
}

// Neighbor is an entity of a neighbourhood and its distance from the centre.
type Neighbor struct {
	Entity *store.Entity
	Depth  int
}

// Relation is a relationship with both its ends.
type Relation struct {
	Relationship *store.Relationship
	From, To     *store.Entity
}

// Neighborhood walks out from an entity level by level (one read transaction each), up to the
// depth and the limit.
func (b *Base) Neighborhood(ctx context.Context, a NeighborhoodArgs) (*Neighborhood, error) {
	d := orDefault(a.Depth, DefaultNeighborhoodDepth)
	n := orDefault(a.Limit, DefaultNeighborhoodLimit)
	if err := within("depth", d, 1, MaxNeighborhoodDepth); err != nil {
		return nil, err
	}
	if err := within("limit", n, 1, MaxNeighborhoodLimit); err != nil {
		return nil, err
	}
	filter := store.EdgeFilter{Dir: a.Dir, Kinds: a.Kinds}
	depthOf := map[store.ID]int{a.Center: 0}
	order := []store.ID{}
	var relIDs []store.ID
	relSeen := map[store.ID]bool{}
	truncated := false
	frontier := []store.ID{a.Center}
	for level := 1; level <= d && len(frontier) > 0 && !truncated; level++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		edges, err := b.store.Edges(ctx, frontier, filter)
		if err != nil {
			return nil, fmt.Errorf("neighborhood: level %d: %w", level, err)
		}
		var next []store.ID
		for i := range frontier {
			for _, e := range edges[i] {
				if _, ok := depthOf[e.Other]; !ok {
					if len(order) >= n {
						truncated = true
						continue
					}
					depthOf[e.Other] = level
					order = append(order, e.Other)
					next = append(next, e.Other)
				}
				if !relSeen[e.Rel] {
					relSeen[e.Rel] = true
					relIDs = append(relIDs, e.Rel)
				}
			}
		}
		frontier = next
	}
	ents, err := b.store.EntitiesByID(ctx, append([]store.ID{a.Center}, order...))
	if err != nil {
		return nil, fmt.Errorf("neighborhood: load its entities: %w", err)
	}
	if ents[0] == nil {
		return nil, notFound("no entity has the ID given as id")
	}
	rels, err := b.store.RelationshipsByID(ctx, relIDs)
	if err != nil {
		return nil, fmt.Errorf("neighborhood: load its relationships: %w", err)
	}
	out := &Neighborhood{Center: ents[0], Truncated: truncated, Nodes: make([]Neighbor, 0, len(order)), Relationships: []Relation{}}
	for i, e := range ents[1:] {
		if e != nil {
			out.Nodes = append(out.Nodes, Neighbor{Entity: e, Depth: depthOf[order[i]]})
		}
	}
	byID := store.IndexByID(ents)
	for _, rel := range rels {
		// A relationship to an entity the limit left out is not part of the neighbourhood.
		if rel == nil || byID[rel.FromID] == nil || byID[rel.ToID] == nil {
			continue
		}
		out.Relationships = append(out.Relationships, Relation{Relationship: rel, From: byID[rel.FromID], To: byID[rel.ToID]})
	}
	return out, nil
}
