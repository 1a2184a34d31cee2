// Command trendgraph serves and maintains the trendgraph knowledge base.
//
// Usage:
//
//	trendgraph <command> [flags] [arguments]
//
// Every command takes --db (or TRENDGRAPH_DB), the path of the database file. While serve holds
// it, import, export, backup and check --check-db go through the server instead (--server).
// The command line is github.com/urfave/cli/v3's: help on standard output, every flag with its
// TRENDGRAPH_* variable, serve's flags grouped, shell completion (trendgraph completion bash).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v3"

	"github.com/trendgraph/trendgraph/store"
)

// env is what every command shares: streams and the environment, so tests can run commands
// in-process.
type env struct {
	// stdin is standard input; nil means os.Stdin.
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
	// args is the command line after the program name, for what the parser does not keep
	// (whether --db was written on it, the database a panic message names).
	args []string
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

// run executes one command line and returns the process exit code: 0, 1 for a failure, 2 for
// a usage error.
func run(ctx context.Context, e *env, args []string) (code int) {
	e.args = args
	// The database is memory-mapped: a fault reading a damaged file becomes a panic, recovered
	// below, instead of a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		// A damaged database file can make bbolt panic while reading it: say so plainly
		// instead of printing a stack trace.
		if p := recover(); p != nil {
			fmt.Fprintf(e.stderr, "trendgraph: the database %s could not be read (%v); it may be damaged: restore it from a backup or re-import\n", dbPath(e), p)
			code = 1
		}
	}()
	if len(args) == 0 {
		// No command is a usage error; --help is a request, answered on standard output.
		app := newApp(e, new(runState))
		app.Writer = e.stderr
		_ = cli.ShowRootCommandHelp(app)
		return 2
	}
	st := new(runState)
	app := newApp(e, st)
	err := app.Run(ctx, append([]string{"trendgraph"}, args...))
	name := st.command
	if name == "" && app.Command(args[0]) != nil {
		name = args[0] // refused while parsing its flags
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage) || !st.started:
		// Anything refused before a command's action ran is the command line's fault: an
		// unknown flag or command, a malformed value or variable.
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		if name == "" {
			fmt.Fprintf(e.stderr, "trendgraph: %s\nrun 'trendgraph --help' for the commands\n", msg)
		} else {
			fmt.Fprintf(e.stderr, "trendgraph %s: %s\nrun 'trendgraph %s --help' for its flags\n", name, msg, name)
		}
		return 2
	case errors.Is(err, store.ErrEmptyDatabase):
		fmt.Fprintf(e.stderr, "trendgraph %s: %v; run `trendgraph import --db %s` or remove it\n", name, err, dbPath(e))
		return 1
	default:
		fmt.Fprintf(e.stderr, "trendgraph %s: %v\n", name, err)
		return 1
	}
}

// runState is what one run learns as the parser goes: which command ran, and whether its
// action started (errors before it are usage errors).
type runState struct {
	command string
	started bool
}

// commandFactories build the subcommands, in the order help lists them.
var commandFactories = []func(*env) *cli.Command{
	serveCommand, importCommand, exportCommand, checkCommand, backupCommand, genCommand, mcpCommand,
}

// newApp builds the command line. Each command's action is wrapped so that st records it.
func newApp(e *env, st *runState) *cli.Command {
	app := &cli.Command{
		Name:    "trendgraph",
		Usage:   "a GraphQL knowledge API of backend-development trends, their technologies and tradeoffs",
		Version: buildVersion().String(),
		Description: "Every command takes --db (default $TRENDGRAPH_DB or ./trendgraph.db). While 'serve' holds the database,\n" +
			"import, export, backup and check --check-db go through it: --server URL ($TRENDGRAPH_SERVER) with an\n" +
			"admin token in $TRENDGRAPH_TOKEN or a --token-file. A FILE of - is standard input or output.",
		Writer:                e.stdout,
		ErrWriter:             e.stderr,
		Reader:                e.stdin,
		EnableShellCompletion: true,
		// Listed in help: trendgraph completion bash|zsh|fish|pwsh.
		ConfigureShellCompletionCommand: func(c *cli.Command) { c.Hidden = false },
		Suggest:                         true,
		HideHelpCommand:                 true,
		// Errors are the caller's to report (run): the library neither prints nor exits.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		OnUsageError:   usageError,
		Action: func(_ context.Context, cmd *cli.Command) error {
			switch {
			case cmd.NArg() == 1 && cmd.Args().First() == "help":
				// trendgraph help, as people type it (the help command itself is not listed).
			case cmd.NArg() > 0:
				return fmt.Errorf("%w: unknown command %q", errUsage, cmd.Args().First())
			}
			return cli.ShowRootCommandHelp(cmd)
		},
	}
	for _, f := range commandFactories {
		c := f(e)
		action := c.Action
		c.Action = func(ctx context.Context, cmd *cli.Command) error {
			st.command, st.started = cmd.Name, true
			return action(ctx, cmd)
		}
		c.OnUsageError = usageError
		app.Commands = append(app.Commands, c)
	}
	return app
}

// usageError marks a parse error of the command line as a usage error.
func usageError(_ context.Context, _ *cli.Command, err error, _ bool) error {
	return fmt.Errorf("%w: %w", errUsage, err)
}

// dbPath is the database the command line names, for messages.
func dbPath(e *env) string {
	if p, ok := dbOnCommandLine(e.args); ok {
		return p
	}
	return e.envOr("TRENDGRAPH_DB", "./trendgraph.db")
}

// dbOnCommandLine is the --db written on the command line, if any (not from the environment).
func dbOnCommandLine(args []string) (string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if (a == "--db" || a == "-db") && i+1 < len(args) {
			return args[i+1], true
		}
		for _, p := range []string{"--db=", "-db="} {
			if v, ok := strings.CutPrefix(a, p); ok {
				return v, true
			}
		}
	}
	return "", false
}

func (e *env) envOr(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// version is what this binary was built from, read from the build information Go embeds.
type version struct {
	Module, Revision, GoVersion string
	Modified                    bool
}

func buildVersion() version {
	v := version{Module: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Module, v.GoVersion = bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the version as --version prints it: the module version, the commit (marked when
// the tree had changes) and the Go release.
func (v version) String() string {
	rev := v.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		rev = "unknown commit"
	}
	if v.Modified {
		rev += "+modified"
	}
	return fmt.Sprintf("%s (%s, %s)", v.Module, rev, v.GoVersion)
}
