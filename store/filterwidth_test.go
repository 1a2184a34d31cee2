package store

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
)

// wideFilter is an or of width terms, each "in trend t but not offered by vendor v": the shape
// of issue 10's report, where every term used to cost a pass over the whole database.
func wideFilter(width int) *Filter {
	f := &Filter{}
	for i := range width {
		f.Or = append(f.Or, &Filter{Trends: []string{fmt.Sprintf("trend-%04d", i%100)},
			Not: &Filter{Vendors: []string{fmt.Sprintf("org-%03d", i%20)}}})
	}
	return f
}

// wideInputs is the sum of the sizes of the sets wideFilter(width) reads from the indexes.
func wideInputs(d *dataset.Dataset, width int) int {
	byTrend, byVendor := map[string]int{}, map[string]int{}
	for _, e := range d.Entities {
		for _, t := range e.Trends {
			byTrend[t]++
		}
		if e.Vendor != "" {
			byVendor[e.Vendor]++
		}
	}
	n := 0
	for i := range width {
		n += byTrend[fmt.Sprintf("trend-%04d", i%100)] + byVendor[fmt.Sprintf("org-%03d", i%20)]
	}
	return n
}

func synthStore(t testing.TB, techs int) (*Store, *dataset.Dataset) {
	t.Helper()
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: techs, Relationships: techs, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return openTest(t, d), d
}

// Issue 10: an or of thousands of terms cost a pass over the whole database per term. The
// bytes allocated stand in for the work (they do not depend on the machine's speed): evaluating
// a filter may allocate a bounded multiple of its inputs and nodes, plus the one complement.
func TestWideFilterWorkIsLinearInItsInputs(t *testing.T) {
	s, d := synthStore(t, 10_000)
	const width = 2000
	f := wideFilter(width)
	inputs := wideInputs(d, width)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := s.List(context.Background(), ListQuery{Filter: f, Page: PageArgs{Limit: 20}}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	nodes := 3 * width
	// 16 words an input ID leaves room for the scans' growing slices and each merge's output;
	// the old evaluation allocated some 45 times this bound.
	bound := uint64(128 * (inputs + nodes + len(d.Entities)))
	t.Logf("allocated %d bytes for %d input IDs and %d nodes (bound %d)", allocated, inputs, nodes, bound)
	if allocated > bound {
		t.Fatalf("evaluating a filter of width %d allocated %d bytes, over %d: the work is not linear in its %d input IDs",
			width, allocated, bound, inputs)
	}
}

// BenchmarkFilterWidth evaluates ever wider filters over 10k technologies; the filter-set cache
// is emptied before each evaluation, so every op evaluates the filter.
func BenchmarkFilterWidth(b *testing.B) {
	s, _ := benchStore(b)
	for _, width := range []int{10, 100, 1000, 10000} {
		f := wideFilter(width)
		b.Run(fmt.Sprint(width), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.filterSets.Purge()
				if _, err := s.List(context.Background(), ListQuery{Filter: f, Page: PageArgs{Limit: 20}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
