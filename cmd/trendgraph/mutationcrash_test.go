package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/store"
)

// Issue 12: a server killed (SIGKILL) while 8 writers send mutations loses no acknowledged
// mutation, holds no half of an unacknowledged one, and its history agrees with its data.
func TestMutationsSurviveSIGKILL(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	mustRun(t, "import", "--db", db)
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("writer write w-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		acked := killDuringWrites(t, bin, db, tokens, round)
		s, err := store.Open(db, store.Config{ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d: the database does not open after the kill: %v", round, err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if diffs, err := s.VerifyHistory(context.Background()); err != nil || len(diffs) > 0 {
			t.Fatalf("round %d: history disagrees with the data: %v %v", round, diffs, err)
		}
		slugs := make([]string, 0, len(acked))
		for slug := range acked {
			slugs = append(slugs, slug)
		}
		got, err := s.EntitiesBySlug(context.Background(), slugs)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range got {
			if e == nil {
				t.Errorf("round %d: acknowledged %s (version %d) is missing", round, slugs[i], acked[slugs[i]])
			}
		}
		// Every change set is whole: it holds its one entity's creation, nothing more or less.
		sets, err := s.ChangeSets(context.Background(), 2, 1_000_000, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range sets {
			if cs.Actor == "writer" && cs.Changes != 1 {
				t.Errorf("round %d: change set %d has %d changes", round, cs.Version, cs.Changes)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged mutations, %d change sets", round, len(acked), len(sets))
		if len(acked) == 0 {
			t.Fatalf("round %d: no mutation was acknowledged before the kill", round)
		}
	}
}

// killDuringWrites serves db, runs 8 writers that create entities until the server is killed
// with SIGKILL after some have been acknowledged, and returns the acknowledged slugs with their
// versions.
func killDuringWrites(t *testing.T, bin, db, tokens string, round int) map[string]int {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--access-log=false", "--rate", "0", "--tokens-file", tokens)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	guard := time.AfterFunc(hangGuard, func() { _ = cmd.Process.Kill() })
	m := waitForMatch(stderr, regexp.MustCompile(`msg=serving addr=(\S+)`))
	guard.Stop()
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	if m == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the server did not start")
	}
	var mu sync.Mutex
	acked := map[string]int{}
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				slug := fmt.Sprintf("crash-%d-%d-%d", round, w, i)
				version, err := createSkill(m[1], slug)
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[slug] = version
				if len(acked) >= 200 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(hangGuard):
		t.Error("fewer than 200 mutations acknowledged")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	wg.Wait()
	return acked
}

// createSkill creates one entity and returns the version of its change set.
func createSkill(addr, slug string) (int, error) {
	body, _ := json.Marshal(map[string]any{"query": `mutation($s: String!) { createEntity(input: {reason: "crash test", type: SKILL, slug: $s,
		name: $s, summary: "A skill the crash test writes.", citations: [{section: "Conclusion", paragraph: 1}]}) { changeSet { version } } }`,
		"variables": map[string]any{"s": slug}})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer w-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			CreateEntity struct{ ChangeSet struct{ Version int } }
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	if len(out.Errors) > 0 || out.Data.CreateEntity.ChangeSet.Version == 0 {
		return 0, fmt.Errorf("not acknowledged: %v", out.Errors)
	}
	return out.Data.CreateEntity.ChangeSet.Version, nil
}
