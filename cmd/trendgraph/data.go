package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/store"
)

func importCommand(e *env) *cli.Command {
	var db, source, reason string
	var rf remoteFlags
	f := &flags{e: e}
	f.db(&db)
	f.file(&source, "source", "", "source text file or directory: also check citations and wording against it")
	f.str(&reason, "reason", "", "why, for the audit trail: required with --server, recorded by an import into --db too")
	f.remote(&rf)
	return &cli.Command{
		Name:      "import",
		Usage:     "validate a dataset and write it to the database in one transaction",
		ArgsUsage: "[PATH|-]",
		Description: "PATH is a dataset file or directory (default: the embedded dataset); - reads one file from standard input.\n" +
			"With --server, the running server imports it, as one change set by the token's name.",
		Flags: f.list,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 1 {
				return fmt.Errorf("%w: one PATH at most", errUsage)
			}
			path := cmd.Args().First()
			rem, err := rf.connect(e)
			if err != nil {
				return err
			}
			reason := strings.TrimSpace(reason)
			if rem != nil && reason == "" {
				return fmt.Errorf("%w: an import through --server needs --reason: say why, for the audit trail", errUsage)
			}
			m := newMeter(e, "import")
			defer m.end()
			d, _, err := loadValid(e, m, path, source, ": nothing was written")
			if err != nil {
				return err
			}
			if rem != nil {
				return rem.importData(ctx, e, path, d, reason)
			}
			// Large imports take a while: say when the checking is over and the writing begins.
			fmt.Fprintf(e.stderr, "valid; writing %s\n", db)
			if err := importInto(m.storeProgress(ctx), e, db, d, reason); err != nil {
				return err
			}
			m.end()
			c := d.Counts()
			fmt.Fprintf(e.stdout, "imported %d entities and %d relationships into %s\n", c.AllEntities(), c.Relationships, db)
			return nil
		},
	}
}

func exportCommand(e *env) *cli.Command {
	var db, format, out, asOf string
	var force bool
	var rf remoteFlags
	f := &flags{e: e}
	f.db(&db)
	f.str(&format, "format", "yaml", "yaml or json")
	f.file(&out, "output", "-", "output file; - for standard output, a device or pipe is written to, never replaced", "o")
	f.boolean(&force, "force", false, "overwrite an existing --output file")
	f.str(&asOf, "as-of", "", "export the data as it was at a data version (from 1) or an RFC 3339 time")
	f.remote(&rf)
	return &cli.Command{
		Name:  "export",
		Usage: "write the database as one dataset file (yaml or json)",
		Flags: f.list,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return fmt.Errorf("%w: export takes no arguments (the file is --output)", errUsage)
			}
			if err := formatArg(format); err != nil {
				return err
			}
			if asOf != "" {
				if _, _, err := asOfArg(asOf); err != nil {
					return err
				}
			}
			rem, err := rf.connect(e)
			if err != nil {
				return err
			}
			if rem != nil {
				return rem.export(ctx, e, format, asOf, out, force)
			}
			s, err := openExisting(db)
			if err != nil {
				return err
			}
			defer s.Close()
			m := newMeter(e, "export")
			defer m.end()
			m.begin("reading", "", -1)
			d, err := exportFile(ctx, s, asOf)
			if err != nil {
				return err
			}
			m.begin("writing", "bytes", -1)
			_, err = writeOutput(e, out, force, func(w io.Writer) error { return dataset.Write(m.writer(w), d, format) })
			return err
		},
	}
}

// exportFile reads the database's dataset, as it was at asOf when set (see asOfArg).
func exportFile(ctx context.Context, s *store.Store, asOf string) (*dataset.Dataset, error) {
	if asOf == "" {
		return s.Export()
	}
	version, at, err := asOfArg(asOf)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		if version, err = s.VersionAt(ctx, at); err != nil {
			return nil, err
		}
		if version == 0 {
			return nil, fmt.Errorf("the database %s held no data at %s: its first change set is later", s.Path(), asOf)
		}
	}
	return s.ExportAsOf(ctx, version)
}

func backupCommand(e *env) *cli.Command {
	var db string
	var force bool
	var rf remoteFlags
	f := &flags{e: e}
	f.db(&db)
	f.boolean(&force, "force", false, "overwrite an existing FILE")
	f.remote(&rf)
	return &cli.Command{
		Name:        "backup",
		Usage:       "write a consistent copy of the database, also while it is being served",
		ArgsUsage:   "FILE|-",
		Description: "Writes a consistent copy of the database to FILE; while 'serve' runs, through it with --server.\nFILE - is standard output; a device or pipe is written to, never replaced.",
		Flags:       f.list,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() != 1 {
				return fmt.Errorf("%w: give the backup FILE", errUsage)
			}
			file := cmd.Args().First()
			rem, err := rf.connect(e)
			if err != nil {
				return err
			}
			from, n, stream := db, int64(0), false
			if rem != nil {
				from = rem.base
				n, stream, err = rem.backup(ctx, e, file, force)
			} else {
				n, stream, err = backupFile(e, db, file, force)
			}
			if err != nil {
				return err
			}
			status := e.stdout
			if stream {
				status = e.stderr // the backup itself may be on standard output
			}
			fmt.Fprintf(status, "backed up %s to %s (%d bytes)\n", from, file, n)
			return nil
		},
	}
}

// backupFile writes a consistent copy of the database at db to out.
func backupFile(e *env, db, out string, force bool) (int64, bool, error) {
	s, err := openExisting(db)
	if err != nil {
		return 0, false, err
	}
	defer s.Close()
	var n int64
	stream, err := writeOutput(e, out, force, func(w io.Writer) error {
		var err error
		n, err = s.Backup(w)
		return err
	})
	return n, stream, err
}

// importInto writes d to the database at path: a new database is created whole (see
// createDatabase), an existing one is rewritten in one write transaction.
func importInto(ctx context.Context, e *env, path string, d *dataset.Dataset, reason string) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return createDatabase(ctx, path, d, reason)
	}
	s, err := store.Open(path, store.Config{})
	err = held(path, err)
	if errors.Is(err, store.ErrEmptyDatabase) {
		// The remains of a creation that never finished: nothing in it to keep.
		fmt.Fprintf(e.stderr, "%v; replacing it\n", err)
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("import into %s: %w", path, err)
		}
		return createDatabase(ctx, real, d, reason)
	}
	if err != nil {
		return err
	}
	if _, err := s.ImportChange(ctx, d, nil, importActor, reason); err != nil {
		_ = s.Close()
		return err
	}
	return s.Close()
}

// importActor is the author the change log records for an import from the command line
// (store.Import's own); an import through --server is by the token's name.
const importActor = "import"

// openExisting opens a database read-only (a shared lock, so that several can read it at once):
// it never creates or changes the file.
func openExisting(path string) (*store.Store, error) {
	s, err := store.Open(path, store.Config{ReadOnly: true})
	return s, held(path, err)
}

// held explains a database another process holds with bbolt's lock: most often a running
// server (it holds its database read-write), which the command can go through instead.
func held(path string, err error) error {
	if err != nil && strings.Contains(err.Error(), "locked by another process") {
		return fmt.Errorf("the database %s is held by another process (a running 'trendgraph serve'?): pass --server URL with an admin token ($TRENDGRAPH_TOKEN or --token-file) to go through it, or stop it: %w", path, err)
	}
	return err
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

// formatArg checks a --format of the commands that write a dataset file.
func formatArg(format string) error {
	if format != "yaml" && format != "json" {
		return fmt.Errorf("%w: unknown format %q: use yaml or json", errUsage, format)
	}
	return nil
}
