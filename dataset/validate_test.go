package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
)

// base is a valid one-file dataset; each case below breaks one thing in it.
const base = `sources:
  - slug: src
    title: The Article
    default: true
trends:
  - slug: serverless
    name: Serverless
    status: mainstream
    summary: Functions that run when called.
    citations: [{section: Serverless Computing, paragraph: 1}]
organizations:
  - slug: aws
    name: AWS
    summary: A cloud provider.
    citations: [{section: Serverless Computing, paragraph: 2}]
technologies:
  - slug: lambda
    name: AWS Lambda
    kind: cloud-service
    vendor: aws
    lifecycle: mature
    trends: [serverless]
    description: Functions as a service.
    citations: [{section: Serverless Computing, paragraph: 2}]
tradeoffs:
  - slug: cold-starts
    name: Cold starts
    type: challenge
    appliesTo: [lambda]
    summary: Slow first calls.
    citations: [{section: Serverless Computing, paragraph: 2}]
relationships:
  - from: lambda
    kind: implements
    to: serverless
    rationale: Lambda is one way to go serverless.
    citations: [{section: Serverless Computing, paragraph: 2}]
radars:
  - slug: r
    name: R
    quadrants: [{slug: platforms, name: Platforms}]
    rings: [{slug: adopt, name: Adopt, color: "#5ba300"}]
    editions: [{date: 2026-03-01}]
assessments:
  - radar: r
    edition: 2026-03-01
    entity: lambda
    quadrant: platforms
    ring: adopt
    rationale: Widely used.
    citations: [{section: Serverless Computing, paragraph: 1}]
`

const text = `Publisher
The Article
March 2026

An introduction that says very little of substance at all here.

Serverless Computing

Serverless lets developers deploy code as functions that are executed on demand by the provider.

Providers such as AWS offer it, and cold starts can add latency to calls.
`

func loadString(t *testing.T, yaml string) (*Dataset, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "area.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadPath(dir)
}

func TestBaseIsValid(t *testing.T) {
	d, err := loadString(t, base)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]*SourceText{"src": ParseSourceText(text, "The Article")}
	if ps := Validate(d, texts); len(ps) != 0 {
		t.Fatalf("base dataset has problems:\n%v", ps)
	}
	c := d.Counts()
	if c.Entities[domain.TypeTechnology] != 1 || c.Relationships != 4 || c.Listed != 1 {
		t.Fatalf("counts %+v", c)
	}
}

func TestSourceTextSections(t *testing.T) {
	st := ParseSourceText(text, "The Article")
	if len(st.Sections) != 2 || st.Sections[0].Heading != "The Article" || len(st.Sections[1].Paragraphs) != 2 {
		t.Fatalf("sections: %+v", st.Sections)
	}
	if p, ok := st.Paragraph("Serverless Computing", 2); !ok || !strings.HasPrefix(p, "Providers") {
		t.Fatalf("paragraph: %q %v", p, ok)
	}
	if _, ok := st.Paragraph("Serverless Computing", 3); ok {
		t.Fatal("paragraph 3 exists")
	}
}

// Every class of problem is reported with the file, the line of the offending field, and the field.
func TestValidationProblemClasses(t *testing.T) {
	cases := []struct {
		name, from, to string
		line           int
		field, msg     string
	}{
		{"dangling vendor", "vendor: aws", "vendor: amazon", 20, "technologies[0].vendor", `unknown organization "amazon"`},
		{"wrong referent type", "trends: [serverless]", "trends: [aws]", 22, "technologies[0].trends[0]", `"aws" is a organization, not a trend`},
		{"duplicate slug", "  - slug: aws\n", "  - slug: serverless\n", 12, "organizations[0].slug", `duplicate slug "serverless"`},
		{"invalid slug", "  - slug: lambda", "  - slug: AWS_Lambda", 17, "technologies[0].slug", "invalid slug"},
		{"unknown kind", "kind: cloud-service", "kind: cloud", 19, "technologies[0].kind", `unknown kind "cloud"`},
		{"unknown status", "status: mainstream", "status: hot", 8, "trends[0].status", `unknown status "hot"`},
		{"unknown lifecycle", "lifecycle: mature", "lifecycle: old", 21, "technologies[0].lifecycle", `unknown lifecycle "old"`},
		{"unknown tradeoff type", "type: challenge", "type: risk", 28, "tradeoffs[0].type", `unknown type "risk"`},
		{"unknown relationship kind", "kind: implements", "kind: loves", 34, "relationships[0].kind", `unknown relationship kind "loves"`},
		{"listed derived kind", "kind: implements", "kind: has_benefit", 34, "relationships[0].kind", "written by a tradeoff's appliesTo"},
		{"self loop", "to: serverless\n    rationale", "to: lambda\n    rationale", 35, "relationships[0].to", "cannot point at its own source"},
		{"duplicate of derived edge", "kind: implements", "kind: part_of", 33, "relationships[0]", "duplicate relationship lambda part_of serverless"},
		{"missing rationale", "    rationale: Lambda is one way to go serverless.\n", "", 33, "relationships[0].rationale", "needs a short rationale"},
		{"missing citation", "    summary: A cloud provider.\n    citations: [{section: Serverless Computing, paragraph: 2}]\n", "    summary: A cloud provider.\n", 12, "organizations[0].citations", "at least one citation"},
		{"unknown section", "[{section: Serverless Computing, paragraph: 1}]\norganizations", "[{section: Serverless, paragraph: 1}]\norganizations", 10, "trends[0].citations[0].section", `no section headed "Serverless"`},
		{"paragraph out of range", "description: Functions as a service.\n    citations: [{section: Serverless Computing, paragraph: 2}]", "description: Functions as a service.\n    citations: [{section: Serverless Computing, paragraph: 9}]", 24, "technologies[0].citations[0].paragraph", "has 2 paragraphs, not 9"},
		{"unknown source", "[{section: Serverless Computing, paragraph: 1}]\norganizations", "[{source: blog, section: Serverless Computing, paragraph: 1}]\norganizations", 10, "trends[0].citations[0].source", `unknown source "blog"`},
		{"copied text", "summary: Functions that run when called.", "summary: Lets developers deploy code as functions that are executed on demand.", 9, "trends[0].summary", "copies 8 or more consecutive words"},
		{"missing summary", "    summary: Slow first calls.\n", "", 26, "tradeoffs[0].summary", "needs a summary"},
		{"unknown radar ring", "ring: adopt", "ring: love", 49, "assessments[0].ring", `radar "r" has no ring "love"`},
		{"assessment of a tradeoff", "entity: lambda", "entity: cold-starts", 47, "assessments[0].entity", "a radar assesses technologies and trends"},
		{"bad color", `color: "#5ba300"`, `color: green`, 42, "radars[0].rings[0].color", "invalid color"},
		{"addresses a non-tradeoff", "kind: implements", "kind: addresses", 35, "relationships[0].to", `"serverless" is a trend, not a tradeoff`},
	}
	texts := map[string]*SourceText{"src": ParseSourceText(text, "The Article")}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.from) {
				t.Fatalf("case does not apply: %q not in base", c.from)
			}
			d, err := loadString(t, strings.Replace(base, c.from, c.to, 1))
			if err != nil {
				t.Fatal(err)
			}
			ps := Validate(d, texts)
			for _, p := range ps {
				if strings.Contains(p.Msg, c.msg) {
					if p.Field != c.field || p.Line != c.line || !strings.HasSuffix(p.File, "area.yaml") {
						t.Fatalf("located at %s:%d %s, want line %d field %s", p.File, p.Line, p.Field, c.line, c.field)
					}
					return
				}
			}
			t.Fatalf("no problem containing %q in:\n%v", c.msg, ps)
		})
	}
}

func TestAllProblemsAreReported(t *testing.T) {
	broken := strings.NewReplacer("vendor: aws", "vendor: nobody", "status: mainstream", "status: hot", "ring: adopt", "ring: nope").Replace(base)
	d, err := loadString(t, broken)
	if err != nil {
		t.Fatal(err)
	}
	if ps := Validate(d, nil); len(ps) != 3 {
		t.Fatalf("want 3 problems, got %d:\n%v", len(ps), ps)
	}
}

func TestDecodeProblemsNameFileAndLine(t *testing.T) {
	cases := []struct{ name, yaml, msg string }{
		{"unknown field", strings.Replace(base, "    kind: cloud-service", "    kind: cloud-service\n    colour: red", 1), "unknown field \"colour\""},
		{"syntax", strings.Replace(base, "trends: [serverless]", "trends: [serverless", 1), ""},
		{"wrong type", strings.Replace(base, "paragraph: 1}]\norganizations", "paragraph: one}]\norganizations", 1), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadString(t, c.yaml)
			ps, ok := err.(Problems)
			if !ok || len(ps) != 1 || ps[0].Line == 0 || !strings.HasSuffix(ps[0].File, "area.yaml") || !strings.Contains(ps[0].Msg, c.msg) {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

func TestJSONProblemsAreLocatedToo(t *testing.T) {
	d, err := loadString(t, base)
	if err != nil {
		t.Fatal(err)
	}
	d.Entities[1].Vendor = "nobody" // the technology
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "all.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, d, "json"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	reread, err := LoadPath(filepath.Join(dir, "all.json"))
	if err != nil {
		t.Fatal(err)
	}
	ps := Validate(reread, nil)
	if len(ps) != 1 || ps[0].Line == 0 || ps[0].Field != "technologies[0].vendor" {
		t.Fatalf("got %v", ps)
	}
}

func TestSynthesizeIsDeterministicAndValid(t *testing.T) {
	a, err := Synthesize(SynthOptions{Technologies: 500, Relationships: 3000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Synthesize(SynthOptions{Technologies: 500, Relationships: 3000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Two failed writes would compare equal: the writes must succeed and write something.
	var wa, wb strings.Builder
	if err := Write(&wa, a, "json"); err != nil {
		t.Fatal(err)
	}
	if err := Write(&wb, b, "json"); err != nil {
		t.Fatal(err)
	}
	if wa.String() != wb.String() || wa.Len() == 0 {
		t.Fatal("same seed, different datasets")
	}
	if ps := Validate(a, nil); len(ps) != 0 {
		t.Fatalf("synthetic dataset invalid:\n%v", ps)
	}
	if c := a.Counts(); c.Entities[domain.TypeTechnology] != 500 || c.Listed != 3000 {
		t.Fatalf("counts %+v", c)
	}
}

// Every entity type has one row of names, and each name finds its type back.
func TestEntityTypeTable(t *testing.T) {
	seen := map[string]bool{}
	for _, info := range domain.EntityTypeInfos() {
		for _, name := range []string{info.Name, info.Plural, info.TypeName, info.Enum} {
			if name == "" || seen[name] {
				t.Fatalf("%v: empty or repeated name %q", info.Type, name)
			}
			seen[name] = true
		}
		for _, name := range []string{info.TypeName, info.Enum} {
			if typ, ok := domain.EntityTypeNamed(name); !ok || typ != info.Type {
				t.Fatalf("%q finds %v, want %v", name, typ, info.Type)
			}
		}
		if got, ok := info.Type.Info(); !ok || got != info {
			t.Fatalf("%v.Info() = %+v", info.Type, got)
		}
	}
	if len(domain.EntityTypes) != len(domain.EntityTypeInfos()) {
		t.Fatal("EntityTypes and the table differ")
	}
	if _, ok := domain.EntityType(0).Info(); ok {
		t.Fatal("type 0 has a row")
	}
}
