package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/store"
)

// The process-level tests below (and in create_test.go and disk_test.go) build the real
// binary and kill it, and take most of a minute: they run only in the slow tier
// ($TRENDGRAPH_SLOW_TESTS=1, which make test and so CI set; see internal/kbtest/slow).
var (
	binDir   string // made by TestMain for this package run, removed after it
	binOnce  sync.Once
	binPath  string
	binBuild error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trendgraph-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// crashBinary is trendgraph built once per package run, and only when a process-level test
// first asks for it: without -race, so that kills land where a real process would be, and with
// the crash points $TRENDGRAPH_CRASH_AT can name (crashpoint_on.go). Unset, the variable names
// no point and the binary behaves as the plain one, so one build serves every test.
func crashBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		bin := filepath.Join(binDir, "trendgraph")
		if out, err := exec.Command("go", "build", "-tags", "crashpoints", "-o", bin, ".").CombinedOutput(); err != nil {
			binBuild = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = bin
	})
	if binBuild != nil {
		t.Fatal(binBuild)
	}
	return binPath
}

// digest is the sha256 of a database's export, or "" when it does not open or is inconsistent.
func digest(t *testing.T, db string) string {
	t.Helper()
	s, err := store.Open(db, store.Config{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("the database does not open: %v", err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatalf("the database fails its consistency check: %v", err)
	}
	d, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := dataset.Write(&buf, d, "json"); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return string(sum[:])
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// killAt starts the command, kills it with SIGKILL d after it prints marker on standard error
// (at once when marker is empty), and waits for it.
func killAt(t *testing.T, marker string, d time.Duration, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if marker != "" {
		waitFor(stderr, marker)
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	time.Sleep(d)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}

// timedImport imports data into db to the end and returns the time from its "writing" message
// to its exit, over which kill points are spread.
func timedImport(t *testing.T, bin, db, data string) time.Duration {
	t.Helper()
	cmd := exec.Command(bin, "import", "--db", db, data)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(stderr, "writing")
	start := time.Now()
	_, _ = io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("import: %v", err)
	}
	return time.Since(start)
}

// waitFor reads r until it has seen marker (or r ends).
func waitFor(r io.Reader, marker string) {
	waitForMatch(r, regexp.MustCompile(regexp.QuoteMeta(marker)))
}

// waitForMatch reads r until what it has read matches re, and returns the submatches; nil when
// r ends first. A match must be followed by a byte, so that a token cut off mid-read is whole.
func waitForMatch(r io.Reader, re *regexp.Regexp) []string {
	var seen []byte
	buf := make([]byte, 512)
	for {
		if loc := re.FindIndex(seen); loc != nil && loc[1] < len(seen) {
			return re.FindStringSubmatch(string(seen))
		}
		n, err := r.Read(buf)
		seen = append(seen, buf[:n]...)
		if err != nil {
			if re.Match(seen) {
				return re.FindStringSubmatch(string(seen))
			}
			return nil
		}
	}
}

// An import killed at any point leaves the database opening, consistent, and holding exactly
// the old data or exactly the new data, never a mix.
func TestImportSurvivesSIGKILL(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	mustRun(t, "gen", "--technologies", "6000", "--relationships", "60000", "--seed", "3", "-o", big)
	old := filepath.Join(dir, "old.db")
	mustRun(t, "import", "--db", old)
	oldDigest := digest(t, old)

	// One import to the end: the time from "writing" to exit spreads the kill points over the
	// write; its result is "new".
	full := filepath.Join(dir, "full.db")
	copyFile(t, old, full)
	took := timedImport(t, bin, full, big)
	newDigest := digest(t, full)

	// 24 kill points from the start of the write transaction to just past its commit, at fixed
	// fractions: the same points on every run, scaled to this machine.
	var points []time.Duration
	for i := range 24 {
		points = append(points, took*time.Duration(i)/22)
	}
	seen := map[string]int{}
	kill := func(i int, at time.Duration) {
		work := filepath.Join(dir, "work.db")
		copyFile(t, old, work)
		killAt(t, "writing", at, bin, "import", "--db", work, big)
		switch digest(t, work) {
		case oldDigest:
			seen["old"]++
		case newDigest:
			seen["new"]++
		default:
			t.Fatalf("kill %d at %s of %s: the database holds neither the old nor the new data", i, at, took)
		}
	}
	for i, at := range points {
		kill(i, at)
	}
	// The points are scaled to one timed run and this one may run slower: until a kill lands
	// past the commit, kill later, so that the kills are known to fall on both sides of it.
	// Steps grow with the delay: on a loaded CI machine a run can take many times the timed one.
	for i, at := len(points), points[len(points)-1]; seen["new"] == 0 && at < 30*took; i++ {
		at += max(took/22, at/8)
		kill(i, at)
	}
	t.Logf("kills over a write of %s: %d left the old data, %d the new", took, seen["old"], seen["new"])
	if seen["old"] == 0 || seen["new"] == 0 {
		t.Fatalf("the kills did not fall on both sides of the commit (the points were %v): the test proved nothing about the write", points)
	}
}

// A backup killed at any point leaves either no backup file or a complete, consistent one, and
// the database untouched; a server killed while serving leaves the database intact.
func TestBackupAndServeSurviveSIGKILL(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	mustRun(t, "gen", "--technologies", "6000", "--relationships", "60000", "-o", big)
	db := filepath.Join(dir, "kb.db")
	mustRun(t, "import", "--db", db, big)
	want := digest(t, db)

	start := time.Now()
	if out, err := exec.Command(bin, "backup", "--db", db, filepath.Join(dir, "timing.db")).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	took := max(time.Since(start), 20*time.Millisecond)
	complete, absent := 0, 0
	kill := func(i int, at time.Duration) {
		target := filepath.Join(dir, "backup.db")
		_ = os.Remove(target)
		killAt(t, "", at, bin, "backup", "--db", db, target)
		if _, err := os.Stat(target); os.IsNotExist(err) {
			absent++
			return
		}
		if digest(t, target) != want {
			t.Fatalf("kill %d at %s: the backup file exists but is not a copy of the database", i, at)
		}
		complete++
	}
	for i := range 20 {
		kill(i, took*time.Duration(i+1)/20)
	}
	// As for imports: until a kill lands after the backup's rename, kill later.
	// Steps grow with the delay: on a loaded CI machine (a -race suite beside it) a backup took
	// over four times the timed one, and no kill landed after its rename.
	for i, at := 20, took; complete == 0 && at < 30*took; i++ {
		at += max(took/20, at/8)
		kill(i, at)
	}
	if digest(t, db) != want {
		t.Fatal("killed backups changed the database")
	}
	t.Logf("killed backups: %d complete, %d absent", complete, absent)
	if complete == 0 || absent == 0 {
		t.Fatalf("the kills did not fall on both sides of the backup's rename: %d complete, %d absent", complete, absent)
	}

	// A server killed mid-traffic: once its log says it serves, clients query it in a loop, and
	// it is killed after it has answered some of them.
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--access-log=false")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	guard := time.AfterFunc(hangGuard, func() { _ = cmd.Process.Kill() }) // a server that never logs
	m := waitForMatch(stderr, regexp.MustCompile(`msg=serving addr=(\S+)`))
	guard.Stop()
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	if m == nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the server did not start")
	}
	answered := make(chan struct{}, 1)
	stop := make(chan struct{})
	clients := make(chan struct{})
	go func() {
		defer close(clients)
		for {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := http.Post("http://"+m[1]+"/graphql", "application/json",
				strings.NewReader(`{"query":"{ technologies(first: 50) { totalCount nodes { relationships(first: 10) { totalCount } } } }"}`))
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					select {
					case answered <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	select {
	case <-answered:
	case <-time.After(hangGuard):
		t.Error("the server answered no query")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	close(stop)
	<-clients
	if digest(t, db) != want {
		t.Fatal("a killed server changed the database")
	}
}

// damagedFiles writes a good database and damaged copies of it beside it; it returns the good
// one's path and the damaged ones' paths by name.
func damagedFiles(t *testing.T) (good string, damaged map[string]string) {
	t.Helper()
	dir := t.TempDir()
	good = filepath.Join(dir, "good.db")
	mustRun(t, "import", "--db", good)
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string][]byte{
		// Meta pages and a little more: the pages the data lives on are gone.
		"truncated.db":   raw[:4*4096],
		"tiny.db":        raw[:100],
		"garbage.db":     bytes.Repeat([]byte("garbage!"), 4096),
		"empty.db":       {},
		"zeroed-meta.db": append(make([]byte, 8192), raw[8192:]...),
	}
	damaged = map[string]string{}
	for name, content := range contents {
		damaged[name] = filepath.Join(dir, name)
		if err := os.WriteFile(damaged[name], content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return good, damaged
}

// The damaged files of TestDamagedDatabases in the fast tier, in-process: export and check
// refuse each with a message naming it. (The process-level test adds serve, a hang guard and
// the absence of a panic trace.)
func TestDamagedDatabasesInProcess(t *testing.T) {
	_, files := damagedFiles(t)
	for name, path := range files {
		for _, args := range [][]string{{"export", "--db", path}, {"check", "--db", path, "--check-db", "--source", ""}} {
			if code, _, errOut := trendgraph(t, nil, args...); code != 1 || !strings.Contains(errOut, path) {
				t.Fatalf("%s %v: exit %d: %s", name, args[0], code, errOut)
			}
		}
	}
}

// Damaged database files: a clear message and a non-zero exit, never a hang or a panic trace.
func TestDamagedDatabases(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	good, files := damagedFiles(t)
	for name, path := range files {
		for _, args := range [][]string{{"export", "--db", path}, {"check", "--db", path, "--check-db", "--source", ""}, {"serve", "--db", path, "--addr", "127.0.0.1:0"}} {
			cmd := exec.Command(bin, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("%s %v: exit 0 on a damaged file", name, args[0])
				}
				msg := stderr.String()
				if strings.Contains(msg, "goroutine ") || !strings.Contains(msg, path) {
					t.Fatalf("%s %v: unclear message: %s", name, args[0], msg)
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("%s %v: hung", name, args[0])
			}
		}
	}
	// A database another process has open for writing: a clear message within the lock timeout.
	holder, err := store.Open(good, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	start := time.Now()
	out, err := exec.Command(bin, "import", "--db", good).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "locked by another process") || time.Since(start) > 10*time.Second {
		t.Fatalf("locked database: %v after %s: %s", err, time.Since(start), out)
	}
}
