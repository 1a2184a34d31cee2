package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/trendgraph/trendgraph/domain"
)

// Resource URIs. A passage is trendgraph://passage/{source}/{section}/{paragraph}, the section
// heading path-escaped; "default" names the dataset's default source.
const (
	schemaURI       = "trendgraph://schema.graphql"
	radarTemplate   = "trendgraph://radar/{slug}"
	passagePrefix   = "trendgraph://passage/"
	passageTemplate = passagePrefix + "{source}/{section}/{paragraph}"
)

// passageURI is the resource of a cited passage.
func passageURI(c domain.Citation) string {
	source := c.Source
	if source == "" {
		source = "default"
	}
	return passagePrefix + url.PathEscape(source) + "/" + url.PathEscape(c.Section) + "/" + strconv.Itoa(c.Paragraph)
}

func (a *assistant) addResources(s *mcp.Server) {
	if a.sdl != "" {
		s.AddResource(&mcp.Resource{URI: schemaURI, Name: "schema", Title: "The GraphQL schema", MIMEType: "application/graphql",
			Description: "schema.graphqls: the API's types and fields, each described."},
			func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
				return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: schemaURI, MIMEType: "application/graphql", Text: a.sdl}}}, nil
			})
	}
	// Each radar is listed, so that an assistant finds them without a tool call; the template
	// also reads radars added after the server started.
	if radars, err := a.store.Radars(); err == nil {
		for _, rd := range radars {
			s.AddResource(&mcp.Resource{URI: "trendgraph://radar/" + rd.Slug, Name: "radar-" + rd.Slug, Title: rd.Name, MIMEType: "application/json",
				Description: "The radar " + rd.Name + " with its quadrants, rings, editions and the entries of its latest edition."}, a.readRadar)
		}
	}
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: radarTemplate, Name: "radar", Title: "A technology radar", MIMEType: "application/json",
		Description: "A radar with its quadrants, rings, editions and the entries of its latest edition."}, a.readRadar)
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: passageTemplate, Name: "passage", Title: "A cited passage", MIMEType: "text/plain",
		Description: "The text of one paragraph of a source, as the citations of tools name it: quote it when a claim rests on it."}, a.readPassage)
}

func (a *assistant) readRadar(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	slug := strings.TrimPrefix(req.Params.URI, "trendgraph://radar/")
	rd, err := a.kb.Radar(ctx, slug)
	if err != nil {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	placements, err := a.kb.RadarEdition(ctx, rd, "")
	if err != nil {
		return nil, toolError(err)
	}
	entries := make([]Ring, len(placements))
	for i, p := range placements {
		entries[i] = ringOf(p)
	}
	b, err := json.Marshal(map[string]any{"radar": rd, "entries": entries})
	if err != nil {
		return nil, fmt.Errorf("encode radar: %w", err)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}}, nil
}

func (a *assistant) readPassage(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	parts := strings.Split(strings.TrimPrefix(req.Params.URI, passagePrefix), "/")
	if len(parts) != 3 {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	source, err1 := url.PathUnescape(parts[0])
	section, err2 := url.PathUnescape(parts[1])
	n, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	if source == "default" {
		if source, err1 = a.defaultSource(ctx); err1 != nil {
			return nil, toolError(err1)
		}
	}
	st := a.texts[source]
	if st == nil {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	p, ok := st.Paragraph(section, n)
	if !ok {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "text/plain", Text: p}}}, nil
}

func (a *assistant) addPrompts(s *mcp.Server) {
	prompt := func(name, title, desc string, args []*mcp.PromptArgument, body func(map[string]string) string) {
		s.AddPrompt(&mcp.Prompt{Name: name, Title: title, Description: desc, Arguments: args},
			func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
				for _, arg := range args {
					if arg.Required && strings.TrimSpace(req.Params.Arguments[arg.Name]) == "" {
						return nil, fmt.Errorf("BAD_USER_INPUT: the prompt needs %s", arg.Name)
					}
				}
				return &mcp.GetPromptResult{Description: desc, Messages: []*mcp.PromptMessage{
					{Role: "user", Content: &mcp.TextContent{Text: body(req.Params.Arguments)}}}}, nil
			})
	}
	prompt("assess-technology", "Assess a technology for a team", "Should a team adopt a technology, given its context?",
		[]*mcp.PromptArgument{{Name: "technology", Description: "the technology's slug or name", Required: true},
			{Name: "context", Description: "the team's context: its stack, scale and skills"}},
		func(a map[string]string) string {
			return fmt.Sprintf("Assess %s for a team in this context: %s. Use trendgraph: search to find it, entity for its benefits, "+
				"challenges and relationships, radar for where the radar places it, and compare with its alternatives. "+
				"Ground every claim in a cited passage (read the passage resources) and say which.", a["technology"], orDefault(a["context"], "not given"))
		})
	prompt("compare-alternatives", "Compare alternatives", "Lay out alternatives to a technology and when each fits.",
		[]*mcp.PromptArgument{{Name: "technology", Description: "the technology's slug", Required: true}},
		func(a map[string]string) string {
			return fmt.Sprintf("Find the alternatives to %s with trendgraph's entity tool (alternative_to relationships), then compare "+
				"them with the compare tool. Say when each fits, citing the passages the tradeoffs rest on.", a["technology"])
		})
	prompt("explain-tradeoff", "Explain a tradeoff", "Explain a benefit or challenge and what it applies to.",
		[]*mcp.PromptArgument{{Name: "tradeoff", Description: "the tradeoff's slug", Required: true}},
		func(a map[string]string) string {
			return fmt.Sprintf("Explain the tradeoff %s using trendgraph's entity tool: what it is, what it applies to, and what "+
				"addresses it. Quote the cited passages.", a["tradeoff"])
		})
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
