package assistant

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/knowledge"
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
	return text("updated %s as change set %d", in.Slug, cs.Version), ChangeSetOut{Version: cs.Version, Actor: cs.Actor, Changes: cs.Changes}, nil
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
	cites := make([]domain.Citation, len(in.Citations))
	for i, c := range in.Citations {
		cites[i] = domain.Citation{Source: c.Source, Section: c.Section, Paragraph: c.Paragraph}
	}
	cs, err := a.curator.Relate(ctx, by, domain.Relationship{From: in.From, Kind: kind, To: in.To, Rationale: in.Rationale, Citations: cites})
	if err != nil {
		return nil, ChangeSetOut{}, toolError(err)
	}
	return text("related %s %s %s as change set %d", in.From, in.Kind, in.To, cs.Version), ChangeSetOut{Version: cs.Version, Actor: cs.Actor, Changes: cs.Changes}, nil
}
