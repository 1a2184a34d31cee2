package server

import (
	"context"
	"fmt"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
)

// Limits bound what one request may ask of the server. Every limit is on by default; zero
// switches one off.
type Limits struct {
	// MaxDepth bounds the nesting of fields (introspection's own nesting is not counted, so the
	// playground's schema query always fits).
	MaxDepth int
	// MaxAliases bounds the aliased fields of an operation.
	MaxAliases int
	// MaxFieldRepeats bounds how often one response key appears in one selection set.
	MaxFieldRepeats int
	// MaxDirectives bounds the directives of a document.
	MaxDirectives int
	// MaxTokens bounds the lexical tokens of a document, checked before it is parsed.
	MaxTokens int
	// MaxCost bounds an operation's cost: each field costs 1, and a connection costs its page
	// size times its children, as GitHub and nais/api compute it.
	MaxCost int
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// MaxBatch bounds the operations of one batched request (a JSON array); 1 refuses batches.
	MaxBatch int
}

// DefaultLimits fit every query of the playground and the typed clients with room to spare,
// while refusing the documents that only an attack needs.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:        12,
		MaxAliases:      30,
		MaxFieldRepeats: 10,
		MaxDirectives:   30,
		MaxTokens:       5000,
		MaxCost:         100_000,
		MaxBodyBytes:    1 << 20,
		MaxBatch:        10,
	}
}

// Error codes of rejected requests, one per limit. They are part of the API.
const (
	CodeDepthLimit       = "DEPTH_LIMIT_EXCEEDED"
	CodeAliasLimit       = "ALIAS_LIMIT_EXCEEDED"
	CodeFieldRepeatLimit = "FIELD_REPEAT_LIMIT_EXCEEDED"
	CodeDirectiveLimit   = "DIRECTIVE_LIMIT_EXCEEDED"
	CodeTokenLimit       = "TOKEN_LIMIT_EXCEEDED"
	CodeCostLimit        = "COST_LIMIT_EXCEEDED"
	CodeBatchLimit       = "BATCH_LIMIT_EXCEEDED"
)

func init() {
	// Requests refused by a limit are request errors: 400 under graphql-response+json.
	for _, c := range []string{CodeDepthLimit, CodeAliasLimit, CodeFieldRepeatLimit, CodeDirectiveLimit, CodeTokenLimit, CodeCostLimit} {
		errcode.RegisterErrorType(c, errcode.KindProtocol)
	}
}

// defaultPageSize is the page a connection returns without first or last (see graph).
const defaultPageSize = 20

// limiter enforces Limits on operations as a gqlgen extension.
type limiter struct {
	cfg      Limits
	rejected func(limit string)
}

var (
	_ graphql.HandlerExtension        = (*limiter)(nil)
	_ graphql.OperationContextMutator = (*limiter)(nil)
)

func (l *limiter) ExtensionName() string                   { return "Limits" }
func (l *limiter) Validate(graphql.ExecutableSchema) error { return nil }
func limitError(code, limit string, max, actual int) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("the %s limit is %d; this request needs %d", limit, max, actual),
		Extensions: map[string]any{"code": code, "limit": limit, "max": max, "actual": actual},
	}
}

// checkTokens counts a document's tokens without parsing it, stopping one past the limit.
func (l *limiter) checkTokens(query string) *gqlerror.Error {
	if l.cfg.MaxTokens <= 0 || query == "" {
		return nil
	}
	lx := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return nil // a lexing error is the parser's to report
		}
		n++
		if n > l.cfg.MaxTokens {
			l.reject("tokens")
			return limitError(CodeTokenLimit, "tokens", l.cfg.MaxTokens, n)
		}
	}
}

func (l *limiter) reject(limit string) {
	if l.rejected != nil {
		l.rejected(limit)
	}
}

// costExtension is the response extension that reports an operation's cost.
const costExtension = "cost"

// Cost is reported in the response's extensions.
type Cost struct {
	Requested int `json:"requested"`
	Limit     int `json:"limit"`
}

// MutateOperationContext measures the validated operation and refuses it past any limit.
func (l *limiter) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	op := rc.Doc.Operations.ForName(rc.OperationName)
	if op == nil {
		return nil
	}
	m := &measure{vars: rc.Variables, fragments: rc.Doc.Fragments}
	depth := m.selections(op.SelectionSet, 1)
	m.directives += len(op.Directives)
	for _, f := range rc.Doc.Fragments {
		m.directives += len(f.Directives)
	}
	checks := []struct {
		code, limit string
		max, actual int
	}{
		{CodeDepthLimit, "depth", l.cfg.MaxDepth, depth},
		{CodeAliasLimit, "aliases", l.cfg.MaxAliases, m.aliases},
		{CodeFieldRepeatLimit, "field repeats", l.cfg.MaxFieldRepeats, m.repeats},
		{CodeDirectiveLimit, "directives", l.cfg.MaxDirectives, m.directives},
		{CodeCostLimit, "cost", l.cfg.MaxCost, m.cost},
	}
	for _, c := range checks {
		if c.max > 0 && c.actual > c.max {
			l.reject(c.limit)
			return limitError(c.code, c.limit, c.max, c.actual)
		}
	}
	rc.Stats.SetExtension(costExtension, &Cost{Requested: m.cost, Limit: l.cfg.MaxCost})
	if info := requestInfoFrom(ctx); info != nil {
		info.setCost(m.cost)
	}
	return nil
}

// measure walks an operation, fragments expanded.
type measure struct {
	vars       map[string]any
	fragments  ast.FragmentDefinitionList
	aliases    int
	repeats    int
	directives int
	cost       int
	// visiting guards against fragment cycles (validation refuses them, but a walk must not
	// trust that).
	visiting map[string]bool
}

// selections returns the depth of a selection set and adds its fields' cost.
func (m *measure) selections(set ast.SelectionSet, depth int) int {
	keys := map[string]int{}
	deepest := depth - 1
	m.walk(set, depth, keys, &deepest)
	for _, n := range keys {
		m.repeats = max(m.repeats, n)
	}
	return deepest
}

func (m *measure) walk(set ast.SelectionSet, depth int, keys map[string]int, deepest *int) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			m.directives += len(s.Directives)
			keys[s.Alias]++
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			if s.Name == "__schema" || s.Name == "__type" {
				// Introspection is bounded by the schema itself; counting it would lock the
				// playground out of its own docs.
				*deepest = max(*deepest, depth)
				m.cost++
				continue
			}
			before := m.cost
			d := depth
			if len(s.SelectionSet) > 0 {
				d = m.selections(s.SelectionSet, depth+1)
			}
			*deepest = max(*deepest, d)
			children := m.cost - before
			m.cost = before + 1 + children*m.multiplier(s)
		case *ast.InlineFragment:
			m.directives += len(s.Directives)
			m.walk(s.SelectionSet, depth, keys, deepest)
		case *ast.FragmentSpread:
			m.directives += len(s.Directives)
			if m.visiting == nil {
				m.visiting = map[string]bool{}
			}
			if m.visiting[s.Name] {
				continue
			}
			if f := m.fragments.ForName(s.Name); f != nil {
				m.visiting[s.Name] = true
				m.walk(f.SelectionSet, depth, keys, deepest)
				m.visiting[s.Name] = false
			}
		}
	}
}

// multiplier is how many times a field's children are resolved: a connection's page size, the
// number of IDs of nodes(ids:), otherwise 1.
func (m *measure) multiplier(f *ast.Field) int {
	if f.Definition == nil || f.Definition.Type == nil {
		return 1
	}
	if f.Name == "nodes" && f.Definition.Type.Elem != nil {
		if a := f.Arguments.ForName("ids"); a != nil {
			if v, err := a.Value.Value(m.vars); err == nil {
				if list, ok := v.([]any); ok {
					return max(len(list), 1)
				}
			}
		}
		return 1
	}
	typeName := f.Definition.Type.Name()
	if typeName == "Neighborhood" {
		return m.intArg(f, "limit", 100)
	}
	if len(typeName) < len("Connection") || typeName[len(typeName)-len("Connection"):] != "Connection" {
		return 1
	}
	return max(m.intArg(f, "first", m.intArg(f, "last", defaultPageSize)), 1)
}

// intArg is a field's integer argument, or def when it is absent or null.
func (m *measure) intArg(f *ast.Field, name string, def int) int {
	if a := f.Arguments.ForName(name); a != nil {
		if v, err := a.Value.Value(m.vars); err == nil && v != nil {
			if n, ok := asInt(v); ok {
				return n
			}
		}
	}
	return def
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case interface{ String() string }:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	}
	return 0, false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
