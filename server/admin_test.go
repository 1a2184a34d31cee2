package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/store"
)

// The tokens of the admin tests: one of each scope.
var adminTokens = []Token{
	{Name: "ops", Secret: "admin-secret", Scopes: []graph.Scope{graph.ScopeAdmin, graph.ScopeRead, graph.ScopeWrite}},
	{Name: "editor", Secret: "write-secret", Scopes: []graph.Scope{graph.ScopeRead, graph.ScopeWrite}},
	{Name: "viewer", Secret: "read-secret", Scopes: []graph.Scope{graph.ScopeRead}},
}

var asAdmin = map[string]string{"Authorization": "Bearer admin-secret"}

// adminHandler is the real handler over a real database with the admin tests' tokens.
func adminHandler(t *testing.T, change func(*Config)) (*Server, *store.Store) {
	t.Helper()
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) {
		c.Tokens = adminTokens
		c.RatePerSecond = 0
		if change != nil {
			change(c)
		}
	})
	return h, st
}

// withHeaders adds headers to a copy of base.
func withHeaders(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// curatedFile is the embedded dataset, changed by change, as one data file.
func curatedFile(t *testing.T, format string, change func(*dataset.Dataset)) []byte {
	t.Helper()
	d := kbtest.Curated(t)
	if change != nil {
		change(d)
	}
	var buf bytes.Buffer
	if err := dataset.Write(&buf, d, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// resummarize gives the technology go a new summary.
func resummarize(summary string) func(*dataset.Dataset) {
	return func(d *dataset.Dataset) {
		for i := range d.Entities {
			if d.Entities[i].Slug == "go" {
				d.Entities[i].Summary = summary
			}
		}
	}
}

func problems(t *testing.T, r response) []any {
	t.Helper()
	errs, _ := r.json(t)["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no errors: %s", r.body)
	}
	ps, _ := errs[0].(map[string]any)["extensions"].(map[string]any)["problems"].([]any)
	return ps
}

func TestAdminEndpointsNeedTheAdminScope(t *testing.T) {
	h, _ := adminHandler(t, nil)
	yaml := curatedFile(t, "yaml", nil)
	endpoints := []struct {
		method, target string
		body           []byte
	}{
		{http.MethodPost, "/admin/import?reason=scopes", yaml},
		{http.MethodGet, "/admin/export", nil},
		{http.MethodGet, "/admin/backup", nil},
		{http.MethodGet, "/admin/check", nil},
	}
	for _, ep := range endpoints {
		yamlType := map[string]string{"Content-Type": "application/yaml"}
		r := do(h, ep.method, ep.target, ep.body, yamlType)
		if r.status != http.StatusUnauthorized || r.code(t) != graph.CodeUnauthenticated || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("%s anonymous: %d %q %s", ep.target, r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
		r = do(h, ep.method, ep.target, ep.body, withHeaders(yamlType, "Authorization", "Bearer wrong"))
		if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("%s wrong token: %d %q", ep.target, r.status, r.header.Get("WWW-Authenticate"))
		}
		for _, secret := range []string{"read-secret", "write-secret"} {
			r = do(h, ep.method, ep.target, ep.body, withHeaders(yamlType, "Authorization", "Bearer "+secret))
			if r.status != http.StatusForbidden || r.code(t) != graph.CodeForbidden || !strings.Contains(string(r.body), "lacks the admin scope") {
				t.Errorf("%s with %s: %d %s", ep.target, secret, r.status, r.body)
			}
		}
		r = do(h, ep.method, ep.target, ep.body, withHeaders(yamlType, "Authorization", "Bearer admin-secret"))
		if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" || r.header.Get(RequestIDHeader) == "" {
			t.Errorf("%s as admin: %d cache-control %q %.200s", ep.target, r.status, r.header.Get("Cache-Control"), r.body)
		}
		other := http.MethodPost
		if ep.method == http.MethodPost {
			other = http.MethodGet
		}
		r = do(h, other, ep.target, nil, asAdmin)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != ep.method || r.code(t) != graph.CodeMethodNotAllowed {
			t.Errorf("%s %s: %d allow %q", other, ep.target, r.status, r.header.Get("Allow"))
		}
	}
	// Observed like every route: requests and error codes by route.
	m := string(do(h, http.MethodGet, "/metrics", nil, nil).body)
	for _, want := range []string{`route="admin",status="401"`, `route="admin",status="403"`, `route="admin",status="200"`, `trendgraph_errors_total{code="FORBIDDEN"}`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestAdminImportChangesTheDataAsOneChangeSet(t *testing.T) {
	h, st := adminHandler(t, nil)
	before := st.Version()
	body := curatedFile(t, "yaml", resummarize("A compiled language with goroutines, favoured for network services and command-line tools."))
	r := do(h, http.MethodPost, "/admin/import?reason="+url.QueryEscape("tighter summary of Go"), body, withHeaders(asAdmin, "Content-Type", "application/yaml"))
	if r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	got := r.json(t)
	if got["version"] != float64(before+1) || got["changes"] != float64(1) || got["actor"] != "ops" || got["reason"] != "tighter summary of Go" || got["unchanged"] != nil {
		t.Fatalf("import answered %s", r.body)
	}
	q := post(h, `{ technology(slug: "go") { summary } changes(filter: {actor: "ops"}) { edges { node { recordKey changeSet { version actor reason } } } } }`, nil, nil)
	if !strings.Contains(string(q.body), "favoured for network services") || !strings.Contains(string(q.body), `"recordKey":"go"`) || !strings.Contains(string(q.body), `"reason":"tighter summary of Go"`) {
		t.Fatalf("the query does not see the import: %s", q.body)
	}

	// The same dataset again, as JSON named by ?format=: nothing to change.
	again := curatedFile(t, "json", resummarize("A compiled language with goroutines, favoured for network services and command-line tools."))
	r = do(h, http.MethodPost, "/admin/import?format=json&reason=again", again, withHeaders(asAdmin, "Content-Type", "application/octet-stream"))
	if r.status != http.StatusOK || r.json(t)["unchanged"] != true || r.json(t)["version"] != float64(before+1) {
		t.Fatalf("second import: %d %s", r.status, r.body)
	}
	if st.Version() != before+1 {
		t.Fatalf("an unchanged import made version %d", st.Version())
	}
}

func TestAdminImportRefusesWhatItCannotWrite(t *testing.T) {
	h, st := adminHandler(t, func(c *Config) { c.Admin.MaxImportBytes = 200 << 10 })
	before := st.Version()
	valid := curatedFile(t, "yaml", nil)
	yamlAdmin := withHeaders(asAdmin, "Content-Type", "application/yaml")

	broken := bytes.Replace(valid, []byte("vendor: aws"), []byte("vendor: no-such-vendor"), 1)
	if bytes.Equal(broken, valid) {
		t.Fatal("no technology by aws to break")
	}
	r := do(h, http.MethodPost, "/admin/import?reason=broken", broken, withHeaders(yamlAdmin, "Content-Disposition", `attachment; filename="../curated.yaml"`))
	ps := problems(t, r)
	if r.status != http.StatusBadRequest || r.code(t) != graph.CodeBadUserInput || len(ps) != 1 {
		t.Fatalf("invalid dataset: %d %s", r.status, r.body)
	}
	p := ps[0].(map[string]any)
	if p["file"] != "curated.yaml" || p["line"].(float64) < 1 || !strings.HasSuffix(p["field"].(string), ".vendor") || !strings.Contains(p["message"].(string), "no-such-vendor") {
		t.Fatalf("problem: %v", p)
	}
	// A body that does not parse is a problem of the "request body", with its line.
	r = do(h, http.MethodPost, "/admin/import?reason=garbage", []byte("technologies:\n  - slug: [unclosed\n"), yamlAdmin)
	if ps := problems(t, r); r.status != http.StatusBadRequest || len(ps) == 0 || ps[0].(map[string]any)["file"] != "request body" {
		t.Fatalf("garbage: %d %s", r.status, r.body)
	}

	cases := []struct {
		name, target string
		body         []byte
		headers      map[string]string
		status       int
		code         string
	}{
		{"no reason", "/admin/import", valid, yamlAdmin, http.StatusBadRequest, graph.CodeBadUserInput},
		{"blank reason", "/admin/import?reason=%20", valid, yamlAdmin, http.StatusBadRequest, graph.CodeBadUserInput},
		{"long reason", "/admin/import?reason=" + strings.Repeat("x", 2001), valid, yamlAdmin, http.StatusBadRequest, graph.CodeBadUserInput},
		{"no type", "/admin/import?reason=x", valid, asAdmin, http.StatusUnsupportedMediaType, graph.CodeUnsupportedMediaType},
		{"bad format", "/admin/import?reason=x&format=xml", valid, yamlAdmin, http.StatusBadRequest, graph.CodeBadRequest},
		{"empty", "/admin/import?reason=x", []byte("\n  \n"), yamlAdmin, http.StatusBadRequest, graph.CodeBadUserInput},
		{"too large", "/admin/import?reason=x", bytes.Repeat([]byte("# padding\n"), 30<<10), yamlAdmin, http.StatusRequestEntityTooLarge, graph.CodeBodyTooLarge},
	}
	for _, c := range cases {
		if r := do(h, http.MethodPost, c.target, c.body, c.headers); r.status != c.status || r.code(t) != c.code {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	// Past the limit without a declared length (chunked): refused while reading.
	req := httptest.NewRequest(http.MethodPost, "/admin/import?reason=x", io.MultiReader(bytes.NewReader(valid), bytes.NewReader(bytes.Repeat([]byte("# padding\n"), 30<<10))))
	req.ContentLength = -1
	for k, v := range yamlAdmin {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked past the limit: %d %s", rec.Code, rec.Body)
	}
	if st.Version() != before {
		t.Fatalf("a refused import wrote version %d", st.Version())
	}
}

// With the source texts, an import's citations are checked against them, as `trendgraph
// check` does: a paragraph the section does not have is a problem.
func TestAdminImportChecksCitationsAgainstTheSourceTexts(t *testing.T) {
	d := kbtest.Curated(t)
	texts, err := dataset.ReadSourceTexts(d, kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	h, st := adminHandler(t, func(c *Config) { c.SourceTexts = texts })
	body := curatedFile(t, "yaml", func(d *dataset.Dataset) {
		for i := range d.Entities {
			if d.Entities[i].Slug == "go" {
				d.Entities[i].Citations = []domain.Citation{{Section: d.Entities[i].Citations[0].Section, Paragraph: 999}}
			}
		}
	})
	r := do(h, http.MethodPost, "/admin/import?reason=bad+citation", body, withHeaders(asAdmin, "Content-Type", "application/yaml"))
	if ps := problems(t, r); r.status != http.StatusBadRequest || len(ps) != 1 || !strings.Contains(ps[0].(map[string]any)["field"].(string), "citations") {
		t.Fatalf("bad citation: %d %s", r.status, r.body)
	}
	if st.Version() != 1 {
		t.Fatalf("version %d after a refused import", st.Version())
	}
}

func TestAdminExportAsOf(t *testing.T) {
	h, st := adminHandler(t, nil)
	original := do(h, http.MethodGet, "/admin/export?format=json", nil, asAdmin)
	if original.status != 200 || !strings.HasPrefix(original.header.Get("Content-Type"), "application/json") || !strings.Contains(original.header.Get("Content-Disposition"), `filename=trendgraph.json`) {
		t.Fatalf("export: %d %v", original.status, original.header)
	}
	var want bytes.Buffer
	current, err := st.Export()
	if err != nil {
		t.Fatal(err)
	}
	if err := dataset.Write(&want, current, "json"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(original.body, want.Bytes()) {
		t.Fatal("the export differs from the store's")
	}
	time.Sleep(2 * time.Millisecond) // change set times are in microseconds: keep them apart
	between := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(2 * time.Millisecond)
	r := do(h, http.MethodPost, "/admin/import?reason=edit", curatedFile(t, "yaml", resummarize("A compiled language made at Google, now common in cloud tooling.")), withHeaders(asAdmin, "Content-Type", "application/yaml"))
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	now := do(h, http.MethodGet, "/admin/export?format=json", nil, asAdmin)
	if bytes.Equal(now.body, original.body) || !strings.Contains(string(now.body), "common in cloud tooling") {
		t.Fatal("the export does not show the import")
	}
	for _, asOf := range []string{"1", between} {
		r := do(h, http.MethodGet, "/admin/export?format=json&asOf="+url.QueryEscape(asOf), nil, asAdmin)
		if r.status != 200 || !bytes.Equal(r.body, original.body) || !strings.Contains(r.header.Get("Content-Disposition"), "trendgraph-v1.json") {
			t.Fatalf("asOf %s: %d, equal to the original: %v", asOf, r.status, bytes.Equal(r.body, original.body))
		}
	}
	if r := do(h, http.MethodGet, "/admin/export?asOf=2", nil, asAdmin); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/yaml") || !strings.Contains(string(r.body), "common in cloud tooling") {
		t.Fatalf("asOf 2 as YAML: %d %.200s", r.status, r.body)
	}
	for _, bad := range []string{"0", "3", "yesterday", "2000-01-01T00:00:00Z"} {
		if r := do(h, http.MethodGet, "/admin/export?asOf="+bad, nil, asAdmin); r.status != http.StatusBadRequest || r.code(t) != graph.CodeBadUserInput {
			t.Errorf("asOf %s: %d %s", bad, r.status, r.body)
		}
	}
	if r := do(h, http.MethodGet, "/admin/export?format=csv", nil, asAdmin); r.status != http.StatusBadRequest || r.code(t) != graph.CodeBadRequest {
		t.Errorf("format csv: %d %s", r.status, r.body)
	}
}

func TestAdminBackupOpensAsTheDatabase(t *testing.T) {
	h, st := adminHandler(t, nil)
	r := do(h, http.MethodGet, "/admin/backup", nil, asAdmin)
	if r.status != 200 || r.header.Get("Content-Type") != "application/octet-stream" || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("backup: %d %v", r.status, r.header)
	}
	file := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(file, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	copied, err := store.Open(file, store.Config{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer copied.Close()
	if err := copied.Check(); err != nil {
		t.Fatal(err)
	}
	a, err := st.Export()
	if err != nil {
		t.Fatal(err)
	}
	b, err := copied.Export()
	if err != nil {
		t.Fatal(err)
	}
	var wa, wb bytes.Buffer
	_ = dataset.Write(&wa, a, "json")
	_ = dataset.Write(&wb, b, "json")
	if !bytes.Equal(wa.Bytes(), wb.Bytes()) || copied.Version() != st.Version() {
		t.Fatal("the backup holds other data than the database")
	}
	if diffs, err := copied.VerifyHistory(context.Background()); err != nil || diffs != nil {
		t.Fatalf("the backup's history: %v %v", diffs, err)
	}
}

func TestAdminCheck(t *testing.T) {
	h, st := adminHandler(t, nil)
	r := do(h, http.MethodGet, "/admin/check", nil, asAdmin)
	got := r.json(t)
	if r.status != 200 || got["ok"] != true || got["version"] != float64(st.Version()) || len(got["problems"].([]any)) != 0 {
		t.Fatalf("check: %d %s", r.status, r.body)
	}
}

// Store.Check joins bbolt's findings under one message; a failure to run is no finding.
func TestInconsistenciesAreTheJoinedErrors(t *testing.T) {
	found, ok := inconsistencies(fmt.Errorf("database x is inconsistent: %w", errors.Join(errors.New("page 3: unreachable"), errors.New("page 4: freed twice"))))
	if !ok || len(found) != 2 || found[1].Error() != "page 4: freed twice" {
		t.Fatalf("findings: %v %v", found, ok)
	}
	if _, ok := inconsistencies(fmt.Errorf("check: %w", context.Canceled)); ok {
		t.Fatal("a failure to run counts as findings")
	}
}

// The connection's deadlines are set for short GraphQL requests; an admin's upload that takes
// longer is not cut off by them, while other requests still are.
func TestAdminRequestsOutliveTheConnectionDeadlines(t *testing.T) {
	slow.Only(t) // seconds of work or waiting: the slow tier, which CI runs
	h, _ := adminHandler(t, nil)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	defer srv.Close()
	body := curatedFile(t, "yaml", resummarize("A compiled language made at Google, common in cloud tooling."))
	// slowPost sends body in ten parts over about a second: past both deadlines.
	slowPost := func(target, contentType string, body []byte, headers map[string]string) (int, error) {
		pr, pw := io.Pipe()
		go func() {
			step := len(body)/10 + 1
			for i := 0; i < len(body); i += step {
				time.Sleep(100 * time.Millisecond)
				if _, err := pw.Write(body[i:min(i+step, len(body))]); err != nil {
					return
				}
			}
			_ = pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+target, pr)
		req.Header.Set("Content-Type", contentType)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	if status, err := slowPost("/admin/import?reason=slow", "application/yaml", body, asAdmin); err != nil || status != http.StatusOK {
		t.Fatalf("slow admin import: %d %v", status, err)
	}
	query := []byte(`{"query":"{ technology(slug: \"go\") { name } }"}` + strings.Repeat(" ", 2000))
	if status, err := slowPost("/graphql", "application/json", query, nil); err == nil && status == http.StatusOK {
		t.Fatal("a slow GraphQL request was not cut off: the test's deadlines prove nothing")
	}
}
