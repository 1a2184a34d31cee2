package assistant

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// CitationIn cites a passage in a curation tool.
type CitationIn struct {
	Section   string `json:"section" jsonschema:"the section heading, exactly as in the source"`
	Paragraph int    `json:"paragraph" jsonschema:"the paragraph within the section, from 1"`
	Source    string `json:"source,omitempty" jsonschema:"the source's slug; default: the default source"`
}

// UpdateIn changes an entity's name or summary, based on the revision read.
type UpdateIn struct {
	Slug     string `json:"slug" jsonschema:"the entity's slug"`
	Revision int    `json:"revision" jsonschema:"the revision read (the entity tool returns it): a stale one is a CONFLICT"`
	Name     string `json:"name,omitempty" jsonschema:"the new display name"`
	Summary  string `json:"summary,omitempty" jsonschema:"the new summary, in your own words"`
	Reason   string `json:"reason" jsonschema:"why, for the audit trail"`
}

// RelateIn adds a relationship.
type RelateIn struct {
	From      string       `json:"from" jsonschema:"the slug of the entity it starts from"`
	Kind      string       `json:"kind" jsonschema:"the kind, as the data files write it: alternative_to, implements, written_in, part_of, enables, used_for, addresses, provided_by, created_by, standardizes, integrates_with, builds_on, supersedes, requires"`
	To        string       `json:"to" jsonschema:"the slug of the entity it points to"`
	Rationale string       `json:"rationale" jsonschema:"why it holds, in a sentence of your own"`
	Citations []CitationIn `json:"citations" jsonschema:"the passages it rests on: at least one"`
	Reason    string       `json:"reason" jsonschema:"why, for the audit trail"`
}

// ChangeSetOut is the change set a curation tool made.
type ChangeSetOut struct {
	Version uint64 `json:"version"`
	Actor   string `json:"actor"`
	Changes int    `json:"changes"`
}

func (a *assistant) addCurationTools(s *mcp.Server) {
	if a.curator == nil {
		return
	}
	mcp.AddTool(s, &mcp.Tool{Name: "update_entity", Title: "Update an entity",
		Description: "Changes an entity's name or summary, based on the revision read, with a reason for the audit trail."}, a.updateEntity)
	mcp.AddTool(s, &mcp.Tool{Name: "relate", Title: "Relate two entities",
		Description: "Adds a relationship with a rationale and citations, with a reason for the audit trail."}, a.relate)
	mcp.AddTool(s, &mcp.Tool{Name: "create_entity", Title: "Create an entity",
		Description: "Adds an entity (a technology, trend, tradeoff...) with a summary in your own words and the passages it rests on, with a reason for the audit trail."}, a.createEntity)
	mcp.AddTool(s, &mcp.Tool{Name: "archive_entity", Title: "Archive an entity",
		Description: "Archives an entity and its relationships, based on the revision read, with a reason for the audit trail; revert undoes it.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(true)}}, a.archiveEntity)
	mcp.AddTool(s, &mcp.Tool{Name: "assess", Title: "Place an entity on a radar",
		Description: "Sets an entity's quadrant and ring in one edition of a radar, with a rationale and citations, with a reason for the audit trail."}, a.assess)
	mcp.AddTool(s, &mcp.Tool{Name: "revert", Title: "Revert a change set",
		Description: "Undoes one change set (the changes tool lists them) as a new change set, with a reason for the audit trail.",
		Annotations: &mcp.ToolAnnotations{DestructiveHint: ptr(true)}}, a.revert)
}

func ptr[T any](v T) *T { return &v }

// CreateIn adds an entity; the fields after summary apply to some types only, as in the data files.
type CreateIn struct {
	Type         string       `json:"type" jsonschema:"the entity's type: trend, technology, tradeoff, use-case, organization or skill"`
	Slug         string       `json:"slug" jsonschema:"lower-case words of a-z and 0-9 joined by '-', unique across entities"`
	Name         string       `json:"name" jsonschema:"the display name"`
	Summary      string       `json:"summary" jsonschema:"what it is and what it is for, in a sentence or two of your own"`
	Aliases      []string     `json:"aliases,omitempty" jsonschema:"other names"`
	Tags         []string     `json:"tags,omitempty" jsonschema:"topic tags, lower-case slugs"`
	Status       string       `json:"status,omitempty" jsonschema:"a trend's status: emerging, growing, mainstream or declining"`
	Parent       string       `json:"parent,omitempty" jsonschema:"a trend's broader trend (slug)"`
	Kind         string       `json:"kind,omitempty" jsonschema:"a technology's kind, as the data files write it (language, framework, database, ...)"`
	Vendor       string       `json:"vendor,omitempty" jsonschema:"a technology's organization (slug)"`
	Lifecycle    string       `json:"lifecycle,omitempty" jsonschema:"a technology's lifecycle: emerging, growing, mature or declining"`
	Trends       []string     `json:"trends,omitempty" jsonschema:"the trends a technology is part of (slugs)"`
	TradeoffType string       `json:"tradeoffType,omitempty" jsonschema:"a tradeoff's type: benefit or challenge"`
	AppliesTo    []string     `json:"appliesTo,omitempty" jsonschema:"what a tradeoff applies to (slugs)"`
	Citations    []CitationIn `json:"citations" jsonschema:"the passages it rests on: at least one"`
	Reason       string       `json:"reason" jsonschema:"why, for the audit trail"`
}

// ArchiveIn archives an entity, based on the revision read.
type ArchiveIn struct {
	Slug     string `json:"slug" jsonschema:"the entity's slug"`
	Revision int    `json:"revision" jsonschema:"the revision read (the entity tool returns it): a stale one is a CONFLICT"`
	Reason   string `json:"reason" jsonschema:"why, for the audit trail"`
}

// AssessIn places an entity on a radar edition.
type AssessIn struct {
	Radar     string       `json:"radar" jsonschema:"the radar's slug (the radar tool lists them)"`
	Edition   string       `json:"edition" jsonschema:"the edition, as the radar names them (for example 2026-q4)"`
	Entity    string       `json:"entity" jsonschema:"the slug of the entity placed"`
	Quadrant  string       `json:"quadrant" jsonschema:"the quadrant's id on that radar"`
	Ring      string       `json:"ring" jsonschema:"the ring's id on that radar"`
	Rationale string       `json:"rationale" jsonschema:"why it sits there, in a sentence of your own"`
	Citations []CitationIn `json:"citations" jsonschema:"the passages it rests on: at least one"`
	Revision  int          `json:"revision,omitempty" jsonschema:"when changing an existing placement, the revision read: a stale one is a CONFLICT"`
	Reason    string       `json:"reason" jsonschema:"why, for the audit trail"`
}

// RevertIn undoes a change set.
type RevertIn struct {
	Version int    `json:"version" jsonschema:"the change set's version (the changes tool lists them)"`
	Reason  string `json:"reason" jsonschema:"why, for the audit trail"`
}

func citationsIn(in []CitationIn) []domain.Citation {
	cites := make([]domain.Citation, len(in))
	for i, c := range in {
		cites[i] = domain.Citation{Source: c.Source, Section: c.Section, Paragraph: c.Paragraph}
	}
	return cites
}

// changed is a curation tool's answer: the change set, in text and structured.
func changed(cs *store.ChangeSet, format string, args ...any) (*mcp.CallToolResult, ChangeSetOut, error) {
	return text(format+" as change set %d", append(args, cs.Version)...), ChangeSetOut{Version: cs.Version, Actor: cs.Actor, Changes: cs.Changes}, nil
}

func (a *assistant) createEntity(ctx context.Context, _ *mcp.CallToolRequest, in CreateIn) (*mcp.CallToolResult, ChangeSetOut, error) {
	by, err := author(ctx, in.Reason)
	if err != nil {
		return nil, ChangeSetOut{}, err
	}
	var t domain.EntityType
	if err := t.UnmarshalText([]byte(in.Type)); err != nil || t == 0 {
		return nil, ChangeSetOut{}, fmt.Errorf("BAD_USER_INPUT: unknown entity type %q", in.Type)
	}
	cs, err := a.curator.CreateEntity(ctx, by, domain.Entity{
		Type: t, Slug: in.Slug, Name: in.Name, Summary: in.Summary, Aliases: in.Aliases, Tags: in.Tags,
		Status: in.Status, Parent: in.Parent, Kind: in.Kind, Vendor: in.Vendor, Lifecycle: in.Lifecycle, Trends: in.Trends,
		TradeoffType: in.TradeoffType, AppliesTo: in.AppliesTo, Citations: citationsIn(in.Citations),
	})
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return changed(cs, "created %s %s", in.Type, in.Slug)
}

func (a *assistant) archiveEntity(ctx context.Context, _ *mcp.CallToolRequest, in ArchiveIn) (*mcp.CallToolResult, ChangeSetOut, error) {
	by, err := author(ctx, in.Reason)
	if err != nil {
		return nil, ChangeSetOut{}, err
	}
	if in.Revision < 1 {
		return nil, ChangeSetOut{}, errors.New("BAD_USER_INPUT: revision is 1 or more")
	}
	cs, err := a.curator.ArchiveEntity(ctx, by, in.Slug, uint64(in.Revision))
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return changed(cs, "archived %s", in.Slug)
}

func (a *assistant) assess(ctx context.Context, _ *mcp.CallToolRequest, in AssessIn) (*mcp.CallToolResult, ChangeSetOut, error) {
	by, err := author(ctx, in.Reason)
	if err != nil {
		return nil, ChangeSetOut{}, err
	}
	if in.Revision < 0 {
		return nil, ChangeSetOut{}, errors.New("BAD_USER_INPUT: revision is 1 or more")
	}
	cs, err := a.curator.Assess(ctx, by, domain.Assessment{Radar: in.Radar, Edition: in.Edition, Entity: in.Entity,
		Quadrant: in.Quadrant, Ring: in.Ring, Rationale: in.Rationale, Citations: citationsIn(in.Citations)}, uint64(in.Revision))
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return changed(cs, "placed %s in %s on %s %s", in.Entity, in.Ring, in.Radar, in.Edition)
}

func (a *assistant) revert(ctx context.Context, _ *mcp.CallToolRequest, in RevertIn) (*mcp.CallToolResult, ChangeSetOut, error) {
	by, err := author(ctx, in.Reason)
	if err != nil {
		return nil, ChangeSetOut{}, err
	}
	if in.Version < 1 {
		return nil, ChangeSetOut{}, errors.New("BAD_USER_INPUT: version is 1 or more")
	}
	cs, err := a.curator.Revert(ctx, by, uint64(in.Version))
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return changed(cs, "reverted change set %d", in.Version)
}

// author is who a curation tool acts for: the token's owner, who must be allowed to write.
func author(ctx context.Context, reason string) (knowledge.Author, error) {
	c := graph.CallerFrom(ctx)
	if !c.Can(graph.ScopeWrite) {
		return knowledge.Author{}, errors.New("FORBIDDEN: the curation tools need a token with the write scope")
	}
	return knowledge.Author{Actor: c.Name, Reason: reason}, nil
}

func (a *assistant) updateEntity(ctx context.Context, _ *mcp.CallToolRequest, in UpdateIn) (*mcp.CallToolResult, ChangeSetOut, error) {
	by, err := author(ctx, in.Reason)
	if err != nil {
		return nil, ChangeSetOut{}, err
	}
	var p knowledge.EntityPatch
	if in.Name != "" {
		p.Name = &in.Name
	}
	if in.Summary != "" {
		p.Summary = &in.Summary
	}
	if in.Revision < 1 {
		return nil, ChangeSetOut{}, errors.New("BAD_USER_INPUT: revision is 1 or more")
	}
	cs, err := a.curator.UpdateEntity(ctx, by, in.Slug, uint64(in.Revision), p)
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return changed(cs, "updated %s", in.Slug)
}

func (a *assistant) relate(ctx context.Context, _ *mcp.CallToolRequest, in RelateIn) (*mcp.CallToolResult, ChangeSetOut, error) {
	by, err := author(ctx, in.Reason)
	if err != nil {
		return nil, ChangeSetOut{}, err
	}
	kind, ok := domain.ParseRelKind(in.Kind)
	if !ok {
		return nil, ChangeSetOut{}, errors.New("BAD_USER_INPUT: unknown relationship kind " + in.Kind)
	}
	cs, err := a.curator.Relate(ctx, by, domain.Relationship{From: in.From, Kind: kind, To: in.To, Rationale: in.Rationale, Citations: citationsIn(in.Citations)})
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return changed(cs, "related %s %s %s", in.From, in.Kind, in.To)
}
