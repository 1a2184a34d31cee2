package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

// A full disk or a read-only one: a clear message, a non-zero exit, and the database as it was.
func TestFullAndReadOnlyDisks(t *testing.T) {
	bin := buildBinary(t)
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
		// And a backup that does not fit leaves no file behind.
		copyTo := filepath.Join(dir, "copy.db")
		filler := filepath.Join(dir, "filler")
		_ = os.WriteFile(filler, make([]byte, 1<<20), 0o644)
		if out, err := exec.Command(bin, "backup", "--db", db, copyTo).CombinedOutput(); err == nil {
			t.Logf("the backup fit: %s", out)
		} else if _, statErr := os.Stat(copyTo); statErr == nil {
			t.Fatalf("a failed backup left %s behind", copyTo)
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
