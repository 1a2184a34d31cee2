package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeSynth writes a small synthetic dataset whose relationship number bad points at an
// entity that does not exist, and returns the file's bytes and the line of that reference.
func writeSynth(t *testing.T, format string, bad int) ([]byte, int) {
	t.Helper()
	d, err := Synthesize(SynthOptions{Technologies: 50, Relationships: 200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	d.Relationships[bad].To = "nowhere-at-all"
	var buf bytes.Buffer
	if err := Write(&buf, d, format); err != nil {
		t.Fatal(err)
	}
	before, _, ok := bytes.Cut(buf.Bytes(), []byte("nowhere-at-all"))
	if !ok {
		t.Fatal("the bad reference was not written")
	}
	return buf.Bytes(), bytes.Count(before, []byte("\n")) + 1
}

// LoadReader reads JSON and YAML alike, told apart by content, into what LoadPath reads from a
// file; problems found later name the given name, the line and the field.
func TestLoadReader(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			src, line := writeSynth(t, format, 17)
			fromReader, err := LoadReader(bytes.NewReader(src), "<stdin>")
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "data."+format)
			if err := os.WriteFile(file, src, 0o644); err != nil {
				t.Fatal(err)
			}
			fromFile, err := LoadPath(file)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromReader.Entities, fromFile.Entities) || !reflect.DeepEqual(fromReader.Relationships, fromFile.Relationships) ||
				len(fromReader.Relationships) != 200 {
				t.Fatal("LoadReader and LoadPath read different datasets")
			}
			ps := Validate(fromReader, nil)
			if len(ps) != 1 || ps[0].File != "<stdin>" || ps[0].Line != line || ps[0].Field != "relationships[17].to" {
				t.Fatalf("want <stdin>:%d: relationships[17].to, got %v", line, ps)
			}
		})
	}
	// Bad input from a reader is a problem naming it.
	_, err := LoadReader(strings.NewReader("trends:\n  - slug: x\n    nonsense: 1\n"), "<stdin>")
	if ps, ok := err.(Problems); !ok || len(ps) != 1 || ps[0].File != "<stdin>" || ps[0].Line != 3 {
		t.Fatalf("got %v", err)
	}
	_, err = LoadReader(strings.NewReader("{\n\"trends\": [{\"slug\": \"x\",\n\"nonsense\": 1}]}"), "<stdin>")
	if ps, ok := err.(Problems); !ok || len(ps) != 1 || ps[0].File != "<stdin>" || !strings.Contains(ps[0].Msg, "nonsense") {
		t.Fatalf("got %v", err)
	}
}

// A JSON file is let go once decoded: a problem found later reads it again for its line, and
// gives no line rather than a wrong one if the file has changed since.
func TestJSONLinesAfterTheFileIsLetGo(t *testing.T) {
	src, line := writeSynth(t, "json", 123)
	file := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadPath(file)
	if err != nil {
		t.Fatal(err)
	}
	if loc := d.origins.rels[0].loc; loc.src != nil {
		t.Fatal("the decoded file is still held")
	}
	changed, err := LoadPath(file)
	if err != nil {
		t.Fatal(err)
	}
	ps := Validate(d, nil)
	if len(ps) != 1 || ps[0].File != file || ps[0].Line != line || ps[0].Field != "relationships[123].to" {
		t.Fatalf("want %s:%d: relationships[123].to, got %v", file, line, ps)
	}
	if err := os.WriteFile(file, append([]byte("\n\n"), src...), 0o644); err != nil {
		t.Fatal(err)
	}
	ps = Validate(changed, nil)
	if len(ps) != 1 || ps[0].Line != 0 || ps[0].Field != "relationships[123].to" {
		t.Fatalf("after the file changed: %v", ps)
	}
}

// The streaming JSON decoder gives up on anything unusual, and the whole-document decoder
// then reads it as encoding/json does: keys in another case, repeated lists, null lists.
func TestJSONUnusualButValid(t *testing.T) {
	src, _ := writeSynth(t, "json", 0)
	want, err := LoadReader(bytes.NewReader(src), "a.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{
		"case":     bytes.Replace(src, []byte(`"relationships"`), []byte(`"Relationships"`), 1),
		"repeated": bytes.Replace(src, []byte(`"relationships"`), []byte(`"relationships": [{"from": "x", "kind": "uses", "to": "y"}], "relationships"`), 1),
		"null":     bytes.Replace(src, []byte(`"sources"`), []byte(`"skills": null, "sources"`), 1),
	} {
		got, err := LoadReader(bytes.NewReader(doc), "a.json")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got.Relationships, want.Relationships) || !reflect.DeepEqual(got.Entities, want.Entities) {
			t.Fatalf("%s: a different dataset", name)
		}
	}
}
