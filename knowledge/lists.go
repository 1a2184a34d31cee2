package knowledge

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// ListArgs asks for a page of entities.
type ListArgs struct {
	// Types limits the list to these entity types; empty means all.
	Types  []domain.EntityType
	Filter *store.Filter
	// Order is the sort order (zero: by name); Desc reverses it.
	Order  store.Order
	Desc   bool
	Window Window
}

// ListEntities pages through entities of the types, filtered and ordered, with the exact
// total, in one read transaction.
func (b *Base) ListEntities(ctx context.Context, a ListArgs) (*Page[*store.Entity], error) {
	args, err := a.Window.Args(ListCursor)
	if err != nil {
		return nil, err
	}
	if err := b.prepareFilter(ctx, a.Filter); err != nil {
		return nil, err
	}
	if a.Order == 0 {
		a.Order = store.OrderName
	}
	p, err := b.store.List(ctx, store.ListQuery{Types: a.Types, Filter: a.Filter, Order: a.Order, Desc: a.Desc, Page: args, Load: true})
	if err != nil {
		return nil, storeError("list entities", err)
	}
	// The page's slices are this call's own: missing entities are dropped in place.
	out := &Page[*store.Entity]{Items: p.Entities[:0], Cursors: make([]string, 0, len(p.Entities)),
		HasPreviousPage: p.HasPreviousPage, HasNextPage: p.HasNextPage, Total: p.Total}
	for i, e := range p.Entities {
		if e == nil {
			continue
		}
		out.Items = append(out.Items, e)
		out.Cursors = append(out.Cursors, EncodeCursor(ListCursor, p.Cursors[i]))
	}
	return out, nil
}

// checkFilter refuses a filter nested deeper than MaxFilterDepth, or with a text that is too
// long or has no word to match; depth is the filter's own nesting.
func checkFilter(f *store.Filter, depth int) error {
	if f == nil {
		return nil
	}
	if err := within("filter depth", depth, 0, MaxFilterDepth); err != nil {
		return err
	}
	if err := within("text length", len(f.Text), 0, MaxTextLength); err != nil {
		return err
	}
	if f.Text != "" && len(store.Tokenize(f.Text)) == 0 {
		return badInput("text has no words to match")
	}
	if r := f.Reach; r != nil {
		if err := within("reach hops", r.Hops, 1, MaxReachHops); err != nil {
			return err
		}
		if r.From == 0 && r.Slug == "" {
			return badInput("reach needs the entity to start from")
		}
	}
	for _, sub := range f.And {
		if err := checkFilter(sub, depth+1); err != nil {
			return err
		}
	}
	for _, sub := range f.Or {
		if err := checkFilter(sub, depth+1); err != nil {
			return err
		}
	}
	return checkFilter(f.Not, depth+1)
}

// SearchArgs asks for a page of search results. Their order is a ranking, not a key a cursor
// could name, so a cursor is a position in it: pages go both ways, and a cursor holds its place
// only while the data and the query stay the same.
type SearchArgs struct {
	Text string
	// Types limits the results to these entity types; empty means all.
	Types []domain.EntityType
	// AnyWord matches entities holding any word of the text, those holding more words first.
	AnyWord bool
	// Evidence, when not nil, holds the source texts by source slug: the text of the passages
	// each entity cites is searched too.
	Evidence      map[string]*dataset.SourceText
	First, Last   *int
	After, Before *string
}

// Hit is a search result and its score.
type Hit struct {
	Entity *store.Entity
	Score  float64
	// Matched is how many of the query's words it matches.
	Matched int
	// Passage is the cited passage that matched, when the entity matched through its evidence
	// (more of the words than its own fields match); nil otherwise.
	Passage *domain.Citation
}

// SearchPage is a page of search results and, when some words of the query are in no entity,
// the query spelt as the index spells them.
type SearchPage struct {
	Page[Hit]
	// DidYouMean holds the query with its misspelt words corrected; empty when none is.
	DidYouMean []string
}

// Search pages through the entities matching every word of the text (or any word), best
// first (see store.Search for the forms and corrections of words it matches, and the
// ranking); with Evidence, entities whose cited passages match count too.
func (b *Base) Search(ctx context.Context, a SearchArgs) (*SearchPage, error) {
	if err := within("query length", len(a.Text), 0, MaxTextLength); err != nil {
		return nil, err
	}
	if len(store.Tokenize(a.Text)) == 0 {
		return nil, badInput("query has no words to search for")
	}
	args, err := Window{First: a.First, After: a.After, Last: a.Last, Before: a.Before}.Args(SearchCursor)
	if err != nil {
		return nil, err
	}
	position := func(c []byte, arg string) (int, error) {
		if len(c) != 4 {
			return 0, badInput("%s is not a cursor of this search", arg)
		}
		return int(binary.BigEndian.Uint32(c)), nil
	}
	// The window is the positions [lo, hi) of the ranking; hi is unknown (-1) until counted.
	lo, hi := 0, -1
	if args.After != nil {
		if lo, err = position(args.After, "after"); err != nil {
			return nil, err
		}
		lo++
	}
	if args.Before != nil {
		if hi, err = position(args.Before, "before"); err != nil {
			return nil, err
		}
	}
	if args.FromEnd && hi < 0 {
		// The last results: count them first.
		var res *store.SearchResult
		if a.Evidence == nil {
			res, err = b.store.Search(ctx, store.SearchQuery{Text: a.Text, Types: a.Types, AnyWord: a.AnyWord, Limit: 0})
		} else {
			res, _, err = b.searchWithEvidence(ctx, a, 0, 0)
		}
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		hi = res.Total
	}
	offset, limit := lo, args.Limit
	if args.FromEnd {
		offset = max(lo, hi-args.Limit)
	}
	if hi >= 0 {
		limit = max(0, min(limit, hi-offset))
	}
	args.Limit = limit
	var res *store.SearchResult
	var passages map[store.ID]*domain.Citation
	if a.Evidence == nil {
		res, err = b.store.Search(ctx, store.SearchQuery{Text: a.Text, Types: a.Types, AnyWord: a.AnyWord, Offset: offset, Limit: args.Limit, Load: true})
	} else {
		res, passages, err = b.searchWithEvidence(ctx, a, offset, args.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &SearchPage{Page: Page[Hit]{Items: make([]Hit, 0, len(res.Hits)), Cursors: make([]string, 0, len(res.Hits)),
		HasPreviousPage: offset > 0, HasNextPage: offset+len(res.Hits) < res.Total, Total: res.Total},
		DidYouMean: res.DidYouMean}
	for i, h := range res.Hits {
		if h.Entity == nil {
			continue
		}
		out.Items = append(out.Items, Hit{Entity: h.Entity, Score: h.Score, Matched: h.Matched, Passage: passages[h.ID]})
		out.Cursors = append(out.Cursors, EncodeCursor(SearchCursor, binary.BigEndian.AppendUint32(nil, uint32(offset+i))))
	}
	return out, nil
}

// searchWithEvidence ranks the entities matching by their own fields together with those whose
// cited passages match, and loads one page of them. A passage match ranks as a summary match
// would (each word it holds scores 1), and counts only where it matches more words than the
// entity's own fields do.
func (b *Base) searchWithEvidence(ctx context.Context, a SearchArgs, offset, limit int) (*store.SearchResult, map[store.ID]*domain.Citation, error) {
	res, err := b.store.Search(ctx, store.SearchQuery{Text: a.Text, Types: a.Types, AnyWord: a.AnyWord, Limit: -1})
	if err != nil {
		return nil, nil, err
	}
	ev, err := b.evidenceHits(ctx, slices.Compact(store.Tokenize(a.Text)), a.AnyWord, a.Evidence)
	if err != nil {
		return nil, nil, err
	}
	passages := map[store.ID]*domain.Citation{}
	at := map[store.ID]int{}
	for i, h := range res.Hits {
		at[h.ID] = i
	}
	for id, m := range ev {
		if i, ok := at[id]; ok {
			if m.matched > res.Hits[i].Matched {
				res.Hits[i].Matched = m.matched
				passages[id] = &m.passage
			}
			continue
		}
		if len(a.Types) > 0 && !slices.Contains(a.Types, m.typ) {
			continue
		}
		res.Hits = append(res.Hits, store.Hit{ID: id, Type: m.typ, Score: float64(m.matched), Matched: m.matched})
		passages[id] = &m.passage
	}
	// Only the page's entities are read.
	store.RankByWords(res.Hits)
	res.Total = len(res.Hits)
	res.Hits = res.Hits[min(offset, len(res.Hits)):]
	res.Hits = res.Hits[:min(limit, len(res.Hits))]
	ids := make([]store.ID, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	ents, err := b.store.EntitiesByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for i := range res.Hits {
		res.Hits[i].Entity = ents[i]
	}
	return res, passages, nil
}

// Facets counts the entities of the types (empty: all) that match the filter (nil: all) by
// each facet, each facet's values most frequent first.
func (b *Base) Facets(ctx context.Context, types []domain.EntityType, f *store.Filter) (*store.Facets, error) {
	if err := b.prepareFilter(ctx, f); err != nil {
		return nil, err
	}
	res, err := b.store.Facets(ctx, types, f)
	if err != nil {
		return nil, storeError("count facets", err)
	}
	for _, counts := range res.Counts {
		slices.SortStableFunc(counts, func(a, b store.FacetCount) int { return b.Count - a.Count })
	}
	return res, nil
}

// EntityBySlug returns the entity with the slug, which must be of type want unless want is 0.
func (b *Base) EntityBySlug(ctx context.Context, slug string, want domain.EntityType) (*store.Entity, error) {
	ents, err := b.store.EntitiesBySlug(ctx, []string{slug})
	if err != nil {
		return nil, fmt.Errorf("entity %q: %w", slug, err)
	}
	e := ents[0]
	if e != nil && want != 0 && e.Type != want {
		// Say what it is: the caller guessed the type wrong, and the slug is good.
		info, _ := e.Type.Info()
		field := strings.ToLower(info.TypeName[:1]) + info.TypeName[1:]
		return nil, notFound("no %s has the slug %q: it names a %s (ask %s(slug: %q), or entity(slug: %q) for any type)", want, slug, e.Type, field, slug, slug)
	}
	if e == nil {
		what := "entity"
		if want != 0 {
			what = want.String()
		}
		return nil, notFound("no %s has the slug %q", what, slug)
	}
	return e, nil
}
