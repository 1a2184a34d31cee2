// Command trendgraph serves and maintains the trendgraph knowledge base.
//
// Usage:
//
//	trendgraph <command> [flags]
//
// Every command takes --db (or TRENDGRAPH_DB), the path of the database file. While serve holds
// it, import, export, backup and check --check-db go through the server instead (--server).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/trendgraph/trendgraph/store"
)

// command is one subcommand: its flags are registered on fs, then run is called with the rest.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = []command{
	{"serve", "serve the GraphQL API, the playground, health and metrics over HTTP", runServe},
	{"import", "validate a dataset and write it to the database in one transaction", runImport},
	{"export", "write the database as one dataset file (yaml or json)", runExport},
	{"check", "validate a dataset without writing: references, vocabularies, citations", runCheck},
	{"backup", "write a consistent copy of the database, also while it is being served", runBackup},
	{"gen", "write a deterministic synthetic dataset for scale tests", runGen},
	{"mcp", "serve the knowledge graph to an AI assistant over standard input and output (MCP)", runMCP},
}

// env is what every command shares: streams and the environment, so tests can run commands
// in-process.
type env struct {
	// stdin is standard input; nil means os.Stdin.
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
}

// errUsage marks an error whose message is a usage problem; main exits 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, e *env, args []string) (code int) {
	// The database is memory-mapped: a fault reading a damaged file becomes a panic, recovered
	// below, instead of a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		// A damaged database file can make bbolt panic while reading it: say so plainly
		// instead of printing a stack trace.
		if p := recover(); p != nil {
			fmt.Fprintf(e.stderr, "trendgraph: the database %s could not be read (%v); it may be damaged: restore it from a backup or re-import\n", dbPath(e, args), p)
			code = 1
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(e.stderr, "trendgraph %s: %v\n", c.name, err)
			return 2
		case errors.Is(err, store.ErrEmptyDatabase):
			fmt.Fprintf(e.stderr, "trendgraph %s: %v; run `trendgraph import --db %s` or remove it\n", c.name, err, dbPath(e, args))
			return 1
		default:
			fmt.Fprintf(e.stderr, "trendgraph %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "trendgraph: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

// dbPath is the database a command line names, for messages.
func dbPath(e *env, args []string) string {
	for i, a := range args {
		if (a == "--db" || a == "-db") && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "--db="); ok {
			return v
		}
	}
	return e.envOr("TRENDGRAPH_DB", "./trendgraph.db")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: trendgraph <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --db (default $TRENDGRAPH_DB or ./trendgraph.db). While 'serve' holds the database,")
	fmt.Fprintln(w, "import, export, backup and check --check-db go through it: --server URL ($TRENDGRAPH_SERVER) with an")
	fmt.Fprintln(w, "admin token in $TRENDGRAPH_TOKEN or a --token-file. Run 'trendgraph <command> -h' for its flags.")
}

// flags starts a command's flag set with the flags every command shares.
func (e *env) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("trendgraph "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := fs.String("db", e.envOr("TRENDGRAPH_DB", "./trendgraph.db"), "database file ($TRENDGRAPH_DB)")
	return fs, db
}

func (e *env) envOr(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// parse parses args and wraps a bad command line as a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
