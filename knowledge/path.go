package knowledge

import (
	"context"
	"fmt"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// PathArgs asks for the shortest path between two entities.
type PathArgs struct {
	From, To store.ID
	// MaxDepth bounds the path's length in relationships: DefaultPathDepth when nil, at most
	// MaxPathDepth.
	MaxDepth *int
	// Kinds limits the relationships followed; empty follows all.
	Kinds []domain.RelKind
}

// Path is a chain of entities joined by relationships, in either direction.
type Path struct {
	// Nodes are the entities from the start to the end, one more than Steps.
	Nodes []*store.Entity
	Steps []PathStep
}

// PathStep is the relationship between Nodes[i] and Nodes[i+1].
type PathStep struct {
	Relationship *store.Relationship
	// Dir is Outgoing when the relationship points from Nodes[i] to Nodes[i+1], else Incoming.
	Dir store.Direction
}

// step is how a walk reached an entity.
type step struct {
	prev store.ID
	edge store.Edge
}

// ShortestPath finds a shortest path between two entities, or nil when none is within the
// depth. It searches from both ends at once, one level (one read transaction) at a time,
// always growing the smaller frontier, and gives up past MaxVisited entities.
func (b *Base) ShortestPath(ctx context.Context, a PathArgs) (*Path, error) {
	depth := orDefault(a.MaxDepth, DefaultPathDepth)
	if err := within("maxDepth", depth, 1, MaxPathDepth); err != nil {
		return nil, err
	}
	ends, err := b.store.EntitiesByID(ctx, []store.ID{a.From, a.To})
	if err != nil {
		return nil, fmt.Errorf("path: load its ends: %w", err)
	}
	if ends[0] == nil {
		return nil, notFound("no entity has the ID given as from")
	}
	if ends[1] == nil {
		return nil, notFound("no entity has the ID given as to")
	}
	if a.From == a.To {
		return b.buildPath(ctx, []store.ID{a.From}, nil)
	}
	filter := store.EdgeFilter{Dir: store.Both, Kinds: a.Kinds}
	seen := [2]map[store.ID]step{{a.From: {}}, {a.To: {}}}
	frontier := [2][]store.ID{{a.From}, {a.To}}
	for level := 0; level < depth; level++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		side := 0
		if len(frontier[1]) < len(frontier[0]) {
			side = 1
		}
		edges, err := b.store.Edges(ctx, frontier[side], filter)
		if err != nil {
			return nil, fmt.Errorf("path: level %d: %w", level+1, err)
		}
		var next []store.ID
		for i, node := range frontier[side] {
			for _, e := range edges[i] {
				if _, ok := seen[side][e.Other]; ok {
					continue
				}
				seen[side][e.Other] = step{prev: node, edge: e}
				if _, ok := seen[1-side][e.Other]; ok {
					return b.joinPath(ctx, seen, a.From, a.To, e.Other)
				}
				next = append(next, e.Other)
			}
		}
		if len(next) == 0 || len(seen[0])+len(seen[1]) > MaxVisited {
			return nil, nil
		}
		frontier[side] = next
	}
	return nil, nil
}

// joinPath walks back from the meeting point to both ends.
func (b *Base) joinPath(ctx context.Context, seen [2]map[store.ID]step, from, to, meet store.ID) (*Path, error) {
	var nodes []store.ID
	var edges []store.Edge
	for cur := meet; cur != from; {
		s := seen[0][cur]
		nodes = append(nodes, cur)
		edges = append(edges, s.edge)
		cur = s.prev
	}
	nodes = append(nodes, from)
	slices.Reverse(nodes)
	slices.Reverse(edges)
	for cur := meet; cur != to; {
		s := seen[1][cur]
		// Walked from the end's side, so this edge was seen from s.prev; seen from cur it
		// points the other way.
		e := s.edge
		e.Dir = store.Both &^ e.Dir
		e.Other = s.prev
		nodes = append(nodes, s.prev)
		edges = append(edges, e)
		cur = s.prev
	}
	return b.buildPath(ctx, nodes, edges)
}

// buildPath loads the entities and relationships of a path: two read transactions.
func (b *Base) buildPath(ctx context.Context, nodes []store.ID, edges []store.Edge) (*Path, error) {
	ents, err := b.store.EntitiesByID(ctx, nodes)
	if err != nil {
		return nil, fmt.Errorf("path: load its entities: %w", err)
	}
	relIDs := make([]store.ID, len(edges))
	for i, e := range edges {
		relIDs[i] = e.Rel
	}
	rels, err := b.store.RelationshipsByID(ctx, relIDs)
	if err != nil {
		return nil, fmt.Errorf("path: load its relationships: %w", err)
	}
	p := &Path{Nodes: ents, Steps: make([]PathStep, len(edges))}
	for _, e := range ents {
		if e == nil {
			return nil, notFound("an entity on the path no longer exists")
		}
	}
	for i, e := range edges {
		if rels[i] == nil {
			return nil, notFound("a relationship on the path no longer exists")
		}
		p.Steps[i] = PathStep{Relationship: rels[i], Dir: e.Dir}
	}
	return p, nil
}
