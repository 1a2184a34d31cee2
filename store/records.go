package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trendgraph/trendgraph/domain"
)

// Meta is what the store keeps of a record's life: how often it changed, when and in which
// data version. A derived relationship carries the meta of the entity whose field writes it.
type Meta struct {
	// Revision counts the changes to the record, 1 at creation; an update names the revision
	// it was based on.
	Revision  uint64    `json:"revision"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Version is the data version of the change set that last changed the record.
	Version uint64 `json:"version"`
}

// Entity is a node of the knowledge graph as stored: the curated record, its ID and its meta.
type Entity struct {
	ID ID `json:"id"`
	domain.Entity
	Meta Meta `json:"meta"`
}

// Relationship is a stored edge, with both ends by ID and by slug.
type Relationship struct {
	ID     ID `json:"id"`
	FromID ID `json:"fromId"`
	ToID   ID `json:"toId"`
	domain.Relationship
	Meta Meta `json:"meta"`
}

// Assessment is a stored radar assessment.
type Assessment struct {
	EntityID ID `json:"entityId"`
	domain.Assessment
	Meta Meta `json:"meta"`
}

// Source is a stored source.
type Source struct {
	domain.Source
	Meta Meta `json:"meta"`
}

// Radar is a stored radar.
type Radar struct {
	domain.Radar
	Meta Meta `json:"meta"`
}

func decode[T any](b []byte, what string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	return v, nil
}

// meta and curated give a stored record's meta and curated form, nil for no record (a create):
// what a change replaces.
func (e *Entity) meta() *Meta {
	if e == nil {
		return nil
	}
	return &e.Meta
}

func (e *Entity) curated() *domain.Entity {
	if e == nil {
		return nil
	}
	return &e.Entity
}

func (r *Relationship) meta() *Meta {
	if r == nil {
		return nil
	}
	return &r.Meta
}

func (r *Relationship) curated() *domain.Relationship {
	if r == nil {
		return nil
	}
	return &r.Relationship
}

func (a *Assessment) meta() *Meta {
	if a == nil {
		return nil
	}
	return &a.Meta
}

func (a *Assessment) curated() *domain.Assessment {
	if a == nil {
		return nil
	}
	return &a.Assessment
}

func (s *Source) meta() *Meta {
	if s == nil {
		return nil
	}
	return &s.Meta
}

func (s *Source) curated() *domain.Source {
	if s == nil {
		return nil
	}
	return &s.Source
}

func (r *Radar) meta() *Meta {
	if r == nil {
		return nil
	}
	return &r.Meta
}

func (r *Radar) curated() *domain.Radar {
	if r == nil {
		return nil
	}
	return &r.Radar
}
