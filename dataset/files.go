package dataset

import "github.com/trendgraph/trendgraph/domain"

// fileDoc is the shape of one data file: any file may hold any of the lists.
type fileDoc struct {
	Sources       []domain.Source     `yaml:"sources,omitempty" json:"sources,omitempty"`
	Trends        []trendDoc          `yaml:"trends,omitempty" json:"trends,omitempty"`
	Technologies  []techDoc           `yaml:"technologies,omitempty" json:"technologies,omitempty"`
	Tradeoffs     []tradeoffDoc       `yaml:"tradeoffs,omitempty" json:"tradeoffs,omitempty"`
	UseCases      []plainDoc          `yaml:"useCases,omitempty" json:"useCases,omitempty"`
	Organizations []plainDoc          `yaml:"organizations,omitempty" json:"organizations,omitempty"`
	Skills        []plainDoc          `yaml:"skills,omitempty" json:"skills,omitempty"`
	Relationships []relDoc            `yaml:"relationships,omitempty" json:"relationships,omitempty"`
	Radars        []domain.Radar      `yaml:"radars,omitempty" json:"radars,omitempty"`
	Assessments   []domain.Assessment `yaml:"assessments,omitempty" json:"assessments,omitempty"`

	// listed and badKinds are Relationships already converted, by the streaming JSON decoder
	// (the kind as written where it is not a known kind, else "").
	listed   []domain.Relationship
	badKinds []string
}

type trendDoc struct {
	Slug      string            `yaml:"slug" json:"slug"`
	Name      string            `yaml:"name" json:"name"`
	Status    string            `yaml:"status" json:"status"`
	Parent    string            `yaml:"parent,omitempty" json:"parent,omitempty"`
	Tags      []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	Summary   string            `yaml:"summary" json:"summary"`
	Citations []domain.Citation `yaml:"citations" json:"citations"`
}

type techDoc struct {
	Slug        string            `yaml:"slug" json:"slug"`
	Name        string            `yaml:"name" json:"name"`
	Kind        string            `yaml:"kind" json:"kind"`
	Vendor      string            `yaml:"vendor,omitempty" json:"vendor,omitempty"`
	Aliases     []string          `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Tags        []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	Lifecycle   string            `yaml:"lifecycle" json:"lifecycle"`
	Trends      []string          `yaml:"trends,omitempty" json:"trends,omitempty"`
	Description string            `yaml:"description" json:"description"`
	Citations   []domain.Citation `yaml:"citations" json:"citations"`
}

type tradeoffDoc struct {
	Slug      string            `yaml:"slug" json:"slug"`
	Name      string            `yaml:"name" json:"name"`
	Type      string            `yaml:"type" json:"type"`
	AppliesTo []string          `yaml:"appliesTo" json:"appliesTo"`
	Tags      []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	Summary   string            `yaml:"summary" json:"summary"`
	Citations []domain.Citation `yaml:"citations" json:"citations"`
}

// plainDoc is the shape of use cases, organizations and skills.
type plainDoc struct {
	Slug      string            `yaml:"slug" json:"slug"`
	Name      string            `yaml:"name" json:"name"`
	Aliases   []string          `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Tags      []string          `yaml:"tags,omitempty" json:"tags,omitempty"`
	Summary   string            `yaml:"summary" json:"summary"`
	Citations []domain.Citation `yaml:"citations" json:"citations"`
}

type relDoc struct {
	From      string            `yaml:"from" json:"from"`
	Kind      string            `yaml:"kind" json:"kind"`
	To        string            `yaml:"to" json:"to"`
	Rationale string            `yaml:"rationale" json:"rationale"`
	Citations []domain.Citation `yaml:"citations" json:"citations"`
}

// origin says where a record was read from, for messages: the i-th record of the list in
// file. Its path is made only when a message needs it, since a large file has millions.
type origin struct {
	file string
	list string
	i    int
	loc  *locator
}

// path is the record's YAML path, e.g. "$.technologies[3]"; "" for no record.
func (o origin) path() string {
	if o.list == "" {
		return ""
	}
	return "$." + o.list + "[" + itoa(o.i) + "]"
}

// add appends the records of one file to the dataset, remembering where each came from.
func (d *Dataset) add(fd *fileDoc, file string, loc *locator) {
	at := func(list string, i int) origin {
		return origin{file: file, list: list, i: i, loc: loc}
	}
	for i, s := range fd.Sources {
		d.Sources = append(d.Sources, s)
		d.origins.sources = append(d.origins.sources, at("sources", i))
	}
	for i, t := range fd.Trends {
		d.addEntity(domain.Entity{Type: domain.TypeTrend, Slug: t.Slug, Name: t.Name, Status: t.Status, Parent: t.Parent,
			Tags: t.Tags, Summary: t.Summary, Citations: t.Citations}, at("trends", i))
	}
	for i, t := range fd.Technologies {
		d.addEntity(domain.Entity{Type: domain.TypeTechnology, Slug: t.Slug, Name: t.Name, Kind: t.Kind, Vendor: t.Vendor,
			Aliases: t.Aliases, Tags: t.Tags, Lifecycle: t.Lifecycle, Trends: t.Trends, Summary: t.Description,
			Citations: t.Citations}, at("technologies", i))
	}
	for i, t := range fd.Tradeoffs {
		d.addEntity(domain.Entity{Type: domain.TypeTradeoff, Slug: t.Slug, Name: t.Name, TradeoffType: t.Type,
			AppliesTo: t.AppliesTo, Tags: t.Tags, Summary: t.Summary, Citations: t.Citations}, at("tradeoffs", i))
	}
	plain := func(typ domain.EntityType, list string, docs []plainDoc) {
		for i, p := range docs {
			d.addEntity(domain.Entity{Type: typ, Slug: p.Slug, Name: p.Name, Aliases: p.Aliases, Tags: p.Tags,
				Summary: p.Summary, Citations: p.Citations}, at(list, i))
		}
	}
	plain(domain.TypeUseCase, "useCases", fd.UseCases)
	plain(domain.TypeOrganization, "organizations", fd.Organizations)
	plain(domain.TypeSkill, "skills", fd.Skills)
	if fd.listed != nil {
		// Decoded straight into their final form (see decodeJSON): adopted, not copied.
		if d.Relationships == nil {
			d.Relationships, d.origins.badKinds = fd.listed, fd.badKinds
		} else {
			d.Relationships = append(d.Relationships, fd.listed...)
			d.origins.badKinds = append(d.origins.badKinds, fd.badKinds...)
		}
		for i := range fd.listed {
			d.origins.rels = append(d.origins.rels, at("relationships", i))
		}
	}
	for i := range fd.Relationships {
		r, bad := fd.Relationships[i].relationship()
		d.Relationships = append(d.Relationships, r)
		d.origins.badKinds = append(d.origins.badKinds, bad)
		d.origins.rels = append(d.origins.rels, at("relationships", i))
	}
	for i, r := range fd.Radars {
		d.Radars = append(d.Radars, r)
		d.origins.radars = append(d.origins.radars, at("radars", i))
	}
	for i, a := range fd.Assessments {
		d.Assessments = append(d.Assessments, a)
		d.origins.assessments = append(d.origins.assessments, at("assessments", i))
	}
}

func (d *Dataset) addEntity(e domain.Entity, o origin) {
	d.Entities = append(d.Entities, e)
	d.origins.entities = append(d.origins.entities, o)
}

// toFileDoc converts a dataset back to the file shape, for export.
func (d *Dataset) toFileDoc() *fileDoc {
	fd := &fileDoc{Sources: d.Sources, Radars: d.Radars, Assessments: d.Assessments}
	for _, e := range d.Entities {
		switch e.Type {
		case domain.TypeTrend:
			fd.Trends = append(fd.Trends, trendDoc{Slug: e.Slug, Name: e.Name, Status: e.Status, Parent: e.Parent,
				Tags: e.Tags, Summary: e.Summary, Citations: e.Citations})
		case domain.TypeTechnology:
			fd.Technologies = append(fd.Technologies, techDoc{Slug: e.Slug, Name: e.Name, Kind: e.Kind,
				Vendor: e.Vendor, Aliases: e.Aliases, Tags: e.Tags, Lifecycle: e.Lifecycle, Trends: e.Trends,
				Description: e.Summary, Citations: e.Citations})
		case domain.TypeTradeoff:
			fd.Tradeoffs = append(fd.Tradeoffs, tradeoffDoc{Slug: e.Slug, Name: e.Name, Type: e.TradeoffType,
				AppliesTo: e.AppliesTo, Tags: e.Tags, Summary: e.Summary, Citations: e.Citations})
		case domain.TypeUseCase, domain.TypeOrganization, domain.TypeSkill:
			p := plainDoc{Slug: e.Slug, Name: e.Name, Aliases: e.Aliases, Tags: e.Tags, Summary: e.Summary,
				Citations: e.Citations}
			switch e.Type {
			case domain.TypeUseCase:
				fd.UseCases = append(fd.UseCases, p)
			case domain.TypeOrganization:
				fd.Organizations = append(fd.Organizations, p)
			default:
				fd.Skills = append(fd.Skills, p)
			}
		}
	}
	for _, r := range d.Relationships {
		if r.Derived {
			continue
		}
		fd.Relationships = append(fd.Relationships, relDoc{From: r.From, Kind: r.Kind.String(), To: r.To,
			Rationale: r.Rationale, Citations: r.Citations})
	}
	return fd
}
