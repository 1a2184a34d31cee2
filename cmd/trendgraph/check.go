package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/trendgraph/trendgraph/data"
	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/store"
)

// defaultSourcePath is where the source texts live in a checkout beside shared/.
const defaultSourcePath = "../shared/seed"

func checkCommand(e *env) *cli.Command {
	var db, dataPath, source string
	var checkDB bool
	var rf remoteFlags
	f := &flags{e: e}
	f.db(&db)
	f.file(&dataPath, "data", "", "dataset file or directory (default: the embedded dataset); - reads one file from standard input")
	f.file(&source, "source", defaultSourcePath, "source text file, or directory of source texts, to check citations and wording against; empty to skip")
	f.boolean(&checkDB, "check-db", false, "also check the database: bbolt's consistency check, and its history replayed against its data (--db read-only, or through --server)")
	f.remote(&rf)
	return &cli.Command{
		Name:  "check",
		Usage: "validate a dataset without writing: references, vocabularies, citations",
		Flags: f.list,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return fmt.Errorf("%w: check takes no arguments (the dataset is --data)", errUsage)
			}
			var rem *remote
			if checkDB {
				var err error
				if rem, err = rf.connect(e); err != nil {
					return err
				}
			}
			m := newMeter(e, "check")
			defer m.end()
			d, texts, err := loadValid(e, m, dataPath, source, "")
			if err != nil {
				return err
			}
			where, version := db, uint64(0)
			if rem != nil {
				where = rem.base
				version, err = rem.checkDB(ctx, e)
			} else if checkDB {
				version, err = checkFile(ctx, e, db)
			}
			if err != nil {
				return err
			}
			c := d.Counts()
			fmt.Fprintf(e.stdout, "ok: %s, %d relationships (%d listed), %d assessments; citations checked against %d source texts\n",
				c.EntitySummary(), c.Relationships, c.Listed, c.Assessments, len(texts))
			if checkDB {
				fmt.Fprintf(e.stdout, "ok: database %s: consistent, and its history agrees with its data (version %d)\n", where, version)
			}
			return nil
		},
	}
}

// checkFile runs bbolt's consistency check on the database at db and replays its history
// against its data, printing every disagreement; the error counts them.
func checkFile(ctx context.Context, e *env, db string) (uint64, error) {
	s, err := openExisting(db)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		return 0, err
	}
	diffs, err := s.VerifyHistory(ctx)
	if err != nil {
		return 0, err
	}
	for _, d := range diffs {
		fmt.Fprintf(e.stderr, "history: %s\n", d)
	}
	if len(diffs) > 0 {
		return 0, fmt.Errorf("the database %s: its history disagrees with its data at %d records", db, len(diffs))
	}
	return s.Version(), nil
}

// loadValid reads the dataset at p (the embedded one when empty, standard input for -) and
// validates it against the source texts at source, printing every problem; the error counts
// them, followed by after. m shows the reading and checking.
func loadValid(e *env, m *meter, p, source, after string) (*dataset.Dataset, map[string]*dataset.SourceText, error) {
	var d *dataset.Dataset
	var err error
	if p == "-" {
		in := e.stdin
		if in == nil {
			in = os.Stdin
		}
		m.begin("reading", "bytes", -1)
		d, err = dataset.LoadReader(m.reader(in), "<stdin>")
	} else {
		m.begin("reading", "", -1)
		d, err = loadData(p)
	}
	if err != nil {
		return nil, nil, err
	}
	texts, err := sourceTexts(d, source)
	if err != nil {
		return nil, nil, err
	}
	m.begin("checking", "", -1)
	problems := dataset.Validate(d, texts)
	m.end()
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p.String())
		}
		return nil, nil, fmt.Errorf("%d problems%s", len(problems), after)
	}
	return d, texts, nil
}

// loadData reads the dataset at p, or the embedded one when p is empty.
func loadData(p string) (*dataset.Dataset, error) {
	if p == "" {
		return dataset.LoadFS(data.FS, ".", "data")
	}
	return dataset.LoadPath(p)
}

// storedSources is a dataset holding only the database's sources: what matching source texts
// to them needs, without exporting every record.
func storedSources(s *store.Store) (*dataset.Dataset, error) {
	sources, err := s.Sources()
	if err != nil {
		return nil, fmt.Errorf("read the sources of %s: %w", s.Path(), err)
	}
	d := &dataset.Dataset{}
	for _, src := range sources {
		d.Sources = append(d.Sources, src.Source)
	}
	return d, nil
}

// sourceTexts reads the source texts at p; an empty p skips the text checks.
func sourceTexts(d *dataset.Dataset, p string) (map[string]*dataset.SourceText, error) {
	if p == "" {
		return nil, nil
	}
	texts, err := dataset.ReadSourceTexts(d, p)
	if err != nil {
		return nil, fmt.Errorf("%w (pass --source FILE, or --source '' to skip the text checks)", err)
	}
	if len(texts) == 0 && len(d.Sources) > 0 {
		return nil, errors.New("no source text found in " + p + " for any source of the dataset")
	}
	return texts, nil
}
