package serve

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
)

// connRecord is what the server knows of one connection: the keys it
// offered that were refused, why its handshake failed, whether it got as
// far as a session.
type connRecord struct {
	addr  string
	start time.Time

	mu      sync.Mutex
	refused []string // fingerprints, at most maxRefusedLogged
	failed  error    // the handshake's error, if it failed

	session atomic.Bool // a session started: the login grace is over
}

// maxRefusedLogged bounds the refused keys remembered for the log.
const maxRefusedLogged = 8

type connKey struct{}

// recordOf returns the connection's record from an ssh context.
func recordOf(ctx ssh.Context) *connRecord {
	r, _ := ctx.Value(connKey{}).(*connRecord)
	return r
}

// trackedConn is a connection the server can close at shutdown whatever
// state it is in; it logs a connection that never logged in when it
// closes.
type trackedConn struct {
	net.Conn
	s     *Server
	ctx   ssh.Context
	rec   *connRecord
	grace *time.Timer
	once  sync.Once
}

// trackConn is the ssh server's ConnCallback: it registers the
// connection and arms the login grace timer. It refuses connections once
// the server is stopping.
func (s *Server) trackConn(ctx ssh.Context, conn net.Conn) net.Conn {
	rec := &connRecord{addr: conn.RemoteAddr().String(), start: time.Now()}
	ctx.SetValue(connKey{}, rec)
	c := &trackedConn{Conn: conn, s: s, ctx: ctx, rec: rec}
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		_ = conn.Close()
		return nil
	}
	s.conns[c] = true
	s.starting[rec.addr] = rec
	s.connWG.Add(1)
	s.mu.Unlock()
	c.grace = time.AfterFunc(s.cfg.LoginGrace, func() {
		if !rec.session.Load() {
			rec.fail(errLoginGrace)
			_ = c.Close()
		}
	})
	return c
}

// Close closes the connection once. One that logged in but never
// opened a session is logged here; one whose handshake failed is logged
// by connFailed, which x/crypto calls after closing it.
func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.grace.Stop()
		s := c.s
		loggedIn := c.ctx.Value(ssh.ContextKeyConn) != nil // set once the handshake succeeded
		s.mu.Lock()
		delete(s.conns, c)
		if loggedIn {
			delete(s.starting, c.rec.addr)
		}
		s.mu.Unlock()
		if loggedIn && !c.rec.session.Load() {
			s.log.Info("ssh connection closed before a session", c.rec.attrs()...)
		}
		s.connWG.Done()
	})
	return err
}

// attrs are the record's fields for the log.
func (r *connRecord) attrs() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	attrs := []any{"addr", r.addr, "after", time.Since(r.start).Round(time.Millisecond)}
	if len(r.refused) > 0 {
		attrs = append(attrs, "refused_keys", r.refused)
	}
	if r.failed != nil {
		attrs = append(attrs, "why", r.failed.Error())
	}
	return attrs
}

// errLoginGrace is why a connection that took too long to log in closed.
var errLoginGrace = loginGraceError{}

type loginGraceError struct{}

func (loginGraceError) Error() string {
	return "did not log in and open a session within the login grace time"
}

func (r *connRecord) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed == nil {
		r.failed = err
	}
}

// connFailed is the ssh server's ConnectionFailedCallback: the handshake
// failed (refused keys, too many attempts, a client that went away).
func (s *Server) connFailed(conn net.Conn, err error) {
	addr := conn.RemoteAddr().String()
	s.mu.Lock()
	rec := s.starting[addr]
	delete(s.starting, addr)
	s.mu.Unlock()
	if rec == nil {
		s.log.Info("ssh login refused", "addr", addr, "why", err.Error())
		return
	}
	rec.fail(err)
	s.log.Info("ssh login refused", rec.attrs()...)
}

// publicKeyAllowed is the public-key callback. It reads authorized_keys
// again each time, so that a key added or removed counts at once. x/crypto
// may call it for keys a client only offered without proving it holds
// them, so a session checks its key again (sessionMiddleware).
func (s *Server) publicKeyAllowed(ctx ssh.Context, key ssh.PublicKey) bool {
	ak, err := loadAuthorizedKeys(s.cfg.AuthorizedKeysPath)
	if err != nil {
		s.log.Warn("authorized keys", "err", err)
		return false
	}
	if ak.allows(key) {
		return true
	}
	if rec := recordOf(ctx); rec != nil {
		rec.mu.Lock()
		if len(rec.refused) < maxRefusedLogged {
			rec.refused = append(rec.refused, fingerprint(key))
		}
		rec.mu.Unlock()
	}
	return false
}
