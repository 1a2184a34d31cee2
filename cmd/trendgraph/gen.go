package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"github.com/trendgraph/trendgraph/dataset"
)

func genCommand(e *env) *cli.Command {
	var techs, rels int
	var seed uint64
	var format, out, db string
	f := &flags{e: e}
	f.db(&db) // unused: every command takes it
	f.integer(&techs, "technologies", 1000, "number of technologies")
	f.integer(&rels, "relationships", 10000, "number of listed relationships between technologies")
	f.uint64(&seed, "seed", 1, "random seed: the same seed gives the same dataset")
	f.str(&format, "format", "json", "json or yaml")
	f.file(&out, "output", "-", "output file; - for standard output", "o")
	return &cli.Command{
		Name:        "gen",
		Usage:       "write a deterministic synthetic dataset for scale tests",
		Description: "Writes a synthetic dataset: trendgraph gen --technologies 100000 | trendgraph import -",
		Flags:       f.list,
		Action: func(_ context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return fmt.Errorf("%w: gen takes no arguments (the file is --output)", errUsage)
			}
			if err := formatArg(format); err != nil {
				return err
			}
			m := newMeter(e, "gen")
			defer m.end()
			m.begin("generating", "", -1)
			d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: techs, Relationships: rels, Seed: seed})
			if err != nil {
				return fmt.Errorf("%w: %v", errUsage, err)
			}
			m.begin("writing", "bytes", -1)
			if out == "" || out == "-" {
				return dataset.Write(m.writer(e.stdout), d, format)
			}
			return writeAtomically(out, func(w io.Writer) error { return dataset.Write(m.writer(w), d, format) })
		},
	}
}
