package store

import (
	"encoding/json"
	"fmt"

	"github.com/trendgraph/trendgraph/domain"
)

// Entity is a node of the knowledge graph as stored: the curated record and its ID.
type Entity struct {
	ID ID `json:"id"`
	domain.Entity
}

// Relationship is a stored edge, with both ends by ID and by slug.
type Relationship struct {
	ID     ID `json:"id"`
	FromID ID `json:"fromId"`
	ToID   ID `json:"toId"`
	domain.Relationship
}

// Assessment is a stored radar assessment.
type Assessment struct {
	EntityID ID `json:"entityId"`
	domain.Assessment
}

func decode[T any](b []byte, what string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	return v, nil
}
