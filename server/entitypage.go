package server

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// An entity's page, /e/{type}/{slug}: everything the graph knows of one entity on one plain
// HTML page, with every claim's cited passage. It is read in a handful of transactions: the
// entity, its neighbourhood (every relationship with both ends), its placements on the radars,
// the sources, and the mitigations of each of its tradeoffs.

// entityView is what entity.html shows.
type entityView struct {
	Base       string
	Entity     *store.Entity
	TypeName   string // "Technology"
	TypeWord   string // "technology"
	GlobalID   string
	Facts      []factView
	Summary    string
	Radars     []radarHistoryView
	Benefits   []tradeoffView
	Challenges []tradeoffView
	Groups     []relGroupView
	Citations  []citationView
	// OwnCitations are the entity's own citations, as numbers into Citations.
	OwnCitations []int
	Playground   string
	Explorer     string
	// Truncated says the neighbourhood was cut at its limit.
	Truncated  bool
	HasExcerpt bool
}

type factView struct {
	Label, Value, Href string
}

type radarHistoryView struct {
	Name, Picture string
	// Now is the ring at the radar's latest edition, "" when that edition does not place it.
	Now, Latest string
	Rows        []placementView
}

type placementView struct {
	Date, Ring, Quadrant, Movement, Rationale string
	Cites                                     []int
}

type tradeoffView struct {
	Name, Href, Summary, Rationale string
	Cites                          []int
	Mitigations                    []linkView
}

type linkView struct {
	Name, Href, Type, Rationale string
	Derived                     bool
	Cites                       []int
}

type relGroupView struct {
	Title string
	Items []linkView
}

type citationView struct {
	N                  int
	Source, Section    string
	Paragraph          int
	Excerpt            string
	DefaultSourceTitle string
	// Href is the passage's page, when the server has the text.
	Href string
}

// relPhrases name a relationship kind seen from the entity: [0] when the entity is its from
// end ("Kubernetes — part of — Cloud-native"), [1] when it is its to end.
var relPhrases = map[domain.RelKind][2]string{
	domain.RelAlternativeTo:  {"Alternative to", "Named as an alternative by"},
	domain.RelImplements:     {"Implements", "Implemented by"},
	domain.RelWrittenIn:      {"Written in", "Language of"},
	domain.RelPartOf:         {"Part of", "Has as parts"},
	domain.RelEnables:        {"Enables", "Enabled by"},
	domain.RelUsedFor:        {"Used for", "Uses"},
	domain.RelAddresses:      {"Addresses", "Addressed by"},
	domain.RelProvidedBy:     {"Provided by", "Provides"},
	domain.RelCreatedBy:      {"Created by", "Created"},
	domain.RelStandardizes:   {"Standardizes", "Standardized by"},
	domain.RelIntegratesWith: {"Integrates with", "Integrated with by"},
	domain.RelBuildsOn:       {"Builds on", "Built on by"},
	domain.RelSupersedes:     {"Supersedes", "Superseded by"},
	domain.RelRequires:       {"Requires", "Required by"},
	domain.RelHasBenefit:     {"Has the benefit", "A benefit of"},
	domain.RelHasChallenge:   {"Has the challenge", "A challenge of"},
}

// maxPageTradeoffs bounds the tradeoffs whose mitigations a page reads (one small read each).
const maxPageTradeoffs = 50

func (s *Server) serveEntityPage(r *http.Request) pageAnswer {
	ctx := r.Context()
	typ, slug := r.PathValue("type"), r.PathValue("slug")
	base := s.apiBase(r)
	t, ok := entityTypeOfPath(typ)
	if !ok {
		var kinds []string
		for _, info := range domain.EntityTypeInfos() {
			name, _ := info.Type.MarshalText()
			kinds = append(kinds, string(name))
		}
		return s.notFoundPage(r, fmt.Sprintf("There is no entity type %q; the types are %s.", typ, strings.Join(kinds, ", ")), "", "")
	}
	kb := knowledge.New(s.store)
	ent, err := kb.EntityBySlug(ctx, slug, t)
	if errNotFound(err) {
		// The slug may name an entity of another type: point there.
		if other, err := kb.EntityBySlug(ctx, slug, 0); err == nil {
			return s.notFoundPage(r, fmt.Sprintf("No %s has the slug %q.", t, slug), base+entityPath(other.Type, other.Slug), fmt.Sprintf("%s, the %s", other.Name, other.Type))
		}
		return s.notFoundPage(r, fmt.Sprintf("No %s has the slug %q.", t, slug), "", "")
	}
	if err != nil {
		return s.failedPage(r, "the entity", err)
	}
	limit := knowledge.MaxNeighborhoodLimit
	nb, err := kb.Neighborhood(ctx, knowledge.NeighborhoodArgs{Center: ent.ID, Limit: &limit})
	if err != nil {
		return s.failedPage(r, "the entity's relationships", err)
	}
	placements, err := kb.EntityPlacements(ctx, ent)
	if err != nil {
		return s.failedPage(r, "the entity's radar placements", err)
	}
	sources, err := kb.Sources(ctx)
	if err != nil {
		return s.failedPage(r, "the sources", err)
	}
	info, _ := ent.Type.Info()
	v := &entityView{Base: base, Entity: ent, TypeName: info.TypeName, TypeWord: info.Name, GlobalID: model.EntityGlobalID(ent),
		Summary: ent.Summary, Truncated: nb.Truncated}
	cites := s.citationIndex(v, sources)
	v.OwnCitations = cites(ent.Citations)
	v.Facts = entityFacts(ent, base, nb)
	query := fmt.Sprintf("# %s: its relationships and where the source says so\n{\n  node(id: %q) {\n    id\n    ... on Entity {\n      name\n      summary\n      citations { section paragraph excerpt }\n      relationships(first: 20) {\n        edges { direction node { kind rationale } other { __typename name } }\n      }\n    }\n  }\n}\n", ent.Name, v.GlobalID)
	v.Playground = base + "?query=" + url.QueryEscape(query)
	v.Explorer = base + "explore?focus=" + url.QueryEscape(ent.Slug)

	// Radar placements, newest first within each radar.
	for i := 0; i < len(placements); {
		rd := placements[i].Radar
		h := radarHistoryView{Name: rd.Name, Picture: base + "radar/" + url.PathEscape(rd.Slug) + ".svg", Latest: knowledge.LatestEdition(rd)}
		for ; i < len(placements) && placements[i].Radar == rd; i++ {
			p := placements[i]
			ring := ringName(rd, ringIndex(rd, p.Assessment.Ring))
			h.Rows = append(h.Rows, placementView{Date: p.Assessment.Edition, Ring: ring, Quadrant: quadrantName(rd, quadrantIndex(rd, p.Assessment.Quadrant)),
				Movement: movementWords[p.Movement()], Rationale: p.Assessment.Rationale, Cites: cites(p.Assessment.Citations)})
			if p.Assessment.Edition == h.Latest {
				h.Now = ring
			}
		}
		slices.Reverse(h.Rows)
		v.Radars = append(v.Radars, h)
	}

	// Tradeoffs (with what mitigates each) and relationships grouped by kind and direction.
	type groupKey struct {
		kind     domain.RelKind
		incoming bool
	}
	groups := map[groupKey][]linkView{}
	var tradeoffs []*store.Entity
	tradeoffRel := map[store.ID]*store.Relationship{}
	for _, rel := range nb.Relationships {
		incoming := rel.To.ID == ent.ID && rel.From.ID != ent.ID
		other := rel.To
		if incoming {
			other = rel.From
		}
		kind := rel.Relationship.Kind
		if !incoming && (kind == domain.RelHasBenefit || kind == domain.RelHasChallenge) && other.Type == domain.TypeTradeoff {
			tradeoffs = append(tradeoffs, other)
			tradeoffRel[other.ID] = rel.Relationship
			continue
		}
		k := groupKey{kind, incoming}
		groups[k] = append(groups[k], s.linkTo(base, other, rel.Relationship, cites))
	}
	slices.SortFunc(tradeoffs, func(a, b *store.Entity) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	// What mitigates the first maxPageTradeoffs tradeoffs, read for all of them at once.
	mitigated := make([]store.ID, min(len(tradeoffs), maxPageTradeoffs))
	for i := range mitigated {
		mitigated[i] = tradeoffs[i].ID
	}
	mitigations, err := kb.LinkedMany(ctx, mitigated, store.EdgeFilter{Dir: store.Incoming, Kinds: []domain.RelKind{domain.RelAddresses}}, limit)
	if err != nil {
		return s.failedPage(r, "the mitigations of the tradeoffs", err)
	}
	for i, to := range tradeoffs {
		tv := tradeoffView{Name: to.Name, Href: base + entityPath(to.Type, to.Slug), Summary: to.Summary}
		if rel := tradeoffRel[to.ID]; rel != nil {
			tv.Rationale = rel.Rationale
			if !rel.Derived {
				tv.Cites = cites(rel.Citations)
			}
		}
		tv.Cites = append(tv.Cites, cites(to.Citations)...)
		if i < len(mitigations) {
			for _, m := range mitigations[i] {
				tv.Mitigations = append(tv.Mitigations, s.linkTo(base, m.Other, m.Relationship, cites))
			}
			sortLinks(tv.Mitigations)
		}
		if to.TradeoffType == "challenge" {
			v.Challenges = append(v.Challenges, tv)
		} else {
			v.Benefits = append(v.Benefits, tv)
		}
	}
	for _, rk := range domain.RelKinds {
		for _, incoming := range []bool{false, true} {
			items := groups[groupKey{rk.Kind, incoming}]
			if len(items) == 0 {
				continue
			}
			sortLinks(items)
			phrase := relPhrases[rk.Kind]
			title := phrase[0]
			if incoming {
				title = phrase[1]
			}
			v.Groups = append(v.Groups, relGroupView{Title: title, Items: items})
		}
	}
	return s.htmlPage(r, http.StatusOK, "entity.html", v)
}

// linkTo is a link to a related entity, with the relationship's rationale and citations (a
// derived relationship cites the entity whose field implies it, shown on that entity's page).
func (s *Server) linkTo(base string, other *store.Entity, rel *store.Relationship, cites func([]domain.Citation) []int) linkView {
	info, _ := other.Type.Info()
	l := linkView{Name: other.Name, Href: base + entityPath(other.Type, other.Slug), Type: info.Name, Rationale: rel.Rationale, Derived: rel.Derived}
	if !rel.Derived {
		l.Cites = cites(rel.Citations)
	}
	return l
}

func sortLinks(ls []linkView) {
	slices.SortFunc(ls, func(a, b linkView) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
}

// citationIndex numbers the page's citations as they are first met, each once, with its
// excerpt when the source's text is configured, and returns the function that does it.
func (s *Server) citationIndex(v *entityView, sources []store.Source) func([]domain.Citation) []int {
	def := ""
	titles := map[string]string{}
	for _, src := range sources {
		titles[src.Slug] = src.Title
		if src.Default {
			def = src.Slug
		}
	}
	seen := map[domain.Citation]int{}
	return func(cs []domain.Citation) []int {
		var out []int
		for _, c := range cs {
			c.Source = cmp.Or(c.Source, def)
			n, ok := seen[c]
			if !ok {
				n = len(v.Citations) + 1
				seen[c] = n
				cv := citationView{N: n, Source: cmp.Or(titles[c.Source], c.Source), Section: c.Section, Paragraph: c.Paragraph}
				if text := s.cfg.SourceTexts[c.Source]; text != nil {
					if p, ok := text.Paragraph(c.Section, c.Paragraph); ok {
						cv.Excerpt = p
						cv.Href = v.Base + model.PassagePath(c.Source, c.Section, c.Paragraph)
						v.HasExcerpt = true
					}
				}
				v.Citations = append(v.Citations, cv)
			}
			out = append(out, n)
		}
		return out
	}
}

// entityFacts are the short facts of the page's header: kind, lifecycle, status, vendor,
// parent, tags, aliases.
func entityFacts(e *store.Entity, base string, nb *knowledge.Neighborhood) []factView {
	var out []factView
	add := func(label, value, href string) {
		if value != "" {
			out = append(out, factView{label, value, href})
		}
	}
	bySlug := map[string]*store.Entity{}
	for _, n := range nb.Nodes {
		bySlug[n.Entity.Slug] = n.Entity
	}
	linked := func(label, slug string) {
		if o := bySlug[slug]; o != nil {
			add(label, o.Name, base+entityPath(o.Type, o.Slug))
		} else {
			add(label, slug, "")
		}
	}
	add("Kind", e.Kind, "")
	add("Lifecycle", e.Lifecycle, "")
	add("Status", e.Status, "")
	add("Tradeoff", e.TradeoffType, "")
	if e.Vendor != "" {
		linked("Vendor", e.Vendor)
	}
	if e.Parent != "" {
		linked("Parent trend", e.Parent)
	}
	add("Tags", strings.Join(e.Tags, ", "), "")
	add("Also known as", strings.Join(e.Aliases, ", "), "")
	return out
}
