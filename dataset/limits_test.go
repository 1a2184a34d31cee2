package dataset

import (
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goccy/go-yaml/parser"
)

// billionLaughs is the classic alias bomb: nine levels of nine aliases, a billion "lol"s.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		prev := "*l" + itoa(i-1)
		b.WriteString("lol" + itoa(i) + ": &l" + itoa(i) + " [" + strings.Repeat(prev+", ", 8) + prev + "]\n")
	}
	return b.String()
}

// nestedBrackets is 120 KB of "[": the YAML library took 5.5 GB for it.
func nestedBrackets() string { return strings.Repeat("[", 120<<10) }

// Issue 10 item 11: nesting, aliases and size are refused from the bytes, before the YAML
// library runs, with the file, the line and the bound that was passed.
func TestBoundsAreCheckedBeforeParsing(t *testing.T) {
	blockNesting := "trends:\n"
	for i := range 100 {
		blockNesting += strings.Repeat("  ", i+1) + "- \n"
	}
	merge := base + "extra: &e {slug: x}\nmore:\n  <<: *e\n"
	big := "sources: []\n" + strings.Repeat("# padding\n", MaxYAMLFileBytes/10)
	cases := []struct {
		name, content, want string
	}{
		{"brackets.yaml", nestedBrackets(), "brackets.yaml:1: nesting deeper than 64 levels"},
		{"brackets.json", `{"trends": ` + nestedBrackets(), "brackets.json:1: nesting deeper than 64 levels"},
		{"blocks.yaml", blockNesting, "blocks.yaml:65: nesting deeper than 64 levels"},
		{"laughs.yaml", billionLaughs(), "laughs.yaml:2: an alias (*name)"},
		{"merge.yaml", merge, "merge.yaml:" + itoa(strings.Count(merge, "\n")) + ": an alias (*name)"},
		{"big.yaml", big, "big.yaml: the file is " + itoa(len(big)) + " bytes, more than the 16777216"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := LoadFS(fstest.MapFS{c.name: {Data: []byte(c.content)}}, ".", "data")
			runtime.ReadMemStats(&after)
			ps, ok := err.(Problems)
			if !ok || len(ps) != 1 || !strings.HasPrefix(ps[0].String(), "data/"+c.want) {
				t.Fatalf("got %v, want one problem starting %q", err, "data/"+c.want)
			}
			// Reading the file is all the memory it may cost; the YAML library took gigabytes.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*uint64(len(c.content))+(8<<20) {
				t.Fatalf("refusing it allocated %d MB", alloc>>20)
			}
		})
	}
}

// The curated format passes the pre-scan as written: prose with "*", "[" and "#", quoted and
// block scalars, anchors without aliases.
func TestPrescanAcceptsOrdinaryText(t *testing.T) {
	for _, src := range []string{
		base,
		"trends:\n  - slug: a\n    summary: uses *args, a*b and [[[[ brackets ]] # a comment *x\n",
		"trends:\n  - slug: a\n    summary: '*quoted [[[[' \n    name: \"*also {{{{ \\\" *x\"\n",
		"trends:\n  - slug: a\n    summary: >-\n      *folded [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n\n      more *text\n    name: A\n",
		"trends:\n  - slug: a\n    summary: a plain scalar\n      *continued on a second line\n",
		"trends:\n  - &t\n    slug: a\n",
		`{"trends": [{"slug": "a", "summary": "*x [[[", "tags":["a","b"]}]}`,
	} {
		if p := prescan("x.yaml", []byte(src)); p != nil {
			t.Errorf("%q: %v", src, p)
		}
	}
}

// The parsed tree is searched for aliases too, before decoding expands them: a second guard
// behind prescan.
func TestFindAliasInTheParsedTree(t *testing.T) {
	file, err := parser.ParseBytes([]byte("a: &x [1, 2]\nb:\n  c: [3, *x]\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if a := findAlias(file); a == nil || a.GetToken().Position.Line != 3 {
		t.Fatalf("findAlias = %v, want the alias on line 3", a)
	}
	if file, _ := parser.ParseBytes([]byte(base), 0); findAlias(file) != nil {
		t.Fatal("findAlias found an alias in a file without one")
	}
}
