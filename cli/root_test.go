package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"pobox/session"
	inboxsync "pobox/sync"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantOut    string
		wantErrOut string
	}{
		{"Version", []string{"version"}, 0, "pobox " + version, ""},
		{"VersionFlag", []string{"--version"}, 0, "pobox " + version + " (go", ""},
		{"Help", []string{"--help"}, 0, "Scripting:", ""},
		{"HelpGroups", []string{"--help"}, 0, "Account:\n  login", ""},
		{"HelpExitCodes", []string{"--help"}, 0, "3  not logged in", ""},
		{"HelpVerb", []string{"help", "list"}, 0, "--since WHEN", ""},
		{"VerbHelp", []string{"version", "--help"}, 0, "Example:\n  pobox version", ""},
		{"VerbHelpHasNoExitCodes", []string{"version", "--help"}, 0, "", ""},
		{"UnknownVerb", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"Typo", []string{"lsit"}, 2, "", `unknown command "lsit" (did you mean "list"?)`},
		{"TypoHint", []string{"stauts"}, 2, "", "Run 'pobox --help' for usage."},
		{"BadFlag", []string{"version", "--nope"}, 2, "", "pobox version: unknown flag: --nope"},
		{"BadRootFlag", []string{"--nope"}, 2, "", "unknown flag: --nope\n"},
		{"FlagTypo", []string{"list", "--limt", "3"}, 2, "", "unknown flag: --limt (did you mean --limit?)"},
		{"FlagPrefix", []string{"send", "--prio", "1", "x"}, 2, "", "unknown flag: --prio (did you mean --priority?)"},
		{"GlobalFlagTypo", []string{"--api", "x"}, 2, "", "unknown flag: --api (did you mean --api-url?)"},
		{"GlobalFlagTypoAfterVerb", []string{"status", "--confg", "x"}, 2, "", "(did you mean --config?)"},
		{"ExtraArg", []string{"version", "x"}, 2, "", "takes no arguments"},
		{"FlagValueMissing", []string{"list", "--limit"}, 2, "", "flag needs an argument"},
		{"ShortFlagsGrouped", []string{"list", "-ju", "-n", "x"}, 2, "", `invalid argument "x" for "-n, --limit"`},
		{"Completion", []string{"completion", "bash"}, 0, "__start_pobox", ""},
		{"CompletionHelp", []string{"completion", "--help"}, 0, "Example:", ""},
		{"CompletionTypo", []string{"completion", "bsh"}, 2, "", `unknown shell "bsh" (did you mean "bash"?)`},
		{"CompletionNoShell", []string{"completion"}, 2, "", "name the shell"},
		{"HelpTopicTypo", []string{"help", "lsit"}, 2, "", `unknown help topic "lsit" (did you mean "list"?)`},
		{"HelpSubTopicTypo", []string{"help", "completion", "zhs"}, 2, "", `unknown help topic "completion zhs" (did you mean "zsh"?)`},
		{"NoTerminal", nil, 1, "", "the inbox needs a terminal"},
		{"ErrorSanitised", []string{"list", "--x\x1b]0;pwned\x07\x1b[2J"}, 2, "", "unknown flag: --x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			configEnv(t)
			var out, errOut bytes.Buffer
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
			if code := run(context.Background(), a, tt.args); code != tt.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.code, errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErrOut) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tt.wantErrOut)
			}
			if strings.ContainsAny(errOut.String(), "\x1b\x07") {
				t.Errorf("control characters on stderr: %q", errOut.String())
			}
			if tt.name == "VerbHelpHasNoExitCodes" && strings.Contains(out.String(), "Exit status") {
				t.Errorf("a verb's help shows the exit codes:\n%s", out.String())
			}
		})
	}
}

// TestEveryVerbHasAnExample: `--help` on every command, cobra's own
// (help, completion and its shells) included, shows a one-line example
// of pobox itself; every verb is in a group of pobox --help.
func TestEveryVerbHasAnExample(t *testing.T) {
	configEnv(t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden {
				continue
			}
			path := strings.Fields(sub.CommandPath())[1:]
			var out, errOut bytes.Buffer
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
			if code := run(context.Background(), a, append(path, "--help")); code != ExitOK {
				t.Errorf("%s --help: exit status %d: %s", sub.CommandPath(), code, errOut.String())
			}
			_, example, ok := strings.Cut(out.String(), "\nExample:\n")
			if line, _, _ := strings.Cut(example, "\n"); !ok || !strings.HasPrefix(line, "  ") || !strings.Contains(line, "pobox ") {
				t.Errorf("%s --help: no example of pobox (%q)", sub.CommandPath(), line)
			}
			if strings.Contains(strings.TrimSpace(sub.Example), "\n") {
				t.Errorf("%s: Example %q, want one line", sub.CommandPath(), sub.Example)
			}
			if c.Parent() == nil && sub.GroupID == "" && sub.Name() != "version" && sub.Name() != "help" {
				t.Errorf("%s has no group in pobox --help", sub.Name())
			}
			walk(sub)
		}
	}
	walk(newRootCmd(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}))
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"OK", nil, ExitOK},
		{"Failure", errors.New("disk full"), ExitFailure},
		{"Usage", usageError("bad"), ExitUsage},
		{"NoSession", fmt.Errorf("sync: %w", session.ErrNoSession), ExitNotLoggedIn},
		{"SessionRefused", &session.SessionError{Status: 401}, ExitNotLoggedIn},
		{"SessionEnded", sessionEnded(inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut, Text: "x"}), ExitNotLoggedIn},
		{"Elsewhere", sessionEnded(inboxsync.SessionEnded{Reason: inboxsync.EndElsewhere, Text: "x"}), ExitNotLoggedIn},
		{"RequestRefused", fmt.Errorf("ack: %w", &session.RequestError{Status: 400}), ExitRefused},
		{"BadPassword", &session.CredentialsError{Status: 400}, ExitRefused},
		{"TwoFactor", &session.TwoFactorError{}, ExitRefused},
		{"NameTaken", &session.NameTakenError{}, ExitRefused},
		{"RateLimited", &session.RateLimitError{}, ExitRefused},
		{"Limit", &session.LimitError{Field: "title"}, ExitRefused},
		{"Unreachable", &session.NetworkError{Host: "x", Err: errors.New("refused")}, ExitFailure},
		{"ServerTrouble", &session.ServerError{Status: 503}, ExitFailure},
		{"Queued", &queuedError{errors.New("later")}, ExitQueued},
		{"RefusedBeatsQueued", errors.Join(&session.RequestError{Status: 400}, &queuedError{errors.New("later")}), ExitRefused},
		{"StatusLoggedOut", errNotLoggedInStatus, ExitNotLoggedIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestReportActions(t *testing.T) {
	ack := inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: "r1"}
	tests := []struct {
		name string
		evs  []inboxsync.Event
		want int
		out  string
	}{
		{"Done", []inboxsync.Event{inboxsync.ActionDone{Action: ack}}, ExitOK, "acknowledge r1: done on Pushover\n"},
		{"DoneUntrustedReceipt", []inboxsync.Event{inboxsync.ActionDone{Action: inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: "r\x1b]0;x\x07\x1b[2J2"}}},
			ExitOK, "acknowledge r2: done on Pushover\n"},
		{"Queued", []inboxsync.Event{inboxsync.ActionFailed{Action: ack, Err: &session.NetworkError{Host: "h", Err: errors.New("x")}, Queued: true}}, ExitQueued, ""},
		{"Refused", []inboxsync.Event{inboxsync.ActionFailed{Action: ack, Err: &session.RequestError{Status: 400}}}, ExitRefused, ""},
		{"SessionRefused", []inboxsync.Event{inboxsync.ActionFailed{Action: ack, Err: &session.SessionError{Status: 401}, Queued: true}}, ExitNotLoggedIn, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if got := exitCode(reportActions(&out, tt.evs)); got != tt.want || out.String() != tt.out {
				t.Errorf("exit %d, output %q; want %d, %q", got, out.String(), tt.want, tt.out)
			}
		})
	}
}
