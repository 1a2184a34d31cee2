package dataset

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/trendgraph/trendgraph/domain"
)

var (
	colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// Validate checks the whole dataset and returns every problem found, not just the first.
// texts maps a source slug to its parsed text; for a source with no text, citations are checked
// only for their shape, and texts are not checked for copying.
func Validate(d *Dataset, texts map[string]*SourceText) Problems {
	v := &validator{d: d, texts: texts, bySlug: map[string]int{}}
	v.sources()
	v.entities()
	v.relationships()
	v.radars()
	v.assessments()
	return v.problems
}

type validator struct {
	d             *Dataset
	texts         map[string]*SourceText
	problems      Problems
	bySlug        map[string]int // entity slug -> index in d.Entities
	sourceSlugs   map[string]bool
	defaultSource string
}

// at returns the origin of a record (zero when the dataset was not loaded from files).
func at(list []origin, i int) origin {
	if i < len(list) {
		return list[i]
	}
	return origin{}
}

func (v *validator) report(o origin, field, format string, args ...any) {
	p := Problem{File: o.file, Msg: fmt.Sprintf(format, args...)}
	full := o.path
	if field != "" {
		full += "." + field
	}
	p.Field = strings.TrimPrefix(full, "$.")
	if o.loc != nil {
		p.Line = o.loc.line(full)
	}
	v.problems = append(v.problems, p)
}

func (v *validator) sources() {
	v.sourceSlugs = map[string]bool{}
	for i, s := range v.d.Sources {
		o := at(v.d.origins.sources, i)
		switch {
		case !domain.ValidSlug(s.Slug):
			v.report(o, "slug", "invalid slug %q: use lower-case words of a-z and 0-9 joined by '-'", s.Slug)
		case v.sourceSlugs[s.Slug]:
			v.report(o, "slug", "duplicate source slug %q", s.Slug)
		}
		v.sourceSlugs[s.Slug] = true
		if strings.TrimSpace(s.Title) == "" {
			v.report(o, "title", "a source needs a title")
		}
		if s.Published != "" && !validDate(s.Published) {
			v.report(o, "published", "invalid date %q: use YYYY-MM-DD", s.Published)
		}
		if s.Default {
			if v.defaultSource != "" {
				v.report(o, "default", "more than one default source (%q is already the default)", v.defaultSource)
			}
			v.defaultSource = s.Slug
		}
	}
	if len(v.d.Sources) == 0 {
		v.report(origin{file: v.d.origins.root}, "", "the dataset has no source: every fact must cite one (add a sources list to one of its files)")
	}
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// summaryField is the data-file name of domain.Entity.Summary for the type.
func summaryField(t domain.EntityType) string {
	if t == domain.TypeTechnology {
		return "description"
	}
	return "summary"
}

func (v *validator) entities() {
	origins := v.d.origins.entities
	for i, e := range v.d.Entities {
		o := at(origins, i)
		if !domain.ValidSlug(e.Slug) {
			v.report(o, "slug", "invalid slug %q: use lower-case words of a-z and 0-9 joined by '-'", e.Slug)
		} else if j, dup := v.bySlug[e.Slug]; dup {
			first := at(origins, j)
			v.report(o, "slug", "duplicate slug %q: already used by a %s at %s", e.Slug, v.d.Entities[j].Type, first.where())
		} else {
			v.bySlug[e.Slug] = i
		}
	}
	for i := range v.d.Entities {
		e := &v.d.Entities[i]
		o := at(origins, i)
		if strings.TrimSpace(e.Name) == "" {
			v.report(o, "name", "a %s needs a name", e.Type)
		}
		if strings.TrimSpace(e.Summary) == "" {
			v.report(o, summaryField(e.Type), "a %s needs a %s", e.Type, summaryField(e.Type))
		}
		v.ownWords(o, summaryField(e.Type), e.Summary)
		v.tags(o, e.Tags)
		for j, a := range e.Aliases {
			if strings.TrimSpace(a) == "" {
				v.report(o, fmt.Sprintf("aliases[%d]", j), "empty alias")
			}
		}
		switch e.Type {
		case domain.TypeTrend:
			v.oneOf(o, "status", e.Status, domain.TrendStatuses)
			if e.Parent != "" {
				v.ref(o, "parent", e.Parent, domain.TypeTrend)
				v.parentCycle(i, o)
			}
		case domain.TypeTechnology:
			v.oneOf(o, "kind", e.Kind, domain.TechnologyKinds)
			v.oneOf(o, "lifecycle", e.Lifecycle, domain.TechnologyLifecycle)
			if e.Vendor != "" {
				v.ref(o, "vendor", e.Vendor, domain.TypeOrganization)
			}
			for j, t := range e.Trends {
				v.ref(o, fmt.Sprintf("trends[%d]", j), t, domain.TypeTrend)
			}
		case domain.TypeTradeoff:
			v.oneOf(o, "type", e.TradeoffType, domain.TradeoffTypes)
			if len(e.AppliesTo) == 0 {
				v.report(o, "appliesTo", "a tradeoff must apply to at least one entity")
			}
			for j, s := range e.AppliesTo {
				field := fmt.Sprintf("appliesTo[%d]", j)
				if t, ok := v.ref(o, field, s, 0); ok && t == domain.TypeTradeoff {
					v.report(o, field, "%q is a tradeoff: a tradeoff applies to a trend, technology or other entity", s)
				}
			}
		}
		v.citations(o, "citations", e.Citations)
	}
}

func (v *validator) oneOf(o origin, field, value string, allowed []string) {
	if value == "" {
		v.report(o, field, "missing %s: one of %s", field, strings.Join(allowed, ", "))
	} else if !contains(allowed, value) {
		v.report(o, field, "unknown %s %q: one of %s", field, value, strings.Join(allowed, ", "))
	}
}

func (v *validator) tags(o origin, tags []string) {
	seen := map[string]bool{}
	for j, t := range tags {
		field := fmt.Sprintf("tags[%d]", j)
		if !domain.ValidSlug(t) {
			v.report(o, field, "invalid tag %q: use lower-case words of a-z and 0-9 joined by '-'", t)
		} else if seen[t] {
			v.report(o, field, "duplicate tag %q", t)
		}
		seen[t] = true
	}
}

// ref checks that slug names an entity, of the wanted type unless want is 0, and returns its type.
func (v *validator) ref(o origin, field, slug string, want domain.EntityType) (domain.EntityType, bool) {
	j, ok := v.bySlug[slug]
	if !ok {
		what := "entity"
		if want != 0 {
			what = want.String()
		}
		v.report(o, field, "unknown %s %q", what, slug)
		return 0, false
	}
	got := v.d.Entities[j].Type
	if want != 0 && got != want {
		v.report(o, field, "%q is a %s, not a %s", slug, got, want)
		return got, false
	}
	return got, true
}

func (v *validator) parentCycle(i int, o origin) {
	seen := map[int]bool{i: true}
	for cur := i; ; {
		p, ok := v.bySlug[v.d.Entities[cur].Parent]
		if !ok || v.d.Entities[cur].Parent == "" {
			return
		}
		if seen[p] {
			v.report(o, "parent", "parent trends form a cycle through %q", v.d.Entities[p].Slug)
			return
		}
		seen[p] = true
		cur = p
	}
}

// ownWords flags text that copies a run of words from any source text.
func (v *validator) ownWords(o origin, field, text string) {
	for slug, st := range v.texts {
		if st == nil {
			continue
		}
		if run := st.CopiedRun(text); run != "" {
			v.report(o, field, "copies %d or more consecutive words from source %q (%q): write it in our own words", CopiedRunWords, slug, run)
			return
		}
	}
}

func (v *validator) citations(o origin, field string, cs []domain.Citation) {
	if len(cs) == 0 {
		v.report(o, field, "at least one citation is required")
	}
	for j, c := range cs {
		f := fmt.Sprintf("%s[%d]", field, j)
		src := c.Source
		if src == "" {
			src = v.defaultSource
			if src == "" {
				v.report(o, f+".source", "no source given and no source is marked default")
				continue
			}
		} else if !v.sourceSlugs[src] {
			v.report(o, f+".source", "unknown source %q", src)
			continue
		}
		if strings.TrimSpace(c.Section) == "" {
			v.report(o, f+".section", "a citation needs a section heading")
			continue
		}
		if c.Paragraph < 1 {
			v.report(o, f+".paragraph", "paragraph must be 1 or more, got %d", c.Paragraph)
			continue
		}
		st := v.texts[src]
		if st == nil {
			continue
		}
		sec, ok := st.Section(c.Section)
		if !ok {
			v.report(o, f+".section", "source %q has no section headed %q", src, c.Section)
			continue
		}
		if c.Paragraph > len(sec.Paragraphs) {
			v.report(o, f+".paragraph", "section %q of source %q has %d paragraphs, not %d", c.Section, src, len(sec.Paragraphs), c.Paragraph)
		}
	}
}

// relKindTargets constrains what the "to" end of some kinds must be.
var relKindTargets = map[domain.RelKind]domain.EntityType{
	domain.RelWrittenIn:  domain.TypeTechnology,
	domain.RelUsedFor:    domain.TypeUseCase,
	domain.RelAddresses:  domain.TypeTradeoff,
	domain.RelProvidedBy: domain.TypeOrganization,
	domain.RelCreatedBy:  domain.TypeOrganization,
}

func (v *validator) relationships() {
	type edge struct {
		from string
		kind domain.RelKind
		to   string
	}
	seen := map[edge]origin{}
	// Derived edges first, so that a listed edge repeating one is the one reported.
	for i := range v.d.Entities {
		for _, r := range domain.DerivedRelationships(&v.d.Entities[i]) {
			seen[edge{r.From, r.Kind, r.To}] = at(v.d.origins.entities, i)
		}
	}
	for i, r := range v.d.Relationships {
		o := at(v.d.origins.rels, i)
		if r.Derived {
			continue
		}
		if r.Kind == 0 {
			name := ""
			if i < len(v.d.origins.badKinds) {
				name = v.d.origins.badKinds[i]
			}
			v.report(o, "kind", "unknown relationship kind %q", name)
		} else if r.Kind == domain.RelHasBenefit || r.Kind == domain.RelHasChallenge {
			v.report(o, "kind", "%s is written by a tradeoff's appliesTo, not listed", r.Kind)
		}
		_, fromOK := v.ref(o, "from", r.From, 0)
		want := relKindTargets[r.Kind]
		toType, toOK := v.ref(o, "to", r.To, want)
		if fromOK && toOK && r.From == r.To {
			v.report(o, "to", "a relationship cannot point at its own source %q", r.From)
		}
		if r.Kind == domain.RelAddresses && toOK && toType == domain.TypeTradeoff {
			if e := v.d.Entities[v.bySlug[r.To]]; e.TradeoffType != "challenge" {
				v.report(o, "to", "%q is a benefit: only challenges can be addressed", r.To)
			}
		}
		k := edge{r.From, r.Kind, r.To}
		if first, dup := seen[k]; dup && r.Kind != 0 {
			v.report(o, "", "duplicate relationship %s %s %s (already at %s)", r.From, r.Kind, r.To, first.where())
		}
		seen[k] = o
		if strings.TrimSpace(r.Rationale) == "" {
			v.report(o, "rationale", "a relationship needs a short rationale")
		}
		v.ownWords(o, "rationale", r.Rationale)
		v.citations(o, "citations", r.Citations)
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
		v.ownWords(o, "description", r.Description)
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
	for i, a := range v.d.Assessments {
		o := at(v.d.origins.assessments, i)
		if t, ok := v.ref(o, "entity", a.Entity, 0); ok && t != domain.TypeTechnology && t != domain.TypeTrend {
			v.report(o, "entity", "%q is a %s: a radar assesses technologies and trends", a.Entity, t)
		}
		k := key{a.Radar, a.Edition, a.Entity}
		if seen[k] {
			v.report(o, "entity", "%q is already assessed in radar %q edition %s", a.Entity, a.Radar, a.Edition)
		}
		seen[k] = true
		if strings.TrimSpace(a.Rationale) == "" {
			v.report(o, "rationale", "an assessment needs a rationale")
		}
		v.ownWords(o, "rationale", a.Rationale)
		v.citations(o, "citations", a.Citations)
		r, ok := v.d.FindRadar(a.Radar)
		if !ok {
			v.report(o, "radar", "unknown radar %q", a.Radar)
			continue
		}
		if !radarHas(r, "edition", a.Edition) {
			v.report(o, "edition", "radar %q has no edition %q", a.Radar, a.Edition)
		}
		if !radarHas(r, "quadrant", a.Quadrant) {
			v.report(o, "quadrant", "radar %q has no quadrant %q", a.Radar, a.Quadrant)
		}
		if !radarHas(r, "ring", a.Ring) {
			v.report(o, "ring", "radar %q has no ring %q", a.Radar, a.Ring)
		}
	}
}

func radarHas(r *domain.Radar, what, slug string) bool {
	switch what {
	case "edition":
		for _, e := range r.Editions {
			if e.Date == slug {
				return true
			}
		}
	case "quadrant":
		for _, q := range r.Quadrants {
			if q.Slug == slug {
				return true
			}
		}
	case "ring":
		for _, x := range r.Rings {
			if x.Slug == slug {
				return true
			}
		}
	}
	return false
}

// where names a record's location for messages that point at another record.
func (o origin) where() string {
	if o.file == "" {
		return "an earlier record"
	}
	if l := o.loc.line(o.path); l > 0 {
		return fmt.Sprintf("%s:%d", o.file, l)
	}
	return o.file
}
