package serve

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	inboxsync "pobox/sync"
	"pobox/themes"
	"pobox/ui"
)

// sessionEngine is the engine as one session sees it: its own events,
// fanned out by the hub, and the shared engine's actions (SyncNow,
// Acknowledge, AcknowledgeAll, DeleteUpTo), which act for every session.
type sessionEngine struct {
	ui.Engine
	events <-chan inboxsync.Event
}

var _ ui.Engine = sessionEngine{}

// Events implements ui.Engine: the session's subscription.
func (e sessionEngine) Events() <-chan inboxsync.Event { return e.events }

// inboxRun is one session's inbox: its program, its subscription and
// the goroutine that ends the program when the subscription ends or
// nobody types for the idle timeout. stop ends the goroutine and the
// subscription.
type inboxRun struct {
	p      *tea.Program
	sub    *subscriber
	in     *activityReader
	done   chan struct{}
	cancel context.CancelFunc // the program's commands
	wg     sync.WaitGroup
	once   sync.Once
}

// newProgram is the bubbletea middleware's ProgramHandler: one inbox a
// session with a terminal, nil without one (the next middleware then
// lists the commands).
func (s *Server) newProgram(sess ssh.Session) *tea.Program {
	ss, ok := sess.(*session)
	pty, _, hasPty := sess.Pty()
	if !ok || !hasPty {
		return nil
	}
	r := bubbletea.MakeRenderer(sess) // the client's TERM, COLORTERM, NO_COLOR and background
	keepTextAttributes(r)
	styles := themes.NewStyles(s.cfg.Theme, r)

	sub := s.hub.subscribe()
	run := &inboxRun{sub: sub, in: newActivityReader(sess), done: make(chan struct{})}
	// The program's commands end with it: cancelled by stop, after Run
	// returned (cancelling earlier would kill the program, not quit it).
	ctx, cancel := context.WithCancel(context.Background())
	run.cancel = cancel
	env := append(slices.Clone(ss.env), "TERM="+pty.Term)
	opts := s.cfg.UI
	opts.DB = s.cfg.DB
	opts.Engine = sessionEngine{Engine: s.cfg.Engine, events: sub.C()}
	opts.Styles = &styles
	// Widths and notifications for this client's terminal, and the bell,
	// notifications and copies to it, in order with the frames.
	opts.Getenv = envLookup(env)
	opts.Output = sess
	p, err := ui.NewProgram(ctx, opts, tea.WithInput(run.in),
		// The server's signals are the server's: a program must not
		// catch SIGINT for the whole process.
		tea.WithoutSignalHandler())
	if err != nil {
		cancel()
		sub.Close()
		s.log.Error("make the inbox", "err", err)
		ss.endWith("failed: "+err.Error(), "the inbox could not start; see the server's log")
		return nil
	}
	run.p = p
	ss.setInbox(run)
	run.wg.Add(1)
	go func() { defer run.wg.Done(); s.watchInbox(ss, run) }()
	return run.p
}

// envLookup is Getenv over a session's environment.
func envLookup(env []string) func(string) string {
	return func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
}

// watchInbox ends the session's program when its subscription ends (the
// server stops, or the session fell too far behind) or when nobody typed
// for the idle timeout.
func (s *Server) watchInbox(ss *session, run *inboxRun) {
	idle := time.NewTimer(s.cfg.IdleTimeout)
	defer idle.Stop()
	for {
		select {
		case <-run.done:
			return
		case <-run.sub.Done():
			switch run.sub.Reason() {
			case dropSlow:
				ss.endWith("dropped: it fell too far behind",
					"this session fell too far behind the inbox and was closed; ssh in again")
			case dropStopped:
				ss.endWith("the server stopped", "the server is stopping")
			}
			run.p.Quit()
			return
		case <-idle.C:
			if left := s.cfg.IdleTimeout - run.in.idleFor(); left > 0 {
				idle.Reset(left)
				continue
			}
			ss.endWith("idle timeout",
				fmt.Sprintf("closed after %s without a key press; ssh in again to go on", s.cfg.IdleTimeout))
			run.p.Quit()
			return
		}
	}
}

// stop ends the watcher and the subscription; the program has ended.
func (run *inboxRun) stop() {
	run.once.Do(func() {
		close(run.done)
		run.cancel()
		run.sub.Close()
		run.wg.Wait()
	})
}

// keepTextAttributes does for a session's renderer what themes.NewRenderer
// does for the local terminal: under NO_COLOR termenv picks the Ascii
// profile, which also drops bold and reverse video and with them the
// selection; keep ANSI for the attributes, and NewStyles, seeing NO_COLOR
// in the renderer's environment, uses no colour.
func keepTextAttributes(r *lipgloss.Renderer) {
	out := r.Output()
	if out.EnvNoColor() && out.ColorProfile() != termenv.Ascii {
		r.SetColorProfile(termenv.ANSI)
	}
}

// activityReader is the program's input; it notes when the client last
// typed (or clicked), for the idle timeout.
type activityReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
}

func newActivityReader(r io.Reader) *activityReader {
	a := &activityReader{r: r}
	a.last.Store(time.Now().UnixNano())
	return a
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// idleFor is how long ago the client last sent input.
func (a *activityReader) idleFor() time.Duration {
	return time.Since(time.Unix(0, a.last.Load()))
}
