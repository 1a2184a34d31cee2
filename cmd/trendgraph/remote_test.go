package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/data"
	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/store"
)

// The secrets of the tokens file the tests serve with.
const (
	adminSecret = "s3cret-admin-token-value"
	readSecret  = "s3cret-read-token-value"
)

// asAdminEnv and asReaderEnv are the environments of commands going through a server.
var (
	asAdminEnv  = map[string]string{"TRENDGRAPH_TOKEN": adminSecret}
	asReaderEnv = map[string]string{"TRENDGRAPH_TOKEN": readSecret}
)

// tokensFile writes a serve tokens file with an admin token named ops and a read token named
// viewer.
func tokensFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tokens")
	content := "# NAME SCOPES SECRET\nops admin " + adminSecret + "\nviewer read " + readSecret + "\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// serveWithTokens serves a new database (created from the embedded dataset) with the tests'
// tokens file and returns the server's URL.
func serveWithTokens(t *testing.T, db string, args ...string) (string, func() int, *syncBuffer) {
	t.Helper()
	addr, stop, logs := serve(t, append([]string{"--db", db, "--tokens-file", tokensFile(t)}, args...)...)
	// Stopped by the test or, at the latest, by its cleanup: once.
	var once sync.Once
	code := 0
	stopOnce := func() int {
		once.Do(func() { code = stop() })
		return code
	}
	t.Cleanup(func() { stopOnce() })
	return "http://" + addr, stopOnce, logs
}

// through runs a command with the admin token and fails the test unless it succeeds.
func through(t *testing.T, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := trendgraph(t, asAdminEnv, args...)
	if code != 0 {
		t.Fatalf("trendgraph %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	noSecret(t, out, errOut)
	return out, errOut
}

// noSecret fails the test when a token's secret shows in any of outputs.
func noSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		if strings.Contains(o, adminSecret) || strings.Contains(o, readSecret) {
			t.Fatalf("a secret was printed:\n%s", o)
		}
	}
}

// editedDataset writes the embedded dataset, changed by change, as one YAML file in dir.
func editedDataset(t *testing.T, dir, name string, change func(*dataset.Dataset)) string {
	t.Helper()
	d, err := dataset.LoadFS(data.FS, ".", "data")
	if err != nil {
		t.Fatal(err)
	}
	change(d)
	var buf bytes.Buffer
	if err := dataset.Write(&buf, d, "yaml"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// entity changes the entity with the slug.
func entity(slug string, change func(*domain.Entity)) func(*dataset.Dataset) {
	return func(d *dataset.Dataset) {
		for i := range d.Entities {
			if d.Entities[i].Slug == slug {
				change(&d.Entities[i])
			}
		}
	}
}

// graphql posts a query and decodes the answer's data.
func graphql(t *testing.T, base, query string, data any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal(b, &answer); err != nil || len(answer.Errors) > 0 {
		t.Fatalf("query: %d %s", resp.StatusCode, b)
	}
	if err := json.Unmarshal(answer.Data, data); err != nil {
		t.Fatal(err)
	}
}

func TestImportThroughTheServer(t *testing.T) {
	dir := t.TempDir()
	base, _, logs := serveWithTokens(t, filepath.Join(dir, "kb.db"), "--source", kbtest.SeedDir(t))
	const summary = "A compiled language with goroutines, favoured for network services and command-line tools."
	edited := editedDataset(t, dir, "edited.yaml", entity("go", func(e *domain.Entity) { e.Summary = summary }))

	// A read token may not import; nor may an import go without a reason.
	code, _, errOut := trendgraph(t, asReaderEnv, "import", "--server", base, "--reason", "tighter summary", edited)
	if code != 1 || !strings.Contains(errOut, "the server at "+base+" answered 403 FORBIDDEN: the token viewer lacks the admin scope") {
		t.Fatalf("read token: exit %d\n%s", code, errOut)
	}
	noSecret(t, errOut)
	if code, _, errOut := trendgraph(t, asAdminEnv, "import", "--server", base, edited); code != 2 || !strings.Contains(errOut, "--reason") {
		t.Fatalf("no reason: exit %d\n%s", code, errOut)
	}

	out, _ := through(t, "import", "--server", base, "--reason", "tighter summary", edited)
	if !strings.Contains(out, "imported through "+base+": version 2, 1 changes by ops") {
		t.Fatalf("import: %s", out)
	}
	var got struct {
		Technology struct{ Summary string }
		Changes    struct {
			Edges []struct {
				Node struct {
					RecordKey string
					ChangeSet struct {
						Version       int
						Actor, Reason string
					}
				}
			}
		}
	}
	graphql(t, base, `{ technology(slug: "go") { summary } changes(filter: {actor: "ops"}) { edges { node { recordKey changeSet { version actor reason } } } } }`, &got)
	if got.Technology.Summary != summary || len(got.Changes.Edges) != 1 {
		t.Fatalf("the server does not show the import: %+v", got)
	}
	if n := got.Changes.Edges[0].Node; n.RecordKey != "go" || n.ChangeSet.Version != 2 || n.ChangeSet.Actor != "ops" || n.ChangeSet.Reason != "tighter summary" {
		t.Fatalf("the change: %+v", n)
	}

	// The same dataset again: nothing to change, and the command says so.
	if out, _ := through(t, "import", "--server", base, "--reason", "again", edited); !strings.Contains(out, "unchanged: "+base+" already holds this dataset (version 2)") {
		t.Fatalf("second import: %s", out)
	}

	// The server checks citations against its source texts even when the command line has
	// none: its problems name the file and line sent.
	badCite := editedDataset(t, dir, "bad-citation.yaml", entity("go", func(e *domain.Entity) { e.Citations[0].Paragraph = 999 }))
	code, _, errOut = trendgraph(t, asAdminEnv, "import", "--server", base, "--reason", "bad", "--source", "", badCite)
	if code != 1 || !regexp.MustCompile(`bad-citation\.yaml:\d+: technologies\[\d+\]\.citations\[0\]`).MatchString(errOut) || !strings.Contains(errOut, "found 1 problems: nothing was written") {
		t.Fatalf("bad citation: exit %d\n%s", code, errOut)
	}
	noSecret(t, logs.String())
}

func TestExportAndCheckThroughTheServerMatchTheFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	base, stop, _ := serveWithTokens(t, db)
	original, _ := through(t, "export", "--server", base, "--format", "json")
	edited := editedDataset(t, dir, "edited.yaml", entity("go", func(e *domain.Entity) { e.Summary = "A compiled language made at Google, common in cloud tooling." }))
	through(t, "import", "--server", base, "--reason", "edit", edited)

	served := map[string]string{}
	for _, format := range []string{"yaml", "json"} {
		file := filepath.Join(dir, "served."+format)
		through(t, "export", "--server", base, "--format", format, "-o", file)
		b, _ := os.ReadFile(file)
		served[format] = string(b)
	}
	if !strings.Contains(served["yaml"], "common in cloud tooling") {
		t.Fatal("the export does not show the import")
	}
	asOf, _ := through(t, "export", "--server", base, "--format", "json", "--as-of", "1")
	if asOf != original {
		t.Fatal("the export as of version 1 differs from the data before the import")
	}
	out, _ := through(t, "check", "--check-db", "--server", base, "--source", "")
	if !strings.Contains(out, "ok: database "+base+": consistent, and its history agrees with its data (version 2)") {
		t.Fatalf("check through the server: %s", out)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit %d", code)
	}

	for format, want := range served {
		if got := mustRun(t, "export", "--db", db, "--format", format); got != want {
			t.Fatalf("%s: the export through the server differs from the file's", format)
		}
	}
	if got := mustRun(t, "export", "--db", db, "--format", "json", "--as-of", "1"); got != original {
		t.Fatal("the file's export as of version 1 differs from the server's")
	}
	if out := mustRun(t, "check", "--check-db", "--db", db, "--source", ""); !strings.Contains(out, "consistent, and its history agrees with its data (version 2)") {
		t.Fatalf("check of the file: %s", out)
	}
}

// A database a server holds cannot be opened: the message says how to go through the server.
func TestHeldDatabaseSaysHowToGoThroughTheServer(t *testing.T) {
	slow.Only(t) // seconds of work or waiting: the slow tier, which CI runs
	db := filepath.Join(t.TempDir(), "kb.db")
	serveWithTokens(t, db)
	for _, args := range [][]string{{"export", "--db", db}, {"import", "--db", db}} {
		code, _, errOut := trendgraph(t, nil, args...)
		if code != 1 || !strings.Contains(errOut, "is held by another process (a running 'trendgraph serve'?): pass --server URL with an admin token ($TRENDGRAPH_TOKEN") {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut)
		}
	}
}

func TestServerErrorsAreClear(t *testing.T) {
	dir := t.TempDir()
	base, _, _ := serveWithTokens(t, filepath.Join(dir, "kb.db"))
	backup := filepath.Join(dir, "copy.db")

	// A port nobody listens on: the message names the URL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	_ = ln.Close()

	wrongToken := filepath.Join(dir, "wrong-token")
	malformed := filepath.Join(dir, "malformed-token")
	_ = os.WriteFile(wrongToken, []byte("not-a-known-token\n"), 0o600)
	_ = os.WriteFile(malformed, []byte("ops admin "+adminSecret+"\n"), 0o600)
	cases := []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{nil, []string{"backup", "--server", base, backup}, 2, "--server needs an admin token"},
		{asAdminEnv, []string{"backup", "--server", closed, backup}, 1, "reach the server at " + closed + ": dial tcp"},
		{asAdminEnv, []string{"backup", "--server", "localhost:8080", backup}, 2, "want the server's URL"},
		{asAdminEnv, []string{"backup", "--server", base, "--db", "x.db", backup}, 2, "--db and --server exclude each other"},
		{nil, []string{"backup", "--server", base, "--token-file", wrongToken, backup}, 1, "answered 401 UNAUTHENTICATED"},
		{nil, []string{"backup", "--server", base, "--token-file", malformed, backup}, 1, "the secret alone, on one line"},
		{nil, []string{"check", "--check-db", "--server", base, "--token-file", filepath.Join(dir, "missing")}, 1, "read the token"},
		{asAdminEnv, []string{"export", "--server", base + "/nowhere"}, 1, "answered 404 Not Found (no admin endpoints there"},
		{asAdminEnv, []string{"export", "--server", base, "--as-of", "yesterday"}, 2, "give a data version or an RFC 3339 time"},
		{asAdminEnv, []string{"export", "--server", base, "--as-of", "7"}, 1, "answered 400 BAD_USER_INPUT: version 7 is newer than the data (version 1)"},
	}
	for _, c := range cases {
		code, out, errOut := trendgraph(t, c.env, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", c.args, code, c.code, c.want, errOut)
		}
		noSecret(t, out, errOut)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Fatal("a failed backup left a file")
	}
	// $TRENDGRAPH_SERVER names the server as --server does, and --token-file holds the token.
	tokenFile := filepath.Join(dir, "token")
	_ = os.WriteFile(tokenFile, []byte(adminSecret+"\n"), 0o600)
	code, out, errOut := trendgraph(t, map[string]string{"TRENDGRAPH_SERVER": base}, "backup", "--token-file", tokenFile, backup)
	if code != 0 || !strings.Contains(out, "backed up "+base+" to "+backup) {
		t.Fatalf("backup through $TRENDGRAPH_SERVER: exit %d\n%s", code, errOut)
	}
}

// The real binary, as a server and as the commands going through it: the token travels in the
// environment and shows in no output or log.
func TestCommandsThroughARunningServerProcess(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	srv := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--tokens-file", tokensFile(t))
	var logs syncBuffer
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	}()
	var base string
	for deadline := time.Now().Add(hangGuard); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`msg=serving addr=(\S+)`).FindStringSubmatch(logs.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatalf("the server did not start:\n%s", logs.String())
	}
	run := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "TRENDGRAPH_TOKEN="+adminSecret, "TRENDGRAPH_SERVER="+base)
		out, err := cmd.CombinedOutput()
		noSecret(t, string(out))
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	edited := editedDataset(t, dir, "edited.yaml", entity("go", func(e *domain.Entity) { e.Summary = "A compiled language made at Google, common in cloud tooling." }))
	run("import", "--reason", "edit", edited)
	backup := filepath.Join(dir, "copy.db")
	run("backup", backup)
	run("check", "--check-db", "--source", "")
	if err := srv.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	noSecret(t, logs.String())
	if digest(t, backup) != digest(t, db) {
		t.Fatal("the backup differs from the database")
	}
	s, err := store.Open(backup, store.Config{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Version() != 2 {
		t.Fatalf("the backup is at version %d, want 2 (after the import)", s.Version())
	}
}
