package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/trendgraph/trendgraph/graph/model"
)

// page is a page of any node type, ready to become a connection.
type page[N any] struct {
	nodes []N
	// cursors are nil when the query selects none (see connectionWants).
	cursors []string
	info    *model.PageInfo
	total   int
	// noEdges says the query selects no edges: the connection is made without them.
	noEdges bool
}

// connectionWants says which parts of the connection being resolved at ctx the query selects,
// through fragments: its edges, and any cursor (an edge's, or the page's start or end). A
// page of nodes alone then costs no edge objects and no cursor encoding, which were a tenth
// of the allocations of a nested query that selects none. Without a field context it says all.
func connectionWants(ctx context.Context) (edges, cursors bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return true, true
	}
	var walk func(set ast.SelectionSet, in string)
	walk = func(set ast.SelectionSet, in string) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				switch {
				case in == "" && s.Name == "edges":
					edges = true
					walk(s.SelectionSet, "edges")
				case in == "" && s.Name == "pageInfo":
					walk(s.SelectionSet, "pageInfo")
				case in == "edges" && s.Name == "cursor",
					in == "pageInfo" && (s.Name == "startCursor" || s.Name == "endCursor"):
					cursors = true
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet, in)
			case *ast.FragmentSpread:
				if s.Definition == nil {
					edges, cursors = true, true
					return
				}
				walk(s.Definition.SelectionSet, in)
			}
		}
	}
	walk(fc.Field.Selections, "")
	return edges, cursors
}

func newPage[N any](nodes []N, cursors []string, hasPrev, hasNext bool, total int) page[N] {
	info := &model.PageInfo{HasPreviousPage: hasPrev, HasNextPage: hasNext}
	if len(cursors) > 0 {
		info.StartCursor = &cursors[0]
		info.EndCursor = &cursors[len(cursors)-1]
	}
	if nodes == nil {
		nodes = []N{}
	}
	return page[N]{nodes: nodes, cursors: cursors, info: info, total: total}
}

// edges pairs each node of a page with its cursor in the connection's edge type; nil when
// the query selects no edges.
func edges[E, N any](p page[N], edge func(cursor string, node N) E) []E {
	if p.noEdges {
		return nil
	}
	out := make([]E, len(p.nodes))
	for i, n := range p.nodes {
		c := ""
		if p.cursors != nil {
			c = p.cursors[i]
		}
		out[i] = edge(c, n)
	}
	return out
}

// mapPage converts a page of entities to a page of one entity type; entities of other types
// (which the store's type filter already excludes) are dropped.
func mapPage[N any](p page[model.Entity]) page[N] {
	out := page[N]{info: p.info, total: p.total, nodes: make([]N, 0, len(p.nodes)), noEdges: p.noEdges}
	for i, e := range p.nodes {
		if n, ok := e.(N); ok {
			out.nodes = append(out.nodes, n)
			if p.cursors != nil {
				out.cursors = append(out.cursors, p.cursors[i])
			}
		}
	}
	return out
}

func entityConn(p page[model.Entity]) *model.EntityConnection {
	return &model.EntityConnection{Nodes: p.nodes, PageInfo: p.info, TotalCount: p.total,
		Edges: edges(p, func(c string, n model.Entity) *model.EntityEdge { return &model.EntityEdge{Cursor: c, Node: n} })}
}

func trendConn(p page[model.Entity]) *model.TrendConnection {
	q := mapPage[*model.Trend](p)
	return &model.TrendConnection{Nodes: q.nodes, PageInfo: q.info, TotalCount: q.total,
		Edges: edges(q, func(c string, n *model.Trend) *model.TrendEdge { return &model.TrendEdge{Cursor: c, Node: n} })}
}

func technologyConn(p page[model.Entity]) *model.TechnologyConnection {
	q := mapPage[*model.Technology](p)
	return &model.TechnologyConnection{Nodes: q.nodes, PageInfo: q.info, TotalCount: q.total,
		Edges: edges(q, func(c string, n *model.Technology) *model.TechnologyEdge {
			return &model.TechnologyEdge{Cursor: c, Node: n}
		})}
}

func tradeoffConn(p page[model.Entity]) *model.TradeoffConnection {
	q := mapPage[*model.Tradeoff](p)
	return &model.TradeoffConnection{Nodes: q.nodes, PageInfo: q.info, TotalCount: q.total,
		Edges: edges(q, func(c string, n *model.Tradeoff) *model.TradeoffEdge { return &model.TradeoffEdge{Cursor: c, Node: n} })}
}

func useCaseConn(p page[model.Entity]) *model.UseCaseConnection {
	q := mapPage[*model.UseCase](p)
	return &model.UseCaseConnection{Nodes: q.nodes, PageInfo: q.info, TotalCount: q.total,
		Edges: edges(q, func(c string, n *model.UseCase) *model.UseCaseEdge { return &model.UseCaseEdge{Cursor: c, Node: n} })}
}

func organizationConn(p page[model.Entity]) *model.OrganizationConnection {
	q := mapPage[*model.Organization](p)
	return &model.OrganizationConnection{Nodes: q.nodes, PageInfo: q.info, TotalCount: q.total,
		Edges: edges(q, func(c string, n *model.Organization) *model.OrganizationEdge {
			return &model.OrganizationEdge{Cursor: c, Node: n}
		})}
}

func skillConn(p page[model.Entity]) *model.SkillConnection {
	q := mapPage[*model.Skill](p)
	return &model.SkillConnection{Nodes: q.nodes, PageInfo: q.info, TotalCount: q.total,
		Edges: edges(q, func(c string, n *model.Skill) *model.SkillEdge { return &model.SkillEdge{Cursor: c, Node: n} })}
}

// nodesOf is a connection's nodes: the node of each edge, the same objects (nothing more is
// read for nodes than for edges).
func nodesOf[E, N any](edges []E, node func(E) N) []N {
	out := make([]N, len(edges))
	for i, e := range edges {
		out[i] = node(e)
	}
	return out
}
