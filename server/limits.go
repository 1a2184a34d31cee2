package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/knowledge"
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
	// MaxFilterSize bounds the nodes and values of one filter argument (each and/or/not, each
	// listed kind, tag, trend...): each is a set the store evaluates.
	MaxFilterSize int
	// MaxIntrospectionFields bounds the __schema and __type fields of a request: the schema is
	// large, and aliases of __schema multiply it.
	MaxIntrospectionFields int
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
		MaxFilterSize:   graph.DefaultMaxFilterSize,
		// GraphiQL and codegen tools send one __schema; two leave room for a __type beside it.
		MaxIntrospectionFields: 2,
	}
}

func init() {
	// Requests refused by a limit are request errors: 400 under graphql-response+json.
	for _, c := range []string{graph.CodeDepthLimit, graph.CodeAliasLimit, graph.CodeFieldRepeatLimit,
		graph.CodeDirectiveLimit, graph.CodeTokenLimit, graph.CodeCostLimit, graph.CodeFilterSizeLimit,
		graph.CodeIntrospectionLimit} {
		errcode.RegisterErrorType(c, errcode.KindProtocol)
	}
}

// limiter enforces Limits on operations as a gqlgen extension.
type limiter struct {
	cfg Limits
	// introspection is off when false: __schema and __type are then refused in validation.
	introspection bool
	rejected      func(limit string)
}

var (
	_ graphql.HandlerExtension        = (*limiter)(nil)
	_ graphql.OperationContextMutator = (*limiter)(nil)
)

// ExtensionName names the limiter among gqlgen's extensions.
func (l *limiter) ExtensionName() string { return "Limits" }

// Validate accepts any schema: the limits read no schema of their own.
func (l *limiter) Validate(graphql.ExecutableSchema) error { return nil }

// limitError refuses a request past a limit, naming the limit, its maximum and what was asked.
func limitError(code, limit string, max, actual int) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("the %s limit is %d; this request needs %d", limit, max, actual),
		Extensions: map[string]any{"code": code, "limit": limit, "max": max, "actual": actual},
	}
}

// checkTokens counts a document's tokens without parsing it, stopping one past the limit.
func (l *limiter) checkTokens(query string) *gqlerror.Error {
	// Every token is at least a byte long: a text no longer than the limit is within it, and
	// is not lexed (this runs on every request, the response cache's hits included).
	if l.cfg.MaxTokens <= 0 || len(query) <= l.cfg.MaxTokens {
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
			return limitError(graph.CodeTokenLimit, "tokens", l.cfg.MaxTokens, n)
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

// MutateOperationContext measures the validated operation and refuses it past any limit. The
// operations of one batch share one budget of cost and introspection fields.
func (l *limiter) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	op := rc.Doc.Operations.ForName(rc.OperationName)
	if op == nil {
		return nil
	}
	sum, m := measureOperation(rc.Doc, op, rc.Variables, l.cfg)
	if !l.introspection && sum.introspection > 0 {
		// A validation error, as for any field the schema does not offer: not an internal one.
		err := gqlerror.Errorf("introspection is switched off on this server")
		errcode.Set(err, graph.CodeValidationFailed)
		return err
	}
	if m.stopped != nil {
		l.reject(m.stopped.limit)
		return m.stopped.error()
	}
	cost, introspection := sum.cost, sum.introspection
	info := requestInfoFrom(ctx)
	if info != nil {
		// A batch is one request: its operations draw on one budget.
		cost, introspection = info.spend(sum.cost, sum.introspection)
	}
	for _, c := range []exceeded{
		{code: graph.CodeCostLimit, limit: "cost", max: l.cfg.MaxCost, actual: cost, drivers: sum.heavy},
		{code: graph.CodeIntrospectionLimit, limit: "introspection fields", max: l.cfg.MaxIntrospectionFields, actual: introspection},
	} {
		if c.max > 0 && c.actual > c.max {
			l.reject(c.limit)
			return c.error()
		}
	}
	rc.Stats.SetExtension(costExtension, &Cost{Requested: sum.cost, Limit: l.cfg.MaxCost})
	if info != nil {
		info.setCost(sum.cost)
	}
	return nil
}

// measureOperation measures an operation of a validated document; the measure's stopped field
// names the first limit it passes.
func measureOperation(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any, lim Limits) (*summary, *measure) {
	m := &measure{vars: vars, fragments: doc.Fragments, lim: lim}
	sum := m.set(op.SelectionSet, "", 1)
	if m.stopped == nil {
		directives := len(op.Directives)
		for _, f := range doc.Fragments {
			directives += len(f.Directives)
		}
		sum.directives = satAdd(sum.directives, directives)
		sum.repeats = max(sum.repeats, sum.top)
		m.check(sum)
	}
	return sum, m
}

// exceeded is a limit passed, with what was measured when the walk stopped.
type exceeded struct {
	code, limit string
	max, actual int
	// drivers are, for the cost limit, the fields that multiply the costliest field's
	// selection, outermost first.
	drivers []driver
}

// driver is a field whose selection counts many times over: what a caller lowers to lower the
// cost.
type driver struct {
	field string // "Type.field", or "Query.field" at the root
	arg   string // the argument that sets the multiplier; empty for a plain list's fixed bound
	times int
}

// error is the limit's error. A cost error also says which field drove the cost and what to
// lower, in the message and as extensions.drivenBy (the fields, outermost first).
func (e *exceeded) error() *gqlerror.Error {
	err := limitError(e.code, e.limit, e.max, e.actual)
	if len(e.drivers) == 0 {
		return err
	}
	parts := make([]string, len(e.drivers))
	fields := make([]string, len(e.drivers))
	var lower []string
	for i, d := range e.drivers {
		fields[i] = d.field
		if d.arg == "" {
			parts[i] = fmt.Sprintf("%s counts its selection %d times (a list's expected size)", d.field, d.times)
			continue
		}
		parts[i] = fmt.Sprintf("%s counts its selection %d times (%s: %d)", d.field, d.times, d.arg, d.times)
		lower = append(lower, fmt.Sprintf("%s of %s", d.arg, d.field))
	}
	err.Message += "; the cost comes mostly from " + strings.Join(parts, ", within it ")
	if len(lower) > 0 {
		err.Message += "; lower " + strings.Join(lower, " or ") + ", or select fewer fields below them"
	} else {
		err.Message += "; select fewer fields below them"
	}
	err.Extensions["drivenBy"] = fields
	return err
}

// maxAnalysisSteps bounds the work of measuring one operation (fields visited plus response
// keys merged from fragments). Measuring is linear in the document, so only a document far past
// the token limit's intent comes near it.
const maxAnalysisSteps = 1_000_000

// measure walks an operation. Each fragment is measured once and its summary reused at every
// spread, so the walk is linear in the document even when fragments spread each other many
// times over (which expands exponentially); every count saturates instead of overflowing.
type measure struct {
	vars      map[string]any
	fragments ast.FragmentDefinitionList
	lim       Limits
	memo      map[string]*summary
	// visiting guards against fragment cycles (validation refuses them, but a walk must not
	// trust that).
	visiting map[string]bool
	steps    int
	// stopped is the first limit passed: every count only grows towards the root, so the walk
	// stops there.
	stopped *exceeded
}

// summary measures a selection set as if it stood alone at depth 1.
type summary struct {
	cost, depth, aliases, directives, introspection int
	// heavy is the chain of multiplying fields down to the set's costliest field, and
	// heavyCost that field's cost: what a cost error names.
	heavy     []driver
	heavyCost int
	// repeats is the most any response key appears in one selection set below this one.
	repeats int
	// keys counts the response keys of this set itself, fragments merged in, which the
	// enclosing set merges with its own before counting repeats; top is the largest count.
	keys map[string]int
	top  int
}

func (s *summary) addKey(k string, n int) {
	s.keys[k] = satAdd(s.keys[k], n)
	s.top = max(s.top, s.keys[k])
}

var emptySummary = &summary{keys: map[string]int{}}

// saturation caps every count: far past any limit, small enough never to overflow.
const saturation = 1 << 40

func satAdd(a, b int) int { return min(a+b, saturation) }

func satMul(a, b int) int {
	if a != 0 && b > saturation/a {
		return saturation
	}
	return min(a*b, saturation)
}

// set measures a selection set of objects of type parent ("" at the root) whose fields stand at
// the given depth.
func (m *measure) set(set ast.SelectionSet, parent string, depth int) *summary {
	s := &summary{keys: map[string]int{}}
	for _, sel := range set {
		if m.stopped != nil {
			return s
		}
		m.steps++
		if f, ok := sel.(*ast.Field); ok && m.lim.MaxDepth > 0 && depth > m.lim.MaxDepth && f.Name != "__schema" && f.Name != "__type" {
			// Too deep already: say so before the cost of what lies below passes its limit.
			m.stopped = &exceeded{code: graph.CodeDepthLimit, limit: "depth", max: m.lim.MaxDepth, actual: depth}
			return s
		}
		switch f := sel.(type) {
		case *ast.Field:
			s.directives = satAdd(s.directives, len(f.Directives))
			s.addKey(f.Alias, 1)
			if f.Alias != "" && f.Alias != f.Name {
				s.aliases = satAdd(s.aliases, 1)
			}
			if f.Name == "__schema" || f.Name == "__type" {
				// Introspection is bounded by the schema itself and counted apart, by its own
				// limit, so the playground's docs load under any depth or cost limit.
				s.cost, s.depth = satAdd(s.cost, 1), max(s.depth, 1)
				s.introspection = satAdd(s.introspection, 1)
				continue
			}
			cost, below := 1+m.argumentCost(f), 1
			var chain []driver
			if len(f.SelectionSet) > 0 && f.Definition != nil {
				c := m.set(f.SelectionSet, f.Definition.Type.Name(), depth+1)
				times := m.multiplier(f, parent)
				cost = satAdd(cost, satMul(c.cost, times))
				if times > 1 {
					chain = append(chain, driver{field: fieldName(parent, f.Name), arg: m.multiplierArg(f, parent), times: times})
				}
				chain = append(chain, c.heavy...)
				below = satAdd(c.depth, 1)
				s.aliases = satAdd(s.aliases, c.aliases)
				s.directives = satAdd(s.directives, c.directives)
				s.introspection = satAdd(s.introspection, c.introspection)
				s.repeats = max(s.repeats, c.repeats, c.top)
			}
			s.cost, s.depth = satAdd(s.cost, cost), max(s.depth, below)
			if cost > s.heavyCost {
				s.heavy, s.heavyCost = chain, cost
			}
		case *ast.InlineFragment:
			s.directives = satAdd(s.directives, len(f.Directives))
			s.merge(m.set(f.SelectionSet, parent, depth), m)
		case *ast.FragmentSpread:
			s.directives = satAdd(s.directives, len(f.Directives))
			s.merge(m.fragment(f.Name, depth), m)
		}
		m.check(s)
	}
	return s
}

// fragment is the summary of a named fragment, measured at its first spread (whose depth is
// only used to stop early: the summary itself is relative).
func (m *measure) fragment(name string, depth int) *summary {
	if sum, ok := m.memo[name]; ok {
		return sum
	}
	if m.visiting[name] {
		return emptySummary
	}
	f := m.fragments.ForName(name)
	if f == nil {
		return emptySummary
	}
	if m.memo == nil {
		m.memo, m.visiting = map[string]*summary{}, map[string]bool{}
	}
	m.visiting[name] = true
	// A fragment on an interface or union is measured as on its own type condition.
	sum := m.set(f.SelectionSet, f.TypeCondition, depth)
	m.visiting[name] = false
	m.memo[name] = sum
	return sum
}

// merge adds a fragment's summary into the set that spreads it.
func (s *summary) merge(o *summary, m *measure) {
	s.cost = satAdd(s.cost, o.cost)
	if o.heavyCost > s.heavyCost {
		s.heavy, s.heavyCost = o.heavy, o.heavyCost
	}
	s.depth = max(s.depth, o.depth)
	s.aliases = satAdd(s.aliases, o.aliases)
	s.directives = satAdd(s.directives, o.directives)
	s.introspection = satAdd(s.introspection, o.introspection)
	s.repeats = max(s.repeats, o.repeats)
	m.steps = satAdd(m.steps, len(o.keys))
	for k, n := range o.keys {
		s.addKey(k, n)
	}
}

// check stops the walk at the first limit a partial summary already passes: cost, depth,
// aliases, directives and repeats only grow as the walk returns towards the root.
func (m *measure) check(s *summary) {
	if m.stopped != nil {
		return
	}
	for _, c := range []exceeded{
		{code: graph.CodeDepthLimit, limit: "depth", max: m.lim.MaxDepth, actual: s.depth},
		{code: graph.CodeAliasLimit, limit: "aliases", max: m.lim.MaxAliases, actual: s.aliases},
		{code: graph.CodeFieldRepeatLimit, limit: "field repeats", max: m.lim.MaxFieldRepeats, actual: max(s.repeats, s.top)},
		{code: graph.CodeDirectiveLimit, limit: "directives", max: m.lim.MaxDirectives, actual: s.directives},
		{code: graph.CodeCostLimit, limit: "cost", max: m.lim.MaxCost, actual: s.cost, drivers: s.heavy},
		{code: graph.CodeCostLimit, limit: "analysis steps", max: maxAnalysisSteps, actual: m.steps},
	} {
		if c.max > 0 && c.actual > c.max {
			stopped := c // a copy, so that only a stop allocates
			m.stopped = &stopped
			return
		}
	}
}

// argumentCost counts the nodes and values of a field's filter: each costs as much as a field,
// since each is a set the store evaluates. A filter past MaxFilterSize stops the walk.
func (m *measure) argumentCost(f *ast.Field) int {
	a := f.Arguments.ForName("filter")
	if a == nil {
		return 0
	}
	v, err := a.Value.Value(m.vars)
	if err != nil {
		return 0 // validation has refused it already
	}
	n := graph.FilterSizeOfValue(v)
	if m.lim.MaxFilterSize > 0 && n > m.lim.MaxFilterSize && m.stopped == nil {
		m.stopped = &exceeded{code: graph.CodeFilterSizeLimit, limit: graph.LimitFilterSize, max: m.lim.MaxFilterSize, actual: n}
	}
	return n
}

// listBounds are the largest sizes expected of plain (non-connection) lists whose length no
// argument sets, by "Type.field": their children are counted that many times. Lists not named
// here count defaultListBound.
var listBounds = map[string]int{
	"Radar.quadrants":               8,
	"Radar.rings":                   8,
	"Radar.editions":                20,
	"Comparison.entities":           knowledge.MaxCompare,
	"ComparedTradeoff.entities":     knowledge.MaxCompare,
	"ComparedNeighbor.entities":     knowledge.MaxCompare,
	"Comparison.tradeoffs":          100,
	"Comparison.neighbors":          300,
	"Comparison.assessments":        knowledge.MaxCompare * 8,
	"Comparison.sharedNeighbors":    8, // one group per entity type
	"SharedNeighborGroup.neighbors": 100,
	"Comparison.sharedTradeoffs":    50,
	"Comparison.unique":             knowledge.MaxCompare,
	"ComparedUnique.neighbors":      100,
	"ComparedUnique.tradeoffs":      50,
	"Path.nodes":                    knowledge.MaxPathDepth + 1,
	"Path.steps":                    knowledge.MaxPathDepth,
}

// listArg names the list argument whose length counts the children of the root fields that
// fetch many objects at once: nodes(ids:) and federation's _entities(representations:).
var listArg = map[string]string{"nodes": "ids", "_entities": "representations"}

// defaultListBound is the size expected of a plain list that listBounds does not name.
const defaultListBound = 10

// multiplier is how many times a field's children are resolved: a connection's page size, the
// number of IDs of nodes(ids:), a neighbourhood's limit, a plain list's bound, otherwise 1.
func (m *measure) multiplier(f *ast.Field, parent string) int {
	if f.Definition == nil || f.Definition.Type == nil {
		return 1
	}
	typeName := f.Definition.Type.Name()
	switch {
	case (f.Name == "nodes" || f.Name == "_entities") && isRoot(parent):
		if a := f.Arguments.ForName(listArg[f.Name]); a != nil {
			if v, err := a.Value.Value(m.vars); err == nil {
				if list, ok := v.([]any); ok {
					return max(len(list), 1)
				}
			}
		}
		return 1
	case typeName == "Neighborhood":
		return m.intArg(f, "limit", knowledge.DefaultNeighborhoodLimit)
	case strings.HasSuffix(typeName, "Connection"):
		return max(m.intArg(f, "first", m.intArg(f, "last", knowledge.DefaultPageSize)), 1)
	case parent == "Neighborhood" || strings.HasSuffix(parent, "Connection"):
		return 1 // counted by the neighbourhood's limit, or the connection's page size
	case f.Definition.Type.Elem != nil:
		if n, ok := listBounds[parent+"."+f.Name]; ok {
			return n
		}
		return defaultListBound
	}
	return 1
}

// multiplierArg names the argument that sets multiplier's count ("" for a plain list's bound).
func (m *measure) multiplierArg(f *ast.Field, parent string) string {
	typeName := f.Definition.Type.Name()
	switch {
	case (f.Name == "nodes" || f.Name == "_entities") && isRoot(parent):
		return listArg[f.Name]
	case typeName == "Neighborhood":
		return "limit"
	case strings.HasSuffix(typeName, "Connection"):
		if f.Arguments.ForName("first") == nil && f.Arguments.ForName("last") != nil {
			return "last"
		}
		return "first"
	}
	return ""
}

// isRoot says whether parent names the operation's root: the walk starts with "" (see
// fieldName). Issue 14: nodes(ids:) was matched on "Query" alone, so it cost its selection
// defaultListBound times whatever its IDs.
func isRoot(parent string) bool { return parent == "" || parent == "Query" }

// fieldName is "Type.field", with Query for the root.
func fieldName(parent, name string) string {
	if parent == "" {
		parent = "Query"
	}
	return parent + "." + name
}

// intArg is a field's integer argument, or def when it is absent or null.
func (m *measure) intArg(f *ast.Field, name string, def int) int {
	if a := f.Arguments.ForName(name); a != nil {
		if v, err := a.Value.Value(m.vars); err == nil && v != nil {
			if n, ok := graph.IntValue(v); ok {
				return n
			}
		}
	}
	return def
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
