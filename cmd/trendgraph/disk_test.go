package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
)

// mountTmpfs mounts a small tmpfs for the test, or skips when the test may not mount (it needs
// root, as in CI).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	return dir
}

// fillDisk writes to path until the file system it is on is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return
		}
	}
}

// A full disk or a read-only one: a clear message, a non-zero exit, and the database as it was.
func TestFullAndReadOnlyDisks(t *testing.T) {
	slow.Only(t)
	bin := crashBinary(t)
	small := filepath.Join(t.TempDir(), "small.json")
	mustRun(t, "gen", "--technologies", "2", "--relationships", "1", "-o", small)
	big := filepath.Join(t.TempDir(), "big.json")
	mustRun(t, "gen", "--technologies", "5000", "--relationships", "50000", "-o", big)

	t.Run("full", func(t *testing.T) {
		dir := mountTmpfs(t, "2m")
		db := filepath.Join(dir, "kb.db")
		mustRun(t, "import", "--db", db, small)
		before := digest(t, db)
		out, err := exec.Command(bin, "import", "--db", db, big).CombinedOutput()
		if err == nil || !strings.Contains(string(out), db) || strings.Contains(string(out), "goroutine ") {
			t.Fatalf("import onto a full disk: %v: %s", err, out)
		}
		if digest(t, db) != before {
			t.Fatal("a failed import on a full disk changed the database")
		}
		// And a backup that does not fit leaves no file behind. The disk is filled to the last
		// byte first, so the backup cannot fit whatever the sizes of the database and the disk.
		copyTo := filepath.Join(dir, "copy.db")
		fillDisk(t, filepath.Join(dir, "filler"))
		out, err = exec.Command(bin, "backup", "--db", db, copyTo).CombinedOutput()
		if err == nil || !strings.Contains(string(out), copyTo) || strings.Contains(string(out), "goroutine ") {
			t.Fatalf("backup onto a full disk: %v: %s", err, out)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "kb.db" && e.Name() != "filler" {
				t.Fatalf("a failed backup left %s behind", e.Name())
			}
		}
	})
	t.Run("read-only", func(t *testing.T) {
		dir := mountTmpfs(t, "8m")
		db := filepath.Join(dir, "kb.db")
		mustRun(t, "import", "--db", db, small)
		before := digest(t, db)
		if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
			t.Fatalf("remount read-only: %v %s", err, out)
		}
		out, err := exec.Command(bin, "import", "--db", db, big).CombinedOutput()
		if err == nil || !strings.Contains(string(out), db) || !strings.Contains(string(out), "read-only") {
			t.Fatalf("import onto a read-only disk: %v: %s", err, out)
		}
		// Reading still works.
		if out, err := exec.Command(bin, "export", "--db", db).CombinedOutput(); err != nil {
			t.Fatalf("export from a read-only disk: %v: %.300s", err, out)
		}
		if digest(t, db) != before {
			t.Fatal("the database changed")
		}
	})
}
