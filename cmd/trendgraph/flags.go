package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
)

// envSource is a flag's TRENDGRAPH_* variable, read through env (tests give their own): an
// empty value counts as unset. Help shows it as [$NAME].
type envSource struct {
	e   *env
	key string
}

func (s envSource) Lookup() (string, bool) {
	v := s.e.getenv(s.key)
	return v, v != ""
}
func (s envSource) IsFromEnv() bool  { return true }
func (s envSource) Key() string      { return s.key }
func (s envSource) String() string   { return fmt.Sprintf("environment variable %q", s.key) }
func (s envSource) GoString() string { return fmt.Sprintf("envSource{key:%q}", s.key) }

// flags collects a command's flags, each with its variable, under the category set last (serve's
// help groups them).
type flags struct {
	e        *env
	category string
	list     []cli.Flag
}

// from is the variable of a flag: TRENDGRAPH_ and the flag's name in capitals (--as-of reads
// $TRENDGRAPH_AS_OF). Every flag has one.
func (f *flags) from(flag string) cli.ValueSourceChain {
	return cli.NewValueSourceChain(envSource{f.e, envNameOf(flag)})
}

// envNameOf is the variable a flag reads by default.
func envNameOf(flag string) string {
	return "TRENDGRAPH_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// in sets the category of the flags added next.
func (f *flags) in(category string) *flags {
	f.category = category
	return f
}

func (f *flags) str(p *string, name, def, usage string, aliases ...string) {
	f.list = append(f.list, &cli.StringFlag{Name: name, Aliases: aliases, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category})
}

// file is a string flag naming a file (shells complete it).
func (f *flags) file(p *string, name, def, usage string, aliases ...string) {
	f.list = append(f.list, &cli.StringFlag{Name: name, Aliases: aliases, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category, TakesFile: true})
}

func (f *flags) boolean(p *bool, name string, def bool, usage string) {
	if def {
		// Help shows no default for a bool: say how to turn it off.
		usage += " (on by default: --" + name + "=false turns it off)"
	}
	f.list = append(f.list, &cli.BoolFlag{Name: name, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category})
}

func (f *flags) integer(p *int, name string, def int, usage string) {
	f.list = append(f.list, &cli.IntFlag{Name: name, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category})
}

func (f *flags) uint64(p *uint64, name string, def uint64, usage string) {
	f.list = append(f.list, &cli.Uint64Flag{Name: name, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category})
}

func (f *flags) float(p *float64, name string, def float64, usage string) {
	f.list = append(f.list, &cli.FloatFlag{Name: name, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category})
}

func (f *flags) duration(p *time.Duration, name string, def time.Duration, usage string) {
	f.list = append(f.list, &cli.DurationFlag{Name: name, Sources: f.from(name), Value: def, Destination: p, Usage: usage, Category: f.category})
}

// db adds --db, which every command takes.
func (f *flags) db(p *string) {
	f.file(p, "db", "./trendgraph.db", "database file")
}

// remote adds --server and --token-file, for a command that can go through a running server.
func (f *flags) remote(rf *remoteFlags) {
	f.str(&rf.server, "server", "", "URL of a running 'trendgraph serve' to go through instead of opening --db; needs an admin token")
	f.file(&rf.tokenFile, "token-file", "", "file holding the admin token for --server, the secret alone on one line; without it, $TRENDGRAPH_TOKEN holds the token")
}
