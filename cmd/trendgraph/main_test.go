package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

// trendgraph runs one command line in-process and returns its exit code and output.
func trendgraph(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env_{stdout: &stdout, stderr: &stderr, vars: env}
	code := run(context.Background(), e.env(), args)
	return code, stdout.String(), stderr.String()
}

type env_ struct {
	stdout, stderr *bytes.Buffer
	vars           map[string]string
}

func (e *env_) env() *env {
	return &env{stdout: e.stdout, stderr: e.stderr, getenv: func(k string) string { return e.vars[k] }, log: nil}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := trendgraph(t, nil, args...)
	if code != 0 {
		t.Fatalf("trendgraph %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestEmbeddedDatasetPassesCheck(t *testing.T) {
	out := mustRun(t, "check", "--source", kbtest.SeedDir(t))
	if !strings.Contains(out, "checked against 1 source texts") {
		t.Fatalf("check did not use the source text: %s", out)
	}
}

func TestImportExportRoundTripThroughFiles(t *testing.T) {
	dir := t.TempDir()
	db1, db2 := filepath.Join(dir, "one.db"), filepath.Join(dir, "two.db")
	mustRun(t, "import", "--db", db1, "--source", kbtest.SeedDir(t))
	for _, format := range []string{"yaml", "json"} {
		file := filepath.Join(dir, "export."+format)
		mustRun(t, "export", "--db", db1, "--format", format, "-o", file)
		mustRun(t, "import", "--db", db2, file)
		first := mustRun(t, "export", "--db", db1, "--format", format)
		second := mustRun(t, "export", "--db", db2, "--format", format)
		if first != second || len(first) < 1000 {
			t.Fatalf("%s: export differs after a round trip (%d vs %d bytes)", format, len(first), len(second))
		}
	}
}

func TestFailedImportNamesTheProblemAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	mustRun(t, "import", "--db", db)
	before := mustRun(t, "export", "--db", db, "--format", "json")

	bad := filepath.Join(dir, "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	exported := filepath.Join(bad, "all.yaml")
	mustRun(t, "export", "--db", db, "-o", exported)
	b, _ := os.ReadFile(exported)
	broken := strings.Replace(string(b), "vendor: aws", "vendor: no-such-vendor", 1)
	broken = strings.Replace(broken, "kind: language", "kind: spoken-language", 1)
	if broken == string(b) {
		t.Fatal("the dataset has no technology by aws and no language to break")
	}
	if err := os.WriteFile(exported, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := trendgraph(t, nil, "import", "--db", db, bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"all.yaml:", `vendor: unknown organization "no-such-vendor"`, `kind: unknown kind "spoken-language"`, "2 problems: nothing was written"} {
		if !strings.Contains(errOut, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if after := mustRun(t, "export", "--db", db, "--format", "json"); after != before {
		t.Fatal("a failed import changed the database")
	}
}

func TestEnvironmentNamesTheDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.db")
	if code, _, errOut := trendgraph(t, map[string]string{"TRENDGRAPH_DB": db}, "import"); code != 0 {
		t.Fatal(errOut)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("TRENDGRAPH_DB was not used: %v", err)
	}
}

func TestBackupBesideAnOpenReader(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	mustRun(t, "import", "--db", db)
	// As 'serve' holds it: open read-only for the whole backup.
	s, err := store.Open(db, store.Config{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	backup := filepath.Join(dir, "copy.db")
	mustRun(t, "backup", "--db", db, backup)
	mustRun(t, "check", "--db", backup, "--check-db", "--source", "")
	if a, b := mustRun(t, "export", "--db", db), mustRun(t, "export", "--db", backup); a != b {
		t.Fatal("backup differs from the database")
	}
}

func TestGenIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	mustRun(t, "gen", "--technologies", "200", "--relationships", "1000", "-o", a)
	mustRun(t, "gen", "--technologies", "200", "--relationships", "1000", "-o", b)
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) || len(ab) == 0 {
		t.Fatal("gen is not deterministic")
	}
	out := mustRun(t, "import", "--db", filepath.Join(dir, "gen.db"), a)
	if !strings.Contains(out, "imported") {
		t.Fatal(out)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"frobnicate"},
		{"export", "--format", "xml"},
		{"import", "--no-such-flag"},
		{"backup"},
		{"gen", "--technologies", "1"},
	}
	for _, args := range cases {
		if code, _, errOut := trendgraph(t, nil, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

func TestClearErrorsForBadDatabases(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte{0xde, 0xad}, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := trendgraph(t, nil, "export", "--db", garbage); code != 1 || !strings.Contains(errOut, garbage) {
		t.Fatalf("garbage: exit %d: %s", code, errOut)
	}
	if code, _, errOut := trendgraph(t, nil, "export", "--db", filepath.Join(dir, "missing.db")); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("missing: exit %d: %s", code, errOut)
	}
	db := filepath.Join(dir, "locked.db")
	mustRun(t, "import", "--db", db)
	s, err := store.Open(db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if code, _, errOut := trendgraph(t, nil, "import", "--db", db); code != 1 || !strings.Contains(errOut, "locked by another process") {
		t.Fatalf("locked: exit %d: %s", code, errOut)
	}
}
