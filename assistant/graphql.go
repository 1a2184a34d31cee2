package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/trendgraph/trendgraph/graph"
)

// GraphQLIn is one GraphQL query for the graphql tool.
type GraphQLIn struct {
	Query         string         `json:"query" jsonschema:"a GraphQL document with a query operation; read the schema resource (trendgraph://schema) for its types"`
	Variables     map[string]any `json:"variables,omitempty" jsonschema:"the operation's variables, by name"`
	OperationName string         `json:"operationName,omitempty" jsonschema:"which operation of the document to run, when it has several"`
}

// GraphQLError is an error of a GraphQL response, as /graphql would answer it.
type GraphQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// GraphQLOut is the response: its data, and the errors of fields that failed.
type GraphQLOut struct {
	Data   map[string]any `json:"data"`
	Errors []GraphQLError `json:"errors,omitempty"`
}

func (a *assistant) addGraphQLTool(s *mcp.Server) {
	if a.graphql == nil {
		return
	}
	mcp.AddTool(s, &mcp.Tool{Name: "graphql", Title: "Run a GraphQL query",
		Description: "Runs a read-only GraphQL query against the knowledge graph, under the same depth, cost and size limits as the API; " +
			"for questions the other tools do not answer in one call. Mutations and subscriptions are refused.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}}, a.runGraphQL)
}

func (a *assistant) runGraphQL(ctx context.Context, _ *mcp.CallToolRequest, in GraphQLIn) (*mcp.CallToolResult, GraphQLOut, error) {
	if strings.TrimSpace(in.Query) == "" {
		return nil, GraphQLOut{}, fmt.Errorf("%s: query is empty", graph.CodeBadUserInput)
	}
	resp := a.graphql.Query(ctx, in.Query, in.Variables, in.OperationName)
	out := GraphQLOut{Errors: make([]GraphQLError, len(resp.Errors))}
	for i, e := range resp.Errors {
		out.Errors[i] = graphQLError(e)
	}
	if len(resp.Data) == 0 || string(resp.Data) == "null" {
		// A request error: nothing ran, as a 4xx from /graphql. The first error's code leads,
		// as every tool error does.
		if len(out.Errors) == 0 {
			return nil, GraphQLOut{}, fmt.Errorf("%s: the query answered nothing", graph.CodeInternal)
		}
		e := out.Errors[0]
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = graph.CodeInternal
		}
		return nil, GraphQLOut{}, fmt.Errorf("%s: %s", code, e.Message)
	}
	if err := json.Unmarshal(resp.Data, &out.Data); err != nil {
		return nil, GraphQLOut{}, fmt.Errorf("%s: reading the response: %w", graph.CodeInternal, err)
	}
	// The text form is the response itself: an assistant reads JSON well.
	b, err := json.Marshal(out)
	if err != nil {
		return nil, GraphQLOut{}, fmt.Errorf("%s: writing the response: %w", graph.CodeInternal, err)
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}, out, nil
}

func graphQLError(e *gqlerror.Error) GraphQLError {
	out := GraphQLError{Message: e.Message, Extensions: e.Extensions}
	for _, p := range e.Path {
		switch p := p.(type) {
		case ast.PathIndex:
			out.Path = append(out.Path, int(p))
		case ast.PathName:
			out.Path = append(out.Path, string(p))
		}
	}
	return out
}
