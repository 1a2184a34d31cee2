// Package dataset reads, validates and writes trendgraph's curated knowledge data: the YAML (or
// JSON) files a curator edits, with every problem reported by file, line and field. It knows
// nothing of the database or of GraphQL; the store imports a validated Dataset and exports one.
package dataset

import "github.com/trendgraph/trendgraph/domain"

// Dataset is a whole knowledge base in memory.
type Dataset struct {
	Sources  []domain.Source
	Entities []domain.Entity
	// Relationships are the explicitly listed edges; see AllRelationships for derived ones too.
	Relationships []domain.Relationship
	Radars        []domain.Radar
	Assessments   []domain.Assessment

	// origins is filled by Load so that problems can name file and line; empty otherwise.
	origins origins
}

type origins struct {
	// root names what was loaded (a directory or file), for problems of the dataset as a whole.
	root                                         string
	sources, entities, rels, radars, assessments []origin
	// badKinds holds, per listed relationship, the kind as written when it is not a known kind.
	badKinds []string
}

// AllRelationships returns the listed relationships followed by those derived from entity
// fields, with the owning entity's citations.
func (d *Dataset) AllRelationships() []domain.Relationship {
	out := make([]domain.Relationship, 0, len(d.Relationships)+len(d.Entities))
	out = append(out, d.Relationships...)
	for i := range d.Entities {
		out = append(out, domain.DerivedRelationships(&d.Entities[i])...)
	}
	return out
}

// Counts counts the dataset's records.
func (d *Dataset) Counts() domain.Counts {
	c := domain.Counts{Entities: map[domain.EntityType]int{}, Relationships: len(d.AllRelationships()), Listed: len(d.Relationships), Assessments: len(d.Assessments)}
	for _, e := range d.Entities {
		c.Entities[e.Type]++
	}
	return c
}
