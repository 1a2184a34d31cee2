package graph

import (
	"context"
	"errors"

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
// batch (by global ID and by slug, as nodes(ids:) reads them). A representation that is
// malformed or names nothing is null, with an error at its index.
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
	keys := make([]string, 0, len(representations))
	at := make([]int, 0, len(representations)) // keys[j] is representations[at[j]]'s
	for i, rep := range representations {
		key, err := representationKey(rep)
		if err != nil {
			ec.Error(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), err)
			continue
		}
		keys, at = append(keys, key), append(at, i)
	}
	if len(keys) == 0 {
		return out
	}
	nodes, err := r.resolveNodes(ctx, keys, true)
	if err != nil {
		ec.Error(ctx, err)
		return out
	}
	for j, n := range nodes {
		i := at[j]
		typeName, _ := representations[i]["__typename"].(string)
		e, ok := n.(stored)
		if !ok || model.TypeName(e.Stored().Type) != typeName {
			ec.Error(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), notFound("no %s has the key %q", typeName, keys[j]))
			continue
		}
		out[i] = e
	}
	return out
}

// stored is every entity type of package model.
type stored interface {
	model.Entity
	Stored() *store.Entity
}

// representationKey is what resolveNodes reads a representation by: its global ID, or its
// slug (resolveNodes takes a value that is not a global ID as a slug).
func representationKey(rep map[string]any) (string, error) {
	typeName, _ := rep["__typename"].(string)
	if !model.IsEntityType(typeName) {
		return "", badInput("__typename %q is not an entity type of this subgraph", typeName)
	}
	if id, ok := rep["id"]; ok {
		s, _ := id.(string)
		t, _, err := model.ParseGlobalID(s)
		if err != nil || t != typeName {
			return "", badInput("id %v is not the ID of a %s", id, typeName)
		}
		return s, nil
	}
	if slug, ok := rep["slug"]; ok {
		s, _ := slug.(string)
		if !domain.ValidSlug(s) {
			return "", badInput("slug %v is not a valid slug", slug)
		}
		return s, nil
	}
	return "", badInput("a %s representation needs its id or its slug", typeName)
}
