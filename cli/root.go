// Package cli is pobox's command line on cobra: one file a verb, each a
// newXxxCmd constructor added to the root here, the shared flags, the
// completions, and the one place where errors become exit codes.
//
// The verbs are thin: each parses its flags and calls a package (cache,
// sync, session, sandbox, ui).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
)

// version is stamped by the release build (-ldflags "-X pobox/cli.version=...").
var version = "dev"

// Exit codes, documented in `pobox --help` and the README.
const (
	ExitOK          = 0 // success
	ExitFailure     = 1 // any other failure
	ExitUsage       = 2 // a command-line mistake
	ExitNotLoggedIn = 3 // no stored login, the server no longer accepts it, or the device connected elsewhere
	ExitRefused     = 4 // the server refused the request (a 4xx reply)
	ExitQueued      = 5 // an action is queued: sent when Pushover can be reached
)

// exitCodesHelp ends `pobox --help`.
const exitCodesHelp = `
Exit status:
  0  success
  1  failure
  2  usage: a mistake on the command line
  3  not logged in, the server no longer accepts the login, or this device
     connected from elsewhere (pobox login)
  4  refused by the server (a bad receipt, token, password, ...)
  5  queued: ack or delete will be sent when Pushover can be reached
`

// Command groups of `pobox --help`.
const (
	groupInbox     = "inbox"
	groupAccount   = "account"
	groupScripting = "scripting"
	groupServer    = "server"
)

// app carries what every verb shares: its standard streams.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Execute runs pobox with the process's arguments and returns the exit
// status; main exits with it.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, a *app, args []string) int {
	root := newRootCmd(a)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if cmd == nil {
		cmd = root
	}
	prefix := cmd.CommandPath()
	var silent *silentError
	if !errors.As(err, &silent) {
		fmt.Fprintf(a.stderr, "%s: %s\n", prefix, cleanLines(err.Error()))
	}
	code := exitCode(err)
	if code == ExitUsage {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", prefix)
	}
	return code
}

// cleanLines is an error's text for the terminal: it may quote a server,
// a file or the command line, so each of its lines is sanitised.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = sanitize.Line(l)
	}
	return strings.Join(lines, "\n")
}

// exitCode maps an error to the exit status: the one place that decides.
func exitCode(err error) int {
	var queued *queuedError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errUsage):
		return ExitUsage
	case errors.Is(err, session.ErrNoSession), errors.Is(err, session.ErrSessionInvalid), errors.Is(err, errElsewhere):
		return ExitNotLoggedIn
	case errors.Is(err, session.ErrInvalidRequest), errors.Is(err, session.ErrBadCredentials),
		errors.Is(err, session.ErrTwoFactorRequired), errors.Is(err, session.ErrNameTaken),
		errors.Is(err, session.ErrRateLimited):
		return ExitRefused
	case errors.As(err, &queued):
		return ExitQueued
	}
	return ExitFailure
}

// queuedError reports actions left in the outbox: not a failure of pobox,
// but not done on Pushover yet either.
type queuedError struct{ err error }

func (e *queuedError) Error() string { return e.err.Error() }
func (e *queuedError) Unwrap() error { return e.err }

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

// sessionEnded turns the engine's SessionEnded into the error a verb
// returns: its sentence, and exit status 3 for both reasons, as both need
// the user (pobox login). After 'A' Pushover forbids a reconnect, so a
// service manager must not restart pobox into one (the README's unit).
func sessionEnded(ev inboxsync.SessionEnded) error {
	cause := session.ErrSessionInvalid
	if ev.Reason == inboxsync.EndElsewhere {
		cause = errElsewhere
	}
	return &endedError{ev.Text, ev.Reason, cause}
}

// errElsewhere is the cause of an end by 'A'; it maps to ExitNotLoggedIn.
var errElsewhere = errors.New("the device connected from another session")

// endedError is the engine's sentence, matching the cause for exitCode.
type endedError struct {
	text   string
	reason inboxsync.EndReason
	cause  error
}

func (e *endedError) Error() string { return e.text }
func (e *endedError) Unwrap() error { return e.cause }

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "pobox",
		Short: "pobox: a terminal inbox for Pushover",
		Long: "pobox: a terminal inbox for Pushover.\n\n" +
			"With no command, pobox opens the inbox; with no stored login it asks for your\n" +
			"Pushover e-mail, password (and two-factor code) first. Press ? inside for the keys.",
		Example:                    "  pobox --theme high-contrast",
		Version:                    version,
		Args:                       rootArgs,
		RunE:                       func(cmd *cobra.Command, args []string) error { return runInbox(cmd.Context(), a, cmd) },
		SilenceUsage:               true,
		SilenceErrors:              true, // run prints them, once, with the verb
		SuggestionsMinimumDistance: 2,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetFlagErrorFunc(flagError)

	pf := root.PersistentFlags()
	pf.String("api-url", "", "Pushover API `URL` (env POBOX_API_URL; default "+defaultAPIURL+")")
	pf.String("ws-url", "", "Pushover websocket `URL` (env POBOX_WS_URL; default "+defaultWSURL+")")
	pf.String("config", "", "config `FILE` (env POBOX_CONFIG; default $XDG_CONFIG_HOME/pobox/config.toml)")
	pf.String("theme", "", "colour theme `NAME`: default, high-contrast, mono, or a theme file (env POBOX_THEME)")
	_ = root.RegisterFlagCompletionFunc("theme", completeThemes(a))
	_ = root.MarkPersistentFlagFilename("config", "toml")

	root.AddGroup(
		&cobra.Group{ID: groupInbox, Title: "Inbox:"},
		&cobra.Group{ID: groupAccount, Title: "Account:"},
		&cobra.Group{ID: groupScripting, Title: "Scripting:"},
		&cobra.Group{ID: groupServer, Title: "Server:"},
	)
	for _, c := range []struct {
		group string
		cmd   *cobra.Command
	}{
		{groupInbox, newDemoCmd(a)},
		{groupInbox, newSyncCmd(a)},
		{groupAccount, newLoginCmd(a)},
		{groupAccount, newLogoutCmd(a)},
		{groupAccount, newStatusCmd(a)},
		{groupScripting, newSendCmd(a)},
		{groupScripting, newListCmd(a)},
		{groupScripting, newWatchCmd(a)},
		{groupScripting, newAckCmd(a)},
		{groupScripting, newDeleteCmd(a)},
		{groupServer, newDaemonCmd(a)},
		{groupServer, newSandboxCmd(a)},
		{groupServer, newServeCmd(a)},
		{"", newVersionCmd(a)},
	} {
		c.cmd.GroupID = c.group
		root.AddCommand(c.cmd)
	}
	root.SetHelpCommand(newHelpCmd(root))
	root.SetCompletionCommandGroupID(groupScripting)
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		tuneCompletionCmd(c)
	}
	// The exit codes end the root's help only.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(), "Examples:", "Example:", 1) + "{{if not .HasParent}}" + exitCodesHelp + "{{end}}")
	return root
}

// noArgs is the Args of a verb that takes none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError("%s takes no arguments", cmd.Name())
	}
	return nil
}

func versionLine() string {
	return fmt.Sprintf("pobox %s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
