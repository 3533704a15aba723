package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/charmbracelet/wish/recover"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"
)

// serverVersion is the software version the server announces.
const serverVersion = "OpenSSH_compatible-pobox"

// Server is `pobox serve`: an SSH server on which every session is an
// inbox (or one command) on one shared cache and engine. Create it with
// New, run it with Serve; Serve returns when its context ends, after
// every session and connection has ended.
type Server struct {
	cfg     Config
	log     *slog.Logger
	ln      net.Listener
	ssh     *ssh.Server
	hostKey gossh.PublicKey
	hub     *hub

	// stopCtx ends when Serve starts to stop: commands take their context
	// from it and from their connection.
	stopCtx    context.Context
	stopCancel context.CancelFunc
	served     atomic.Bool

	mu          sync.Mutex
	stopping    bool
	chansClosed bool                   // the connections are closed: no channel may start
	active      int                    // sessions running
	conns       map[*trackedConn]bool  // every connection, logged in or not
	connWG      sync.WaitGroup         // one a connection, until it is closed
	chanWG      sync.WaitGroup         // session channels' request loops, and ^C readers
	sessWG      sync.WaitGroup         // one a session, until its handler returns
	nextID      atomic.Uint64          // session numbers for the log
	starting    map[string]*connRecord // by remote address: handshakes under way
}

// New checks cfg, loads (or creates) the host key and starts listening.
// Nothing is served until Serve.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger,
		conns:    map[*trackedConn]bool{},
		starting: map[string]*connRecord{},
	}
	s.stopCtx, s.stopCancel = context.WithCancel(context.Background())
	// The directory first: without it keygen cannot write the key, and a
	// server given no key would make up a new one at every start.
	if err := os.MkdirAll(filepath.Dir(cfg.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("create the host key's directory: %w", err)
	}
	srv := &ssh.Server{}
	for _, opt := range []ssh.Option{
		wish.WithHostKeyPath(cfg.HostKeyPath),
		// OpenSSH's client tells a server whose version starts with
		// "OpenSSH" that it will show no more of a session's output
		// (eow@openssh.com: `ssh HOST watch | head -n1` once head has
		// exited), and tells no other: without it such a session would
		// never end. The version names no OpenSSH release, so that no
		// client applies the workarounds it keeps for one.
		wish.WithVersion(serverVersion),
		wish.WithPublicKeyAuth(s.publicKeyAllowed),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		wish.WithMaxTimeout(cfg.MaxDuration),
		wish.WithMiddleware(s.middlewares()...),
		ssh.WrapConn(s.trackConn),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{MaxAuthTries: cfg.MaxAuthTries}
			}
			srv.ConnectionFailedCallback = s.connFailed
			// Session channels only, each with a context and window
			// changes of its own.
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
			// Only the session's own command or shell: no subsystems
			// (sftp and the like).
			srv.SessionRequestCallback = func(_ ssh.Session, kind string) bool {
				return kind == "shell" || kind == "exec"
			}
			// Port forwarding stays off: LocalPortForwardingCallback and
			// ReversePortForwardingCallback are nil, and only the
			// "session" channel is handled. An agent request is answered
			// by the library but no agent channel is ever opened.
			return nil
		},
	} {
		if err := srv.SetOption(opt); err != nil {
			return nil, fmt.Errorf("the host key %s: %w (move it away to have a new one made)", cfg.HostKeyPath, err)
		}
	}
	if len(srv.HostSigners) == 0 {
		return nil, fmt.Errorf("the host key %s could not be loaded", cfg.HostKeyPath)
	}
	if fi, err := os.Stat(cfg.HostKeyPath); err != nil {
		return nil, err
	} else if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("the host key %s may be read by other users (mode %04o): run chmod 600 %s",
			cfg.HostKeyPath, fi.Mode().Perm(), cfg.HostKeyPath)
	}
	s.hostKey = srv.HostSigners[0].PublicKey()
	s.ssh = srv
	s.hub = newHub(cfg.Engine.Events(), cfg.Observe)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is another pobox serve running? pick another address with --listen)", cfg.Listen, err)
	}
	s.ln = ln
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// HostKeyFingerprint is the host key's SHA256 fingerprint, for users to
// compare with what their ssh shows on first connecting.
func (s *Server) HostKeyFingerprint() string { return fingerprint(s.hostKey) }

// AuthorizedKeys reads the authorized_keys file as a login would: how
// many keys may log in, and a sentence for each line that was skipped.
func (s *Server) AuthorizedKeys() (int, []string, error) {
	ak, err := loadAuthorizedKeys(s.cfg.AuthorizedKeysPath)
	return len(ak.keys), ak.problems, err
}

// Serve serves until ctx ends or the listener fails, then stops: every
// inbox is told to quit (restoring its terminal), commands are
// cancelled, and every connection is closed. It returns after all of
// them have ended. It may be called once.
func (s *Server) Serve(ctx context.Context) error {
	if !s.served.CompareAndSwap(false, true) {
		return errors.New("serve: Serve called twice")
	}
	s.hub.start()
	errc := make(chan error, 1)
	go func() { errc <- s.ssh.Serve(s.ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		errc = nil
		err = fmt.Errorf("serve: %w", err)
	}
	s.stop()
	if errc != nil {
		if serr := <-errc; !errors.Is(serr, ssh.ErrServerClosed) && !errors.Is(serr, net.ErrClosed) {
			err = serr
		}
	}
	return err
}

// stopGrace is how long the inboxes get to quit and restore their
// terminals before their connections are closed under them.
const stopGrace = 3 * time.Second

// stop ends everything Serve started, in order.
func (s *Server) stop() {
	s.mu.Lock()
	s.stopping = true // no new session from here on
	s.mu.Unlock()
	s.stopCancel() // commands
	s.hub.stop()   // every subscription closes: inboxes quit, watches end

	sessionsDone := make(chan struct{})
	go func() { s.sessWG.Wait(); close(sessionsDone) }()
	t := time.NewTimer(stopGrace)
	select {
	case <-sessionsDone:
	case <-t.C:
		s.log.Warn("sessions still running after the grace period: closing their connections")
	}
	t.Stop()

	// The listener and the logged-in connections, then the connections
	// still in their handshake, which the ssh server does not track.
	_ = s.ssh.Close()
	s.mu.Lock()
	open := make([]*trackedConn, 0, len(s.conns))
	for c := range s.conns {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		_ = c.Close() // takes s.mu to leave the registry
	}
	<-sessionsDone
	s.connWG.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.ssh.Shutdown(ctx); err != nil {
		s.log.Warn("ssh connections did not end in time", "err", err)
	}
	// The channels' request loops end with their connections.
	s.mu.Lock()
	s.chansClosed = true
	s.mu.Unlock()
	s.chanWG.Wait()
}

// middlewares is the session's chain, innermost first (wish composes
// them so that the last runs first): recover outermost, then the
// session's bookkeeping (count, limit, authorisation again, log), the
// commands, the inbox (one tea.Program a session), and last the verb
// list for a session with neither a command nor a terminal.
func (s *Server) middlewares() []wish.Middleware {
	return []wish.Middleware{
		recover.MiddlewareWithLogger(panicLogger{s.log},
			s.noTerminalMiddleware,
			bubbletea.MiddlewareWithProgramHandler(s.newProgram, termenv.Ascii),
			s.commandMiddleware,
			s.sessionMiddleware,
		),
	}
}

// panicLogger sends what the recover middleware reports to the log.
type panicLogger struct{ log *slog.Logger }

func (p panicLogger) Printf(format string, v ...any) {
	p.log.Error("ssh session panicked", "panic", fmt.Sprintf(format, v...))
}
