package dataset

import "github.com/trendgraph/trendgraph/domain"

// Lookup answers what the rules of one record need to know of the rest of the graph. Each
// method is one lookup by key, so that a write can validate its record against the database
// inside its transaction instead of loading a whole Dataset.
type Lookup interface {
	// Entity returns the entity with the slug. The rules read its Type (references), Parent
	// (parent cycles) and TradeoffType (only challenges can be addressed).
	Entity(slug string) (domain.Entity, bool)
	// Source reports whether a source with the slug exists.
	Source(slug string) bool
	// DefaultSource is the slug of the source that citations without one cite, "" when none is.
	DefaultSource() string
	// Radar returns the radar with the slug, for its editions, quadrants and rings.
	Radar(slug string) (domain.Radar, bool)
}

// datasetLookup indexes a dataset's records by slug.
type datasetLookup struct {
	d *Dataset
	// entities holds the index of the first entity of each well-formed slug: an ill-formed
	// slug is reported as such, and references to it as unknown.
	entities map[string]int
	// sources holds the index of the first source of each slug, well-formed or not.
	sources map[string]int
	radars  map[string]int
	// defaultSource is the last source marked default; more than one is a problem of its own.
	defaultSource string
}

// Lookup returns a Lookup over d's records; where two records share a slug, the first is found.
// It indexes d's lists as they are now: after adding or removing records, take a new one.
func (d *Dataset) Lookup() Lookup { return d.lookup() }

func (d *Dataset) lookup() *datasetLookup {
	l := &datasetLookup{d: d, entities: map[string]int{}, sources: map[string]int{}, radars: map[string]int{}}
	for i, e := range d.Entities {
		if _, dup := l.entities[e.Slug]; !dup && domain.ValidSlug(e.Slug) {
			l.entities[e.Slug] = i
		}
	}
	for i, s := range d.Sources {
		if _, dup := l.sources[s.Slug]; !dup {
			l.sources[s.Slug] = i
		}
		if s.Default {
			l.defaultSource = s.Slug
		}
	}
	for i, r := range d.Radars {
		if _, dup := l.radars[r.Slug]; !dup {
			l.radars[r.Slug] = i
		}
	}
	return l
}

func (l *datasetLookup) Entity(slug string) (domain.Entity, bool) {
	i, ok := l.entities[slug]
	if !ok {
		return domain.Entity{}, false
	}
	return l.d.Entities[i], true
}

func (l *datasetLookup) Source(slug string) bool {
	_, ok := l.sources[slug]
	return ok
}

func (l *datasetLookup) DefaultSource() string { return l.defaultSource }

func (l *datasetLookup) Radar(slug string) (domain.Radar, bool) {
	i, ok := l.radars[slug]
	if !ok {
		return domain.Radar{}, false
	}
	return l.d.Radars[i], true
}

// withEntity is a lookup as it will be once e is written: e in place of any entity of its slug.
// An update's lookup still holds the old version, and a create's none at all; an ill-formed slug
// will not be written, so it is not found (as in a dataset's lookup).
type withEntity struct {
	Lookup
	e *domain.Entity
}

func (w withEntity) Entity(slug string) (domain.Entity, bool) {
	if slug == w.e.Slug && domain.ValidSlug(slug) {
		return *w.e, true
	}
	return w.Lookup.Entity(slug)
}
