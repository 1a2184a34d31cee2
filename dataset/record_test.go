package dataset

import (
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
)

// recordBase loads the base dataset with texts, plus the records the per-record cases need: a
// trend "edge" under serverless, and a benefit "fast-scaling".
func recordBase(t *testing.T) (*Dataset, map[string]*SourceText) {
	t.Helper()
	d, err := loadString(t, base)
	if err != nil {
		t.Fatal(err)
	}
	cite := []domain.Citation{{Section: "Serverless Computing", Paragraph: 1}}
	d.Entities = append(d.Entities,
		domain.Entity{Type: domain.TypeTrend, Slug: "edge", Name: "Edge", Status: "growing", Parent: "serverless", Summary: "Near users.", Citations: cite},
		domain.Entity{Type: domain.TypeTradeoff, Slug: "fast-scaling", Name: "Fast scaling", TradeoffType: "benefit", AppliesTo: []string{"lambda"}, Summary: "Scales quickly.", Citations: cite})
	return d, map[string]*SourceText{"src": ParseSourceText(text, "The Article")}
}

// entity returns a copy of the dataset's entity with the slug, to change and validate.
func entity(t *testing.T, d *Dataset, slug string) domain.Entity {
	t.Helper()
	for _, e := range d.Entities {
		if e.Slug == slug {
			return e
		}
	}
	t.Fatalf("no entity %q", slug)
	return domain.Entity{}
}

// wantOne fails unless ps is one problem at field (relative, no file or line) saying msg.
func wantOne(t *testing.T, ps Problems, field, msg string) {
	t.Helper()
	if len(ps) != 1 || ps[0].Field != field || !strings.Contains(ps[0].Msg, msg) || ps[0].File != "" || ps[0].Line != 0 {
		t.Fatalf("got %q, want one problem at %s: %s", ps, field, msg)
	}
}

func TestRecordValidatorsAcceptValidRecords(t *testing.T) {
	d, texts := recordBase(t)
	if ps := Validate(d, texts); len(ps) != 0 {
		t.Fatalf("the dataset has problems:\n%v", ps)
	}
	l := d.Lookup()
	for i := range d.Sources {
		if ps := ValidateSource(&d.Sources[i]); len(ps) != 0 {
			t.Errorf("source %s: %v", d.Sources[i].Slug, ps)
		}
	}
	for i := range d.Entities {
		if ps := ValidateEntity(l, texts, &d.Entities[i]); len(ps) != 0 {
			t.Errorf("entity %s: %v", d.Entities[i].Slug, ps)
		}
	}
	for i := range d.Relationships {
		if ps := ValidateRelationship(l, texts, &d.Relationships[i]); len(ps) != 0 {
			t.Errorf("relationship %d: %v", i, ps)
		}
	}
	for i := range d.Assessments {
		if ps := ValidateAssessment(l, texts, &d.Assessments[i]); len(ps) != 0 {
			t.Errorf("assessment %d: %v", i, ps)
		}
	}
	// A new record is valid against a lookup without it.
	fresh := domain.Entity{Type: domain.TypeTrend, Slug: "fresh", Name: "Fresh", Status: "emerging", Parent: "edge",
		Summary: "New.", Citations: []domain.Citation{{Section: "Serverless Computing", Paragraph: 2}}}
	if ps := ValidateEntity(l, texts, &fresh); len(ps) != 0 {
		t.Errorf("new trend: %v", ps)
	}
}

func TestValidateEntityProblems(t *testing.T) {
	d, texts := recordBase(t)
	l := d.Lookup()
	cases := []struct {
		name, slug  string
		change      func(e *domain.Entity)
		field, want string
	}{
		{"bad slug", "lambda", func(e *domain.Entity) { e.Slug = "AWS_Lambda" }, "slug", `invalid slug "AWS_Lambda"`},
		{"no name", "aws", func(e *domain.Entity) { e.Name = " " }, "name", "a organization needs a name"},
		{"no description", "lambda", func(e *domain.Entity) { e.Summary = "" }, "description", "a technology needs a description"},
		{"copied summary", "serverless", func(e *domain.Entity) {
			e.Summary = "Lets developers deploy code as functions that are executed on demand."
		}, "summary", `copies 8 or more consecutive words from source "src"`},
		{"repeated tag", "aws", func(e *domain.Entity) { e.Tags = []string{"cloud", "cloud"} }, "tags[1]", `duplicate tag "cloud"`},
		{"empty alias", "lambda", func(e *domain.Entity) { e.Aliases = []string{"Lambda", ""} }, "aliases[1]", "empty alias"},
		{"unknown status", "serverless", func(e *domain.Entity) { e.Status = "hot" }, "status", `unknown status "hot"`},
		{"missing kind", "lambda", func(e *domain.Entity) { e.Kind = "" }, "kind", "missing kind"},
		{"unknown vendor", "lambda", func(e *domain.Entity) { e.Vendor = "nobody" }, "vendor", `unknown organization "nobody"`},
		{"unknown trend", "lambda", func(e *domain.Entity) { e.Trends = []string{"serverless", "ghost"} }, "trends[1]", `unknown trend "ghost"`},
		{"trend of the wrong type", "lambda", func(e *domain.Entity) { e.Trends = []string{"aws"} }, "trends[0]", `"aws" is a organization, not a trend`},
		{"parent of the wrong type", "edge", func(e *domain.Entity) { e.Parent = "lambda" }, "parent", `"lambda" is a technology, not a trend`},
		{"unknown tradeoff type", "cold-starts", func(e *domain.Entity) { e.TradeoffType = "risk" }, "type", `unknown type "risk"`},
		{"applies to nothing", "cold-starts", func(e *domain.Entity) { e.AppliesTo = nil }, "appliesTo", "at least one entity"},
		{"applies to an unknown entity", "cold-starts", func(e *domain.Entity) { e.AppliesTo = []string{"lambda", "ghost"} }, "appliesTo[1]", `unknown entity "ghost"`},
		// The tradeoff is found as validated, itself, even where the lookup lacks it.
		{"applies to itself", "cold-starts", func(e *domain.Entity) { e.Slug, e.AppliesTo = "warm-starts", []string{"warm-starts"} }, "appliesTo[0]", `"warm-starts" is a tradeoff`},
		{"no citation", "aws", func(e *domain.Entity) { e.Citations = nil }, "citations", "at least one citation"},
		{"unknown source", "aws", func(e *domain.Entity) { e.Citations[0].Source = "blog" }, "citations[0].source", `unknown source "blog"`},
		{"no section", "aws", func(e *domain.Entity) { e.Citations[0].Section = "" }, "citations[0].section", "needs a section heading"},
		{"unknown section", "aws", func(e *domain.Entity) { e.Citations[0].Section = "Nowhere" }, "citations[0].section", `no section headed "Nowhere"`},
		{"paragraph out of range", "aws", func(e *domain.Entity) { e.Citations[0].Paragraph = 9 }, "citations[0].paragraph", "has 2 paragraphs, not 9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := entity(t, d, c.slug)
			e.Citations = append([]domain.Citation(nil), e.Citations...) // changed by some cases
			c.change(&e)
			wantOne(t, ValidateEntity(l, texts, &e), c.field, c.want)
		})
	}
}

// Parent cycles are followed through the lookup, with the validated trend taken as it is, not as
// the lookup still has it.
func TestValidateEntityParentCycle(t *testing.T) {
	d, texts := recordBase(t)
	l := d.Lookup()

	// edge's parent is serverless in the lookup; serverless there has no parent.
	serverless := entity(t, d, "serverless")
	serverless.Parent = "edge"
	wantOne(t, ValidateEntity(l, texts, &serverless), "parent", `parent trends form a cycle through "serverless"`)

	// A new trend that is its own parent: a cycle, not an unknown trend.
	fresh := entity(t, d, "edge")
	fresh.Slug, fresh.Parent = "fresh", "fresh"
	wantOne(t, ValidateEntity(l, texts, &fresh), "parent", `parent trends form a cycle through "fresh"`)

	// Moving edge out from under serverless ends the walk: no cycle, whatever the lookup held.
	edge := entity(t, d, "edge")
	edge.Parent = ""
	if ps := ValidateEntity(l, texts, &edge); len(ps) != 0 {
		t.Fatalf("got %v", ps)
	}

	// A cycle already above the trend ends the walk too, and is reported.
	d.Entities[0].Parent = "edge" // serverless, so serverless -> edge -> serverless
	l = d.Lookup()
	leaf := entity(t, d, "edge")
	leaf.Slug = "leaf"
	wantOne(t, ValidateEntity(l, texts, &leaf), "parent", `parent trends form a cycle through "serverless"`)
}

func TestValidateRelationshipProblems(t *testing.T) {
	d, texts := recordBase(t)
	l := d.Lookup()
	cases := []struct {
		name        string
		change      func(r *domain.Relationship)
		field, want string
	}{
		{"unknown kind", func(r *domain.Relationship) { r.Kind = 0 }, "kind", "unknown relationship kind"},
		{"derived kind", func(r *domain.Relationship) { r.Kind = domain.RelHasChallenge }, "kind", "has_challenge is written by a tradeoff's appliesTo"},
		{"unknown from", func(r *domain.Relationship) { r.From = "ghost" }, "from", `unknown entity "ghost"`},
		{"unknown to", func(r *domain.Relationship) { r.To = "ghost" }, "to", `unknown entity "ghost"`},
		{"target of the wrong type", func(r *domain.Relationship) { r.Kind = domain.RelWrittenIn }, "to", `"serverless" is a trend, not a technology`},
		{"addresses a non-tradeoff", func(r *domain.Relationship) { r.Kind = domain.RelAddresses }, "to", `"serverless" is a trend, not a tradeoff`},
		{"addresses a benefit", func(r *domain.Relationship) { r.Kind, r.To = domain.RelAddresses, "fast-scaling" }, "to", `"fast-scaling" is a benefit`},
		{"self loop", func(r *domain.Relationship) { r.To = r.From }, "to", "cannot point at its own source"},
		{"no rationale", func(r *domain.Relationship) { r.Rationale = "" }, "rationale", "needs a short rationale"},
		{"paragraph out of range", func(r *domain.Relationship) {
			r.Citations = []domain.Citation{{Section: "Serverless Computing", Paragraph: 3}}
		}, "citations[0].paragraph", "has 2 paragraphs, not 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := d.Relationships[0]
			c.change(&r)
			wantOne(t, ValidateRelationship(l, texts, &r), c.field, c.want)
		})
	}
	// Addressing a challenge is what addresses is for.
	r := d.Relationships[0]
	r.Kind, r.To = domain.RelAddresses, "cold-starts"
	if ps := ValidateRelationship(l, texts, &r); len(ps) != 0 {
		t.Fatalf("got %v", ps)
	}
}

func TestValidateAssessmentProblems(t *testing.T) {
	d, texts := recordBase(t)
	l := d.Lookup()
	cases := []struct {
		name        string
		change      func(a *domain.Assessment)
		field, want string
	}{
		{"unknown entity", func(a *domain.Assessment) { a.Entity = "ghost" }, "entity", `unknown entity "ghost"`},
		{"a tradeoff", func(a *domain.Assessment) { a.Entity = "cold-starts" }, "entity", "a radar assesses technologies and trends"},
		{"no rationale", func(a *domain.Assessment) { a.Rationale = " " }, "rationale", "needs a rationale"},
		{"unknown source", func(a *domain.Assessment) {
			a.Citations = []domain.Citation{{Source: "blog", Section: "S", Paragraph: 1}}
		}, "citations[0].source", `unknown source "blog"`},
		// An unknown radar is the one problem: its parts cannot be looked for.
		{"unknown radar", func(a *domain.Assessment) { a.Radar, a.Ring = "nope", "nope" }, "radar", `unknown radar "nope"`},
		{"unknown edition", func(a *domain.Assessment) { a.Edition = "2020-01-01" }, "edition", `radar "r" has no edition "2020-01-01"`},
		{"unknown quadrant", func(a *domain.Assessment) { a.Quadrant = "tools" }, "quadrant", `radar "r" has no quadrant "tools"`},
		{"unknown ring", func(a *domain.Assessment) { a.Ring = "love" }, "ring", `radar "r" has no ring "love"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := d.Assessments[0]
			c.change(&a)
			wantOne(t, ValidateAssessment(l, texts, &a), c.field, c.want)
		})
	}
}

func TestValidateSourceProblems(t *testing.T) {
	cases := []struct {
		name        string
		source      domain.Source
		field, want string
	}{
		{"bad slug", domain.Source{Slug: "The_Article", Title: "T"}, "slug", `invalid slug "The_Article"`},
		{"no title", domain.Source{Slug: "a", Title: " "}, "title", "a source needs a title"},
		{"bad date", domain.Source{Slug: "a", Title: "T", Published: "2026-13-01"}, "published", `invalid date "2026-13-01"`},
		{"relative URL", domain.Source{Slug: "a", Title: "T", URL: "/articles/a"}, "url", `invalid URL "/articles/a"`},
		{"other scheme", domain.Source{Slug: "a", Title: "T", URL: "javascript:alert(1)"}, "url", "absolute http or https"},
		{"user info", domain.Source{Slug: "a", Title: "T", URL: "https://me:pw@example.com/a"}, "url", "invalid URL"},
	}
	if p := ValidateSource(&domain.Source{Slug: "a", Title: "T", URL: "https://example.com/a?x=1"}); len(p) != 0 {
		t.Fatalf("a good URL: %v", p)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOne(t, ValidateSource(&c.source), c.field, c.want)
		})
	}
}

// A dataset's lookup finds the first record of a slug, never one whose slug is ill-formed.
func TestDatasetLookup(t *testing.T) {
	d, _ := recordBase(t)
	d.Entities = append(d.Entities,
		domain.Entity{Type: domain.TypeSkill, Slug: "lambda"},
		domain.Entity{Type: domain.TypeSkill, Slug: "Bad_Slug"})
	l := d.Lookup()
	if e, ok := l.Entity("lambda"); !ok || e.Type != domain.TypeTechnology {
		t.Errorf("lambda: %v %v", e.Type, ok)
	}
	if _, ok := l.Entity("Bad_Slug"); ok {
		t.Error("found an entity with an ill-formed slug")
	}
	if _, ok := l.Entity("ghost"); ok {
		t.Error("found ghost")
	}
	if !l.Source("src") || l.Source("blog") || l.DefaultSource() != "src" {
		t.Errorf("sources: src %v, blog %v, default %q", l.Source("src"), l.Source("blog"), l.DefaultSource())
	}
	if r, ok := l.Radar("r"); !ok || r.Name != "R" {
		t.Errorf("radar r: %+v %v", r, ok)
	}
	if _, ok := l.Radar("nope"); ok {
		t.Error("found radar nope")
	}
}
