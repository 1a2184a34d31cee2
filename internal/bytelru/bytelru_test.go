package bytelru

import (
	"strings"
	"testing"
)

func TestBoundedByBytes(t *testing.T) {
	c := New[string, string](10_000, 0, func(k, v string) int64 { return int64(len(k) + len(v)) })
	for i := range 1000 {
		c.Add(strings.Repeat("k", i%50)+string(rune('a'+i%26)), strings.Repeat("v", 500))
		if c.Bytes() > 10_000 {
			t.Fatalf("after %d adds the cache holds %d bytes, past its bound of 10000", i+1, c.Bytes())
		}
	}
	if c.Len() == 0 {
		t.Fatal("nothing kept")
	}
	if c.Add("huge", strings.Repeat("x", 2000)) {
		t.Fatal("an entry over an eighth of the bound was kept")
	}
}

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := New[string, int](3*(EntryOverhead+1), 0, func(string, int) int64 { return 1 })
	c.maxEntry = c.maxBytes
	c.Add("a", 1)
	c.Add("b", 2)
	c.Add("c", 3)
	c.Get("a")
	c.Add("d", 4)
	if _, ok := c.Get("b"); ok {
		t.Fatal("b, the least recently used, was kept")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%s was evicted", k)
		}
	}
}
