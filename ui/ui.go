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
	"pobox/sanitize"
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

// Options configure the UI. Everything that depends on the terminal in
// front of the user (styles, width mode, environment, output) is here,
// so that one process can run one program per terminal (pobox serve).
type Options struct {
	// DB is the cache the inbox reads. With DB nil the login screen comes
	// first (Login must then be set).
	DB *cache.DB
	// Engine performs actions and reports events; nil runs the inbox on
	// the cache alone (no acknowledging, no sync).
	Engine Engine

	// Styles are the theme's styles, built for this terminal's renderer;
	// nil means the default theme for lipgloss's default renderer.
	Styles *themes.Styles
	// Width is how this terminal counts the cells of text:
	// sanitize.Grapheme, sanitize.Codepoint (tmux, screen) or
	// sanitize.Auto (detected from Getenv). nil means the process-wide
	// mode (sanitize.CurrentWidthMode).
	Width *sanitize.WidthMode
	// Getenv reads this terminal's environment (TERM, TMUX, STY,
	// TERM_PROGRAM, ...), for the width mode and the notifications; nil
	// means os.Getenv. pobox serve passes the session's environment.
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Output is the terminal the program draws on: NewProgram and Run
	// give it to Bubble Tea wrapped in a writer that also carries the
	// bell, notifications and OSC 52 copies, each written whole between
	// two frames, never inside one. nil means standard output. Give the
	// output here, not as tea.WithOutput, or those sequences would not be
	// ordered with the frames. A model made with New writes them to
	// Output as it is (tests pass a buffer); nil then means none.
	Output io.Writer

	// BellInterval is how often the bell repeats while an emergency needs
	// acknowledging: 0 means 30 s, a negative value turns the bell off.
	BellInterval time.Duration
	// Notify is how a new message of priority NotifyPriority or more
	// raises a desktop notification through the terminal: "" or
	// NotifyAuto picks one from Getenv.
	Notify NotifyMode
	// NotifyPriority is the lowest priority that notifies (-2..2); nil
	// means 1.
	NotifyPriority *int
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
	// mode is Width resolved, notify Notify resolved (defaults).
	mode   sanitize.WidthMode
	notify notifier
	out    io.Writer // where the sequences go
}

// ErrLogInAgain is what Run returns when the user asked to log in again
// (L, after the server refused the login): the caller closes the engine
// and the cache and runs the UI again with the login screen.
var ErrLogInAgain = errors.New("ui: log in again")

// ErrLoginReplaced is what Run returns when the user asked to use the login
// `pobox login` stored meanwhile (L, after the engine ended with
// EndReplaced): the caller closes the engine and the cache and runs the UI
// again on the stored login.
var ErrLoginReplaced = errors.New("ui: use the stored login")

// DefaultBellInterval is the bell's repeat when Options.BellInterval is 0.
const DefaultBellInterval = 30 * time.Second

// FPS is the frame rate the program renders at: Bubble Tea v1's maximum,
// so that a new message waits at most 8.3 ms for its frame (the default
// 60 makes that 16.7 ms).
const FPS = 120

// New returns the root model: the inbox, or the login screen first when
// opts.DB is nil. Its sequences (bell, notifications, copies) go to
// opts.Output as it is; use NewProgram for a program on a terminal.
func New(opts Options) tea.Model {
	opts.out = opts.Output
	return newModel(context.Background(), opts)
}

// NewProgram returns the UI as a Bubble Tea program on opts.Output (nil:
// standard output) in the alternate screen, with mouse and focus
// reporting, at FPS frames a second. Commands still running when ctx ends
// are cancelled. progOpts are added to the program's options: the input
// (tea.WithInput), a context, an environment; not the output, which is
// opts.Output. pobox serve makes one program per session this way, with
// the session's styles, width mode, environment and output.
func NewProgram(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) (*tea.Program, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	out := opts.Output
	if out == nil {
		out = os.Stdout
	}
	w := newTermWriter(out)
	opts.out = w
	po := []tea.ProgramOption{
		tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithReportFocus(),
		tea.WithFPS(FPS), tea.WithContext(ctx),
	}
	po = append(append(po, progOpts...), tea.WithOutput(w))
	return tea.NewProgram(newModel(ctx, opts), po...), nil
}

// Run runs the UI until the user quits or ctx ends, and restores the
// terminal; see NewProgram. Signals are the caller's to turn into the end
// of ctx (cli does, for SIGINT and SIGTERM): Bubble Tea's own handler
// would race with that and could block the program's shutdown for good.
// progOpts are added to the program's options (tests pass the input).
func Run(ctx context.Context, opts Options, progOpts ...tea.ProgramOption) error {
	// The end of ctx quits the program as q does: killed instead, Bubble
	// Tea would close its input reader while the reader still runs.
	// Commands still running when the program ends (a read, a mark-read)
	// are cancelled with this context, before the caller closes the cache.
	cmdCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	p, err := NewProgram(cmdCtx, opts, append([]tea.ProgramOption{tea.WithoutSignalHandler()}, progOpts...)...)
	if err != nil {
		return err
	}
	defer context.AfterFunc(ctx, p.Quit)()
	final, err := p.Run()
	if err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	return askedFor(final)
}

// askedFor is what the user asked Run's caller to do when the program
// ended: ErrLogInAgain, ErrLoginReplaced, or nothing (nil).
func askedFor(final tea.Model) error {
	m, ok := final.(*Model)
	if !ok || m.inbox == nil || !m.inbox.logInAgain {
		return nil
	}
	if m.inbox.conn.state == connReplaced {
		return ErrLoginReplaced
	}
	return ErrLogInAgain
}

// check reports options the UI cannot run with.
func (o *Options) check() error {
	if o.DB == nil && o.Engine != nil {
		return errors.New("ui: an Engine needs its DB")
	}
	if o.DB == nil && (o.Login == nil || o.Login.Client == nil || o.Login.Start == nil) {
		return errors.New("ui: without a DB the login screen needs Login.Client and Login.Start")
	}
	if _, err := ParseNotifyMode(string(o.Notify)); err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	if p := o.NotifyPriority; p != nil && (*p < -2 || *p > 2) {
		return fmt.Errorf("ui: notify priority %d: use -2 to 2", *p)
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
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.BellInterval == 0 {
		o.BellInterval = DefaultBellInterval
	}
	if o.Styles == nil {
		s := themes.NewStyles(themes.Default(), lipgloss.DefaultRenderer())
		o.Styles = &s
	}
	o.mode = sanitize.CurrentWidthMode()
	if o.Width != nil {
		o.mode = o.Width.Resolve(o.Getenv)
	}
	prio := 1
	if o.NotifyPriority != nil {
		prio = *o.NotifyPriority
	}
	o.notify = newNotifier(o.Notify, prio, o.Getenv, o.mode)
}
