package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/internal/etcdtest"
	"github.com/trendgraph/trendgraph/internal/kbtest"
)

// post sends a GraphQL request with headers and returns its status, headers and data.
func post(t *testing.T, base, query string, headers map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal(b, &answer); err != nil || len(answer.Errors) > 0 {
		t.Fatalf("%s: %d %s", query, resp.StatusCode, b)
	}
	return resp.StatusCode, resp.Header, answer.Data
}

// Two servers as replicas of one cluster: the first seeds it with the embedded dataset, a write
// on one is read on the other, asked at the write's version, and both are ready.
func TestServeAsReplicas(t *testing.T) {
	c := etcdtest.Start(t, 1)
	dir := t.TempDir()
	tokens := tokensFile(t)
	endpoints := strings.Join(c.Endpoints, ",")
	// Replicas stop before the cluster does: an open watch holds an etcd member's Close for
	// seconds.
	a, stopA, _ := serve(t, "--db", filepath.Join(dir, "a.db"), "--etcd-endpoints", endpoints, "--tokens-file", tokens)
	defer stopA()
	b, stopB, _ := serve(t, "--db", filepath.Join(dir, "b.db"), "--etcd-endpoints", endpoints, "--tokens-file", tokens)
	defer stopB()
	for _, base := range []string{a, b} {
		resp, err := http.Get("http://" + base + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s not ready: %v %v", base, resp, err)
		}
		resp.Body.Close()
	}
	_, _, data := post(t, "http://"+a, `mutation { createEntity(input: {reason: "replicas", type: SKILL, slug: "consensus",
		name: "Consensus", summary: "Agreeing on one order of writes.", citations: [{section: "Conclusion", paragraph: 1}]}) {
		changeSet { version actor } } }`, map[string]string{"Authorization": "Bearer " + adminSecret})
	cs := data["createEntity"].(map[string]any)["changeSet"].(map[string]any)
	version := strconv.Itoa(int(cs["version"].(float64)))
	if cs["actor"] != "ops" || version != "2" {
		t.Fatalf("the write's change set: %v", cs)
	}
	_, header, data := post(t, "http://"+b, `{ skill(slug: "consensus") { name revision } }`, map[string]string{"X-Trendgraph-Min-Version": version})
	if data["skill"] == nil || header.Get("X-Trendgraph-Version") != version {
		t.Fatalf("the other replica at version %s: %v (version header %q)", version, data, header.Get("X-Trendgraph-Version"))
	}

	// The rest of the loop, alternating replicas: update on b, history on a, revert on a, the
	// old name back on b.
	asOps := map[string]string{"Authorization": "Bearer " + adminSecret}
	_, _, data = post(t, "http://"+b, `mutation { updateEntity(input: {reason: "rename", slug: "consensus", revision: 1, name: "Consensus protocols"}) {
		changeSet { version } } }`, asOps)
	updated := strconv.Itoa(int(data["updateEntity"].(map[string]any)["changeSet"].(map[string]any)["version"].(float64)))
	_, _, data = post(t, "http://"+a, `{ skill(slug: "consensus") { history { edges { node { action changeSet { reason } } } } } }`,
		map[string]string{"X-Trendgraph-Min-Version": updated})
	if edges := data["skill"].(map[string]any)["history"].(map[string]any)["edges"].([]any); len(edges) != 2 {
		t.Fatalf("history on a: %v", edges)
	}
	_, _, data = post(t, "http://"+a, `mutation { revert(input: {version: `+updated+`}) { changeSet { version } } }`, asOps)
	reverted := strconv.Itoa(int(data["revert"].(map[string]any)["changeSet"].(map[string]any)["version"].(float64)))
	_, _, data = post(t, "http://"+b, `{ skill(slug: "consensus") { name revision } }`, map[string]string{"X-Trendgraph-Min-Version": reverted})
	if got := data["skill"].(map[string]any); got["name"] != "Consensus" || got["revision"] != float64(3) {
		t.Fatalf("after the revert, on b: %v", got)
	}

	// Each replica's file equals the cluster's log at its version.
	for _, base := range []string{a, b} {
		out, errOut := through(t, "check", "--check-db", "--source", kbtest.SeedDir(t), "--server", "http://"+base)
		if !strings.Contains(out+errOut, "ok") {
			t.Fatalf("check through %s: %s %s", base, out, errOut)
		}
	}
}
