package dataset

import (
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzLoadAndValidate feeds arbitrary file contents to the reader and validator. Invariants:
// never a panic; a dataset that does not load, and every validation problem, names the file.
// (That an invalid dataset writes nothing is the store's to prove: it validates before its
// transaction, see store.TestFailedImportChangesNothing.)
func FuzzLoadAndValidate(f *testing.F) {
	f.Add([]byte(base), false)
	f.Add([]byte(strings.Replace(base, "vendor: aws", "vendor: nobody", 1)), false)
	f.Add([]byte(`{"technologies":[{"slug":"x","name":"X","kind":"tool","lifecycle":"mature","description":"d","citations":[{"section":"S","paragraph":1}]}]}`), true)
	f.Add([]byte("trends: [{slug: a, parent: a}]"), false)
	f.Add([]byte("technologies:\n  - slug: [\n"), false)
	f.Add([]byte("\x00\xff"), true)
	f.Add([]byte("a: &x [*x]"), false)
	f.Fuzz(func(t *testing.T, content []byte, asJSON bool) {
		name := "area.yaml"
		if asJSON {
			name = "area.json"
		}
		d, err := LoadFS(fstest.MapFS{name: {Data: content}}, ".", "data")
		if err != nil {
			ps, ok := err.(Problems)
			if !ok || len(ps) == 0 {
				t.Fatalf("a load error that is not a list of problems: %v", err)
			}
			for _, p := range ps {
				if !strings.HasSuffix(p.File, name) || p.Msg == "" {
					t.Fatalf("a problem without its file or message: %+v", p)
				}
			}
			return
		}
		texts := map[string]*SourceText{"src": ParseSourceText(text, "The Article")}
		for _, p := range Validate(d, texts) {
			// Problems of the dataset as a whole name what was loaded, here the folder.
			if (!strings.HasSuffix(p.File, name) && p.File != "data") || p.Msg == "" {
				t.Fatalf("a problem without its file or message: %+v", p)
			}
		}
	})
}
