package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// outputDB is a database of the embedded dataset and the digest of its export.
func outputDB(t *testing.T) (db, want string) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "kb.db")
	mustRun(t, "import", "--db", db)
	return db, digest(t, db)
}

// Issue 10 item 9: backup and export -o write into a pipe instead of replacing it by a rename.
func TestOutputToAFIFOWritesIntoIt(t *testing.T) {
	db, want := outputDB(t)
	for _, args := range [][]string{{"backup", "--db", db}, {"export", "--db", db, "-o"}} {
		fifo := filepath.Join(t.TempDir(), "out")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		read := make(chan []byte, 1)
		go func() {
			b, _ := os.ReadFile(fifo) // blocks until a writer opens the pipe
			read <- b
		}()
		code, _, errOut := trendgraph(t, nil, append(args, fifo)...)
		if info, err := os.Lstat(fifo); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
			t.Fatalf("%s: the FIFO was replaced: %v %v", args[0], info.Mode(), err)
		}
		if code != 0 {
			t.Fatalf("%s into a FIFO: exit %d: %s", args[0], code, errOut)
		}
		got := <-read
		if args[0] == "backup" {
			copyDB := filepath.Join(t.TempDir(), "copy.db")
			if err := os.WriteFile(copyDB, got, 0o644); err != nil {
				t.Fatal(err)
			}
			if digest(t, copyDB) != want {
				t.Fatal("what the FIFO carried is not a copy of the database")
			}
		} else if exported := mustRun(t, "export", "--db", db); string(got) != exported {
			t.Fatalf("the FIFO carried %d bytes, not the %d of the export", len(got), len(exported))
		}
	}
}

// Issue 10 item 9: as root, backup to /dev/null used to rename a regular file over it. The test
// only ever writes to /dev/null, and checks it is still a device afterwards.
func TestOutputToDevNullLeavesTheDevice(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("%s is not writable here: %v", os.DevNull, err)
	}
	_ = f.Close()
	db, _ := outputDB(t)
	for _, args := range [][]string{{"backup", "--db", db, os.DevNull}, {"export", "--db", db, "-o", os.DevNull}} {
		code, _, errOut := trendgraph(t, nil, args...)
		if info, err := os.Lstat(os.DevNull); err != nil || info.Mode()&fs.ModeCharDevice == 0 {
			t.Fatalf("%s: %s is no longer a character device: %v %v", args[0], os.DevNull, info.Mode(), err)
		}
		if code != 0 {
			t.Fatalf("%s to %s: exit %d: %s", args[0], os.DevNull, code, errOut)
		}
	}
}

// Issue 10 item 9: "-" is standard output; an existing regular file is overwritten only with
// --force; a dangling link is neither output nor database.
func TestOutputFilesAndStandardOutput(t *testing.T) {
	db, want := outputDB(t)
	dir := t.TempDir()

	code, out, errOut := trendgraph(t, nil, "backup", "--db", db, "-")
	copyDB := filepath.Join(dir, "stdout.db")
	if err := os.WriteFile(copyDB, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code != 0 || digest(t, copyDB) != want || !strings.Contains(errOut, "backed up") {
		t.Fatalf("backup to -: exit %d: %s", code, errOut)
	}
	if got := mustRun(t, "export", "--db", db, "-o", "-"); got != mustRun(t, "export", "--db", db) {
		t.Fatal("export -o - differs from the export to standard output")
	}

	existing := filepath.Join(dir, "existing")
	for _, args := range [][]string{{"backup", "--db", db, existing}, {"export", "--db", db, "-o", existing}} {
		if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := trendgraph(t, nil, args...)
		if b, _ := os.ReadFile(existing); code != 1 || string(b) != "keep me" ||
			!strings.Contains(errOut, existing) || !strings.Contains(errOut, "--force") {
			t.Fatalf("%s over an existing file: exit %d: %s", args[0], code, errOut)
		}
		forced := append([]string{args[0], "--force"}, args[1:]...)
		if code, _, errOut := trendgraph(t, nil, forced...); code != 0 {
			t.Fatalf("%s --force: exit %d: %s", args[0], code, errOut)
		}
		if b, _ := os.ReadFile(existing); string(b) == "keep me" {
			t.Fatalf("%s --force did not overwrite the file", args[0])
		}
		if args[0] == "backup" && digest(t, existing) != want {
			t.Fatal("backup --force wrote something other than a copy of the database")
		}
	}

	dangling := filepath.Join(dir, "dangling")
	nowhere := filepath.Join(dir, "nowhere")
	if err := os.Symlink(nowhere, dangling); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"backup", "--db", db, dangling},
		{"export", "--db", db, "-o", dangling},
		{"import", "--db", dangling},
		{"serve", "--db", dangling, "--addr", "127.0.0.1:0"},
		{"export", "--db", dangling},
	} {
		code, _, errOut := trendgraph(t, nil, args...)
		if code != 1 || !strings.Contains(errOut, "symbolic link") || !strings.Contains(errOut, dangling) {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if _, err := os.Lstat(nowhere); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created the link's target", args)
		}
	}
}
