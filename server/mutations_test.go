package server

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

var curatorToken = Token{Name: "alice", Secret: "w-secret", Scopes: []graph.Scope{graph.ScopeRead, graph.ScopeWrite}}

const addSkill = `mutation($slug: String!) { createEntity(input: {reason: "test", type: SKILL, slug: $slug, name: "A skill",
	summary: "Something a developer learns.", citations: [{section: "Conclusion", paragraph: 1}]}) { entity { slug revision } changeSet { actor version } } }`

// Mutations run over POST as the token's owner, and the response cache never serves an answer
// computed before a write after it.
func TestMutationsThroughTheServer(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) {
		c.Tokens = append(ReadTokens("r-secret"), curatorToken)
		c.RatePerSecond = 0
	})
	asAlice := map[string]string{"Authorization": "Bearer w-secret"}
	count := `{ skills { totalCount } }`
	before := post(h, count, nil, nil)
	if again := post(h, count, nil, nil); again.status != 200 || string(again.body) != string(before.body) {
		t.Fatalf("the count is not stable: %s vs %s", before.body, again.body)
	}

	r := post(h, addSkill, map[string]any{"slug": "patience"}, asAlice)
	var resp struct {
		Data struct {
			CreateEntity struct {
				Entity    struct{ Revision int }
				ChangeSet struct{ Actor string }
			}
		}
	}
	if err := json.Unmarshal(r.body, &resp); err != nil || r.status != 200 || resp.Data.CreateEntity.ChangeSet.Actor != "alice" {
		t.Fatalf("mutation: %d %s", r.status, r.body)
	}
	after := post(h, count, nil, nil)
	if string(after.body) == string(before.body) {
		t.Fatalf("the cached count survived the write: %s", after.body)
	}

	// No token: UNAUTHENTICATED; a read token: FORBIDDEN; both with nothing written.
	for _, c := range []struct {
		headers map[string]string
		code    string
	}{{nil, graph.CodeUnauthenticated}, {map[string]string{"Authorization": "Bearer r-secret"}, graph.CodeForbidden}} {
		r := post(h, addSkill, map[string]any{"slug": "grit"}, c.headers)
		if got := r.code(t); got != c.code {
			t.Errorf("headers %v: code %q, want %q: %s", c.headers, got, c.code, r.body)
		}
	}
	if r := post(h, count, nil, nil); string(r.body) != string(after.body) {
		t.Fatalf("a refused mutation changed the data: %s", r.body)
	}

	// Mutations never go over GET.
	if r := do(h, http.MethodGet, "/graphql?query="+strings.ReplaceAll(`mutation { revert(input: {version: 1}) { changeSet { version } } }`, " ", "+"), nil, asAlice); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET mutation: %d %s", r.status, r.body)
	}
}

// A mutation sent by hash (APQ) is not an HTTP-cacheable answer, and runs again every time.
func TestPersistedMutationsAreNotCached(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.Tokens = []Token{curatorToken}; c.RatePerSecond = 0 })
	asAlice := map[string]string{"Authorization": "Bearer w-secret", "Content-Type": "application/json"}
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha256Hex(addSkill)}}
	send := func(withText bool, slug string) response {
		body := map[string]any{"variables": map[string]any{"slug": slug}, "extensions": ext}
		if withText {
			body["query"] = addSkill
		}
		b, _ := json.Marshal(body)
		return do(h, http.MethodPost, "/graphql", b, asAlice)
	}
	if r := send(true, "focus"); r.status != 200 || r.code(t) != "" {
		t.Fatalf("registering: %d %s", r.status, r.body)
	}
	r := send(false, "calm")
	if r.status != 200 || r.code(t) != "" || r.header.Get("ETag") != "" || r.header.Get("Cache-Control") != "" {
		t.Fatalf("a mutation's answer by hash: %d %s, headers %v", r.status, r.body, r.header)
	}
	// The same mutation again conflicts: it ran, rather than being answered from a cache.
	if r := send(false, "calm"); r.code(t) != graph.CodeConflict {
		t.Fatalf("second run by hash: code %q: %s", r.code(t), r.body)
	}
}

// A server over a read-only database answers reads and refuses changes with READ_ONLY.
func TestReadOnlyServerRefusesChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kb.db")
	w, err := store.Open(path, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Import(context.Background(), kbtest.Curated(t)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := store.Open(path, store.Config{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ro.Close() })
	h := newHandler(t, ro, func(c *Config) { c.Tokens = []Token{curatorToken} })
	if r := post(h, `{ skills { totalCount } }`, nil, nil); r.status != 200 || r.code(t) != "" {
		t.Fatalf("read: %d %s", r.status, r.body)
	}
	r := post(h, addSkill, map[string]any{"slug": "patience"}, map[string]string{"Authorization": "Bearer w-secret"})
	if r.code(t) != graph.CodeReadOnly {
		t.Fatalf("mutation on a read-only database: %s", r.body)
	}
}

// Every answer names its data version; a request naming a version it needs waits for it and,
// past the wait, says so.
func TestMinVersion(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { c.Tokens = []Token{curatorToken}; c.MinVersionWait = 50 * time.Millisecond })
	r := post(h, `{ dataVersion }`, nil, nil)
	if r.header.Get(HeaderVersion) != "1" {
		t.Fatalf("version header %q", r.header.Get(HeaderVersion))
	}
	if r := post(h, `{ dataVersion }`, nil, map[string]string{HeaderMinVersion: "1"}); r.status != 200 || r.code(t) != "" {
		t.Fatalf("a version reached: %d %s", r.status, r.body)
	}
	r = post(h, `{ dataVersion }`, nil, map[string]string{HeaderMinVersion: "2"})
	if r.status != http.StatusServiceUnavailable || r.code(t) != graph.CodeVersionNotReached || r.header.Get("Retry-After") == "" {
		t.Fatalf("a version not reached: %d %s", r.status, r.body)
	}
	if r := post(h, `{ dataVersion }`, nil, map[string]string{HeaderMinVersion: "two"}); r.status != http.StatusBadRequest {
		t.Fatalf("a malformed version: %d %s", r.status, r.body)
	}
	// A request waiting for version 2 is answered once a write makes it.
	done := make(chan response)
	slow := newHandler(t, st, func(c *Config) { c.Tokens = []Token{curatorToken} })
	go func() { done <- post(slow, `{ dataVersion }`, nil, map[string]string{HeaderMinVersion: "2"}) }()
	if w := post(slow, addSkill, map[string]any{"slug": "waiting"}, map[string]string{"Authorization": "Bearer w-secret"}); w.code(t) != "" {
		t.Fatalf("write: %s", w.body)
	}
	if r := <-done; r.status != 200 || !strings.Contains(string(r.body), `"dataVersion":2`) {
		t.Fatalf("the waiting read: %d %s", r.status, r.body)
	}
}
