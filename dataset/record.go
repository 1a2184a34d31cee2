package dataset

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/trendgraph/trendgraph/domain"
)

// The rules of one record, shared by Validate (a whole dataset) and by writes of a single record.
// A problem's Field is relative to the record ("vendor", "citations[0].section"); its File and
// Line are empty. Rules that compare a record with its siblings (duplicates, one default source)
// are Validate's alone.

// ValidateEntity checks one entity against the rest of the graph as l has it. e is taken as it
// will be written: where l still holds an older version of e, or none, e is used in its place.
// texts are the source texts that e's text must not copy and its citations must point into; a
// source without a text has its citations checked for shape only.
func ValidateEntity(l Lookup, texts map[string]*SourceText, e *domain.Entity) Problems {
	c := &checker{l: withEntity{l, e}, texts: texts}
	c.slug(e.Slug)
	if strings.TrimSpace(e.Name) == "" {
		c.report("name", "a %s needs a name", e.Type)
	}
	if strings.TrimSpace(e.Summary) == "" {
		c.report(summaryField(e.Type), "a %s needs a %s", e.Type, summaryField(e.Type))
	}
	c.ownWords(summaryField(e.Type), e.Summary)
	c.tags(e.Tags)
	for j, a := range e.Aliases {
		if strings.TrimSpace(a) == "" {
			c.report(fmt.Sprintf("aliases[%d]", j), "empty alias")
		}
	}
	switch e.Type {
	case domain.TypeTrend:
		c.oneOf("status", e.Status, domain.TrendStatuses)
		if e.Parent != "" {
			c.ref("parent", e.Parent, domain.TypeTrend)
			c.parentCycle(e)
		}
	case domain.TypeTechnology:
		c.oneOf("kind", e.Kind, domain.TechnologyKinds)
		c.oneOf("lifecycle", e.Lifecycle, domain.TechnologyLifecycle)
		if e.Vendor != "" {
			c.ref("vendor", e.Vendor, domain.TypeOrganization)
		}
		for j, t := range e.Trends {
			c.ref(fmt.Sprintf("trends[%d]", j), t, domain.TypeTrend)
		}
	case domain.TypeTradeoff:
		c.oneOf("type", e.TradeoffType, domain.TradeoffTypes)
		if len(e.AppliesTo) == 0 {
			c.report("appliesTo", "a tradeoff must apply to at least one entity")
		}
		for j, s := range e.AppliesTo {
			field := fmt.Sprintf("appliesTo[%d]", j)
			if t, ok := c.ref(field, s, 0); ok && t.Type == domain.TypeTradeoff {
				c.report(field, "%q is a tradeoff: a tradeoff applies to a trend, technology or other entity", s)
			}
		}
	}
	c.citations("citations", e.Citations)
	return c.problems
}

// ValidateRelationship checks one listed relationship against the rest of the graph as l has it.
// texts are as for ValidateEntity.
func ValidateRelationship(l Lookup, texts map[string]*SourceText, r *domain.Relationship) Problems {
	return validateRelationship(l, texts, r, nil)
}

// validateRelationship is ValidateRelationship; written, when known, is the kind as the data
// file wrote it, to name a kind that did not parse.
func validateRelationship(l Lookup, texts map[string]*SourceText, r *domain.Relationship, written *string) Problems {
	c := &checker{l: l, texts: texts}
	switch {
	case r.Kind == 0 && written != nil:
		c.report("kind", "unknown relationship kind %q", *written)
	case r.Kind == 0:
		c.report("kind", "unknown relationship kind")
	case r.Kind == domain.RelHasBenefit || r.Kind == domain.RelHasChallenge:
		c.report("kind", "%s is written by a tradeoff's appliesTo, not listed", r.Kind)
	}
	_, fromOK := c.ref("from", r.From, 0)
	to, toOK := c.ref("to", r.To, relKindTargets[r.Kind])
	if fromOK && toOK && r.From == r.To {
		c.report("to", "a relationship cannot point at its own source %q", r.From)
	}
	// toOK means the target is a tradeoff, as relKindTargets wants for addresses.
	if r.Kind == domain.RelAddresses && toOK && to.TradeoffType != "challenge" {
		c.report("to", "%q is a benefit: only challenges can be addressed", r.To)
	}
	if strings.TrimSpace(r.Rationale) == "" {
		c.report("rationale", "a relationship needs a short rationale")
	}
	c.ownWords("rationale", r.Rationale)
	c.citations("citations", r.Citations)
	return c.problems
}

// relKindTargets constrains what the "to" end of some kinds must be.
var relKindTargets = map[domain.RelKind]domain.EntityType{
	domain.RelWrittenIn:  domain.TypeTechnology,
	domain.RelUsedFor:    domain.TypeUseCase,
	domain.RelAddresses:  domain.TypeTradeoff,
	domain.RelProvidedBy: domain.TypeOrganization,
	domain.RelCreatedBy:  domain.TypeOrganization,
}

// ValidateAssessment checks one assessment against the rest of the graph as l has it, its radar
// included. texts are as for ValidateEntity.
func ValidateAssessment(l Lookup, texts map[string]*SourceText, a *domain.Assessment) Problems {
	c := &checker{l: l, texts: texts}
	if e, ok := c.ref("entity", a.Entity, 0); ok && e.Type != domain.TypeTechnology && e.Type != domain.TypeTrend {
		c.report("entity", "%q is a %s: a radar assesses technologies and trends", a.Entity, e.Type)
	}
	if strings.TrimSpace(a.Rationale) == "" {
		c.report("rationale", "an assessment needs a rationale")
	}
	c.ownWords("rationale", a.Rationale)
	c.citations("citations", a.Citations)
	r, ok := l.Radar(a.Radar)
	if !ok {
		c.report("radar", "unknown radar %q", a.Radar)
		return c.problems
	}
	if !radarHas(&r, "edition", a.Edition) {
		c.report("edition", "radar %q has no edition %q", a.Radar, a.Edition)
	}
	if !radarHas(&r, "quadrant", a.Quadrant) {
		c.report("quadrant", "radar %q has no quadrant %q", a.Radar, a.Quadrant)
	}
	if !radarHas(&r, "ring", a.Ring) {
		c.report("ring", "radar %q has no ring %q", a.Radar, a.Ring)
	}
	return c.problems
}

func radarHas(r *domain.Radar, what, slug string) bool {
	switch what {
	case "edition":
		return slices.ContainsFunc(r.Editions, func(e domain.Edition) bool { return e.Date == slug })
	case "quadrant":
		return slices.ContainsFunc(r.Quadrants, func(q domain.Quadrant) bool { return q.Slug == slug })
	case "ring":
		return slices.ContainsFunc(r.Rings, func(x domain.Ring) bool { return x.Slug == slug })
	}
	return false
}

// ValidateSource checks one source on its own: a source refers to nothing else.
func ValidateSource(s *domain.Source) Problems {
	c := &checker{}
	c.slug(s.Slug)
	if strings.TrimSpace(s.Title) == "" {
		c.report("title", "a source needs a title")
	}
	if s.Published != "" && !validDate(s.Published) {
		c.report("published", "invalid date %q: use YYYY-MM-DD", s.Published)
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			c.report("url", "invalid URL %q: use an absolute http or https URL", s.URL)
		}
	}
	return c.problems
}

// checker collects the problems of one record.
type checker struct {
	l        Lookup
	texts    map[string]*SourceText
	problems Problems
}

func (c *checker) report(field, format string, args ...any) {
	c.problems = append(c.problems, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) slug(slug string) {
	if !domain.ValidSlug(slug) {
		c.report("slug", "invalid slug %q: use lower-case words of a-z and 0-9 joined by '-'", slug)
	}
}

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// summaryField is the data-file name of domain.Entity.Summary for the type.
func summaryField(t domain.EntityType) string {
	if t == domain.TypeTechnology {
		return "description"
	}
	return "summary"
}

func (c *checker) oneOf(field, value string, allowed []string) {
	if value == "" {
		c.report(field, "missing %s: one of %s", field, strings.Join(allowed, ", "))
	} else if !slices.Contains(allowed, value) {
		c.report(field, "unknown %s %q: one of %s", field, value, strings.Join(allowed, ", "))
	}
}

func (c *checker) tags(tags []string) {
	seen := map[string]bool{}
	for j, t := range tags {
		field := fmt.Sprintf("tags[%d]", j)
		if !domain.ValidSlug(t) {
			c.report(field, "invalid tag %q: use lower-case words of a-z and 0-9 joined by '-'", t)
		} else if seen[t] {
			c.report(field, "duplicate tag %q", t)
		}
		seen[t] = true
	}
}

// ref checks that slug names an entity, of the wanted type unless want is 0, and returns it.
func (c *checker) ref(field, slug string, want domain.EntityType) (domain.Entity, bool) {
	e, ok := c.l.Entity(slug)
	if !ok {
		what := "entity"
		if want != 0 {
			what = want.String()
		}
		c.report(field, "unknown %s %q", what, slug)
		return e, false
	}
	if want != 0 && e.Type != want {
		c.report(field, "%q is a %s, not a %s", slug, e.Type, want)
		return e, false
	}
	return e, true
}

// parentCycle reports a cycle met by following parents up from e, through c.l. Slugs stand for
// entities: e's own slug is seen from the start, so a path back to e is a cycle through it and
// the lookup's version of e is never read. The walk ends on a cycle anywhere above e too, so
// that it ends even when the lookup holds one.
func (c *checker) parentCycle(e *domain.Entity) {
	seen := map[string]bool{e.Slug: true}
	for slug := e.Parent; slug != ""; {
		p, ok := c.l.Entity(slug)
		if !ok {
			return
		}
		if seen[slug] {
			c.report("parent", "parent trends form a cycle through %q", slug)
			return
		}
		seen[slug] = true
		slug = p.Parent
	}
}

// ownWords flags text that copies a run of words from any source text.
func (c *checker) ownWords(field, text string) {
	if msg := copied(c.texts, text); msg != "" {
		c.report(field, "%s", msg)
	}
}

// copied says which source text, if any, text copies a run of words from; "" when none.
func copied(texts map[string]*SourceText, text string) string {
	for slug, st := range texts {
		if st == nil {
			continue
		}
		if run := st.CopiedRun(text); run != "" {
			return fmt.Sprintf("copies %d or more consecutive words from source %q (%q): write it in our own words", CopiedRunWords, slug, run)
		}
	}
	return ""
}

func (c *checker) citations(field string, cs []domain.Citation) {
	if len(cs) == 0 {
		c.report(field, "at least one citation is required")
	}
	for j, ci := range cs {
		f := fmt.Sprintf("%s[%d]", field, j)
		src := ci.Source
		if src == "" {
			src = c.l.DefaultSource()
			if src == "" {
				c.report(f+".source", "no source given and no source is marked default")
				continue
			}
		} else if !c.l.Source(src) {
			c.report(f+".source", "unknown source %q", src)
			continue
		}
		if strings.TrimSpace(ci.Section) == "" {
			c.report(f+".section", "a citation needs a section heading")
			continue
		}
		if ci.Paragraph < 1 {
			c.report(f+".paragraph", "paragraph must be 1 or more, got %d", ci.Paragraph)
			continue
		}
		st := c.texts[src]
		if st == nil {
			continue
		}
		sec, ok := st.Section(ci.Section)
		if !ok {
			c.report(f+".section", "source %q has no section headed %q", src, ci.Section)
			continue
		}
		if ci.Paragraph > len(sec.Paragraphs) {
			c.report(f+".paragraph", "section %q of source %q has %d paragraphs, not %d", ci.Section, src, len(sec.Paragraphs), ci.Paragraph)
		}
	}
}
