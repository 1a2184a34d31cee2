package assistant

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Brief is an entity in a list.
type Brief struct {
	Slug    string `json:"slug"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Summary string `json:"summary,omitempty"`
}

func brief(e *store.Entity) Brief {
	return Brief{Slug: e.Slug, Type: e.Type.String(), Name: e.Name, Summary: e.Summary}
}

// text wraps a short text form of a result, for clients that show text only.
func text(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}

// SearchIn asks for entities matching words.
type SearchIn struct {
	Query string `json:"query" jsonschema:"the words to look for, or a question such as 'serverless challenges'; other forms of a word and small misspellings match too, and the last word also matches as a prefix"`
	First int    `json:"first,omitempty" jsonschema:"how many results, 1 to 100 (default 10)"`
	// AnyWord and Evidence are the API's search(mode: ANY_WORD, evidence: true).
	AnyWord  bool `json:"anyWord,omitempty" jsonschema:"match entities holding any of the words, those holding more first (default: every word)"`
	Evidence bool `json:"evidence,omitempty" jsonschema:"also search the text of the passages each entity cites (when the server has the source text)"`
}

// SearchOut is the best matches first.
type SearchOut struct {
	Total   int     `json:"total"`
	Results []Brief `json:"results"`
	// DidYouMean is the query with misspelt words corrected, when a word looked misspelt.
	DidYouMean []string `json:"didYouMean,omitempty"`
}

// EntityIn names an entity by slug.
type EntityIn struct {
	Slug string `json:"slug" jsonschema:"the entity's slug, as search returns it"`
}

// Related is a relationship seen from an entity.
type Related struct {
	Kind string `json:"kind"`
	// Direction is "out" (the entity is the relationship's from) or "in".
	Direction string `json:"direction"`
	Other     Brief  `json:"other"`
	Rationale string `json:"rationale,omitempty"`
}

// EntityOut is an entity with its relationships (tradeoffs among them) and citations.
type EntityOut struct {
	Brief
	Tags          []string   `json:"tags,omitempty"`
	Aliases       []string   `json:"aliases,omitempty"`
	Status        string     `json:"status,omitempty"`
	Kind          string     `json:"kind,omitempty"`
	Lifecycle     string     `json:"lifecycle,omitempty"`
	Benefits      []Brief    `json:"benefits,omitempty"`
	Challenges    []Brief    `json:"challenges,omitempty"`
	Relationships []Related  `json:"relationships"`
	Citations     []Citation `json:"citations"`
	Revision      uint64     `json:"revision"`
}

// PathIn asks for the shortest chain of relationships between two entities.
type PathIn struct {
	From     string `json:"from" jsonschema:"the slug of the entity to start from"`
	To       string `json:"to" jsonschema:"the slug of the entity to reach"`
	MaxDepth int    `json:"maxDepth,omitempty" jsonschema:"the longest path to look for, 1 to 6 (default 4)"`
}

// Step is one relationship of a path.
type Step struct {
	From      string     `json:"from"`
	Kind      string     `json:"kind"`
	To        string     `json:"to"`
	Rationale string     `json:"rationale,omitempty"`
	Citations []Citation `json:"citations"`
}

// PathOut is the path, if any.
type PathOut struct {
	Found bool    `json:"found"`
	Nodes []Brief `json:"nodes"`
	Steps []Step  `json:"steps"`
}

// NeighborhoodIn asks for the entities around one.
type NeighborhoodIn struct {
	Slug  string `json:"slug" jsonschema:"the entity at the centre"`
	Depth int    `json:"depth,omitempty" jsonschema:"how many relationships away, 1 to 3 (default 1)"`
	Limit int    `json:"limit,omitempty" jsonschema:"the most entities to return, 1 to 500 (default 100)"`
}

// Near is an entity of a neighbourhood.
type Near struct {
	Brief
	Distance int `json:"distance"`
}

// Edge is a relationship by its ends' slugs.
type Edge struct {
	From string `json:"from"`
	Kind string `json:"kind"`
	To   string `json:"to"`
}

// NeighborhoodOut is the entities around the centre and the relationships among them.
type NeighborhoodOut struct {
	Center        Brief  `json:"center"`
	Entities      []Near `json:"entities"`
	Relationships []Edge `json:"relationships"`
	Truncated     bool   `json:"truncated"`
}

// CompareIn names the entities to compare.
type CompareIn struct {
	Slugs []string `json:"slugs" jsonschema:"2 to 10 entity slugs"`
}

// SharedTradeoff is a tradeoff and which of the compared entities have it.
type SharedTradeoff struct {
	Tradeoff Brief    `json:"tradeoff"`
	Of       []string `json:"of"`
}

// Ring is where a radar places an entity.
type Ring struct {
	Entity   string `json:"entity"`
	Radar    string `json:"radar"`
	Edition  string `json:"edition"`
	Quadrant string `json:"quadrant"`
	Ring     string `json:"ring"`
	Movement string `json:"movement"`
}

// CompareOut lays the entities side by side.
type CompareOut struct {
	Entities  []Brief          `json:"entities"`
	Tradeoffs []SharedTradeoff `json:"tradeoffs"`
	Rings     []Ring           `json:"rings"`
}

// RadarIn names a radar and an edition.
type RadarIn struct {
	Slug    string `json:"slug" jsonschema:"the radar's slug (backend-2026 for the curated one)"`
	Edition string `json:"edition,omitempty" jsonschema:"an edition's date, YYYY-MM-DD (default the latest)"`
}

// RadarOut is a radar's entries at an edition.
type RadarOut struct {
	Radar   string `json:"radar"`
	Edition string `json:"edition"`
	Entries []Ring `json:"entries"`
}

// ChangesIn asks what changed.
type ChangesIn struct {
	SinceVersion int `json:"sinceVersion,omitempty" jsonschema:"only changes of this data version or later"`
	First        int `json:"first,omitempty" jsonschema:"how many changes, newest first, 1 to 100 (default 20)"`
}

// ChangeOut is one record's change.
type ChangeOut struct {
	Version uint64    `json:"version"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Reason  string    `json:"reason"`
	Record  string    `json:"record"`
	Action  string    `json:"action"`
}

// ChangesOut is the changes, newest first.
type ChangesOut struct {
	DataVersion uint64      `json:"dataVersion"`
	Changes     []ChangeOut `json:"changes"`
}

func orNil(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func (a *assistant) addTools(s *mcp.Server) {
	readOnly := &mcp.ToolAnnotations{ReadOnlyHint: true}
	mcp.AddTool(s, &mcp.Tool{Name: "search", Title: "Search the knowledge graph", Annotations: readOnly,
		Description: "Finds trends, technologies, tradeoffs, use cases, organizations and skills by words, best first."}, a.search)
	mcp.AddTool(s, &mcp.Tool{Name: "entity", Title: "One entity", Annotations: readOnly,
		Description: "An entity with its benefits and challenges, its relationships and the passages it cites."}, a.entity)
	mcp.AddTool(s, &mcp.Tool{Name: "neighborhood", Title: "Neighbourhood", Annotations: readOnly,
		Description: "The entities within a few relationships of one entity, and the relationships among them."}, a.neighborhood)
	mcp.AddTool(s, &mcp.Tool{Name: "path", Title: "Path between two entities", Annotations: readOnly,
		Description: "The shortest chain of relationships joining two entities, each step with why it holds and its citations."}, a.path)
	mcp.AddTool(s, &mcp.Tool{Name: "compare", Title: "Compare entities", Annotations: readOnly,
		Description: "Two to ten entities side by side: their tradeoffs (shared ones first) and their radar rings."}, a.compare)
	mcp.AddTool(s, &mcp.Tool{Name: "radar", Title: "Technology radar", Annotations: readOnly,
		Description: "A radar's entries at an edition: quadrant, ring and movement since the previous edition."}, a.radar)
	mcp.AddTool(s, &mcp.Tool{Name: "changes", Title: "What changed", Annotations: readOnly,
		Description: "The graph's changes, newest first: who changed what, when and why."}, a.changes)
	a.addGraphQLTool(s)
	a.addCurationTools(s)
}

func (a *assistant) search(ctx context.Context, _ *mcp.CallToolRequest, in SearchIn) (*mcp.CallToolResult, SearchOut, error) {
	if in.First == 0 {
		in.First = 10
	}
	args := knowledge.SearchArgs{Text: in.Query, First: &in.First, AnyWord: in.AnyWord}
	if in.Evidence {
		args.Evidence = a.texts
	}
	p, err := a.kb.Search(ctx, args)
	if err != nil {
		return nil, SearchOut{}, toolError(err)
	}
	out := SearchOut{Total: p.Total, Results: make([]Brief, len(p.Items)), DidYouMean: p.DidYouMean}
	lines := make([]string, len(p.Items))
	for i, h := range p.Items {
		out.Results[i] = brief(h.Entity)
		lines[i] = fmt.Sprintf("%s (%s, %s)", h.Entity.Name, h.Entity.Type, h.Entity.Slug)
	}
	msg := fmt.Sprintf("%d matches: %s", p.Total, strings.Join(lines, "; "))
	if len(p.DidYouMean) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", strings.Join(p.DidYouMean, `" or "`))
	}
	return text("%s", msg), out, nil
}

func (a *assistant) entity(ctx context.Context, _ *mcp.CallToolRequest, in EntityIn) (*mcp.CallToolResult, EntityOut, error) {
	e, err := a.kb.EntityBySlug(ctx, in.Slug, 0)
	if err != nil {
		return nil, EntityOut{}, toolError(err)
	}
	def, err := a.defaultSource(ctx)
	if err != nil {
		return nil, EntityOut{}, toolError(err)
	}
	out := EntityOut{Brief: brief(e), Tags: e.Tags, Aliases: e.Aliases, Status: e.Status, Kind: e.Kind, Lifecycle: e.Lifecycle,
		Citations: a.citations(def, e.Citations), Revision: e.Meta.Revision, Relationships: []Related{}}
	edges, err := a.store.Edges(ctx, []store.ID{e.ID}, store.EdgeFilter{})
	if err != nil {
		return nil, EntityOut{}, toolError(err)
	}
	list := edges[0][:min(len(edges[0]), 100)]
	relIDs, otherIDs := make([]store.ID, len(list)), make([]store.ID, len(list))
	for i, ed := range list {
		relIDs[i], otherIDs[i] = ed.Rel, ed.Other
	}
	rels, err := a.store.RelationshipsByID(ctx, relIDs)
	if err != nil {
		return nil, EntityOut{}, toolError(err)
	}
	others, err := a.entitiesByID(ctx, otherIDs)
	if err != nil {
		return nil, EntityOut{}, toolError(err)
	}
	for i, ed := range list {
		other, rel := others[ed.Other], rels[i]
		if other == nil || rel == nil {
			continue
		}
		dir := "out"
		if ed.Dir == store.Incoming {
			dir = "in"
		}
		switch {
		case ed.Kind == domain.RelHasBenefit && dir == "out":
			out.Benefits = append(out.Benefits, brief(other))
		case ed.Kind == domain.RelHasChallenge && dir == "out":
			out.Challenges = append(out.Challenges, brief(other))
		}
		out.Relationships = append(out.Relationships, Related{Kind: ed.Kind.String(), Direction: dir, Other: brief(other), Rationale: rel.Rationale})
	}
	return text("%s (%s): %s. %d benefits, %d challenges, %d relationships; %s", e.Name, e.Type, e.Summary,
		len(out.Benefits), len(out.Challenges), len(out.Relationships), citeLine(out.Citations)), out, nil
}

// idsOf are the IDs of the entities with the slugs, read at once, or a NOT_FOUND tool error
// naming the argument and the slug.
func (a *assistant) idsOf(ctx context.Context, arg string, slugs ...string) ([]store.ID, error) {
	refs := make([]knowledge.EntityRef, len(slugs))
	for i, slug := range slugs {
		refs[i] = knowledge.EntityRef{Slug: slug}
	}
	ids, err := a.kb.ResolveRefs(ctx, arg, refs)
	if err != nil {
		return nil, toolError(err)
	}
	return ids, nil
}

func (a *assistant) path(ctx context.Context, _ *mcp.CallToolRequest, in PathIn) (*mcp.CallToolResult, PathOut, error) {
	ends, err := a.idsOf(ctx, "from and to", in.From, in.To)
	if err != nil {
		return nil, PathOut{}, err
	}
	p, err := a.kb.ShortestPath(ctx, knowledge.PathArgs{From: ends[0], To: ends[1], MaxDepth: orNil(in.MaxDepth)})
	if err != nil {
		return nil, PathOut{}, toolError(err)
	}
	out := PathOut{Nodes: []Brief{}, Steps: []Step{}}
	if p == nil {
		return text("no path joins %s and %s within the depth", in.From, in.To), out, nil
	}
	out.Found = true
	var chain []string
	for _, n := range p.Nodes {
		out.Nodes = append(out.Nodes, brief(n))
	}
	def, err := a.defaultSource(ctx)
	if err != nil {
		return nil, PathOut{}, toolError(err)
	}
	for _, st := range p.Steps {
		r := st.Relationship
		out.Steps = append(out.Steps, Step{From: r.From, Kind: r.Kind.String(), To: r.To, Rationale: r.Rationale, Citations: a.citations(def, r.Citations)})
		chain = append(chain, fmt.Sprintf("%s %s %s", r.From, r.Kind, r.To))
	}
	return text("%d steps: %s", len(out.Steps), strings.Join(chain, "; ")), out, nil
}

func (a *assistant) neighborhood(ctx context.Context, _ *mcp.CallToolRequest, in NeighborhoodIn) (*mcp.CallToolResult, NeighborhoodOut, error) {
	center, err := a.idsOf(ctx, "slug", in.Slug)
	if err != nil {
		return nil, NeighborhoodOut{}, err
	}
	n, err := a.kb.Neighborhood(ctx, knowledge.NeighborhoodArgs{Center: center[0], Depth: orNil(in.Depth), Limit: orNil(in.Limit)})
	if err != nil {
		return nil, NeighborhoodOut{}, toolError(err)
	}
	out := NeighborhoodOut{Center: brief(n.Center), Entities: []Near{}, Relationships: []Edge{}, Truncated: n.Truncated}
	for _, nb := range n.Nodes {
		out.Entities = append(out.Entities, Near{Brief: brief(nb.Entity), Distance: nb.Depth})
	}
	for _, r := range n.Relationships {
		out.Relationships = append(out.Relationships, Edge{From: r.From.Slug, Kind: r.Relationship.Kind.String(), To: r.To.Slug})
	}
	return text("%d entities around %s, %d relationships among them", len(out.Entities), n.Center.Name, len(out.Relationships)), out, nil
}

var movements = map[knowledge.Movement]string{
	knowledge.MovementNew: "new", knowledge.MovementMovedIn: "moved in", knowledge.MovementMovedOut: "moved out", knowledge.MovementUnchanged: "unchanged",
}

func ringOf(p knowledge.Placement) Ring {
	slug := ""
	if p.Entity != nil {
		slug = p.Entity.Slug
	}
	return Ring{Entity: slug, Radar: p.Assessment.Radar, Edition: p.Assessment.Edition, Quadrant: p.Assessment.Quadrant,
		Ring: p.Assessment.Ring, Movement: movements[p.Movement()]}
}

func (a *assistant) compare(ctx context.Context, _ *mcp.CallToolRequest, in CompareIn) (*mcp.CallToolResult, CompareOut, error) {
	ids, err := a.idsOf(ctx, "slugs", in.Slugs...)
	if err != nil {
		return nil, CompareOut{}, err
	}
	c, err := a.kb.Compare(ctx, ids)
	if err != nil {
		return nil, CompareOut{}, toolError(err)
	}
	out := CompareOut{Entities: []Brief{}, Tradeoffs: []SharedTradeoff{}, Rings: []Ring{}}
	for _, e := range c.Entities {
		out.Entities = append(out.Entities, brief(e))
	}
	shared := 0
	for _, t := range c.Tradeoffs {
		st := SharedTradeoff{Tradeoff: brief(t.Tradeoff)}
		for _, i := range t.Of {
			st.Of = append(st.Of, c.Entities[i].Slug)
		}
		if t.Shared {
			shared++
		}
		out.Tradeoffs = append(out.Tradeoffs, st)
	}
	for _, p := range c.Assessments {
		out.Rings = append(out.Rings, ringOf(p))
	}
	return text("%d entities, %d tradeoffs (%d shared by all), %d radar placements", len(out.Entities), len(out.Tradeoffs), shared, len(out.Rings)), out, nil
}

func (a *assistant) radar(ctx context.Context, _ *mcp.CallToolRequest, in RadarIn) (*mcp.CallToolResult, RadarOut, error) {
	rd, err := a.kb.Radar(ctx, in.Slug)
	if err != nil {
		return nil, RadarOut{}, toolError(err)
	}
	placements, err := a.kb.RadarEdition(ctx, rd, in.Edition)
	if err != nil {
		return nil, RadarOut{}, toolError(err)
	}
	out := RadarOut{Radar: rd.Slug, Edition: in.Edition, Entries: []Ring{}}
	for _, p := range placements {
		out.Entries = append(out.Entries, ringOf(p))
		out.Edition = p.Assessment.Edition
	}
	return text("%s at %s: %d entries", rd.Name, out.Edition, len(out.Entries)), out, nil
}

func (a *assistant) changes(ctx context.Context, _ *mcp.CallToolRequest, in ChangesIn) (*mcp.CallToolResult, ChangesOut, error) {
	if in.SinceVersion < 0 {
		return nil, ChangesOut{}, toolError(knowledge.ErrBadInput)
	}
	q := knowledge.ChangeQuery{SinceVersion: uint64(in.SinceVersion)}
	first := in.First
	if first == 0 {
		first = knowledge.DefaultPageSize
	}
	p, err := a.kb.Changes(ctx, q, knowledge.Window{First: &first})
	if err != nil {
		return nil, ChangesOut{}, toolError(err)
	}
	versions := make([]uint64, len(p.Items))
	for i, ch := range p.Items {
		versions[i] = ch.Version
	}
	sets, err := a.kb.ChangeSets(ctx, versions)
	if err != nil {
		return nil, ChangesOut{}, toolError(err)
	}
	out := ChangesOut{DataVersion: a.store.Version(), Changes: []ChangeOut{}}
	for i, ch := range p.Items {
		c := ChangeOut{Version: ch.Version, Record: ch.Record.String(), Action: action(&ch)}
		if cs := sets[i]; cs != nil {
			c.Time, c.Actor, c.Reason = cs.Time, cs.Actor, cs.Reason
		}
		out.Changes = append(out.Changes, c)
	}
	return text("%d changes (data version %d)", len(out.Changes), out.DataVersion), out, nil
}

func action(ch *store.Change) string {
	switch {
	case ch.Before == nil:
		return "created"
	case ch.After == nil:
		return "archived"
	}
	return "updated"
}
