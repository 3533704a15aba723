package serve

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// allowedEnv are the only variables a client's environment (SendEnv,
// SetEnv) may bring in; they choose colours and the character set.
var allowedEnv = []string{"TERM", "COLORTERM", "NO_COLOR", "LANG"}

// session is an ssh.Session as every later middleware sees it: the
// environment filtered, and what the log says about it at the end.
type session struct {
	ssh.Session
	env   []string
	id    uint64
	key   string // the key's fingerprint
	start time.Time

	mu     sync.Mutex
	how    string    // how it ended, for the log; the first cause wins
	notice string    // what to tell the client as it ends
	inbox  *inboxRun // the inbox, once its program is made
}

// Environ implements ssh.Session: only allowedEnv, and TERM only from the
// pty request when there is one.
func (s *session) Environ() []string { return s.env }

// Pty implements ssh.Session: the window changes come from the channel's
// state (see channelRequests), and the window is the newest.
func (s *session) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	pty, winch, ok := s.Session.Pty()
	if st := channelStateOf(s.Context()); st != nil && ok {
		pty.Window = st.latest()
		winch = st.winch
	}
	return pty, winch, ok
}

// ended records how the session ended, unless a cause is recorded
// already.
func (s *session) ended(how string) { s.endWith(how, "") }

// endWith records how the session ended and what to tell the client,
// unless a cause is recorded already.
func (s *session) endWith(how, notice string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.how == "" {
		s.how, s.notice = how, notice
	}
}

func (s *session) setInbox(run *inboxRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inbox = run
}

// finish ends the session's inbox (if it had one) and tells the client
// why the session ends, when it was not the client's own doing.
func (s *session) finish() {
	s.mu.Lock()
	run, notice := s.inbox, s.notice
	s.mu.Unlock()
	if run == nil {
		if notice != "" { // the inbox could not start
			fmt.Fprintf(s.Stderr(), "pobox serve: %s\n", notice)
			_ = s.Exit(exitFail)
		}
		return
	}
	run.stop()
	if s.Context().Err() != nil {
		s.ended("the client disconnected")
	}
	s.ended("quit")
	s.mu.Lock()
	notice = s.notice
	s.mu.Unlock()
	if notice != "" {
		fmt.Fprintf(s.Stderr(), "pobox serve: %s\n", notice)
	}
	// Now, not after the handler returns: by then a stopping server may
	// have closed the connection.
	_ = s.Exit(exitOK)
}

func (s *session) endedHow(def string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.how == "" {
		return def
	}
	return s.how
}

// envNames lists the variables of env (not their values), for the log.
func envNames(env []string) string {
	names := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	return strings.Join(names, ",")
}

// isAllowedEnv reports whether a client may set the variable name.
func isAllowedEnv(name string) bool {
	for _, a := range allowedEnv {
		if name == a {
			return true
		}
	}
	return false
}

// filterEnv keeps the allowed variables of env, the first of each.
func filterEnv(env []string, hasPty bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			continue
		}
		if isAllowedEnv(k) && !(k == "TERM" && hasPty) {
			out = append(out, kv)
			seen[k] = true
		}
	}
	return out
}

// sessionMiddleware runs around every session: it counts it (refusing
// one past MaxSessions or while the server stops), checks its key again
// (CVE-2024-45337: the public-key callback may have seen keys the client
// never proved it holds), filters its environment, keeps the connection
// alive, and logs its start and end.
func (s *Server) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if rec := recordOf(sess.Context()); rec != nil {
			rec.session.Store(true)
		}
		_, _, hasPty := sess.Pty()
		ss := &session{
			Session: sess,
			env:     filterEnv(sess.Environ(), hasPty),
			id:      s.nextID.Add(1),
			key:     fingerprint(sess.PublicKey()),
			start:   time.Now(),
		}
		kind := "inbox"
		if cmd := sess.Command(); len(cmd) > 0 {
			kind = cmd[0] // the verb only: the rest may be a search
		} else if !hasPty {
			kind = "no terminal"
		}
		pty, _, _ := sess.Pty()
		log := s.log.With("session", ss.id)
		log.Info("ssh session", "addr", sess.RemoteAddr().String(), "user", sess.User(), "key", ss.key,
			"kind", kind, "term", pty.Term, "width", pty.Window.Width, "height", pty.Window.Height, "env", envNames(ss.env))
		defer func() {
			log.Info("ssh session ended", "after", time.Since(ss.start).Round(time.Millisecond),
				"how", ss.endedHow("ended"))
		}()

		ak, err := loadAuthorizedKeys(s.cfg.AuthorizedKeysPath)
		if err != nil || !ak.allows(sess.PublicKey()) {
			ss.ended("refused: the key is not in authorized_keys")
			refuse(sess, "this key is not authorised here")
			return
		}
		if why := s.enter(); why != "" {
			ss.ended("refused: " + why)
			refuse(sess, why)
			return
		}
		defer s.leave()

		done := make(chan struct{})
		var wg sync.WaitGroup
		if conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok {
			wg.Add(1)
			go func() { defer wg.Done(); s.keepAlive(conn, done) }()
		}
		defer func() { close(done); wg.Wait() }()
		next(ss)
		ss.finish()
	}
}

// refuse tells the client why, on one line, and exits with status 1.
func refuse(sess ssh.Session, why string) {
	fmt.Fprintf(sess.Stderr(), "pobox serve: %s\n", why)
	_ = sess.Exit(1)
}

// enter counts a session in, or says why it may not start.
func (s *Server) enter() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.stopping:
		return "the server is stopping; try again in a moment"
	case s.active >= s.cfg.MaxSessions:
		return fmt.Sprintf("%d sessions are open already, the most this server allows; close one or try again later", s.active)
	}
	s.active++
	s.sessWG.Add(1)
	return ""
}

func (s *Server) leave() {
	s.mu.Lock()
	s.active--
	s.mu.Unlock()
	s.sessWG.Done()
}

// keepAliveEvery is the keep-alive interval for a given idle timeout: a
// few within it, at most a minute apart.
func keepAliveEvery(idle time.Duration) time.Duration {
	return min(idle/3, time.Minute)
}

// keepAlive asks the client for a reply now and then, so that a quiet
// session (a watch with nothing to report, an inbox nobody looks at) is
// not taken for a dead connection, and a dead one is: a client that does
// not answer within the idle timeout is disconnected. It returns when
// done closes or the connection fails.
func (s *Server) keepAlive(conn gossh.Conn, done <-chan struct{}) {
	every := keepAliveEvery(s.cfg.IdleTimeout)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		dead := time.AfterFunc(s.cfg.IdleTimeout, func() { _ = conn.Close() })
		_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
		dead.Stop()
		if err != nil {
			return
		}
	}
}
