package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTokenize: never a panic; tokens are non-empty, lower-case, valid UTF-8, at most 64 bytes
// and never stop words.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Node.js and the JVM", "GraphQL-over-HTTP", "  ", "ÄÖÜ straße", "\xff\xfe", strings.Repeat("a", 200), "a1b2 C3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokenize(s) {
			if tok == "" || len(tok) > maxTokenLen || !utf8.ValidString(tok) || stopWords[tok] || strings.ToLower(tok) != tok {
				t.Fatalf("bad token %q from %q", tok, s)
			}
		}
	})
}
