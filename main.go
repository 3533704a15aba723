// Command pobox is a terminal inbox for Pushover: it logs in as an Open
// Client device, keeps every message in a local SQLite cache and lets a
// person read, search, delete and acknowledge messages from a keyboard.
//
// main only parses the command line and wires packages together; every
// verb lives in its own cmd_<verb>.go file and calls into a package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped by the release build (-ldflags "-X main.version=...").
var version = "dev"

// command is one verb of the pobox binary.
type command struct {
	name    string
	summary string // one line for `pobox --help`
	run     func(ctx context.Context, app *app, args []string) error
}

// commands lists the verbs in the order `pobox --help` shows them.
// A verb appears here only once it does something.
var commands = []command{
	{"login", "log in to Pushover and register this machine as a device", runLogin},
	{"logout", "forget the stored login (--purge: the cache too)", runLogout},
	{"send", "publish a message as an application", runSend},
	{"list", "print the cached messages (--json for scripts)", runList},
	{"sync", "download the waiting messages now, then exit", runSync},
	{"daemon", "keep the cache current without a UI", runDaemon},
	{"sandbox", "run a local Pushover-compatible server with a demo account", runSandbox},
	{"version", "print the pobox version", runVersion},
}

// app carries what every verb shares: its standard streams.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	global []string // global flags given before the verb; parseConfig reads them
}

// errUsage marks a command-line mistake: the message is printed with a hint
// to --help and pobox exits with status 2.
var errUsage = errors.New("usage")

// usageError reports a command-line mistake.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, a *app, args []string) int {
	var err error
	if a.global, args, err = splitGlobalFlags(args); err != nil {
		fmt.Fprintf(a.stderr, "pobox: %v\n", err)
		return 2
	}
	if len(args) == 0 {
		// The inbox itself arrives with the ui issue; until then, say what works.
		printUsage(a.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help", "help":
		printUsage(a.stdout)
		return 0
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, a, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(a.stderr, "pobox %s: %v\nRun 'pobox %s --help' for usage.\n", name, err, name)
			return 2
		default:
			fmt.Fprintf(a.stderr, "pobox %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(a.stderr, "pobox: unknown command %q\nRun 'pobox --help' for the list of commands.\n", name)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "pobox: a terminal inbox for Pushover\n\nUsage:\n  pobox <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'pobox <command> --help' for the flags of a command.\n")
}

// newFlagSet returns a flag set for a verb. Its Usage prints the synopsis,
// the flags and an example to standard output; parseFlags calls it on --help.
func newFlagSet(a *app, name, usage, example string) *flag.FlagSet {
	fs := flag.NewFlagSet("pobox "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parseFlags reports errors itself, once
	fs.Usage = func() {
		fmt.Fprintf(a.stdout, "Usage: pobox %s\n", usage)
		fs.SetOutput(a.stdout)
		if hasFlags(fs) {
			fmt.Fprintln(a.stdout, "\nFlags:")
			fs.PrintDefaults()
		}
		fs.SetOutput(io.Discard)
		if example != "" {
			fmt.Fprintf(a.stdout, "\nExample:\n  %s\n", example)
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses a verb's flags: --help prints the usage, and a bad flag
// becomes a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package would print it on every error
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		usage()
		return err
	default:
		return usageError("%v", err)
	}
}
