package graph

import (
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
)

// The entity-type table (dataset) and the schema agree: every type has a GraphQL object type
// and an EntityType enum value, and the enum has no value the table lacks.
func TestEntityTypeTableMatchesTheSchema(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	for _, info := range domain.EntityTypeInfos() {
		if def := schema.Types[info.TypeName]; def == nil || !slices.Contains(def.Interfaces, "Entity") {
			t.Fatalf("%s: no object type implementing Entity", info.TypeName)
		}
		if model.EntityTypeEnum(info.Type) == "" || !model.EntityTypeEnum(info.Type).IsValid() {
			t.Fatalf("%s: no EntityType value %q", info.TypeName, info.Enum)
		}
	}
	for _, e := range model.AllEntityType {
		if model.EntityTypeEnum(model.EntityTypeOf(e)) != e {
			t.Fatalf("EntityType %s has no row in the table", e)
		}
	}
}
