package graph

import (
	"bytes"
	"context"
	"slices"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph/batch"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/store"
)

// assessmentsOf builds an entity's assessments, oldest edition first, each with the same
// entity's assessment at the radar's previous edition, from which movement is derived.
func assessmentsOf(ctx context.Context, parent model.Ent) ([]*model.Assessment, error) {
	list, err := loadAssessments(ctx, parent.Sib, parent.E.ID)
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
		radar := model.Radar{R: rd}
		out = append(out, &model.Assessment{A: a, Radar: radar, Entity: parent.E,
			Previous: byEdition[[2]string{a.Radar, radar.PreviousEdition(a.Edition)}]})
	}
	slices.SortStableFunc(out, func(a, b *model.Assessment) int {
		if a.A.Edition != b.A.Edition {
			return compareStrings(a.A.Edition, b.A.Edition)
		}
		return compareStrings(a.A.Radar, b.A.Radar)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// radarEntries pages through a radar's assessments at an edition, ordered by quadrant, ring
// and entity name, with each entry's movement since the previous edition.
func (r *Resolver) radarEntries(ctx context.Context, rd model.Radar, edition *model.Date, quadrant, ring *string,
	first *int, after *string, last *int, before *string) (*model.AssessmentConnection, error) {
	args, err := pageArgs(cursorAssessment, first, after, last, before)
	if err != nil {
		return nil, err
	}
	date := string(rd.LatestEdition().Date)
	if edition != nil {
		date = string(*edition)
		if !slices.ContainsFunc(rd.R.Editions, func(e dataset.Edition) bool { return e.Date == date }) {
			return nil, notFound("radar %q has no edition %s", rd.R.Slug, date)
		}
	}
	if quadrant != nil {
		if _, ok := rd.Quadrant(*quadrant); !ok {
			return nil, notFound("radar %q has no quadrant %q", rd.R.Slug, *quadrant)
		}
	}
	if ring != nil {
		if _, ok := rd.Ring(*ring); !ok {
			return nil, notFound("radar %q has no ring %q", rd.R.Slug, *ring)
		}
	}
	current, err := r.Store.Assessments(ctx, rd.R.Slug, date)
	if err != nil {
		return nil, err
	}
	previous := map[store.ID]*store.Assessment{}
	if prev := rd.PreviousEdition(date); prev != "" {
		list, err := r.Store.Assessments(ctx, rd.R.Slug, prev)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			previous[a.EntityID] = a
		}
	}
	current = slices.DeleteFunc(current, func(a *store.Assessment) bool {
		return (quadrant != nil && a.Quadrant != *quadrant) || (ring != nil && a.Ring != *ring)
	})
	ids := make([]store.ID, len(current))
	for i, a := range current {
		ids[i] = a.EntityID
	}
	ents, err := r.Store.EntitiesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	// Sort keys: quadrant position, ring position, folded name, entity ID.
	keys := make([][]byte, len(current))
	order := make([]int, len(current))
	for i, a := range current {
		order[i] = i
		name := ""
		if ents[i] != nil {
			name = ents[i].Name
		}
		keys[i] = entryKey(rd, a, name)
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	from, to, hasPrev, hasNext := store.PageBounds(len(order), func(i int, c []byte) int { return bytes.Compare(keys[order[i]], c) }, args)
	sib := batch.New()
	for _, i := range order[from:to] {
		if ents[i] != nil {
			sib.Add(model.TypeName(ents[i].Type))
		}
	}
	conn := &model.AssessmentConnection{TotalCount: len(current), Edges: []*model.AssessmentEdge{}}
	var cursors []string
	for _, i := range order[from:to] {
		c := encodeCursor(cursorAssessment, keys[i])
		cursors = append(cursors, c)
		conn.Edges = append(conn.Edges, &model.AssessmentEdge{Cursor: c, Node: &model.Assessment{
			A: current[i], Radar: rd, Previous: previous[current[i].EntityID], Entity: ents[i], Sib: sib}})
	}
	conn.PageInfo = newPage(conn.Edges, cursors, hasPrev, hasNext, len(current)).info
	return conn, nil
}

func entryKey(rd model.Radar, a *store.Assessment, name string) []byte {
	pos := func(slug string, list []string) byte {
		return byte(max(slices.Index(list, slug), 0))
	}
	var qs, rs []string
	for _, q := range rd.R.Quadrants {
		qs = append(qs, q.Slug)
	}
	for _, x := range rd.R.Rings {
		rs = append(rs, x.Slug)
	}
	k := []byte{pos(a.Quadrant, qs), pos(a.Ring, rs)}
	k = append(k, bytes.ToLower([]byte(name))...)
	k = append(k, 0)
	return append(k, a.EntityID.Bytes()...)
}
