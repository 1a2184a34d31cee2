package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/plugin/federation/fedruntime"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// The Apollo Federation subgraph fields. gqlgen's executor calls these two methods for the
// fields named _service and _entities (graph/federation.graphqls); its federation plugin would
// generate them, but it reserves the type name Entity, which is our interface.

// __resolve__service answers _service: the schema as composition reads it, schema.graphqls
// with its @link and @key, exactly as /schema.graphql serves it.
func (ec *executionContext) __resolve__service(context.Context) (fedruntime.Service, error) {
	if ec.DisableIntrospection {
		// The SDL is the whole schema: a server that hides its schema hides this too.
		return fedruntime.Service{}, &userError{code: CodeValidationFailed, msg: "the schema is not published: introspection is off on this server"}
	}
	return fedruntime.Service{SDL: SDL()}, nil
}

// __resolve_entities answers _entities: every representation's entity, in order, read in one
// batch (one read by global ID, one by slug, as nodes(ids:) reads). A representation that is
// malformed or names nothing of its type is null, with an error at its index.
func (ec *executionContext) __resolve_entities(ctx context.Context, representations []map[string]any) []fedruntime.Entity {
	out := make([]fedruntime.Entity, len(representations))
	if len(representations) > knowledge.MaxIDs {
		ec.Error(ctx, &knowledge.BoundError{Arg: "_entities representations", Max: knowledge.MaxIDs, Actual: len(representations)})
		return out
	}
	r, ok := ec.Resolvers.(*Resolver)
	if !ok {
		ec.Error(ctx, errors.New("graph: _entities needs the package's own resolver"))
		return out
	}
	at := func(i int) context.Context { return graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)) }
	refs := make([]representation, len(representations))
	var ids []store.ID
	var slugs []string
	for i, rep := range representations {
		ref, err := representationOf(rep)
		if err != nil {
			ec.Error(at(i), err)
			continue
		}
		refs[i] = ref
		if ref.slug != "" {
			slugs = append(slugs, ref.slug)
		} else {
			ids = append(ids, ref.id)
		}
	}
	byID, bySlug := map[store.ID]*store.Entity{}, map[string]*store.Entity{}
	if len(ids) > 0 {
		ents, err := r.Store.EntitiesByID(ctx, ids)
		if err != nil {
			ec.Error(ctx, err)
			return out
		}
		byID = store.IndexByID(ents)
	}
	if len(slugs) > 0 {
		ents, err := r.Store.EntitiesBySlug(ctx, slugs)
		if err != nil {
			ec.Error(ctx, err)
			return out
		}
		for i, e := range ents {
			bySlug[slugs[i]] = e
		}
	}
	// Only the entities returned join the sibling group: one counted but never returned would
	// keep its siblings' loads waiting for the loaders' timer.
	matched := make([]*store.Entity, len(refs))
	for i, ref := range refs {
		if ref.typeName == "" {
			continue // refused above
		}
		e := byID[ref.id]
		if ref.slug != "" {
			e = bySlug[ref.slug]
		}
		if e == nil || model.TypeName(e.Type) != ref.typeName {
			ec.Error(at(i), notFound("no %s has the %s", ref.typeName, ref.key()))
			continue
		}
		matched[i] = e
	}
	g := newGroup(ctx, matched)
	for i, e := range matched {
		if e != nil {
			out[i] = g.entity(e)
		}
	}
	return out
}

// representation is what a gateway sent for one entity: its type and one of its keys.
type representation struct {
	typeName string
	id       store.ID
	rawID    string
	slug     string
}

func (r representation) key() string {
	if r.slug != "" {
		return fmt.Sprintf("slug %q", r.slug)
	}
	return fmt.Sprintf("id %q", r.rawID)
}

// representationOf reads a representation: __typename, an entity type of this subgraph, and
// the fields of one of its keys, id or slug.
func representationOf(rep map[string]any) (representation, error) {
	typeName, _ := rep["__typename"].(string)
	if !model.IsEntityType(typeName) {
		return representation{}, badInput("__typename %q is not an entity type of this subgraph", typeName)
	}
	if id, ok := rep["id"]; ok {
		s, _ := id.(string)
		t, key, err := model.ParseGlobalID(s)
		if err != nil || t != typeName {
			return representation{}, badInput("id %v is not the ID of a %s", id, typeName)
		}
		return representation{typeName: typeName, id: model.StoreID(key), rawID: s}, nil
	}
	if slug, ok := rep["slug"]; ok {
		s, _ := slug.(string)
		if !domain.ValidSlug(s) {
			return representation{}, badInput("slug %v is not a valid slug", slug)
		}
		return representation{typeName: typeName, slug: s}, nil
	}
	return representation{}, badInput("a %s representation needs its id or its slug", typeName)
}
