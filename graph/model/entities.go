// Package model holds the Go types behind the GraphQL schema: our own types for the entities
// and the records read from the store, and gqlgen's generated ones (models_gen.go) for pages,
// inputs and enums.
package model

import (
	"strings"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// Ent is what every entity type shares: the stored record.
type Ent struct{ Entity *store.Entity }

// Stored is the stored record, whatever the entity's type.
func (e Ent) Stored() *store.Entity { return e.Entity }

// ID is the entity's global ID.
func (e Ent) ID() string { return EntityGlobalID(e.Entity) }

// Slug is the entity's slug.
func (e Ent) Slug() string { return e.Entity.Slug }

// Name is the entity's display name.
func (e Ent) Name() string { return e.Entity.Name }

// Summary is the entity's summary (a technology's description).
func (e Ent) Summary() string { return e.Entity.Summary }

// Tags are the entity's tags, never nil.
func (e Ent) Tags() []string { return nonNil(e.Entity.Tags) }

// Citations are the passages the entity rests on.
func (e Ent) Citations() []*Citation { return Citations(e.Entity.Citations) }

// Revision counts the entity's changes, 1 at creation.
func (e Ent) Revision() int { return int(e.Entity.Meta.Revision) }

// CreatedAt is when the entity was created.
func (e Ent) CreatedAt() DateTime { return DateTime(e.Entity.Meta.CreatedAt) }

// UpdatedAt is when the entity last changed.
func (e Ent) UpdatedAt() DateTime { return DateTime(e.Entity.Meta.UpdatedAt) }

// Aliases are the entity's other names, never nil.
func (e Ent) Aliases() []string { return nonNil(e.Entity.Aliases) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Trend is a trend entity.
type Trend struct{ Ent }

// Technology is a technology entity.
type Technology struct{ Ent }

// Tradeoff is a benefit or challenge entity.
type Tradeoff struct{ Ent }

// UseCase is a use-case entity.
type UseCase struct{ Ent }

// Organization is an organization entity.
type Organization struct{ Ent }

// Skill is a skill entity.
type Skill struct{ Ent }

// IsNode marks Trend as a Node.
func (Trend) IsNode() {}

// IsEntity marks Trend as an Entity.
func (Trend) IsEntity() {}

// IsNode marks Technology as a Node.
func (Technology) IsNode() {}

// IsEntity marks Technology as an Entity.
func (Technology) IsEntity() {}

// IsNode marks Tradeoff as a Node.
func (Tradeoff) IsNode() {}

// IsEntity marks Tradeoff as an Entity.
func (Tradeoff) IsEntity() {}

// IsNode marks UseCase as a Node.
func (UseCase) IsNode() {}

// IsEntity marks UseCase as an Entity.
func (UseCase) IsEntity() {}

// IsNode marks Organization as a Node.
func (Organization) IsNode() {}

// IsEntity marks Organization as an Entity.
func (Organization) IsEntity() {}

// IsNode marks Skill as a Node.
func (Skill) IsNode() {}

// IsEntity marks Skill as an Entity.
func (Skill) IsEntity() {}

// Status is the trend's status.
func (t Trend) Status() TrendStatus { return TrendStatus(EnumName(t.Entity.Status)) }

// Kind is the technology's kind.
func (t Technology) Kind() TechnologyKind { return TechnologyKind(EnumName(t.Entity.Kind)) }

// Lifecycle is the technology's lifecycle stage.
func (t Technology) Lifecycle() Lifecycle { return Lifecycle(EnumName(t.Entity.Lifecycle)) }

// Type says whether the tradeoff is a benefit or a challenge.
func (t Tradeoff) Type() TradeoffType { return TradeoffType(EnumName(t.Entity.TradeoffType)) }

// EnumName turns a data-file word ("cloud-service") into a GraphQL enum name ("CLOUD_SERVICE").
// The words of the closed vocabularies are looked up: the fields that answer with them are read
// for every entity of a response, and making the name again each time was an allocation each.
func EnumName(s string) string {
	if name, ok := enumNames[s]; ok {
		return name
	}
	return enumName(s)
}

func enumName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

// enumNames holds the enum name of every word of the vocabularies the API exposes as enums.
var enumNames = func() map[string]string {
	m := map[string]string{}
	for _, words := range [][]string{domain.TrendStatuses, domain.TechnologyKinds, domain.TechnologyLifecycle, domain.TradeoffTypes} {
		for _, w := range words {
			m[w] = enumName(w)
		}
	}
	return m
}()

// DataWord turns a GraphQL enum name into the data-file word.
func DataWord(enum string) string { return strings.ToLower(strings.ReplaceAll(enum, "_", "-")) }

// TypeName is the GraphQL type name of an entity type.
func TypeName(t domain.EntityType) string {
	info, _ := t.Info()
	return info.TypeName
}

// NewEntity wraps a stored entity in its GraphQL type; nil for nil.
func NewEntity(e *store.Entity) Entity {
	if e == nil {
		return nil
	}
	base := Ent{Entity: e}
	switch e.Type {
	case domain.TypeTrend:
		return &Trend{base}
	case domain.TypeTechnology:
		return &Technology{base}
	case domain.TypeTradeoff:
		return &Tradeoff{base}
	case domain.TypeUseCase:
		return &UseCase{base}
	case domain.TypeOrganization:
		return &Organization{base}
	case domain.TypeSkill:
		return &Skill{base}
	}
	return nil
}

// EntityTypeOf maps a GraphQL entity type to the store's; 0 for none.
func EntityTypeOf(t EntityType) domain.EntityType {
	typ, _ := domain.EntityTypeNamed(string(t))
	return typ
}

// EntityTypeEnum maps the store's entity type to the GraphQL enum.
func EntityTypeEnum(t domain.EntityType) EntityType {
	info, _ := t.Info()
	return EntityType(info.Enum)
}
