// Package domain is trendgraph's vocabulary: the records of the knowledge graph (entities,
// relationships, citations, sources, radars, assessments), the table of entity types, the
// relationship kinds and the closed sets of values the API exposes as enums. Every other package
// speaks it; it imports none of them.
package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// EntityType is the type of a node of the knowledge graph.
type EntityType uint8

// The entity types. The numeric values are written into database keys: never renumber them.
const (
	TypeTrend        EntityType = 1
	TypeTechnology   EntityType = 2
	TypeTradeoff     EntityType = 3
	TypeUseCase      EntityType = 4
	TypeOrganization EntityType = 5
	TypeSkill        EntityType = 6
)

// EntityTypeInfo is everything the code knows of one entity type by name. Switches, global IDs,
// counts and the CLI's summaries read it from entityTypeTable, so a new type is one row here.
type EntityTypeInfo struct {
	Type EntityType
	// Name and Plural name the type in messages and summaries ("use case", "use cases").
	Name, Plural string
	// TypeName is the type's name in the API and in its global IDs ("UseCase").
	TypeName string
	// Enum is the type's value of the API's EntityType enum ("USE_CASE").
	Enum string
}

// entityTypeTable lists every entity type in a stable order.
var entityTypeTable = []EntityTypeInfo{
	{TypeTrend, "trend", "trends", "Trend", "TREND"},
	{TypeTechnology, "technology", "technologies", "Technology", "TECHNOLOGY"},
	{TypeTradeoff, "tradeoff", "tradeoffs", "Tradeoff", "TRADEOFF"},
	{TypeUseCase, "use case", "use cases", "UseCase", "USE_CASE"},
	{TypeOrganization, "organization", "organizations", "Organization", "ORGANIZATION"},
	{TypeSkill, "skill", "skills", "Skill", "SKILL"},
}

// EntityTypes lists every entity type in a stable order.
var EntityTypes = func() []EntityType {
	out := make([]EntityType, len(entityTypeTable))
	for i, info := range entityTypeTable {
		out[i] = info.Type
	}
	return out
}()

// EntityTypeInfos lists what is known of every entity type, in the order of EntityTypes.
func EntityTypeInfos() []EntityTypeInfo { return entityTypeTable }

// Info describes the type; ok is false for a number no type has.
func (t EntityType) Info() (info EntityTypeInfo, ok bool) {
	for _, info := range entityTypeTable {
		if info.Type == t {
			return info, true
		}
	}
	return EntityTypeInfo{}, false
}

// EntityTypeNamed finds a type by its API type name ("UseCase") or enum value ("USE_CASE").
func EntityTypeNamed(name string) (EntityType, bool) {
	for _, info := range entityTypeTable {
		if info.TypeName == name || info.Enum == name {
			return info.Type, true
		}
	}
	return 0, false
}

// String names the type in lower case, as messages use it.
func (t EntityType) String() string {
	if info, ok := t.Info(); ok {
		return info.Name
	}
	return "unknown"
}

// MarshalText names the type in JSON ("technology", "use-case"), so that stored records and
// the change log read without a table.
func (t EntityType) MarshalText() ([]byte, error) {
	if t == 0 {
		return []byte{}, nil // no type: a record named only by its key (an archive)
	}
	if _, ok := t.Info(); !ok {
		return nil, fmt.Errorf("unknown entity type %d", uint8(t))
	}
	return []byte(strings.ReplaceAll(t.String(), " ", "-")), nil
}

// UnmarshalText reads a type as MarshalText writes it.
func (t *EntityType) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*t = 0
		return nil
	}
	name := strings.ReplaceAll(string(b), "-", " ")
	for _, info := range entityTypeTable {
		if info.Name == name {
			*t = info.Type
			return nil
		}
	}
	return fmt.Errorf("unknown entity type %q", b)
}

// Citation points at one passage of a source: a section (its heading) and a paragraph in it.
type Citation struct {
	// Source is the slug of the source; empty means the dataset's default source.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Section is the heading text of the section, exactly as in the source.
	Section string `yaml:"section" json:"section"`
	// Paragraph counts from 1 within the section.
	Paragraph int `yaml:"paragraph" json:"paragraph"`
}

// Source is a document that facts are drawn from.
type Source struct {
	Slug      string `yaml:"slug" json:"slug"`
	Title     string `yaml:"title" json:"title"`
	Publisher string `yaml:"publisher,omitempty" json:"publisher,omitempty"`
	// Published is a date, YYYY-MM-DD.
	Published string `yaml:"published,omitempty" json:"published,omitempty"`
	// URL is where the source is published, when known: an absolute http or https URL.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// File is the text file's name, looked up beside the source text given to check.
	File    string `yaml:"file,omitempty" json:"file,omitempty"`
	Default bool   `yaml:"default,omitempty" json:"default,omitempty"`
}

// Entity is one node of the knowledge graph. One struct serves every type so that the store can
// batch loads by ID across types; fields that do not apply to a type stay empty.
type Entity struct {
	Type    EntityType `json:"type"`
	Slug    string     `json:"slug"`
	Name    string     `json:"name"`
	Summary string     `json:"summary,omitempty"`
	Aliases []string   `json:"aliases,omitempty"`
	Tags    []string   `json:"tags,omitempty"`
	// Status is a trend's status (emerging, growing, mainstream, declining).
	Status string `json:"status,omitempty"`
	// Parent is a trend's parent trend slug.
	Parent string `json:"parent,omitempty"`
	// Kind is a technology's kind (language, database, ...).
	Kind string `json:"kind,omitempty"`
	// Vendor is a technology's organization slug.
	Vendor string `json:"vendor,omitempty"`
	// Lifecycle is a technology's lifecycle (emerging, growing, mature, declining).
	Lifecycle string `json:"lifecycle,omitempty"`
	// Trends are the trend slugs a technology belongs to.
	Trends []string `json:"trends,omitempty"`
	// TradeoffType is "benefit" or "challenge" for a tradeoff.
	TradeoffType string `json:"tradeoffType,omitempty"`
	// AppliesTo are the slugs a tradeoff applies to.
	AppliesTo []string   `json:"appliesTo,omitempty"`
	Citations []Citation `json:"citations"`
}

// RelKind is the kind of a relationship.
type RelKind uint8

// The relationship kinds. The numeric values are written into database keys: never renumber them.
const (
	RelAlternativeTo RelKind = iota + 1
	RelImplements
	RelWrittenIn
	RelPartOf
	RelEnables
	RelUsedFor
	RelAddresses
	RelProvidedBy
	RelCreatedBy
	RelStandardizes
	RelIntegratesWith
	RelBuildsOn
	RelSupersedes
	RelRequires
	RelHasBenefit
	RelHasChallenge
)

// RelKinds lists every relationship kind with its name as written in the data files.
var RelKinds = []struct {
	Kind RelKind
	Name string
}{
	{RelAlternativeTo, "alternative_to"}, {RelImplements, "implements"}, {RelWrittenIn, "written_in"},
	{RelPartOf, "part_of"}, {RelEnables, "enables"}, {RelUsedFor, "used_for"},
	{RelAddresses, "addresses"}, {RelProvidedBy, "provided_by"}, {RelCreatedBy, "created_by"},
	{RelStandardizes, "standardizes"}, {RelIntegratesWith, "integrates_with"},
	{RelBuildsOn, "builds_on"}, {RelSupersedes, "supersedes"}, {RelRequires, "requires"},
	{RelHasBenefit, "has_benefit"}, {RelHasChallenge, "has_challenge"},
}

// String is the kind's name as written in the data files.
func (k RelKind) String() string {
	for _, rk := range RelKinds {
		if rk.Kind == k {
			return rk.Name
		}
	}
	return "unknown"
}

// MarshalText names the kind in JSON as the data files do ("part_of").
func (k RelKind) MarshalText() ([]byte, error) {
	if k.String() == "unknown" {
		return nil, fmt.Errorf("unknown relationship kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind as MarshalText writes it.
func (k *RelKind) UnmarshalText(b []byte) error {
	kind, ok := ParseRelKind(string(b))
	if !ok {
		return fmt.Errorf("unknown relationship kind %q", b)
	}
	*k = kind
	return nil
}

// ParseRelKind maps a data-file name to its kind.
func ParseRelKind(s string) (RelKind, bool) {
	for _, rk := range RelKinds {
		if rk.Name == s {
			return rk.Kind, true
		}
	}
	return 0, false
}

// Relationship is a typed, directed edge between two entities, by slug.
type Relationship struct {
	From      string     `json:"from"`
	Kind      RelKind    `json:"kind"`
	To        string     `json:"to"`
	Rationale string     `json:"rationale,omitempty"`
	Citations []Citation `json:"citations"`
	// Derived is true for edges written by an entity's own field (a technology's vendor or
	// trends, a trend's parent, a tradeoff's appliesTo) rather than listed under relationships.
	Derived bool `json:"derived,omitempty"`
}

// Radar is a technology radar: its quadrants, rings and editions are data.
type Radar struct {
	Slug        string     `yaml:"slug" json:"slug"`
	Name        string     `yaml:"name" json:"name"`
	Description string     `yaml:"description,omitempty" json:"description,omitempty"`
	Quadrants   []Quadrant `yaml:"quadrants" json:"quadrants"`
	Rings       []Ring     `yaml:"rings" json:"rings"`
	Editions    []Edition  `yaml:"editions" json:"editions"`
}

// Quadrant is a sector of a radar; list order is display order.
type Quadrant struct {
	Slug string `yaml:"slug" json:"slug"`
	Name string `yaml:"name" json:"name"`
}

// Ring is a ring of a radar, innermost first.
type Ring struct {
	Slug        string `yaml:"slug" json:"slug"`
	Name        string `yaml:"name" json:"name"`
	Color       string `yaml:"color,omitempty" json:"color,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// Edition is a dated publication of a radar.
type Edition struct {
	// Date is YYYY-MM-DD.
	Date string `yaml:"date" json:"date"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
}

// Assessment places one entity in one ring and quadrant of one radar at one edition.
type Assessment struct {
	Radar     string     `yaml:"radar" json:"radar"`
	Edition   string     `yaml:"edition" json:"edition"`
	Entity    string     `yaml:"entity" json:"entity"`
	Quadrant  string     `yaml:"quadrant" json:"quadrant"`
	Ring      string     `yaml:"ring" json:"ring"`
	Rationale string     `yaml:"rationale,omitempty" json:"rationale,omitempty"`
	Citations []Citation `yaml:"citations" json:"citations"`
}

// Counts is how many records of each kind a dataset holds.
type Counts struct {
	// Entities counts entities by type.
	Entities map[EntityType]int
	// Relationships counts listed and derived edges; Listed only the listed ones.
	Relationships, Listed int
	Assessments           int
}

// AllEntities is the number of entities of every type.
func (c Counts) AllEntities() int {
	n := 0
	for _, k := range c.Entities {
		n += k
	}
	return n
}

// EntitySummary lists the entity counts by type, as "26 trends, 92 technologies, …".
func (c Counts) EntitySummary() string {
	parts := make([]string, 0, len(entityTypeTable))
	for _, info := range entityTypeTable {
		parts = append(parts, strconv.Itoa(c.Entities[info.Type])+" "+info.Plural)
	}
	return strings.Join(parts, ", ")
}

// DerivedRelationships are the edges an entity's own fields imply (a technology's vendor and
// trends, a trend's parent, a tradeoff's appliesTo), citing the entity's citations.
func DerivedRelationships(e *Entity) []Relationship {
	var out []Relationship
	add := func(from string, kind RelKind, to string) {
		out = append(out, Relationship{From: from, Kind: kind, To: to, Citations: e.Citations, Derived: true})
	}
	if e.Vendor != "" {
		add(e.Slug, RelProvidedBy, e.Vendor)
	}
	if e.Parent != "" {
		add(e.Slug, RelPartOf, e.Parent)
	}
	for _, t := range e.Trends {
		add(e.Slug, RelPartOf, t)
	}
	kind := RelHasBenefit
	if e.TradeoffType == "challenge" {
		kind = RelHasChallenge
	}
	for _, s := range e.AppliesTo {
		add(s, kind, e.Slug)
	}
	return out
}

// Vocabularies that the data must use. Rings and quadrants are data (see Radar); these are the
// closed sets the API exposes as enums.
var (
	TrendStatuses       = []string{"emerging", "growing", "mainstream", "declining"}
	TechnologyKinds     = []string{"language", "runtime", "framework", "library", "database", "cloud-service", "platform", "tool", "standard", "protocol", "practice", "pattern", "architecture", "stack", "operating-system", "web-server"}
	TechnologyLifecycle = []string{"emerging", "growing", "mature", "declining"}
	TradeoffTypes       = []string{"benefit", "challenge"}
)

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a well-formed slug: lower-case words of a-z and 0-9 joined by '-'.
func ValidSlug(s string) bool { return len(s) <= 100 && slugRe.MatchString(s) }
