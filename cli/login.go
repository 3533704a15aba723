package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"pobox/session"
)

// maxNameTries bounds how often login offers another device name.
const maxNameTries = 10

func newLoginCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login",
		Short: "log in to Pushover and register this machine as a device",
		Long: "Log in to Pushover and register this machine as an Open Client device. On a\n" +
			"terminal it asks for what the flags do not give; the password is never echoed\n" +
			"and never stored. The login (user key, secret, device) is kept private in the\n" +
			"config directory.",
		Example: "  pobox login --email me@example.com --password-stdin --device laptop < password.txt",
		Args:    noArgs,
	}
	f := cmd.Flags()
	email := f.String("email", "", "account e-mail `ADDRESS`")
	pwStdin := f.Bool("password-stdin", false, "read the password from the first line of standard input")
	twofa := f.String("twofa", "", "two-factor `CODE`, when the account uses two-factor authentication")
	device := f.String("device", "", "device `NAME`: 1-25 letters, digits, _ or - (default: the host name)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		return runLogin(cmd.Context(), a, cfg, *email, *pwStdin, *twofa, *device)
	}
	return cmd
}

func runLogin(ctx context.Context, a *app, cfg *config, email string, pwStdin bool, twofa, device string) error {
	l := &login{a: a, cfg: cfg, interactive: !pwStdin}
	defer l.close()
	if err := l.credentials(ctx, email, pwStdin); err != nil {
		return err
	}
	client, err := cfg.client()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	res, err := l.logIn(ctx, client, twofa)
	if err != nil {
		return err
	}
	name, id, err := l.register(ctx, client, res.Secret, device)
	if err != nil {
		return err
	}
	old, _ := session.Load(cfg.SessionPath)
	st := &session.Stored{
		Email: l.email, UserKey: res.UserKey, Secret: res.Secret, DeviceID: id, DeviceName: name,
		APIURL: cfg.APIURL, WSURL: cfg.WSURL, Created: time.Now().UTC(),
	}
	if err := session.Save(cfg.SessionPath, st); err != nil {
		return err
	}
	// Opening the cache records the new login in it, so that a pobox
	// running on the previous one stops (a daemon starts again on this).
	// Without a cache no pobox runs: login creates none.
	if _, err := os.Stat(cfg.CachePath); err == nil {
		if db, err := openCache(ctx, cfg); err != nil {
			fmt.Fprintf(a.stderr, "pobox login: the login is stored, but the cache could not record it: %v\n", err)
		} else {
			db.Close()
		}
	}
	fmt.Fprintf(a.stdout, "Logged in as device %q.\nSession stored in %s\n", name, cfg.SessionPath)
	if old != nil && old.DeviceID != id {
		fmt.Fprintf(a.stdout, "The previous device %q stays on your Pushover account; delete it on the Pushover website if you no longer use it.\n", old.DeviceName)
	}
	return nil
}

// login holds one run of `pobox login`.
type login struct {
	a           *app
	cfg         *config
	interactive bool // the user types on a terminal (no --password-stdin)
	email, pw   string

	tty       terminal
	ttyClose  func()
	ttyOpened bool
}

// terminal is where login asks its questions.
type terminal interface {
	ReadLine(ctx context.Context, prompt string) (string, error)
	ReadPassword(ctx context.Context, prompt string) (string, error)
}

// openTerminal finds the user's terminal: standard input when it is one,
// else /dev/tty; nil when there is none. Tests replace it.
var openTerminal = func(a *app) (terminal, func()) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &ttyTerminal{in: f, out: a.stderr}, func() {}
	}
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil
	}
	if !term.IsTerminal(int(f.Fd())) {
		f.Close()
		return nil, nil
	}
	return &ttyTerminal{in: f, out: f}, func() { f.Close() }
}

func (l *login) terminal() terminal {
	if !l.ttyOpened {
		l.ttyOpened = true
		l.tty, l.ttyClose = openTerminal(l.a)
	}
	return l.tty
}

func (l *login) close() {
	if l.ttyClose != nil {
		l.ttyClose()
	}
}

// credentials gathers the e-mail address and the password.
func (l *login) credentials(ctx context.Context, email string, pwStdin bool) error {
	var err error
	l.email = strings.TrimSpace(email)
	if l.email == "" {
		tty := l.terminal()
		if tty == nil || !l.interactive {
			return usageError("--email is required when pobox cannot ask on a terminal")
		}
		if l.email, err = tty.ReadLine(ctx, "E-mail: "); err != nil {
			return err
		}
		if l.email = strings.TrimSpace(l.email); l.email == "" {
			return usageError("no e-mail address given")
		}
	}
	if pwStdin {
		line, err := bufio.NewReader(io.LimitReader(l.a.stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		l.pw = strings.TrimRight(line, "\r\n")
	} else {
		tty := l.terminal()
		if tty == nil {
			return usageError("not on a terminal: give the password with --password-stdin")
		}
		if l.pw, err = tty.ReadPassword(ctx, "Password: "); err != nil {
			return err
		}
	}
	if l.pw == "" {
		return usageError("the password is empty")
	}
	return nil
}

// logIn logs in, asking for the two-factor code on the terminal when the
// server wants one and none (or a wrong one) was given.
func (l *login) logIn(ctx context.Context, client *session.Client, code string) (session.Login, error) {
	for try := 0; ; try++ {
		res, err := client.Login(ctx, l.email, l.pw, code)
		if !errors.Is(err, session.ErrTwoFactorRequired) {
			return res, err
		}
		tty := l.terminal()
		if tty == nil || try >= 3 {
			if code == "" {
				return res, fmt.Errorf("%w: run again with --twofa CODE", err)
			}
			return res, err
		}
		if code != "" {
			fmt.Fprintln(l.a.stderr, "That code was not accepted.")
		}
		if code, err = tty.ReadLine(ctx, "Two-factor code: "); err != nil {
			return res, err
		}
		code = strings.TrimSpace(code)
	}
}

// register registers the device, choosing and if needed changing its name.
func (l *login) register(ctx context.Context, client *session.Client, secret session.Secret, flagName string) (string, string, error) {
	name := firstSet(flagName, defaultDeviceName(l.cfg))
	ask := l.interactive && flagName == "" && l.terminal() != nil
	for try := 0; ; try++ {
		candidate := name
		if ask {
			answer, err := l.tty.ReadLine(ctx, fmt.Sprintf("Device name [%s]: ", name))
			if err != nil {
				return "", "", err
			}
			if answer = strings.TrimSpace(answer); answer != "" {
				candidate = answer
			}
		}
		if err := session.CheckDeviceName(candidate); err != nil {
			if ask && try < maxNameTries {
				var le *session.LimitError
				if errors.As(err, &le) {
					fmt.Fprintf(l.a.stderr, "The %s %s.\n", le.Field, le.Msg)
				}
				continue // ask again, still offering the last valid name
			}
			return "", "", limitAsUsage(err)
		}
		name = candidate
		id, err := client.RegisterDevice(ctx, secret, name)
		var taken *session.NameTakenError
		if !errors.As(err, &taken) {
			return name, id, err
		}
		if !l.interactive || l.terminal() == nil || try >= maxNameTries {
			return "", "", fmt.Errorf("%w\nRun again with --device %s (or another free name).", err, taken.Suggestion)
		}
		fmt.Fprintf(l.a.stderr, "The device name %q is already taken on this account.\n", name)
		name, ask = taken.Suggestion, true
	}
}

// ttyTerminal asks on a real terminal.
type ttyTerminal struct {
	in  *os.File
	out io.Writer
}

// ReadLine reads one line, unbuffered so that nothing typed ahead is lost.
func (t *ttyTerminal) ReadLine(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	return t.cancellable(ctx, func() (string, error) {
		var b strings.Builder
		buf := make([]byte, 1)
		for {
			n, err := t.in.Read(buf)
			if n == 1 && buf[0] == '\n' {
				return strings.TrimRight(b.String(), "\r"), nil
			}
			if n == 1 {
				b.WriteByte(buf[0])
			}
			if err != nil {
				if errors.Is(err, io.EOF) && b.Len() > 0 {
					return b.String(), nil
				}
				return "", fmt.Errorf("read from the terminal: %w", err)
			}
		}
	})
}

// ReadPassword reads a line without echo.
func (t *ttyTerminal) ReadPassword(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	s, err := t.cancellable(ctx, func() (string, error) {
		b, err := term.ReadPassword(int(t.in.Fd()))
		return string(b), err
	})
	fmt.Fprintln(t.out)
	return s, err
}

// cancellable runs a blocking terminal read so that Ctrl-C (which cancels
// ctx) ends the wait. The terminal's mode is restored on the way out, since
// an abandoned ReadPassword would leave echo off; the abandoned read ends
// with the process.
func (t *ttyTerminal) cancellable(ctx context.Context, read func() (string, error)) (string, error) {
	fd := int(t.in.Fd())
	state, _ := term.GetState(fd)
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := read()
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-ctx.Done():
		if state != nil {
			_ = term.Restore(fd, state)
		}
		return "", fmt.Errorf("interrupted: %w", ctx.Err())
	}
}
