package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/store"
)

func runImport(ctx context.Context, e *env, args []string) error {
	fs, db := e.flags("import")
	source := fs.String("source", e.getenv("TRENDGRAPH_SOURCE"),
		"source text file or directory: also check citations and wording against it ($TRENDGRAPH_SOURCE)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: trendgraph import [flags] [PATH]\n\nPATH is a dataset file or directory (default: the embedded dataset).")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: one PATH at most", errUsage)
	}
	d, _, err := loadValid(e, fs.Arg(0), *source, ": nothing was written")
	if err != nil {
		return err
	}
	// Large imports take a while: say when the checking is over and the writing begins.
	fmt.Fprintf(e.stderr, "valid; writing %s in one transaction\n", *db)
	if err := importInto(ctx, e, *db, d); err != nil {
		return err
	}
	c := d.Counts()
	fmt.Fprintf(e.stdout, "imported %d entities and %d relationships into %s\n",
		c.AllEntities(), c.Relationships, *db)
	return nil
}

func runExport(_ context.Context, e *env, args []string) error {
	fs, db := e.flags("export")
	format := fs.String("format", "yaml", "yaml or json")
	out := fs.String("o", "-", "output file; - for standard output, a device or pipe is written to, never replaced")
	force := fs.Bool("force", false, "overwrite an existing -o file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "yaml" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q: use yaml or json", errUsage, *format)
	}
	s, err := openExisting(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := s.Export()
	if err != nil {
		return err
	}
	_, err = writeOutput(e, *out, *force, func(w io.Writer) error { return dataset.Write(w, d, *format) })
	return err
}

func runBackup(_ context.Context, e *env, args []string) error {
	fs, db := e.flags("backup")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: trendgraph backup [flags] FILE\n\nWrites a consistent copy of the database to FILE, also while 'serve' runs.\nFILE - is standard output; a device or pipe is written to, never replaced.")
		fs.PrintDefaults()
	}
	force := fs.Bool("force", false, "overwrite an existing FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give the backup FILE", errUsage)
	}
	s, err := openExisting(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	var n int64
	stream, err := writeOutput(e, fs.Arg(0), *force, func(w io.Writer) error {
		var err error
		n, err = s.Backup(w)
		return err
	})
	if err != nil {
		return err
	}
	status := e.stdout
	if stream {
		status = e.stderr // the backup itself may be on standard output
	}
	fmt.Fprintf(status, "backed up %s to %s (%d bytes)\n", *db, fs.Arg(0), n)
	return nil
}

// importInto writes d to the database at path: a new database is created whole (see
// createDatabase), an existing one is rewritten in one write transaction.
func importInto(ctx context.Context, e *env, path string, d *dataset.Dataset) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return createDatabase(ctx, path, d)
	}
	s, err := store.Open(path, store.Config{})
	if errors.Is(err, store.ErrEmptyDatabase) {
		// The remains of a creation that never finished: nothing in it to keep.
		fmt.Fprintf(e.stderr, "%v; replacing it\n", err)
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("import into %s: %w", path, err)
		}
		return createDatabase(ctx, real, d)
	}
	if err != nil {
		return err
	}
	if err := s.Import(ctx, d); err != nil {
		_ = s.Close()
		return err
	}
	return s.Close()
}

// openExisting opens a database read-only (a shared lock, so it works beside a running server):
// it never creates or changes the file.
func openExisting(path string) (*store.Store, error) {
	return store.Open(path, store.Config{ReadOnly: true})
}

// writeAtomically writes to a temporary file beside path, syncs it and renames it into place,
// so that path is either the complete new file or untouched.
func writeAtomically(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private; the result is ordinary data.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
