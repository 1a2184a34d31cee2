package graph

import (
	"fmt"
	"strconv"

	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
)

// LimitFilterSize names the filter-size limit in an error's extensions.limit.
const LimitFilterSize = "filter size"

// DefaultMaxFilterSize is the filter size the server allows unless configured otherwise: far
// more than any dashboard's filter, far less than the thousands of terms that cost seconds.
const DefaultMaxFilterSize = 100

// FilterSize is the size of an EntityFilter: one for each filter node (the filter itself and
// every and, or and not under it), plus one for each value of its lists (kinds, statuses,
// lifecycles, tradeoff types, vendors, trends, tags, rings) and one for a text, and for a reach
// ReachSize. The work of evaluating a filter grows with it, whatever its depth; nil has size 0.
func FilterSize(f *model.EntityFilter) int {
	if f == nil {
		return 0
	}
	n := 1 + len(f.Kinds) + len(f.Statuses) + len(f.Lifecycles) + len(f.TradeoffTypes) +
		len(f.Vendors) + len(f.Trends) + len(f.TagsAny) + len(f.TagsAll)
	if f.Ring != nil {
		n += len(f.Ring.Rings)
	}
	if f.Text != nil {
		n++
	}
	if f.Reach != nil {
		n += ReachSize(f.Reach.Hops, len(f.Reach.Kinds))
	}
	for _, sub := range f.And {
		n += FilterSize(sub)
	}
	for _, sub := range f.Or {
		n += FilterSize(sub)
	}
	return n + FilterSize(f.Not)
}

// FilterSizeOfValue is FilterSize of an EntityFilter not yet coerced: the value of a filter
// argument as decoded from JSON variables, or an inline literal's ast.Value.Value(variables)
// (maps, lists and scalars), so that a limit can refuse a request before it executes. Like
// GraphQL's input coercion it takes a single value where a list is expected as a list of one.
// Anything that is not a map counts 0, as FilterSize(nil) does.
func FilterSizeOfValue(v any) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	n := 1
	for k, x := range m {
		if x == nil {
			continue
		}
		switch k {
		case "and", "or":
			if list, ok := x.([]any); ok {
				for _, sub := range list {
					n += FilterSizeOfValue(sub)
				}
			} else {
				n += FilterSizeOfValue(x)
			}
		case "not":
			n += FilterSizeOfValue(x)
		case "ring":
			if r, ok := x.(map[string]any); ok {
				n += listLen(r["rings"])
			}
		case "text":
			n++
		case "reach":
			if r, ok := x.(map[string]any); ok {
				hops := 1 // the schema's default
				if h, ok := IntValue(r["hops"]); ok {
					hops = h
				}
				n += ReachSize(hops, listLen(r["kinds"]))
			}
		default:
			n += listLen(x)
		}
	}
	return n
}

// ReachHopSize is what each hop of a reach adds to a filter's size: a hop reads the edges of
// every entity reached so far, far more than one attribute's index entry.
const ReachHopSize = 3

// ReachSize is the size of a reach condition: 1, plus ReachHopSize per hop, plus 1 per kind.
// Hops past the bound still count (up to one past it), so a refused filter is refused for its
// size or its hops, never priced at zero.
func ReachSize(hops, kinds int) int {
	return 1 + ReachHopSize*min(max(hops, 0), knowledge.MaxReachHops+1) + kinds
}

// IntValue reads an integer input value as decoded from JSON variables (a number or
// json.Number) or a literal; the server's cost analysis reads page sizes with it too.
func IntValue(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case interface{ String() string }: // json.Number, and a literal's value as text
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	}
	return 0, false
}

// listLen is the number of values of a list input, a single value counting as a list of one.
func listLen(v any) int {
	switch x := v.(type) {
	case nil:
		return 0
	case []any:
		return len(x)
	default:
		return 1
	}
}

// filterSizeError refuses a filter past the limit, naming the limit as the server's other
// limits do.
func filterSizeError(max, actual int) error {
	return &userError{code: CodeFilterSizeLimit,
		msg: fmt.Sprintf("the filter has size %d, over the limit of %d (each filter node and each value counts 1; a reach 1, plus %d per hop, plus 1 per kind)", actual, max, ReachHopSize),
		ext: map[string]any{"limit": LimitFilterSize, "max": max, "actual": actual}}
}

// checkFilterSize refuses a filter larger than the executor allows.
func (r *Resolver) checkFilterSize(f *model.EntityFilter) error {
	if r.MaxFilterSize <= 0 {
		return nil
	}
	if n := FilterSize(f); n > r.MaxFilterSize {
		return filterSizeError(r.MaxFilterSize, n)
	}
	return nil
}
