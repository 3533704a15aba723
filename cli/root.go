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
	"strings"
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
	{"demo", "try pobox on a built-in sandbox: no account, no network", runDemo},
	{"login", "log in to Pushover and register this machine as a device", runLogin},
	{"logout", "forget the stored login (--purge: the cache too)", runLogout},
	{"send", "publish a message as an application", runSend},
	{"list", "print the cached messages (--json for scripts)", runList},
	{"watch", "print new messages as they arrive (--exec CMD for each)", runWatch},
	{"ack", "acknowledge emergencies (--all: every one waiting)", runAck},
	{"delete", "delete messages (--upto ID: here and on Pushover)", runDelete},
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

// usageErr is a command-line mistake; it matches errUsage.
type usageErr struct{ msg string }

func (e *usageErr) Error() string        { return e.msg }
func (e *usageErr) Is(target error) bool { return target == errUsage }

// usageError reports a command-line mistake.
func usageError(format string, args ...any) error {
	return &usageErr{fmt.Sprintf(format, args...)}
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
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelpOrVersion(args[0])) {
		// No verb: the inbox.
		return finish(a, "pobox", runInbox(ctx, a, args))
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
		if c.name == name {
			return finish(a, "pobox "+name, c.run(ctx, a, args[1:]))
		}
	}
	fmt.Fprintf(a.stderr, "pobox: unknown command %q\nRun 'pobox --help' for the list of commands.\n", name)
	return 2
}

// finish reports what a verb returned and gives the exit status: 2 for a
// command-line mistake, 1 for any other failure.
func finish(a *app, prefix string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(a.stderr, "%s: %v\nRun '%s --help' for usage.\n", prefix, err, prefix)
		return 2
	default:
		fmt.Fprintf(a.stderr, "%s: %v\n", prefix, err)
		return 1
	}
}

// isHelpOrVersion reports the flags that mean a verb.
func isHelpOrVersion(arg string) bool {
	switch arg {
	case "-h", "--help", "-help", "--version", "-version":
		return true
	}
	return false
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "pobox: a terminal inbox for Pushover\n\nUsage:\n  pobox [--theme NAME]      the inbox (asks you to log in first if needed)\n  pobox <command> [flags]\n\nCommands:\n")
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
