package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"
)

// Help is a request: it goes to standard output and exits 0. serve's flags are grouped, and
// every flag of every command names its variable.
func TestHelpOnStandardOutput(t *testing.T) {
	code, out, errOut := trendgraph(t, nil, "--help")
	if code != 0 || errOut != "" || !strings.Contains(out, "COMMANDS:") || !strings.Contains(out, "completion") {
		t.Fatalf("--help: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, _ := trendgraph(t, nil, "help"); code != 0 || !strings.Contains(out, "COMMANDS:") {
		t.Fatalf("help: exit %d, %q", code, out)
	}
	code, out, errOut = trendgraph(t, nil, "serve", "--help")
	if code != 0 || errOut != "" {
		t.Fatalf("serve --help: exit %d, stderr %q", code, errOut)
	}
	for _, group := range []string{"Listening", "Limits", "Auth", "Caching", "Timeouts"} {
		if !strings.Contains(out, "\n   "+group+"\n") {
			t.Errorf("serve --help has no %s group:\n%s", group, out)
		}
	}
	app := newApp(&env{getenv: func(string) string { return "" }}, new(runState))
	for _, c := range app.Commands {
		if c.Name == "completion" {
			continue
		}
		_, help, _ := trendgraph(t, nil, c.Name, "--help")
		for _, fl := range c.Flags {
			vars := fl.(cli.DocGenerationFlag).GetEnvVars()
			if len(vars) != 1 || !strings.Contains(help, "[$"+vars[0]+"]") {
				t.Errorf("%s --%s: variables %v, not shown in its help", c.Name, fl.Names()[0], vars)
			}
		}
	}
}

func TestVersionAndCompletion(t *testing.T) {
	code, out, _ := trendgraph(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "trendgraph version ") || !strings.Contains(out, "go1.") {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := trendgraph(t, nil, "completion", shell)
		if code != 0 || !strings.Contains(out, "trendgraph") || len(out) < 200 {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(out), errOut)
		}
	}
}

// Flags read their variables: a flag on the command line wins over its variable.
func TestFlagsReadTheirVariables(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	mustRun(t, "import", "--db", db)
	code, out, errOut := trendgraph(t, map[string]string{"TRENDGRAPH_DB": db, "TRENDGRAPH_FORMAT": "json"}, "export")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("export from the variables: exit %d, %.80q, %s", code, out, errOut)
	}
	code, out, _ = trendgraph(t, map[string]string{"TRENDGRAPH_DB": db, "TRENDGRAPH_FORMAT": "json"}, "export", "--format", "yaml")
	if code != 0 || strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("--format yaml over $TRENDGRAPH_FORMAT: exit %d, %.80q", code, out)
	}
}

// trendgraph gen … | trendgraph import -: - is standard input, and a problem there names it with
// its line.
func TestImportFromStandardInput(t *testing.T) {
	gen := mustRun(t, "gen", "--technologies", "50", "--relationships", "200")
	db := filepath.Join(t.TempDir(), "kb.db")
	code, out, errOut := runWithStdin(t, gen, "import", "--db", db, "-")
	if code != 0 || !strings.HasPrefix(out, "imported ") {
		t.Fatalf("import -: exit %d, %q, %s", code, out, errOut)
	}
	code, out, errOut = runWithStdin(t, gen, "check", "--data", "-", "--source", "")
	if code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("check --data -: exit %d, %q, %s", code, out, errOut)
	}
	bad := strings.Replace(gen, `"kind": "`, `"kind": "nonsense-`, 1)
	if bad == gen {
		t.Fatal("the generated dataset has no kind to spoil")
	}
	code, _, errOut = runWithStdin(t, bad, "import", "--db", filepath.Join(t.TempDir(), "x.db"), "-")
	if code != 1 || !strings.Contains(errOut, "<stdin>:") || !strings.Contains(errOut, "kind") {
		t.Fatalf("a bad dataset on standard input: exit %d, %s", code, errOut)
	}
}

func runWithStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, stdout.String(), stderr.String()
}
