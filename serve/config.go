package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"pobox/cache"
	"pobox/sanitize"
	inboxsync "pobox/sync"
	"pobox/themes"
	"pobox/ui"
)

// Defaults of the settings.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultMaxSessions = 16
	DefaultIdleTimeout = 12 * time.Hour
	// DefaultMaxDuration bounds a connection however busy: a week.
	DefaultMaxDuration = 7 * 24 * time.Hour
	// DefaultLoginGrace is how long a connection may take to authenticate
	// and open its session (sshd's LoginGraceTime is 2 minutes too).
	DefaultLoginGrace = 2 * time.Minute
	// DefaultMaxAuthTries bounds the failed authentication attempts of one
	// connection (sshd's MaxAuthTries is 6 too). Every key a client offers
	// counts.
	DefaultMaxAuthTries = 6
)

// Config is what a Server needs. DB, Engine, HostKeyPath and
// AuthorizedKeysPath are required.
type Config struct {
	// Listen is the TCP address to listen on; "" means DefaultListen.
	Listen string
	// HostKeyPath is the server's ed25519 host key, created (mode 0600,
	// its directory 0700) on first start.
	HostKeyPath string
	// AuthorizedKeysPath is an OpenSSH authorized_keys file, read again
	// at every login so that a key added works at once. Missing or empty:
	// nobody gets in.
	AuthorizedKeysPath string

	// DB is the cache every session reads; Engine is the one sync engine
	// every session shares (events fanned out, actions delegated). The
	// caller opens, starts and closes both; Serve only reads Events.
	DB     *cache.DB
	Engine ui.Engine
	// Observe, when set, sees every engine event before the sessions do,
	// on the server's fan-out goroutine: it must not block.
	Observe func(inboxsync.Event)

	// Exec runs a command given on the ssh command line (ssh HOST list
	// --json), one of Verbs, and returns its exit status. nil: such
	// commands are refused.
	Exec func(ctx context.Context, cmd Command) int

	// Theme is the colour theme; each session's styles are built from it
	// for that client's terminal. Zero: themes.Default().
	Theme themes.Theme
	// UI is what every inbox starts from (the title, the bell's
	// interval, the width mode, notifications, the clock, ...). Each
	// session sets its own DB, Engine, Styles, Getenv (its environment,
	// TERM from its pty) and Output; Opener and Login stay nil: a browser
	// on the server would open for nobody (the link is shown to click),
	// and logging in is done on the server's own terminal. Title ""
	// means "pobox"; Width nil means sanitize.Auto, resolved per session.
	UI ui.Options

	// MaxSessions is how many sessions (inboxes and commands) may run at
	// once; 0 means DefaultMaxSessions.
	MaxSessions int
	// IdleTimeout ends an inbox nobody typed into for this long, and a
	// connection with no traffic at all; 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxDuration ends any connection this old; 0 means
	// DefaultMaxDuration.
	MaxDuration time.Duration
	// LoginGrace ends a connection that has not opened a session this
	// long after it connected; 0 means DefaultLoginGrace.
	LoginGrace time.Duration
	// MaxAuthTries bounds failed authentications per connection; 0 means
	// DefaultMaxAuthTries.
	MaxAuthTries int

	// Logger receives one record a connection refused and two a session
	// (start, end), never a secret or a message's text. nil: no log.
	Logger *slog.Logger
}

// Command is one command line run without the inbox.
type Command struct {
	// Args are the words after the host, Args[0] one of Verbs.
	Args []string
	// Stdin, Stdout and Stderr are the session's streams. What is written
	// to Stderr, and to Stdout when the client has a terminal, passes a
	// filter that lets no control sequence through. With a terminal
	// Stdin is empty: the server reads it for ^C, which cancels the
	// command's context.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Width is the width of the client's terminal (ssh -t), or 0 without
	// one: no limit.
	Width int
	// Events subscribes to the engine's events (for watch); the channel
	// closes when the command returns, when the server stops, or when the
	// command falls too far behind.
	Events func() <-chan inboxsync.Event
}

// Verb is one command a client may run on the ssh command line.
type Verb struct {
	Name, Short string
}

// Verbs are the commands that run without the inbox; anything else is
// refused before Exec sees it.
var Verbs = []Verb{
	{"list", "print the cached messages (--json for scripts)"},
	{"status", "login, device, connection holder, last sync and counts"},
	{"ack", "acknowledge emergencies (--all: every one waiting)"},
	{"watch", "print new messages as they arrive, until you disconnect"},
}

func (c *Config) defaults() error {
	if c.DB == nil || c.Engine == nil {
		return errors.New("serve: Config needs DB and Engine")
	}
	if c.HostKeyPath == "" || c.AuthorizedKeysPath == "" {
		return errors.New("serve: Config needs HostKeyPath and AuthorizedKeysPath")
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.UI.Title == "" {
		c.UI.Title = "pobox"
	}
	c.UI.Opener, c.UI.Login = nil, nil
	if c.UI.Width == nil {
		// One process, many terminals: each session's mode comes from its
		// own TERM (tmux, screen: per code point), never the process's.
		auto := sanitize.Auto
		c.UI.Width = &auto
	}
	if c.Theme.Name == "" {
		c.Theme = themes.Default()
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.MaxDuration, DefaultMaxDuration)
	def(&c.LoginGrace, DefaultLoginGrace)
	if c.MaxAuthTries <= 0 {
		c.MaxAuthTries = DefaultMaxAuthTries
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}
