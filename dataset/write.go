package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/goccy/go-yaml"
)

// Sort puts every list in a canonical order (by slug; relationships by from, kind, to;
// assessments by radar, edition, entity), so that equal datasets export to equal bytes.
func (d *Dataset) Sort() {
	sort.SliceStable(d.Sources, func(i, j int) bool { return d.Sources[i].Slug < d.Sources[j].Slug })
	sort.SliceStable(d.Entities, func(i, j int) bool {
		a, b := d.Entities[i], d.Entities[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Slug < b.Slug
	})
	sort.SliceStable(d.Relationships, func(i, j int) bool {
		a, b := d.Relationships[i], d.Relationships[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.To < b.To
	})
	sort.SliceStable(d.Radars, func(i, j int) bool { return d.Radars[i].Slug < d.Radars[j].Slug })
	sort.SliceStable(d.Assessments, func(i, j int) bool {
		a, b := d.Assessments[i], d.Assessments[j]
		if a.Radar != b.Radar {
			return a.Radar < b.Radar
		}
		if a.Edition != b.Edition {
			return a.Edition < b.Edition
		}
		return a.Entity < b.Entity
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
