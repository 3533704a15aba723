package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"pobox/cache"
	"pobox/session"
	inboxsync "pobox/sync"
	"pobox/themes"
)

// Engine is what the inbox asks of the sync engine. *inboxsync.Engine
// satisfies it.
type Engine interface {
	Events() <-chan inboxsync.Event
	SyncNow()
	Acknowledge(ctx context.Context, receipt string) error
	AcknowledgeAll(ctx context.Context) (int, error)
	// DeleteUpTo deletes the message with this cache key and every
	// older one, here and (for this login's device) on Pushover.
	DeleteUpTo(ctx context.Context, key int64) (cache.Deleted, error)
}

var _ Engine = (*inboxsync.Engine)(nil)

// LoginOptions configure the login screen, shown when Options has no DB.
type LoginOptions struct {
	// Client talks to Pushover (or the sandbox).
	Client *session.Client
	// DeviceName is the proposed device name, for example
	// session.DeviceNameFrom(hostname).
	DeviceName string
	// WSURL is the websocket URL to store with the login.
	WSURL string
	// Start saves the new login, opens the cache and starts the engine.
	// The UI calls it once, in a Cmd, after a successful login. The
	// caller owns what it returns (it closes the engine and the cache
	// after Run).
	Start func(ctx context.Context, login session.Stored) (*cache.DB, Engine, error)
}

// Options configure the UI.
type Options struct {
	// DB is the cache the inbox reads. With DB nil the login screen comes
	// first (Login must then be set).
	DB *cache.DB
	// Engine performs actions and reports events; nil runs the inbox on
	// the cache alone (no acknowledging, no sync).
	Engine Engine

	// Styles are the theme's styles; nil means the default theme for
	// lipgloss's default renderer.
	Styles *themes.Styles
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// BellInterval is how often the bell repeats while an emergency needs
	// acknowledging: 0 means 30 s, a negative value turns the bell off.
	BellInterval time.Duration
	// Bell receives BEL and the OSC 52 copies: the program's output. nil
	// means no bell and no copying.
	Bell io.Writer
	// Opener opens a URL in the browser; nil means there is none, and the
	// link is shown to click instead.
	Opener func(url string) error

	// Login configures the login screen: shown first without a DB, and
	// offered (L, then ErrLogInAgain) when the server refuses the login.
	Login *LoginOptions
	// Title is shown in the status bar, for example "pobox" or "pobox demo".
	Title string

	// tick makes timers (tea.Tick); tests stop the clock with it.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// ErrLogInAgain is what Run returns when the user asked to log in again
// (L, after the server refused the login): the caller closes the engine
// and the cache and runs the UI again with the login screen.
var ErrLogInAgain = errors.New("ui: log in again")

// DefaultBellInterval is the bell's repeat when Options.BellInterval is 0.
const DefaultBellInterval = 30 * time.Second

// New returns the root model: the inbox, or the login screen first when
// opts.DB is nil.
func New(opts Options) tea.Model {
	return newModel(context.Background(), opts)
}

// Run runs the UI in the alternate screen with mouse support until the
// user quits or ctx ends, and restores the terminal. progOpts are added
// to the program's options (tests pass input and output). When opts.Bell
// is nil the bell and copies go to standard output.
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	if err := opts.check(); err != nil {
		return err
	}
	if opts.Bell == nil {
		opts.Bell = os.Stdout
	}
	// Commands still running when the program ends (a read, a mark-read)
	// are cancelled with this context, before the caller closes the cache.
	cmdCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	po := append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx)}, progOpts...)
	final, err := tea.NewProgram(newModel(cmdCtx, opts), po...).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // asked to stop: not a failure
	}
	if err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	if m, ok := final.(*Model); ok && m.inbox != nil && m.inbox.logInAgain {
		return ErrLogInAgain
	}
	return nil
}

// check reports options the UI cannot run with.
func (o *Options) check() error {
	if o.DB == nil && o.Engine != nil {
		return errors.New("ui: an Engine needs its DB")
	}
	if o.DB == nil && (o.Login == nil || o.Login.Client == nil || o.Login.Start == nil) {
		return errors.New("ui: without a DB the login screen needs Login.Client and Login.Start")
	}
	return nil
}

// defaults fills in what opts leaves out.
func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.tick == nil {
		o.tick = tea.Tick
	}
	if o.BellInterval == 0 {
		o.BellInterval = DefaultBellInterval
	}
	if o.Styles == nil {
		s := themes.NewStyles(themes.Default(), lipgloss.DefaultRenderer())
		o.Styles = &s
	}
}
