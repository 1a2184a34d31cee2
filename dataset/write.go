package dataset

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/trendgraph/trendgraph/domain"
)

// Sort puts every list in a canonical order (by slug; relationships by from, kind, to;
// assessments by radar, edition, entity), so that equal datasets export to equal bytes.
func (d *Dataset) Sort() {
	slices.SortStableFunc(d.Sources, func(a, b domain.Source) int { return cmp.Compare(a.Slug, b.Slug) })
	slices.SortStableFunc(d.Entities, func(a, b domain.Entity) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Slug, b.Slug))
	})
	slices.SortStableFunc(d.Relationships, func(a, b domain.Relationship) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.To, b.To))
	})
	slices.SortStableFunc(d.Radars, func(a, b domain.Radar) int { return cmp.Compare(a.Slug, b.Slug) })
	slices.SortStableFunc(d.Assessments, func(a, b domain.Assessment) int {
		return cmp.Or(cmp.Compare(a.Radar, b.Radar), cmp.Compare(a.Edition, b.Edition), cmp.Compare(a.Entity, b.Entity))
	})
	d.origins = origins{}
}

// Write writes the dataset as one data file in format "yaml" or "json"; Load reads it back.
func Write(w io.Writer, d *Dataset, format string) error {
	fd := d.toFileDoc()
	switch format {
	case "yaml", "yml":
		b, err := yaml.MarshalWithOptions(fd, yaml.UseLiteralStyleIfMultiline(true))
		if err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write yaml: %w", err)
		}
		return nil
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		if err := enc.Encode(fd); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		return nil
	}
	return fmt.Errorf("unknown format %q: use yaml or json", format)
}
