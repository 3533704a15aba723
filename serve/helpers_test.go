package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"pobox/cache"
	inboxsync "pobox/sync"
	"pobox/ui"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // the screens show local times
	goleak.VerifyTestMain(m, leakOptions()...)
}

// testNow is the inboxes' fixed clock.
var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// newSigner makes an ed25519 key for a test client.
func newSigner(tb testing.TB) gossh.Signer {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// writeAuthorized writes an authorized_keys file with the signers' keys.
func writeAuthorized(tb testing.TB, path string, signers ...gossh.Signer) {
	tb.Helper()
	var b bytes.Buffer
	b.WriteString("# test keys\n")
	for _, s := range signers {
		b.Write(gossh.MarshalAuthorizedKey(s.PublicKey()))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// fakeEngine is a ui.Engine whose events the test sends; its actions act
// on the cache as the real engine's do, and report RowsChanged as the
// real engine's poll of the cache would.
type fakeEngine struct {
	db     *cache.DB
	events chan inboxsync.Event
	mu     sync.Mutex
	acks   []string
}

func newFakeEngine(db *cache.DB) *fakeEngine {
	return &fakeEngine{db: db, events: make(chan inboxsync.Event, 64)}
}

func (e *fakeEngine) Events() <-chan inboxsync.Event { return e.events }
func (e *fakeEngine) SyncNow()                       {}

func (e *fakeEngine) Acknowledge(ctx context.Context, receipt string) error {
	e.mu.Lock()
	e.acks = append(e.acks, receipt)
	e.mu.Unlock()
	_, err := e.db.EnqueueAck(ctx, 1, receipt)
	e.events <- inboxsync.RowsChanged{}
	return err
}

func (e *fakeEngine) AcknowledgeAll(ctx context.Context) (int, error) {
	return 0, errors.New("not in these tests")
}

func (e *fakeEngine) DeleteUpTo(ctx context.Context, key int64) (cache.Deleted, error) {
	return cache.Deleted{}, errors.New("not in these tests")
}

// sample is a small inbox with fixed dates, newest last.
func sample() []cache.Message {
	at := func(d time.Duration) int64 { return testNow.Add(-d).Unix() }
	ms := []cache.Message{
		{Title: "Weekly report", Message: "All 12 services healthy.", App: "Monitoring", Date: at(20 * 24 * time.Hour), Read: true},
		{Title: "Deploy finished", Message: "web-7 is live (took 94 s).", App: "Deploys", Date: at(5 * time.Hour),
			URL: "https://example.com/deploys/7", URLTitle: "Deploy #7"},
		{Title: "Grüße aus Köln 🎉", Message: "日本語のメッセージ と é.", App: "Home", Date: at(90 * time.Minute)},
		{Title: "CPU high on web-2", Message: "Load average 3.1 for 10 minutes.", App: "Monitoring", Date: at(40 * time.Minute), Priority: 1},
		{Title: "Door \x1b[2Jopened", Message: "Front door opened\x07 while nobody is home.", App: "Home", Date: at(12 * time.Minute)},
		{Title: "Build 1432 passed", Message: strings.Repeat("All tests passed. ", 8), App: "CI", Date: at(3 * time.Minute)},
	}
	for i := range ms {
		ms[i].ID, ms[i].UMID, ms[i].AID = int64(1000+i), int64(1000+i), 1
	}
	return ms
}

// openDB opens a cache in dir with one device (number 1) and ms in it.
func openDB(tb testing.TB, dir string, ms ...cache.Message) *cache.DB {
	tb.Helper()
	db, err := cache.Open(context.Background(), filepath.Join(dir, "cache.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.UseDevice(context.Background(), "servetestdevice00000000000000000000000000", "pobox"); err != nil {
		tb.Fatal(err)
	}
	if len(ms) > 0 {
		if _, err := db.Ingest(context.Background(), cache.Batch{Device: 1, Messages: ms}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.SetState(context.Background(), cache.StateLastSync, testNow.Add(-2*time.Minute).Format(time.RFC3339)); err != nil {
		tb.Fatal(err)
	}
	return db
}

// testServer is a Server on loopback, serving until the test ends.
type testServer struct {
	*Server
	t       *testing.T
	dir     string
	akPath  string
	signers []gossh.Signer // authorised keys
	cancel  context.CancelFunc
	done    chan error
	logBuf  *syncBuffer
}

// startServer starts a server on engine and db with n authorised keys;
// adjust, when set, changes the config first.
func startServer(t *testing.T, db *cache.DB, engine ui.Engine, n int, adjust func(*Config)) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{t: t, dir: dir, akPath: filepath.Join(dir, "config", "authorized_keys"), logBuf: &syncBuffer{}}
	if err := os.MkdirAll(filepath.Dir(ts.akPath), 0o700); err != nil {
		t.Fatal(err)
	}
	for range n {
		ts.signers = append(ts.signers, newSigner(t))
	}
	writeAuthorized(t, ts.akPath, ts.signers...)
	cfg := Config{
		Listen:             "127.0.0.1:0",
		HostKeyPath:        filepath.Join(dir, "state", "ssh_host_ed25519_key"),
		AuthorizedKeysPath: ts.akPath,
		DB:                 db,
		Engine:             engine,
		UI:                 ui.Options{Now: func() time.Time { return testNow }, BellInterval: -1},
		Logger:             newTestLogger(ts.logBuf),
	}
	if adjust != nil {
		adjust(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel, ts.done = cancel, make(chan error, 1)
	go func() { ts.done <- srv.Serve(ctx) }()
	t.Cleanup(ts.stop)
	return ts
}

// stop stops the server and fails the test if Serve does not return.
func (ts *testServer) stop() {
	ts.t.Helper()
	ts.cancel()
	select {
	case err := <-ts.done:
		if err != nil {
			ts.t.Errorf("Serve: %v", err)
		}
		ts.done <- nil // a second stop returns at once
	case <-time.After(15 * time.Second):
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		ts.t.Fatal("Serve did not return within 15s of its context ending")
	}
}

// dial connects with the given auth methods, checking the host key.
func (ts *testServer) dialAuth(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", ts.Addr().String(), &gossh.ClientConfig{
		User:            "tester",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(ts.hostKey),
		Timeout:         5 * time.Second,
	})
}

// dial connects as the holder of signer and closes the client at the end.
func (ts *testServer) dial(signer gossh.Signer) *gossh.Client {
	ts.t.Helper()
	c, err := ts.dialAuth(gossh.PublicKeys(signer))
	if err != nil {
		ts.t.Fatalf("dial: %v", err)
	}
	ts.t.Cleanup(func() { c.Close() })
	return c
}

// client is one ssh session as a terminal user has it.
type client struct {
	*vt
	t      testing.TB
	sess   *gossh.Session
	stdin  io.WriteCloser
	stderr *syncBuffer
	done   chan error
}

// openInbox opens a session with a w x h terminal and the shell: the
// inbox. env is sent as SendEnv would.
func openInbox(t testing.TB, c *gossh.Client, w, h int, env ...string) *client {
	t.Helper()
	return openInboxTerm(t, c, "xterm-256color", w, h, env...)
}

// newSession opens a session on c, closed at the end of the test if
// nothing closed it before.
func newSession(t testing.TB, c *gossh.Client) *gossh.Session {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

// openInboxTerm is openInbox for a terminal of the given TERM.
func openInboxTerm(t testing.TB, c *gossh.Client, term string, w, h int, env ...string) *client {
	t.Helper()
	sess := newSession(t, c)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cl := &client{t: t, sess: sess, stdin: stdin, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cl.vt = newVT(w, h, func(b []byte) { _, _ = stdin.Write(b) })
	// tmux and screen count per code point; the others (xterm, ...) by
	// grapheme.
	cl.vt.graphemes = !strings.HasPrefix(term, "tmux") && !strings.HasPrefix(term, "screen")
	sess.Stdout, sess.Stderr = cl.vt, cl.stderr
	if err := sess.RequestPty(term, h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { err := sess.Wait(); cl.vt.closed(); cl.done <- err }()
	t.Cleanup(func() { sess.Close() })
	return cl
}

// press types keys.
func (cl *client) press(keys string) {
	cl.t.Helper()
	if _, err := io.WriteString(cl.stdin, keys); err != nil {
		cl.t.Fatalf("type %q: %v", keys, err)
	}
}

// resize changes the client's window.
func (cl *client) resize(w, h int) {
	cl.t.Helper()
	cl.vt.resize(w, h)
	if err := cl.sess.WindowChange(h, w); err != nil {
		cl.t.Fatal(err)
	}
}

// wait waits for the session to end and returns its exit status.
func (cl *client) wait() int {
	cl.t.Helper()
	select {
	case err := <-cl.done:
		cl.done <- err
		return exitStatus(cl.t, err)
	case <-time.After(10 * time.Second):
		cl.t.Fatalf("the session did not end; the screen:\n%s", cl.text())
	}
	return -1
}

func exitStatus(t testing.TB, err error) int {
	t.Helper()
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	}
	t.Fatalf("the session ended without an exit status: %v", err)
	return -1
}

// run runs a command line without a terminal and returns its exit status,
// standard output and standard error.
func run(t testing.TB, c *gossh.Client, cmd string) (int, string, string) {
	t.Helper()
	sess := newSession(t, c)
	defer sess.Close() // now: the session limit counts it until then
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	var err error
	if cmd == "" {
		err = sess.Shell()
		if err == nil {
			err = sess.Wait()
		}
	} else {
		err = sess.Run(cmd)
	}
	return exitStatus(t, err), out.String(), errOut.String()
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitUntil polls cond until it holds, failing after 10 s.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// leakOptions are what goleak may find still running after the tests:
// only the inbox's timers. ui arms them with tea.Tick, whose goroutine
// sleeps out its duration (up to a minute, the clock's redraw) after the
// program has ended, as Bubble Tea v1 documents (handleCommands: "we'll
// have to leak the goroutine until Cmd returns"). They end by themselves
// and touch nothing of the server; they go once ui's timers end with the
// program's context.
func leakOptions() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreTopFunction("github.com/charmbracelet/bubbletea.Tick.func1"),
		goleak.IgnoreAnyFunction("github.com/charmbracelet/bubbletea.(*Program).execBatchMsg"),
	}
}
