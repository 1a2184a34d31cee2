package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
)

// temps lists the temporary files of creations of db left beside it.
func temps(t *testing.T, db string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(db), "."+filepath.Base(db)+".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// absentOrWhole fails unless db is absent or a complete database holding want, and checks that
// commands reading it answer plainly: a missing database is "no such file", never a stray
// temporary file opened in its place or "bad file descriptor".
func absentOrWhole(t *testing.T, label, db, want string) (absent bool) {
	t.Helper()
	if _, err := os.Lstat(db); err == nil {
		if digest(t, db) != want {
			t.Fatalf("%s: the database exists but does not hold the whole dataset", label)
		}
		return false
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", "--db", db},
		{"backup", "--db", db, filepath.Join(t.TempDir(), "copy.db")},
		{"check", "--db", db, "--check-db", "--source", ""},
	} {
		code, _, errOut := trendgraph(t, nil, args...)
		if code != 1 || !strings.Contains(errOut, db) || !strings.Contains(errOut, "no such file") {
			t.Fatalf("%s: %s with no database: exit %d: %s", label, args[0], code, errOut)
		}
	}
	return true
}

// Issue 17: a first import into a path that does not exist yet, killed at any point of creating
// the file, leaves no database there or a whole one; the next import succeeds and clears the
// temporary files killed ones left.
func TestFirstImportSurvivesSIGKILL(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	mustRun(t, "gen", "--technologies", "3000", "--relationships", "30000", "--seed", "5", "-o", big)

	// One creation to the end: the time from "writing" to exit spreads the timed kills over the
	// creation of the file and its write transaction.
	ref := filepath.Join(dir, "ref.db")
	took := timedImport(t, bin, ref, big)
	want := digest(t, ref)

	// Named points between the steps of a creation, each with the one outcome it allows.
	named := []struct {
		point  string
		absent bool
	}{
		{"create:before-temp", true},
		{"create:temp-created", true},
		{"create:before-rename", true},
		{"create:before-dir-sync", false},
		{"create:done", false},
	}
	for _, n := range named {
		db := filepath.Join(t.TempDir(), "new.db")
		cmd := exec.Command(bin, "import", "--db", db, big)
		cmd.Env = append(os.Environ(), "TRENDGRAPH_CRASH_AT="+n.point)
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("%s: the import was not killed there: %v", n.point, err)
		}
		if absent := absentOrWhole(t, n.point, db, want); absent != n.absent {
			t.Fatalf("%s: database absent %v, want %v", n.point, absent, n.absent)
		}
		mustRun(t, "import", "--db", db, big)
		if digest(t, db) != want || len(temps(t, db)) != 0 {
			t.Fatalf("%s: the next import did not leave the whole dataset and no temporary file: %v", n.point, temps(t, db))
		}
	}

	// Timed kills from the start of writing to just past the end, at fixed fractions.
	seen := map[bool]int{}
	kill := func(at time.Duration) {
		db := filepath.Join(t.TempDir(), "new.db")
		killAt(t, "writing", at, bin, "import", "--db", db, big)
		seen[absentOrWhole(t, "kill at "+at.String(), db, want)]++
		mustRun(t, "import", "--db", db, big)
		if digest(t, db) != want || len(temps(t, db)) != 0 {
			t.Fatalf("kill at %s: the next import did not leave the whole dataset and no temporary file", at)
		}
	}
	for i := range 12 {
		kill(took * time.Duration(i) / 10)
	}
	// The points are scaled to one timed run and this one may run slower: until a kill lands
	// after the rename, kill later, so that the kills are known to fall on both sides of it.
	// Steps grow with the delay: on a loaded CI machine a run can take many times the timed one.
	for at := took * 11 / 10; seen[false] == 0 && at < 30*took; {
		at += max(took/10, at/8)
		kill(at)
	}
	t.Logf("timed kills over a creation of %s: %d left no database, %d a whole one", took, seen[true], seen[false])
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("the timed kills did not fall on both sides of the rename: %d left no database, %d a whole one", seen[true], seen[false])
	}

	// serve creates a missing database from the embedded dataset the same way.
	db := filepath.Join(t.TempDir(), "served.db")
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "TRENDGRAPH_CRASH_AT=create:before-rename")
	if err := cmd.Run(); err == nil {
		t.Fatal("serve was not killed before its rename")
	}
	if _, err := os.Lstat(db); !errors.Is(err, os.ErrNotExist) || len(temps(t, db)) != 1 {
		t.Fatalf("serve killed before its rename: %v, temporary files %v", err, temps(t, db))
	}
}

// Issue 17: what a creation killed in place left (an empty file, a bbolt file with no buckets)
// gets a message saying what it is and what to do from every command, which leave the file
// as it is; import replaces it.
func TestLeftoversOfAKilledCreation(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"empty.db", "bare.db"} {
		db := filepath.Join(dir, name)
		if name == "empty.db" {
			if err := os.WriteFile(db, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			b, err := bolt.Open(db, 0o644, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := os.ReadFile(db)
		for _, args := range [][]string{
			{"export", "--db", db},
			{"backup", "--db", db, filepath.Join(dir, "copy.db")},
			{"check", "--db", db, "--check-db", "--source", ""},
			{"serve", "--db", db, "--addr", "127.0.0.1:0"},
		} {
			code, _, errOut := trendgraph(t, nil, args...)
			if code != 1 || !strings.Contains(errOut, db) || !strings.Contains(errOut, "no import finished into it") ||
				!strings.Contains(errOut, "trendgraph import") || strings.Contains(errOut, "bad file descriptor") {
				t.Fatalf("%s %s: exit %d: %s", name, args[0], code, errOut)
			}
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
			t.Fatalf("%s: reading commands changed the file", name)
		}
		code, out, errOut := trendgraph(t, nil, "import", "--db", db)
		if code != 0 || !strings.Contains(errOut, "replacing it") || !strings.Contains(out, "imported") {
			t.Fatalf("%s: import: exit %d: %s", name, code, errOut)
		}
		mustRun(t, "check", "--db", db, "--check-db", "--source", "")
	}
	// A temporary file of a killed creation is never taken for the database, and the next
	// creation removes it.
	db := filepath.Join(dir, "new.db")
	stale := filepath.Join(dir, ".new.db.tmp-0123456789abcdef")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := trendgraph(t, nil, "export", "--db", db); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Fatalf("export beside a stale temporary file: exit %d: %s", code, errOut)
	}
	mustRun(t, "import", "--db", db)
	if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale temporary file is still there: %v", err)
	}
}
