package main

import (
	"context"
	"fmt"
	"io"

	"github.com/trendgraph/trendgraph/dataset"
)

func runGen(_ context.Context, e *env, args []string) error {
	fs, _ := e.flags("gen")
	techs := fs.Int("technologies", 1000, "number of technologies")
	rels := fs.Int("relationships", 10000, "number of listed relationships between technologies")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same dataset")
	format := fs.String("format", "json", "json or yaml")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "yaml" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q: use yaml or json", errUsage, *format)
	}
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: *techs, Relationships: *rels, Seed: *seed})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *out == "" {
		return dataset.Write(e.stdout, d, *format)
	}
	return writeAtomically(*out, func(w io.Writer) error { return dataset.Write(w, d, *format) })
}
