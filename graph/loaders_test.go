package graph

import (
	"slices"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
)

// Issue 11: edge filters were packed into loader keys with string(rune(kind)) and unpacked
// byte by byte, which turned any value from 0x80 up into two wrong ones. A key's set of kinds
// gives back exactly the kinds it was made of, whatever their values.
func TestEnumSetKeepsEveryValue(t *testing.T) {
	for _, in := range [][]domain.RelKind{nil, {1}, {3, 1, 3}, {0, 63, 64, 127, 128, 200, 255}} {
		want := slices.Compact(slices.Sorted(slices.Values(in)))
		if got := enumSetOf(in).members(); !slices.Equal(got, want) {
			t.Errorf("%v: got back %v, want %v", in, got, want)
		}
	}
	if enumSetOf([]domain.EntityType{2, 1}) != enumSetOf([]domain.EntityType{1, 2, 2}) {
		t.Error("the same set in another order is another key")
	}
}
