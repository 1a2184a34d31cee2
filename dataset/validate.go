package dataset

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
)

var (
	colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// Validate checks the whole dataset and returns every problem found, not just the first.
// texts maps a source slug to its parsed text; for a source with no text, citations are checked
// only for their shape, and texts are not checked for copying.
//
// Each record is checked by the rules of its kind (ValidateSource, ValidateEntity,
// ValidateRelationship, ValidateAssessment) against a Lookup of the dataset, and its problems are
// placed at the record's file, line and path. The rules that compare records with each other
// (repeated slugs, relationships or assessments; one default source) and radars' rules are
// Validate's own; a record's repeat is reported before its other problems.
func Validate(d *Dataset, texts map[string]*SourceText) Problems {
	v := &validator{d: d, texts: texts, l: d.lookup()}
	v.sources()
	v.entities()
	v.relationships()
	v.radars()
	v.assessments()
	return v.problems
}

// validator places the problems of a whole dataset.
type validator struct {
	d        *Dataset
	texts    map[string]*SourceText
	l        *datasetLookup
	problems Problems
}

// at returns the origin of a record (zero when the dataset was not loaded from files).
func at(list []origin, i int) origin {
	if i < len(list) {
		return list[i]
	}
	return origin{}
}

func (v *validator) report(o origin, field, format string, args ...any) {
	v.add(o, field, fmt.Sprintf(format, args...))
}

// add records a problem of the record at o; field is relative to the record.
func (v *validator) add(o origin, field, msg string) {
	p := Problem{File: o.file, Msg: msg}
	full := o.path()
	if field != "" {
		full += "." + field
	}
	p.Field = strings.TrimPrefix(full, "$.")
	if o.loc != nil {
		p.Line = o.loc.line(full)
	}
	v.problems = append(v.problems, p)
}

// place records the problems a per-record validator found in the record at o.
func (v *validator) place(o origin, ps Problems) {
	for _, p := range ps {
		v.add(o, p.Field, p.Msg)
	}
}

func (v *validator) sources() {
	defaultSource := ""
	for i := range v.d.Sources {
		s := &v.d.Sources[i]
		o := at(v.d.origins.sources, i)
		// An ill-formed slug is reported as such, not again as a duplicate.
		if v.l.sources[s.Slug] != i && domain.ValidSlug(s.Slug) {
			v.report(o, "slug", "duplicate source slug %q", s.Slug)
		}
		v.place(o, ValidateSource(s))
		if s.Default {
			if defaultSource != "" {
				v.report(o, "default", "more than one default source (%q is already the default)", defaultSource)
			}
			defaultSource = s.Slug
		}
	}
	if len(v.d.Sources) == 0 {
		v.report(origin{file: v.d.origins.root}, "", "the dataset has no source: every fact must cite one (add a sources list to one of its files)")
	}
}

func (v *validator) entities() {
	origins := v.d.origins.entities
	// Repeated slugs first: references to one find its first entity, which may explain the
	// problems that follow.
	for i, e := range v.d.Entities {
		if j, ok := v.l.entities[e.Slug]; ok && j != i {
			v.report(at(origins, i), "slug", "duplicate slug %q: already used by a %s at %s", e.Slug, v.d.Entities[j].Type, at(origins, j).where())
		}
	}
	for i := range v.d.Entities {
		v.place(at(origins, i), ValidateEntity(v.l, v.texts, &v.d.Entities[i]))
	}
}

func (v *validator) relationships() {
	type edge struct {
		from string
		kind domain.RelKind
		to   string
	}
	// The first record of each edge: a listed relationship by index, an entity's derived edge
	// as -1-index of the entity. Sized up front: a million edges would rehash it many times.
	seen := make(map[edge]int, len(v.d.Relationships)+len(v.d.Entities))
	where := func(i int) origin {
		if i < 0 {
			return at(v.d.origins.entities, -1-i)
		}
		return at(v.d.origins.rels, i)
	}
	// Derived edges first, so that a listed edge repeating one is the one reported.
	for i := range v.d.Entities {
		for _, r := range domain.DerivedRelationships(&v.d.Entities[i]) {
			seen[edge{r.From, r.Kind, r.To}] = -1 - i
		}
	}
	for i := range v.d.Relationships {
		r := &v.d.Relationships[i]
		if r.Derived {
			continue
		}
		o := at(v.d.origins.rels, i)
		written := ""
		if i < len(v.d.origins.badKinds) {
			written = v.d.origins.badKinds[i]
		}
		k := edge{r.From, r.Kind, r.To}
		if first, dup := seen[k]; dup && r.Kind != 0 {
			v.report(o, "", "duplicate relationship %s %s %s (already at %s)", r.From, r.Kind, r.To, where(first).where())
		}
		seen[k] = i
		v.place(o, validateRelationship(v.l, v.texts, r, &written))
	}
}

func (v *validator) radars() {
	seen := map[string]bool{}
	for i, r := range v.d.Radars {
		o := at(v.d.origins.radars, i)
		if !domain.ValidSlug(r.Slug) {
			v.report(o, "slug", "invalid radar slug %q", r.Slug)
		} else if seen[r.Slug] {
			v.report(o, "slug", "duplicate radar slug %q", r.Slug)
		}
		seen[r.Slug] = true
		if strings.TrimSpace(r.Name) == "" {
			v.report(o, "name", "a radar needs a name")
		}
		if msg := copied(v.texts, r.Description); msg != "" {
			v.add(o, "description", msg)
		}
		if len(r.Quadrants) == 0 || len(r.Rings) == 0 || len(r.Editions) == 0 {
			v.report(o, "", "a radar needs at least one quadrant, ring and edition")
		}
		qs := map[string]bool{}
		for j, q := range r.Quadrants {
			v.part(o, fmt.Sprintf("quadrants[%d]", j), "quadrant", q.Slug, q.Name, qs)
		}
		rs := map[string]bool{}
		for j, ring := range r.Rings {
			f := fmt.Sprintf("rings[%d]", j)
			v.part(o, f, "ring", ring.Slug, ring.Name, rs)
			if ring.Color != "" && !colorRe.MatchString(ring.Color) {
				v.report(o, f+".color", "invalid color %q: use #rrggbb", ring.Color)
			}
		}
		es := map[string]bool{}
		for j, e := range r.Editions {
			f := fmt.Sprintf("editions[%d].date", j)
			if !validDate(e.Date) {
				v.report(o, f, "invalid edition date %q: use YYYY-MM-DD", e.Date)
			} else if es[e.Date] {
				v.report(o, f, "duplicate edition %q", e.Date)
			} else if j > 0 && e.Date < r.Editions[j-1].Date {
				v.report(o, f, "editions must be listed oldest first")
			}
			es[e.Date] = true
		}
	}
}

// part checks a radar's quadrant or ring: a slug unique among its kind, and a name.
func (v *validator) part(o origin, field, what, slug, name string, seen map[string]bool) {
	if !domain.ValidSlug(slug) || seen[slug] {
		v.report(o, field+".slug", "invalid or duplicate %s slug %q", what, slug)
	}
	seen[slug] = true
	if name == "" {
		v.report(o, field+".name", "a %s needs a name", what)
	}
}

// FindRadar returns the radar with the slug.
func (d *Dataset) FindRadar(slug string) (*domain.Radar, bool) {
	for i := range d.Radars {
		if d.Radars[i].Slug == slug {
			return &d.Radars[i], true
		}
	}
	return nil, false
}

func (v *validator) assessments() {
	type key struct{ radar, edition, entity string }
	seen := map[key]bool{}
	for i := range v.d.Assessments {
		a := &v.d.Assessments[i]
		o := at(v.d.origins.assessments, i)
		k := key{a.Radar, a.Edition, a.Entity}
		if seen[k] {
			v.report(o, "entity", "%q is already assessed in radar %q edition %s", a.Entity, a.Radar, a.Edition)
		}
		seen[k] = true
		v.place(o, ValidateAssessment(v.l, v.texts, a))
	}
}

// where names a record's location for messages that point at another record.
func (o origin) where() string {
	if o.file == "" {
		return "an earlier record"
	}
	if l := o.loc.line(o.path()); l > 0 {
		return fmt.Sprintf("%s:%d", o.file, l)
	}
	return o.file
}
