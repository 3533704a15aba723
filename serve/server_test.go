package serve

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	gossh "golang.org/x/crypto/ssh"

	"pobox/cache"
	inboxsync "pobox/sync"
)

// fakeServer starts a server on a cache holding sample() and a fake
// engine that has reported the websocket connected.
func fakeServer(t *testing.T, keys int, adjust func(*Config)) (*testServer, *fakeEngine) {
	t.Helper()
	db := openDB(t, t.TempDir(), sample()...)
	en := newFakeEngine(db)
	en.events <- inboxsync.Connected{At: testNow, Holder: true}
	return startServer(t, db, en, keys, adjust), en
}

// TestAuth: public keys from authorized_keys only; nothing else gets a
// session, and a connection gets a bounded number of tries.
func TestAuth(t *testing.T) {
	ts, _ := fakeServer(t, 1, func(c *Config) { c.MaxAuthTries = 3 })
	known := ts.signers[0]
	strangers := []gossh.Signer{newSigner(t), newSigner(t), newSigner(t)}
	for _, c := range []struct {
		name string
		auth []gossh.AuthMethod
		ok   bool
	}{
		{"OK known key", []gossh.AuthMethod{gossh.PublicKeys(known)}, true},
		{"OK known key after one stranger", []gossh.AuthMethod{gossh.PublicKeys(strangers[0], known)}, true},
		{"ErrUnknownKey", []gossh.AuthMethod{gossh.PublicKeys(strangers[0])}, false},
		{"ErrPassword", []gossh.AuthMethod{gossh.Password("pobox-demo")}, false},
		{"ErrKeyboardInteractive", []gossh.AuthMethod{gossh.KeyboardInteractive(
			func(string, string, []string, []bool) ([]string, error) { return nil, nil })}, false},
		{"ErrNone", nil, false},
		// The known key comes after MaxAuthTries strangers: too late.
		{"ErrTooManyTries", []gossh.AuthMethod{gossh.PublicKeys(append(strangers, known)...)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, err := ts.dialAuth(c.auth...)
			if cl != nil {
				defer cl.Close()
			}
			if c.ok != (err == nil) {
				t.Fatalf("dial: err = %v, want ok %v", err, c.ok)
			}
		})
	}
	// Refused connections are logged with the keys they offered and why.
	waitUntil(t, "the log names a refused key and why", func() bool {
		for _, l := range strings.Split(ts.logBuf.String(), "\n") {
			if strings.Contains(l, `msg="ssh login refused"`) && strings.Contains(l, "why=") &&
				strings.Contains(l, fingerprint(strangers[0].PublicKey())) {
				return true
			}
		}
		return false
	})
}

// TestNobodyWithoutKeys: a missing or empty authorized_keys lets nobody
// in.
func TestNobodyWithoutKeys(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(path string)
	}{
		{"missing", func(path string) { os.Remove(path) }},
		{"empty", func(path string) { os.WriteFile(path, nil, 0o600) }},
		{"comments only", func(path string) { os.WriteFile(path, []byte("# nobody yet\n\n"), 0o600) }},
		{"writable by others", func(path string) { os.Chmod(path, 0o666) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts, _ := fakeServer(t, 1, nil)
			c.write(ts.akPath)
			n, _, err := ts.AuthorizedKeys()
			if n != 0 && err == nil {
				t.Fatalf("AuthorizedKeys = %d keys, want none", n)
			}
			if cl, err := ts.dialAuth(gossh.PublicKeys(ts.signers[0])); err == nil {
				cl.Close()
				t.Fatal("logged in with no authorised key")
			}
		})
	}
}

// TestKeyCheckedAgainAtSession: the key a session holds is authorised
// again when the session starts (x/crypto/ssh may have called the
// callback with other keys); here it was removed in between.
func TestKeyCheckedAgainAtSession(t *testing.T) {
	ts, _ := fakeServer(t, 2, nil)
	cl := ts.dial(ts.signers[0])
	writeAuthorized(t, ts.akPath, ts.signers[1])
	code, _, stderr := run(t, cl, "status")
	if code != 1 || !strings.Contains(stderr, "not authorised") {
		t.Fatalf("exit %d, stderr %q; want 1 and a refusal", code, stderr)
	}
}

// TestInboxFirstScreen: a known key gets the inbox, drawn for its 80x24
// terminal; hostile text in a title reaches it sanitised.
func TestInboxFirstScreen(t *testing.T) {
	ts, _ := fakeServer(t, 1, nil)
	cl := openInbox(t, ts.dial(ts.signers[0]), 80, 24)
	screen := cl.waitFor(t, "the inbox, connected", func(s string) bool {
		return strings.Contains(s, "Build 1432 passed") && strings.Contains(s, "connected")
	})
	if alt, bells, _, _ := cl.stats(); !alt || bells != 0 {
		t.Errorf("alternate screen %v, %d bells; want the alternate screen and no bell", alt, bells)
	}
	lines := strings.Split(screen, "\n")
	if len(lines) != 24 || !strings.Contains(lines[22], "connected") {
		t.Errorf("want 24 lines with the status bar on the 23rd:\n%s", screen)
	}
	golden.RequireEqual(t, []byte(screen))
}

// TestWidthPerSession: each inbox counts cells as its own client's
// terminal does: per code point in tmux (TERM=tmux-256color), where a
// family emoji takes six cells, and by grapheme in an xterm, where it
// takes two. Each test terminal counts as the real one would, so each
// screen is aligned (the list column ends in one place on every row) only
// when its inbox used its terminal's mode; one mode for both would break
// one of them.
func TestWidthPerSession(t *testing.T) {
	db := openDB(t, t.TempDir(), append(sample(), cache.Message{ID: 1100, UMID: 1100, AID: 1,
		Title: "👩‍👩‍👧 family", Message: "at home", App: "Home", Date: testNow.Add(-time.Minute).Unix()})...)
	en := newFakeEngine(db)
	en.events <- inboxsync.Connected{At: testNow, Holder: true}
	ts := startServer(t, db, en, 1, nil)
	c := ts.dial(ts.signers[0])
	for _, term := range []string{"tmux-256color", "xterm-256color"} {
		cl := openInboxTerm(t, c, term, 80, 24)
		// The rows load after the first frame: wait for the newest on top.
		screen := cl.waitFor(t, "the newest message first, connected", func(s string) bool {
			return strings.Contains(strings.SplitN(s, "\n", 2)[0], "family") && strings.Contains(s, "connected")
		})
		lines := strings.Split(screen, "\n")
		cols := map[int]bool{}
		for _, l := range lines[:7] {
			cols[cl.column(l, "│")] = true
		}
		if len(cols) != 1 {
			t.Errorf("%s: the list column ends at %v, want one place:\n%s", term, cols, screen)
		}
	}
}

// TestColours: each session's colours follow its own client's
// environment; NO_COLOR keeps bold and reverse video (the selection).
func TestColours(t *testing.T) {
	ts, _ := fakeServer(t, 1, nil)
	c := ts.dial(ts.signers[0])
	colour := openInbox(t, c, 80, 24, "COLORTERM=truecolor")
	plain := openInbox(t, c, 80, 24, "NO_COLOR=1")
	for _, cl := range []*client{colour, plain} {
		cl.waitText(t, "Build 1432 passed")
	}
	if _, _, colours, _ := colour.stats(); colours == 0 {
		t.Error("the colour session got no colour")
	}
	if _, _, colours, attrs := plain.stats(); colours != 0 || attrs == 0 {
		t.Errorf("the NO_COLOR session got %d colours and %d attributes; want none and some", colours, attrs)
	}
}

// TestBellPerSession: a new priority-1 message alerts every inbox, each
// on its own client's terminal: the bell, or a desktop notification
// where the terminal shows them (here a kitty, known by its TERM).
func TestBellPerSession(t *testing.T) {
	ts, en := fakeServer(t, 1, func(c *Config) { c.UI.BellInterval = time.Hour })
	c := ts.dial(ts.signers[0])
	a, b := openInbox(t, c, 80, 24), openInboxTerm(t, c, "xterm-kitty", 100, 30)
	a.waitText(t, "connected")
	b.waitText(t, "connected")
	m := cache.Message{ID: 2000, UMID: 2000, AID: 1, Title: "Disk almost full", App: "Monitoring", Priority: 1, Date: testNow.Unix()}
	fresh, err := en.db.Ingest(context.Background(), cache.Batch{Device: 1, Messages: []cache.Message{m}})
	if err != nil || len(fresh) != 1 {
		t.Fatalf("ingest: %+v, %v", fresh, err)
	}
	en.events <- inboxsync.Synced{At: testNow, New: []int64{fresh[0].Key}, MaxPriority: 1}
	for _, cl := range []*client{a, b} {
		cl.waitText(t, "Disk almost full")
		cl.waitAlert(t, cl == b)
	}
}

// TestResize: a window change re-lays the screen for the new size.
func TestResize(t *testing.T) {
	ts, _ := fakeServer(t, 1, nil)
	cl := openInbox(t, ts.dial(ts.signers[0]), 80, 24)
	cl.waitText(t, "connected")
	for _, size := range [][2]int{{120, 30}, {60, 20}} {
		w, h := size[0], size[1]
		cl.resize(w, h)
		screen := cl.waitFor(t, "the status bar on the last lines", func(s string) bool {
			lines := strings.Split(s, "\n")
			return len(lines) == h && strings.Contains(lines[h-2], "connected")
		})
		if w == 120 && !strings.Contains(screen, "All tests passed. All tests passed. All tests") {
			t.Errorf("at 120x30 the detail pane does not use the width:\n%s", screen)
		}
	}
}

// TestCommands: without a terminal, the verbs run through Exec and
// anything else is refused with one line.
func TestCommands(t *testing.T) {
	var mu sync.Mutex
	var got []Command
	ts, _ := fakeServer(t, 1, func(c *Config) {
		c.Exec = func(ctx context.Context, cmd Command) int {
			mu.Lock()
			got = append(got, cmd)
			mu.Unlock()
			cmd.Stdout.Write([]byte("ran " + strings.Join(cmd.Args, " ") + "\x1b[2J\n"))
			cmd.Stderr.Write([]byte("a \x1b[31mred\x1b[0m warning\n"))
			if cmd.Args[0] == "status" {
				return 3
			}
			return 0
		}
	})
	cl := ts.dial(ts.signers[0])
	for _, c := range []struct {
		name, cmd         string
		code              int
		stdout, stderr    string
		notStdout, notErr string
	}{
		{name: "no command", cmd: "", code: 2, stderr: "list    print the cached messages"},
		{name: "help", cmd: "help", code: 0, stdout: "watch   print new messages"},
		{name: "list", cmd: "list --json --search 'disk full'", code: 0, stdout: "ran list --json --search disk full",
			stderr: "a red warning", notErr: "\x1b"},
		{name: "exit status passes through", cmd: "status", code: 3, stdout: "ran status"},
		{name: "ErrUnknownVerb", cmd: "rm -rf /", code: 2, stderr: `"rm" is not a command here: use list, status, ack or watch`,
			notStdout: "ran"},
		{name: "ErrShellWord", cmd: "sh -c id", code: 2, stderr: `"sh" is not a command here`, notStdout: "ran"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := run(t, cl, c.cmd)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q in them", stdout, stderr, c.stdout, c.stderr)
			}
			if (c.notStdout != "" && strings.Contains(stdout, c.notStdout)) || (c.notErr != "" && strings.Contains(stderr, c.notErr)) {
				t.Errorf("stdout %q, stderr %q; want no %q, %q", stdout, stderr, c.notStdout, c.notErr)
			}
		})
	}
	t.Run("with a terminal", func(t *testing.T) {
		// ssh -t HOST list: the output goes to a terminal for certain,
		// so stdout is filtered too, and the command knows the width.
		sess := newSession(t, cl)
		var out syncBuffer
		sess.Stdout = &out
		if err := sess.RequestPty("xterm", 24, 77, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Run("list"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "ran list") || strings.Contains(out.String(), "\x1b") {
			t.Errorf("stdout %q; want the output without escapes", out.String())
		}
	})
	mu.Lock()
	defer mu.Unlock()
	for _, c := range got {
		want := 0
		if c.Args[0] == "list" && len(c.Args) == 1 {
			want = 77
		}
		if c.Width != want {
			t.Errorf("%v: width %d, want %d", c.Args, c.Width, want)
		}
	}
}

// TestCommandEndsWithClient: a command's context ends when its client
// disconnects, and its event subscription with it.
func TestCommandEndsWithClient(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	ts, en := fakeServer(t, 1, func(c *Config) {
		c.Exec = func(ctx context.Context, cmd Command) int {
			events := cmd.Events()
			close(started)
			for {
				select {
				case <-ctx.Done():
					close(ended)
					return 0
				case ev := <-events:
					if _, ok := ev.(inboxsync.Synced); ok {
						cmd.Stdout.Write([]byte("synced\n"))
					}
				}
			}
		}
	})
	cl := ts.dial(ts.signers[0])
	sess := newSession(t, cl)
	out := newVT(80, 24, nil)
	sess.Stdout = out
	if err := sess.Start("watch"); err != nil {
		t.Fatal(err)
	}
	<-started
	en.events <- inboxsync.Synced{At: testNow, New: []int64{1}}
	out.waitText(t, "synced")
	cl.Close()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the command's context did not end with its client")
	}
}

// TestSessionLimit: at most MaxSessions at once; a session that ends
// makes room.
func TestSessionLimit(t *testing.T) {
	ts, _ := fakeServer(t, 1, func(c *Config) { c.MaxSessions = 2 })
	c := ts.dial(ts.signers[0])
	first := openInbox(t, c, 80, 24)
	second := openInbox(t, c, 80, 24)
	first.waitText(t, "connected")
	second.waitText(t, "connected")
	code, _, stderr := run(t, c, "help")
	if code != 1 || !strings.Contains(stderr, "2 sessions are open already") {
		t.Fatalf("third session: exit %d, stderr %q; want 1 and the limit", code, stderr)
	}
	first.press("q")
	if code := first.wait(); code != 0 {
		t.Fatalf("q: exit %d, want 0", code)
	}
	waitUntil(t, "room for a session", func() bool {
		code, _, _ := run(t, c, "help")
		return code == 0
	})
}

// TestIdleTimeout: an inbox nobody types into ends after the idle
// timeout, and says why; one that is typed into lives on.
func TestIdleTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	ts, _ := fakeServer(t, 1, func(c *Config) { c.IdleTimeout = idle })
	c := ts.dial(ts.signers[0])
	start := time.Now()
	quiet := openInbox(t, c, 80, 24)
	busy := openInbox(t, c, 80, 24)
	busy.waitText(t, "connected")
	stopTyping := make(chan struct{})
	typed := make(chan struct{})
	go func() {
		defer close(typed)
		t := time.NewTicker(idle / 4)
		defer t.Stop()
		for {
			select {
			case <-stopTyping:
				return
			case <-t.C:
				_, _ = busy.stdin.Write([]byte("j"))
			}
		}
	}()
	code := quiet.wait()
	close(stopTyping)
	<-typed
	if elapsed := time.Since(start); elapsed < idle {
		t.Errorf("ended after %v, before the idle timeout %v", elapsed, idle)
	}
	if code != 0 || !strings.Contains(quiet.stderr.String(), "without a key press") {
		t.Errorf("exit %d, stderr %q; want 0 and the reason", code, quiet.stderr.String())
	}
	if alt, _, _, _ := quiet.stats(); alt {
		t.Error("the idle session left the client in the alternate screen")
	}
	select {
	case <-busy.done:
		t.Fatalf("the session typed into ended too: %s", busy.stderr.String())
	default:
	}
}

// TestLoginGrace: a connection that does not log in is closed.
func TestLoginGrace(t *testing.T) {
	ts, _ := fakeServer(t, 1, func(c *Config) { c.LoginGrace = 200 * time.Millisecond })
	conn, err := net.Dial("tcp", ts.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 256)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server kept a connection that never logged in")
			}
			return
		}
	}
}

// TestStop: stopping the server ends every session (an inbox quits and
// restores its client's screen, a command's events close) and returns.
func TestStop(t *testing.T) {
	watching := make(chan struct{})
	ts, _ := fakeServer(t, 1, func(c *Config) {
		c.Exec = func(ctx context.Context, cmd Command) int {
			events := cmd.Events()
			close(watching)
			for range events {
			}
			return 0
		}
	})
	c := ts.dial(ts.signers[0])
	inbox := openInbox(t, c, 80, 24)
	inbox.waitText(t, "connected")
	sess := newSession(t, c)
	if err := sess.Start("watch"); err != nil {
		t.Fatal(err)
	}
	<-watching
	ts.stop()
	inbox.wait()
	if alt, _, _, _ := inbox.stats(); alt {
		t.Error("the client is left in the alternate screen")
	}
	if !strings.Contains(inbox.stderr.String(), "the server is stopping") {
		t.Errorf("stderr %q; want the reason", inbox.stderr.String())
	}
	if _, err := ts.dialAuth(gossh.PublicKeys(ts.signers[0])); err == nil {
		t.Error("the stopped server still accepts connections")
	}
}

// TestHostKeyKept: the host key is made once (0600, in a 0700
// directory) and the same key serves after a restart.
func TestHostKeyKept(t *testing.T) {
	db := openDB(t, t.TempDir())
	dir := t.TempDir()
	cfg := func() Config {
		return Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "state", "pobox", "ssh_host_ed25519_key"),
			AuthorizedKeysPath: filepath.Join(dir, "authorized_keys"), DB: db, Engine: newFakeEngine(db)}
	}
	var prints []string
	for range 2 {
		srv, err := New(cfg())
		if err != nil {
			t.Fatal(err)
		}
		prints = append(prints, srv.HostKeyFingerprint())
		srv.ln.Close()
	}
	if prints[0] != prints[1] || !strings.HasPrefix(prints[0], "SHA256:") {
		t.Errorf("fingerprints %q: want one SHA256 fingerprint twice", prints)
	}
	for path, want := range map[string]os.FileMode{cfg().HostKeyPath: 0o600, filepath.Dir(cfg().HostKeyPath): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", path, fi.Mode().Perm(), want)
		}
	}
}

// TestEnter: a session is counted in, or refused with a reason: past
// the limit, or while the server stops.
func TestEnter(t *testing.T) {
	for _, c := range []struct {
		name     string
		active   int
		stopping bool
		want     string
	}{
		{"OK", 1, false, ""},
		{"ErrFull", 2, false, "2 sessions are open already"},
		{"ErrStopping", 0, true, "the server is stopping"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Server{cfg: Config{MaxSessions: 2}, active: c.active, stopping: c.stopping}
			got := s.enter()
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Fatalf("enter() = %q, want %q", got, c.want)
			}
			if got == "" {
				if s.active != c.active+1 {
					t.Errorf("active %d, want %d", s.active, c.active+1)
				}
				s.leave()
			}
			if s.active != c.active {
				t.Errorf("active %d after leaving, want %d", s.active, c.active)
			}
		})
	}
}

// TestInboxCannotStart: options the inbox cannot run with end the
// session with a line saying so, and a failure status.
func TestInboxCannotStart(t *testing.T) {
	ts, _ := fakeServer(t, 1, func(c *Config) { c.UI.Notify = "smoke-signals" })
	cl := openInbox(t, ts.dial(ts.signers[0]), 80, 24)
	if code := cl.wait(); code != exitFail || !strings.Contains(cl.stderr.String(), "the inbox could not start") {
		t.Errorf("exit %d, stderr %q; want %d and the reason", code, cl.stderr.String(), exitFail)
	}
}

// TestSessionClosedOnSharedConnection: a client that closes one session
// of a connection and keeps the connection (OpenSSH's ControlMaster, or
// any client with several sessions) ends that session on the server: an
// inbox quits and a command is cancelled, each giving back its place
// under MaxSessions.
func TestSessionClosedOnSharedConnection(t *testing.T) {
	cancelled := make(chan struct{}, 1)
	ts, _ := fakeServer(t, 1, func(c *Config) {
		c.MaxSessions = 1
		c.Exec = func(ctx context.Context, cmd Command) int {
			if cmd.Args[0] == "watch" {
				<-ctx.Done()
				cancelled <- struct{}{}
			}
			return 0
		}
	})
	c := ts.dial(ts.signers[0])
	ended := func(n int) func() bool {
		return func() bool { return strings.Count(ts.logBuf.String(), `msg="ssh session ended"`) == n }
	}

	inbox := openInbox(t, c, 80, 24)
	inbox.waitText(t, "connected")
	inbox.sess.Close()
	waitUntil(t, "the inbox ends with its session", ended(1))

	sess := newSession(t, c)
	if err := sess.Start("watch"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the watch starts", func() bool { return strings.Contains(ts.logBuf.String(), "kind=watch") })
	sess.Close()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the watch was not cancelled when its session closed")
	}
	waitUntil(t, "the watch ends with its session", ended(2))
	if code, _, stderr := run(t, c, "help"); code != 0 {
		t.Errorf("a new session on the connection: exit %d, %q", code, stderr)
	}
}

// TestCommandWithTerminalResized: window changes to a command with a
// terminal (ssh -t HOST watch), which reads none of them, hold up none
// of the session's other requests (nor its end).
func TestCommandWithTerminalResized(t *testing.T) {
	ts, _ := fakeServer(t, 1, func(c *Config) {
		c.Exec = func(ctx context.Context, cmd Command) int {
			<-ctx.Done()
			return 0
		}
	})
	c := ts.dial(ts.signers[0])
	sess := newSession(t, c)
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("watch"); err != nil {
		t.Fatal(err)
	}
	for w := 70; w < 75; w++ {
		if err := sess.WindowChange(24, w); err != nil {
			t.Fatal(err)
		}
	}
	answered := make(chan error, 1)
	go func() { _, err := sess.SendRequest("keepalive@openssh.com", true, nil); answered <- err }()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a request after the window changes got no answer")
	}
}

// TestRequestsRefused: the server takes no variable but allowedEnv, and
// a bounded number of those; it forwards no agent, X11 or ports.
func TestRequestsRefused(t *testing.T) {
	ts, _ := fakeServer(t, 1, nil)
	c := ts.dial(ts.signers[0])
	sess := newSession(t, c)
	for _, r := range []struct {
		kind    string
		payload []byte
	}{
		{"auth-agent-req@openssh.com", nil},
		{"x11-req", nil},
		{"subsystem", gossh.Marshal(struct{ Name string }{"sftp"})},
	} {
		if ok, err := sess.SendRequest(r.kind, true, r.payload); ok || err != nil {
			t.Errorf("%s: accepted %v, err %v; want a refusal", r.kind, ok, err)
		}
	}
	if ok, _, err := c.SendRequest("tcpip-forward", true, gossh.Marshal(struct {
		Addr string
		Port uint32
	}{"127.0.0.1", 0})); ok || err != nil {
		t.Errorf("tcpip-forward: accepted %v, err %v; want a refusal", ok, err)
	}
	if _, err := c.Dial("tcp", ts.Addr().String()); err == nil {
		t.Error("a direct-tcpip channel was opened")
	}
	for _, k := range []string{"LD_PRELOAD", "PATH", "LC_ALL", "TERMINFO"} {
		if err := sess.Setenv(k, "x"); err == nil {
			t.Errorf("%s was accepted", k)
		}
	}
	for i := range maxEnvRequests {
		if err := sess.Setenv("LANG", "C"); err != nil {
			t.Fatalf("LANG #%d: %v", i+1, err)
		}
	}
	if err := sess.Setenv("LANG", "C"); err == nil {
		t.Errorf("variable #%d was accepted, past the bound", maxEnvRequests+1)
	}
}

// TestEndOfWriting: OpenSSH's client says when it will show no more of
// a session (eow@openssh.com: `ssh HOST watch | head -n1` after head
// exited), and says it only to a server whose version starts with
// "OpenSSH": the session ends then.
func TestEndOfWriting(t *testing.T) {
	cancelled := make(chan struct{})
	ts, _ := fakeServer(t, 1, func(c *Config) {
		c.Exec = func(ctx context.Context, cmd Command) int {
			<-ctx.Done()
			close(cancelled)
			return 0
		}
	})
	c := ts.dial(ts.signers[0])
	if v := string(c.ServerVersion()); !strings.HasPrefix(v, "SSH-2.0-OpenSSH") {
		t.Errorf("server version %q: OpenSSH's client sends eow@openssh.com only to OpenSSH*", v)
	}
	sess := newSession(t, c)
	if err := sess.Start("watch"); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.SendRequest("eow@openssh.com", false, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the command went on after the client's end of writing")
	}
	inbox := openInbox(t, c, 80, 24)
	inbox.waitText(t, "connected")
	if _, err := inbox.sess.SendRequest("eow@openssh.com", false, nil); err != nil {
		t.Fatal(err)
	}
	inbox.wait()
}

// TestInterruptWithTerminal: ^C ends a command run with a terminal
// (ssh -t HOST watch), whose client sends it as a byte.
func TestInterruptWithTerminal(t *testing.T) {
	ts, _ := fakeServer(t, 1, func(c *Config) {
		c.Exec = func(ctx context.Context, cmd Command) int {
			<-ctx.Done()
			return 0
		}
	})
	c := ts.dial(ts.signers[0])
	sess := newSession(t, c)
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("watch"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	if _, err := stdin.Write([]byte("jk\x03")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if code := exitStatus(t, err); code != 0 {
			t.Errorf("exit %d, want the command's 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("^C did not end the command")
	}
}

// TestInboxWithoutSize: a terminal of no size (ssh -tt from a script)
// gets the inbox at 80x24, not an empty screen.
func TestInboxWithoutSize(t *testing.T) {
	ts, _ := fakeServer(t, 1, nil)
	c := ts.dial(ts.signers[0])
	sess := newSession(t, c)
	out := newVT(80, 24, nil)
	sess.Stdout = out
	if err := sess.RequestPty("xterm", 0, 0, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	out.waitFor(t, "the status bar on the 23rd line", func(s string) bool {
		lines := strings.Split(s, "\n")
		return strings.Contains(lines[22], "connected") && strings.Contains(lines[0], "Build 1432")
	})
}
