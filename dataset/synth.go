package dataset

import (
	"fmt"
	"math/rand/v2"

	"github.com/trendgraph/trendgraph/domain"
)

// SynthOptions sizes a synthetic dataset.
type SynthOptions struct {
	Technologies  int
	Relationships int
	Seed          uint64
}

var synthWords = []string{
	"stream", "cache", "queue", "graph", "edge", "mesh", "vector", "ledger", "pipeline", "gateway",
	"index", "shard", "replica", "lambda", "kernel", "broker", "schema", "tracer", "vault", "router",
	"compiler", "runtime", "scheduler", "proxy", "registry", "monitor", "notebook", "catalog", "fabric", "engine",
}

// Synthesize builds a deterministic synthetic dataset for scale tests: the same options give
// the same dataset on every machine. Technologies get kinds, tags, trends and vendors drawn from
// small pools; the listed relationships join random pairs of technologies, never twice and never
// a node to itself. Its one source has no text, so its citations are checked for shape only.
func Synthesize(o SynthOptions) (*Dataset, error) {
	if o.Technologies < 2 {
		return nil, fmt.Errorf("synthesize: need at least 2 technologies, got %d", o.Technologies)
	}
	kinds := []domain.RelKind{domain.RelAlternativeTo, domain.RelImplements, domain.RelIntegratesWith, domain.RelBuildsOn, domain.RelEnables, domain.RelPartOf, domain.RelRequires, domain.RelSupersedes, domain.RelWrittenIn}
	if max := o.Technologies * (o.Technologies - 1) * len(kinds); o.Relationships > max {
		return nil, fmt.Errorf("synthesize: at most %d relationships fit %d technologies", max, o.Technologies)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x7472656e64677261))
	cite := []domain.Citation{{Section: "Synthetic data", Paragraph: 1}}
	d := &Dataset{Sources: []domain.Source{{Slug: "synthetic", Title: "Synthetic data", Publisher: "trendgraph gen", Published: "2026-01-01", Default: true}}}
	nTrends := clamp(o.Technologies/100, 10, 1000)
	nOrgs := clamp(o.Technologies/500, 5, 200)
	nTradeoffs := clamp(o.Technologies/50, 10, 5000)
	word := func() string { return synthWords[r.IntN(len(synthWords))] }
	for i := range nTrends {
		e := domain.Entity{Type: domain.TypeTrend, Slug: fmt.Sprintf("trend-%04d", i), Name: fmt.Sprintf("Trend %04d %s", i, word()),
			Status: domain.TrendStatuses[r.IntN(len(domain.TrendStatuses))], Summary: "A synthetic trend about " + word() + " and " + word() + ".",
			Tags: []string{"tag-" + itoa(r.IntN(50))}, Citations: cite}
		if i >= 10 && r.IntN(4) == 0 {
			e.Parent = fmt.Sprintf("trend-%04d", r.IntN(10))
		}
		d.Entities = append(d.Entities, e)
	}
	for i := range nOrgs {
		d.Entities = append(d.Entities, domain.Entity{Type: domain.TypeOrganization, Slug: fmt.Sprintf("org-%03d", i),
			Name: fmt.Sprintf("Organization %03d", i), Summary: "A synthetic vendor.", Citations: cite})
	}
	for i := range o.Technologies {
		e := domain.Entity{Type: domain.TypeTechnology, Slug: fmt.Sprintf("tech-%07d", i), Name: fmt.Sprintf("%s %s %07d", title(word()), title(word()), i),
			Kind: domain.TechnologyKinds[r.IntN(len(domain.TechnologyKinds))], Lifecycle: domain.TechnologyLifecycle[r.IntN(len(domain.TechnologyLifecycle))],
			Summary: "A synthetic technology for " + word() + " " + word() + " workloads.", Citations: cite}
		e.Tags = dedupTags("tag-"+itoa(r.IntN(50)), "tag-"+itoa(r.IntN(50)))
		e.Trends = dedupTags(fmt.Sprintf("trend-%04d", r.IntN(nTrends)), fmt.Sprintf("trend-%04d", r.IntN(nTrends)))
		if r.IntN(3) == 0 {
			e.Vendor = fmt.Sprintf("org-%03d", r.IntN(nOrgs))
		}
		d.Entities = append(d.Entities, e)
	}
	for i := range nTradeoffs {
		t := domain.Entity{Type: domain.TypeTradeoff, Slug: fmt.Sprintf("tradeoff-%04d", i), Name: fmt.Sprintf("Tradeoff %04d %s", i, word()),
			TradeoffType: domain.TradeoffTypes[i%2], Summary: "A synthetic " + domain.TradeoffTypes[i%2] + ".", Citations: cite}
		t.AppliesTo = dedupTags(fmt.Sprintf("tech-%07d", r.IntN(o.Technologies)), fmt.Sprintf("tech-%07d", r.IntN(o.Technologies)))
		d.Entities = append(d.Entities, t)
	}
	type edge struct {
		from, to int
		kind     domain.RelKind
	}
	seen := make(map[edge]bool, o.Relationships)
	for len(d.Relationships) < o.Relationships {
		e := edge{r.IntN(o.Technologies), r.IntN(o.Technologies), kinds[r.IntN(len(kinds))]}
		if e.from == e.to || seen[e] {
			continue
		}
		seen[e] = true
		d.Relationships = append(d.Relationships, domain.Relationship{From: fmt.Sprintf("tech-%07d", e.from), Kind: e.kind,
			To: fmt.Sprintf("tech-%07d", e.to), Rationale: "Synthetic edge.", Citations: cite})
	}
	d.Radars = []domain.Radar{{Slug: "synthetic", Name: "Synthetic radar",
		Quadrants: []domain.Quadrant{{Slug: "techniques", Name: "Techniques"}, {Slug: "platforms", Name: "Platforms"}, {Slug: "tools", Name: "Tools"}, {Slug: "languages-and-frameworks", Name: "Languages & Frameworks"}},
		Rings:     []domain.Ring{{Slug: "adopt", Name: "Adopt"}, {Slug: "trial", Name: "Trial"}, {Slug: "assess", Name: "Assess"}, {Slug: "hold", Name: "Hold"}},
		Editions:  []domain.Edition{{Date: "2026-01-01"}, {Date: "2026-07-01"}}}}
	for i := 0; i < o.Technologies; i += 10 {
		for _, ed := range d.Radars[0].Editions {
			d.Assessments = append(d.Assessments, domain.Assessment{Radar: "synthetic", Edition: ed.Date, Entity: fmt.Sprintf("tech-%07d", i),
				Quadrant: d.Radars[0].Quadrants[r.IntN(4)].Slug, Ring: d.Radars[0].Rings[r.IntN(4)].Slug, Rationale: "Synthetic.", Citations: cite})
		}
	}
	return d, nil
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

func title(s string) string { return string(s[0]-'a'+'A') + s[1:] }

func dedupTags(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}
