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
	c := &trackedConn{Conn: conn, s: s, rec: rec}
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

// Close closes the connection once, and logs it if it never got to a
// session.
func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.grace.Stop()
		s := c.s
		s.mu.Lock()
		delete(s.conns, c)
		delete(s.starting, c.rec.addr)
		s.mu.Unlock()
		if !c.rec.session.Load() {
			c.rec.mu.Lock()
			refused, failed := c.rec.refused, c.rec.failed
			c.rec.mu.Unlock()
			attrs := []any{"addr", c.rec.addr, "after", time.Since(c.rec.start).Round(time.Millisecond)}
			if len(refused) > 0 {
				attrs = append(attrs, "refused_keys", refused)
			}
			if failed != nil {
				attrs = append(attrs, "why", failed.Error())
			}
			s.log.Info("ssh connection closed before a session", attrs...)
		}
		s.connWG.Done()
	})
	return err
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
	s.mu.Lock()
	rec := s.starting[conn.RemoteAddr().String()]
	s.mu.Unlock()
	if rec != nil {
		rec.fail(err)
	}
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
