package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/trendgraph/trendgraph/store"
)

// Runner runs read-only GraphQL operations in-process, with no transport: the MCP server's
// graphql tool. It is configured like NewExecutor's executor (document cache, error presenter,
// loaders); the server adds the same limits to both.
type Runner struct {
	exec    *executor.Executor
	timeout time.Duration
}

// NewRunner builds a Runner over a store.
func NewRunner(s *store.Store, o Options) *Runner {
	r := &Runner{exec: executor.New(newSchema(s, &o))}
	configure(r.exec, s, o)
	return r
}

// Use adds a gqlgen extension, such as the server's limits.
func (r *Runner) Use(ext graphql.HandlerExtension) { r.exec.Use(ext) }

// SetParserTokenLimit bounds the tokens of a document.
func (r *Runner) SetParserTokenLimit(n int) { r.exec.SetParserTokenLimit(n) }

// SetTimeout bounds each query that comes without a deadline of its own (over stdio; /mcp
// has the request's).
func (r *Runner) SetTimeout(d time.Duration) { r.timeout = d }

// Query runs one query operation of a document. Mutations and subscriptions are refused with
// METHOD_NOT_ALLOWED: the runner only reads. The response is what /graphql would answer.
func (r *Runner) Query(ctx context.Context, query string, variables map[string]any, operationName string) *graphql.Response {
	if _, ok := ctx.Deadline(); !ok && r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	ctx = graphql.StartOperationTrace(ctx)
	now := graphql.Now()
	params := &graphql.RawParams{Query: query, Variables: variables, OperationName: operationName,
		ReadTime: graphql.TraceTiming{Start: now, End: now}}
	rc, errs := r.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return r.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
	}
	if rc.Operation.Operation != ast.Query {
		err := gqlerror.Errorf("only queries run here: a %s changes the graph or streams; use the API or the curation tools", rc.Operation.Operation)
		errcode.Set(err, CodeMethodNotAllowed)
		return r.exec.DispatchError(graphql.WithOperationContext(ctx, rc), gqlerror.List{err})
	}
	responses, ctx := r.exec.DispatchOperation(ctx, rc)
	return responses(ctx)
}
