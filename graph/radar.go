package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// assessmentsOf builds an entity's assessments, oldest edition first, each with the same
// entity's assessment at the radar's previous edition, from which movement is derived.
func assessmentsOf(ctx context.Context, parent entityObject) ([]*model.Assessment, error) {
	list, err := loadAssessments(ctx, parent, parent.Stored().ID)
	if err != nil {
		return nil, err
	}
	radars, err := loadersFrom(ctx).radars()
	if err != nil {
		return nil, err
	}
	byEdition := map[[2]string]*store.Assessment{}
	for _, a := range list {
		byEdition[[2]string{a.Radar, a.Edition}] = a
	}
	out := make([]*model.Assessment, 0, len(list))
	for _, a := range list {
		rd, ok := radars[a.Radar]
		if !ok {
			continue
		}
		radar := model.Radar{Radar: rd}
		// A fresh object for the entity, in no sibling group: the parent's group counts the
		// parents, not their assessments' entities.
		out = append(out, &model.Assessment{Assessment: a, Radar: radar, Entity: model.NewEntity(parent.Stored()),
			Previous: byEdition[[2]string{a.Radar, radar.PreviousEdition(a.Edition)}]})
	}
	slices.SortStableFunc(out, func(a, b *model.Assessment) int {
		if a.Assessment.Edition != b.Assessment.Edition {
			return cmp.Compare(a.Assessment.Edition, b.Assessment.Edition)
		}
		return cmp.Compare(a.Assessment.Radar, b.Assessment.Radar)
	})
	return out, nil
}

// radarEntries pages through a radar's entries at an edition (see knowledge.RadarEntries).
func (r *Resolver) radarEntries(ctx context.Context, rd model.Radar, edition *model.Date, quadrant, ring *string,
	first *int, after *string, last *int, before *string) (*model.AssessmentConnection, error) {
	a := knowledge.EntriesArgs{Radar: rd.Radar, Quadrant: quadrant, Ring: ring, Window: knowledge.Window{First: first, After: after, Last: last, Before: before}}
	if edition != nil {
		a.Edition = string(*edition)
	}
	p, err := r.kb().RadarEntries(ctx, a)
	if err != nil {
		return nil, err
	}
	g := groupOf(ctx, p.Items, func(e knowledge.Placement) *store.Entity { return e.Entity })
	conn := &model.AssessmentConnection{TotalCount: p.Total, Edges: make([]*model.AssessmentEdge, len(p.Items))}
	for i, e := range p.Items {
		conn.Edges[i] = &model.AssessmentEdge{Cursor: p.Cursors[i], Node: &model.Assessment{
			Assessment: e.Assessment, Radar: rd, Previous: e.Previous, Entity: g.entity(e.Entity)}}
	}
	conn.Nodes = nodesOf(conn.Edges, func(e *model.AssessmentEdge) *model.Assessment { return e.Node })
	conn.PageInfo = newPage(conn.Edges, p.Cursors, p.HasPreviousPage, p.HasNextPage, p.Total).info
	return conn, nil
}
