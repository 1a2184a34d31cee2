package model

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Date is a calendar date, YYYY-MM-DD.
type Date string

// MarshalGQL writes the date as a JSON string.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL accepts only YYYY-MM-DD strings that name a real day.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return InputError("a Date must be a string, YYYY-MM-DD")
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return InputError(fmt.Sprintf("%q is not a date of the form YYYY-MM-DD", s))
	}
	*d = Date(s)
	return nil
}

// InputError is a bad input value found while decoding arguments; the error presenter shows it
// to the caller as BAD_USER_INPUT.
type InputError string

func (e InputError) Error() string { return string(e) }

// Relationship is a stored relationship with both its ends.
type Relationship struct {
	Relationship *store.Relationship
	// FromEntity and ToEntity are the ends, always loaded with the relationship.
	FromEntity, ToEntity *store.Entity
	// FromObject and ToObject, when set, are the ends made ahead as objects of the response
	// (to join a sibling group); From and To otherwise make them on demand.
	FromObject, ToObject Entity
}

// IsNode marks Relationship as a Node.
func (Relationship) IsNode() {}

// ID is the relationship's global ID.
func (r Relationship) ID() string { return RelationshipGlobalID(r.Relationship.ID) }

// Kind is the relationship's kind.
func (r Relationship) Kind() RelationshipKind { return RelKindOf(r.Relationship.Kind) }

// Rationale is null for derived relationships.
func (r Relationship) Rationale() *string {
	if r.Relationship.Rationale == "" {
		return nil
	}
	return &r.Relationship.Rationale
}

// From is the relationship's start. Every Relationship is built with both ends loaded, so the
// field needs no resolver: lists of relationships then marshal without a goroutine apiece.
func (r Relationship) From() Entity {
	if r.FromObject != nil {
		return r.FromObject
	}
	return NewEntity(r.FromEntity)
}

// To is the entity the relationship points to.
func (r Relationship) To() Entity {
	if r.ToObject != nil {
		return r.ToObject
	}
	return NewEntity(r.ToEntity)
}

// Citations are the passages the relationship rests on.
func (r Relationship) Citations() []*Citation { return Citations(r.Relationship.Citations) }

// Revision counts the relationship's changes; a derived one has its entity's.
func (r Relationship) Revision() int { return int(r.Relationship.Meta.Revision) }

// CreatedAt is when the relationship was created.
func (r Relationship) CreatedAt() DateTime { return DateTime(r.Relationship.Meta.CreatedAt) }

// UpdatedAt is when the relationship last changed.
func (r Relationship) UpdatedAt() DateTime { return DateTime(r.Relationship.Meta.UpdatedAt) }

// Derived says whether the relationship comes from an entity's own fields.
func (r Relationship) Derived() bool { return r.Relationship.Derived }

// RelKindOf maps a store kind to the GraphQL enum.
func RelKindOf(k domain.RelKind) RelationshipKind {
	if int(k) < len(relKindNames) && relKindNames[k] != "" {
		return relKindNames[k]
	}
	return RelationshipKind(strings.ToUpper(k.String()))
}

// relKindNames is RelKindOf of every kind, made once: it is read for every relationship of a
// response.
var relKindNames = func() []RelationshipKind {
	var names []RelationshipKind
	for _, rk := range domain.RelKinds {
		for int(rk.Kind) >= len(names) {
			names = append(names, "")
		}
		names[rk.Kind] = RelationshipKind(strings.ToUpper(rk.Name))
	}
	return names
}()

// StoreRelKind maps the GraphQL enum to the store's kind.
func StoreRelKind(k RelationshipKind) domain.RelKind {
	kind, _ := domain.ParseRelKind(strings.ToLower(string(k)))
	return kind
}

// Source is a source document.
type Source struct{ Source store.Source }

// Revision counts the source's changes.
func (s Source) Revision() int { return int(s.Source.Meta.Revision) }

// CreatedAt is when the source was added.
func (s Source) CreatedAt() DateTime { return DateTime(s.Source.Meta.CreatedAt) }

// UpdatedAt is when the source last changed.
func (s Source) UpdatedAt() DateTime { return DateTime(s.Source.Meta.UpdatedAt) }

// IsNode marks Source as a Node.
func (Source) IsNode() {}

// ID is the source's global ID.
func (s Source) ID() string { return GlobalID("Source", s.Source.Slug) }

// Slug is the source's slug.
func (s Source) Slug() string { return s.Source.Slug }

// Title is the source's title.
func (s Source) Title() string { return s.Source.Title }

// Publisher is null when unknown.
func (s Source) Publisher() *string { return optional(s.Source.Publisher) }

// Published is null when unknown.
func (s Source) Published() *Date {
	if s.Source.Published == "" {
		return nil
	}
	d := Date(s.Source.Published)
	return &d
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Citation points at a passage of a source.
type Citation struct{ Citation domain.Citation }

// Section is the cited section's heading.
func (c Citation) Section() string { return c.Citation.Section }

// Paragraph is the cited paragraph's number within its section.
func (c Citation) Paragraph() int { return c.Citation.Paragraph }

// Citations wraps dataset citations.
func Citations(cs []domain.Citation) []*Citation {
	out := make([]*Citation, len(cs))
	for i := range cs {
		out[i] = &Citation{Citation: cs[i]}
	}
	return out
}

// Radar is a technology radar.
type Radar struct{ Radar *domain.Radar }

// IsNode marks Radar as a Node.
func (Radar) IsNode() {}

// ID is the radar's global ID.
func (r Radar) ID() string { return GlobalID("Radar", r.Radar.Slug) }

// Slug is the radar's slug.
func (r Radar) Slug() string { return r.Radar.Slug }

// Name is the radar's name.
func (r Radar) Name() string { return r.Radar.Name }

// Description is null when empty.
func (r Radar) Description() *string { return optional(r.Radar.Description) }

// Quadrants are the radar's quadrants in display order.
func (r Radar) Quadrants() []*Quadrant {
	out := make([]*Quadrant, len(r.Radar.Quadrants))
	for i, q := range r.Radar.Quadrants {
		out[i] = &Quadrant{Slug: q.Slug, Name: q.Name}
	}
	return out
}

// Rings are the radar's rings, innermost first.
func (r Radar) Rings() []*Ring {
	out := make([]*Ring, len(r.Radar.Rings))
	for i := range r.Radar.Rings {
		out[i] = r.ring(i)
	}
	return out
}

func (r Radar) ring(i int) *Ring {
	x := r.Radar.Rings[i]
	return &Ring{Slug: x.Slug, Name: x.Name, Color: optional(x.Color), Description: optional(x.Description), Position: i}
}

// Ring returns the ring with the slug.
func (r Radar) Ring(slug string) (*Ring, bool) {
	for i, x := range r.Radar.Rings {
		if x.Slug == slug {
			return r.ring(i), true
		}
	}
	return nil, false
}

// Quadrant returns the quadrant with the slug.
func (r Radar) Quadrant(slug string) (*Quadrant, bool) {
	for _, q := range r.Radar.Quadrants {
		if q.Slug == slug {
			return &Quadrant{Slug: q.Slug, Name: q.Name}, true
		}
	}
	return nil, false
}

// Editions are the radar's editions, oldest first.
func (r Radar) Editions() []*Edition {
	out := make([]*Edition, len(r.Radar.Editions))
	for i, e := range r.Radar.Editions {
		out[i] = &Edition{Date: Date(e.Date), Name: optional(e.Name)}
	}
	return out
}

// LatestEdition is the newest edition.
func (r Radar) LatestEdition() *Edition {
	eds := r.Editions()
	return eds[len(eds)-1]
}

// PreviousEdition returns the date of the edition before date, or "".
func (r Radar) PreviousEdition(date string) string { return knowledge.PreviousEdition(r.Radar, date) }

// Assessment places an entity on a radar at an edition.
type Assessment struct {
	Assessment *store.Assessment
	// Radar is the assessment's radar; Previous the same entity's assessment at the previous
	// edition, if any.
	Radar    Radar
	Previous *store.Assessment
	// Entity is the assessed entity when it was read with the assessment, nil otherwise (the
	// entity field's resolver then loads it).
	Entity Entity
}

// Edition is the assessment's edition.
func (a Assessment) Edition() *Edition {
	for _, e := range a.Radar.Editions() {
		if string(e.Date) == a.Assessment.Edition {
			return e
		}
	}
	return &Edition{Date: Date(a.Assessment.Edition)}
}

// Quadrant is the assessment's quadrant.
func (a Assessment) Quadrant() *Quadrant {
	q, ok := a.Radar.Quadrant(a.Assessment.Quadrant)
	if !ok {
		return &Quadrant{Slug: a.Assessment.Quadrant, Name: a.Assessment.Quadrant}
	}
	return q
}

// Ring is the assessment's ring.
func (a Assessment) Ring() *Ring {
	r, ok := a.Radar.Ring(a.Assessment.Ring)
	if !ok {
		return &Ring{Slug: a.Assessment.Ring, Name: a.Assessment.Ring}
	}
	return r
}

// PreviousRing is the ring at the previous edition, if the entity was placed then.
func (a Assessment) PreviousRing() *Ring {
	if a.Previous == nil {
		return nil
	}
	r, _ := a.Radar.Ring(a.Previous.Ring)
	return r
}

// Movement compares the ring with the previous edition's: derived, never stored.
func (a Assessment) Movement() Movement {
	switch (knowledge.Placement{Radar: a.Radar.Radar, Assessment: a.Assessment, Previous: a.Previous}).Movement() {
	case knowledge.MovementMovedIn:
		return MovementMovedIn
	case knowledge.MovementMovedOut:
		return MovementMovedOut
	case knowledge.MovementUnchanged:
		return MovementUnchanged
	}
	return MovementNew
}

// Citations are the passages the assessment rests on.
func (a Assessment) Citations() []*Citation { return Citations(a.Assessment.Citations) }

// Rationale is null when empty.
func (a Assessment) Rationale() *string { return optional(a.Assessment.Rationale) }

// Revision counts the assessment's changes.
func (a Assessment) Revision() int { return int(a.Assessment.Meta.Revision) }

// CreatedAt is when the assessment was made.
func (a Assessment) CreatedAt() DateTime { return DateTime(a.Assessment.Meta.CreatedAt) }

// UpdatedAt is when the assessment last changed.
func (a Assessment) UpdatedAt() DateTime { return DateTime(a.Assessment.Meta.UpdatedAt) }

// writeEnum writes an enum value as a JSON string. Enum values are GraphQL names
// ([_A-Za-z][_0-9A-Za-z]*), which need no escaping. The generated enums' MarshalGQL call it
// (graph/gen edits them to).
func writeEnum(w io.Writer, v string) {
	_, _ = io.WriteString(w, `"`)
	_, _ = io.WriteString(w, v)
	_, _ = io.WriteString(w, `"`)
}
