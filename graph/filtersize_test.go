package graph

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

func ptr[T any](v T) *T { return &v }

func TestFilterSizeCountsNodesAndValues(t *testing.T) {
	cases := []struct {
		name string
		f    *model.EntityFilter
		want int
	}{
		{"nil", nil, 0},
		{"empty", &model.EntityFilter{}, 1},
		{"lists", &model.EntityFilter{Kinds: []model.TechnologyKind{"DATABASE", "TOOL"}, TagsAny: []string{"a"}, TagsAll: []string{"b", "c"},
			Vendors: []string{"v"}, Trends: []string{"t"}, Statuses: []model.TrendStatus{"EMERGING"}, Lifecycles: []model.Lifecycle{"MATURE"},
			TradeoffTypes: []model.TradeoffType{"BENEFIT"}}, 11},
		{"ring and text", &model.EntityFilter{Ring: &model.RingFilter{Radar: "r", Rings: []string{"adopt", "trial"}}, Text: ptr("x")}, 4},
		{"nested", &model.EntityFilter{
			And: []*model.EntityFilter{{TagsAny: []string{"a"}}, {}},
			Or:  []*model.EntityFilter{{Not: &model.EntityFilter{Vendors: []string{"v", "w"}}}},
			Not: &model.EntityFilter{Text: ptr("")},
		}, 1 + 2 + 1 + (1 + 3) + 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FilterSize(c.f); got != c.want {
				t.Errorf("FilterSize = %d, want %d", got, c.want)
			}
			// The same filter as a JSON variable counts the same before coercion.
			var raw any
			b, _ := json.Marshal(c.f)
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			if got := FilterSizeOfValue(raw); got != c.want {
				t.Errorf("FilterSizeOfValue(%s) = %d, want %d", b, got, c.want)
			}
		})
	}
	// Input coercion takes a single value for a list: it counts as one.
	var raw any
	_ = json.Unmarshal([]byte(`{"kinds": "DATABASE", "and": {"tagsAny": "x"}, "or": [{"ring": {"radar": "r", "rings": "adopt"}}], "not": null}`), &raw)
	if got := FilterSizeOfValue(raw); got != 1+1+2+2 {
		t.Errorf("coerced single values: size %d, want 6", got)
	}
}

// wideOr is an or of n single-tag terms: size 1 + 2n.
func wideOr(n int) map[string]any {
	terms := make([]any, n)
	for i := range terms {
		terms[i] = map[string]any{"tagsAny": []string{fmt.Sprintf("tag-%d", i)}}
	}
	return map[string]any{"or": terms}
}

// Issue 10: an or of thousands of terms was accepted whatever its width. With MaxFilterSize
// the executor refuses it, naming the limit as the server's limits do.
func TestMaxFilterSizeRefusesWideFilters(t *testing.T) {
	e := newEnvWith(t, kbtest.Curated(t), Options{MaxFilterSize: 11})
	for _, q := range []string{
		`query($f: EntityFilter) { technologies(filter: $f) { totalCount } }`,
		`query($f: EntityFilter) { entities(filter: $f) { totalCount } }`,
		`query($f: EntityFilter) { facets(filter: $f) { totalCount } }`,
	} {
		field, _, _ := strings.Cut(strings.Fields(q)[3], "(")
		t.Run(field, func(t *testing.T) {
			errs := e.gqlErrors(t, q, map[string]any{"f": wideOr(6)})
			ext := errs[0].Extensions
			if ext["code"] != CodeFilterSizeLimit || ext["limit"] != LimitFilterSize || ext["max"] != float64(11) || ext["actual"] != float64(13) {
				t.Fatalf("errors %+v", errs)
			}
			var ok map[string]any
			e.query(t, q, &ok, client.Var("f", wideOr(5)))
		})
	}
}

// FilterSize and FilterSizeOfValue spell the same count twice (the server refuses before
// execution, the executor for embedders without the server): every field of EntityFilter must
// count, and count alike in both, so that a field added to the schema cannot escape one of them.
func TestFilterSizeCountsEveryField(t *testing.T) {
	typ := reflect.TypeFor[model.EntityFilter]()
	for i := range typ.NumField() {
		field := typ.Field(i)
		var f model.EntityFilter
		v := reflect.ValueOf(&f).Elem().Field(i)
		switch field.Type.Kind() {
		case reflect.Slice:
			v.Set(reflect.MakeSlice(field.Type, 1, 1))
			if el := v.Index(0); el.Kind() == reflect.Pointer {
				el.Set(reflect.New(el.Type().Elem()))
			}
		case reflect.Pointer:
			v.Set(reflect.New(field.Type.Elem()))
		default:
			t.Fatalf("field %s of type %s: teach this test and FilterSize about it", field.Name, field.Type)
		}
		if f.Ring != nil {
			f.Ring.Rings = []string{"adopt"}
		}
		var raw any
		b, _ := json.Marshal(&f)
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if n, m := FilterSize(&f), FilterSizeOfValue(raw); n < 2 || n != m {
			t.Errorf("%s set: FilterSize %d, FilterSizeOfValue(%s) %d; want equal and over 1", field.Name, n, b, m)
		}
	}
}
