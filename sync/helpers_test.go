package sync

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"pobox/cache"
	"pobox/sandbox"
	"pobox/session"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// env is one sandbox with one account, app and device, and a cache.
type env struct {
	t      testing.TB
	srv    *sandbox.Server
	user   string
	token  string
	login  session.Stored
	client *session.Client
	dir    string
}

func newEnv(t testing.TB, opts sandbox.Options) *env {
	t.Helper()
	if opts.KeepAlive == 0 {
		opts.KeepAlive = 50 * time.Millisecond
	}
	if opts.FirstID == 0 {
		opts.FirstID = 1<<53 + 1 // ids a float64 cannot hold
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	user := srv.AddAccount(sandbox.Account{Email: "a@example.com", Password: "pw"})
	token := srv.AddApp("Tests")
	devID, secret, err := srv.AddDevice(user, "pobox")
	if err != nil {
		t.Fatal(err)
	}
	client, err := session.New(srv.APIURL(), session.Options{
		Version: "test",
		Timeout: 5 * time.Second,
		Retry:   session.Backoff{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	return &env{
		t: t, srv: srv, user: user, token: token, client: client, dir: t.TempDir(),
		login: session.Stored{UserKey: user, Secret: session.Secret(secret), DeviceID: devID,
			DeviceName: "pobox", APIURL: srv.APIURL(), WSURL: srv.WSURL()},
	}
}

// openDB opens the env's cache (a second call opens a second handle on the
// same file, as a second process would).
func (e *env) openDB() *cache.DB {
	e.t.Helper()
	db, err := cache.Open(context.Background(), filepath.Join(e.dir, "cache.db"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

// config returns fast settings for tests.
func (e *env) config(db *cache.DB) Config {
	return Config{
		DB: db, Client: e.client, Login: e.login,
		LockPath:     filepath.Join(e.dir, "sync.lock"),
		Watchdog:     2 * time.Second,
		DialTimeout:  2 * time.Second,
		BackoffMin:   5 * time.Millisecond,
		BackoffMax:   50 * time.Millisecond,
		PollInterval: 10 * time.Millisecond,
		LockRetry:    20 * time.Millisecond,
		RetryActions: 10 * time.Millisecond,
	}
}

// engine creates an engine that is not started (for SyncOnce and Flush,
// as `pobox sync` uses it); it is closed at the end of the test.
func (e *env) engine(cfg Config) *Engine {
	e.t.Helper()
	en, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { en.Close() })
	return en
}

// start creates and starts an engine; it is closed at the end of the test.
func (e *env) start(cfg Config) *Engine {
	e.t.Helper()
	en := e.engine(cfg)
	en.Start(context.Background())
	return en
}

// startOnline starts an engine on cfg and returns once it has stored
// the backlog and its websocket is up: the holder most tests begin with.
func (e *env) startOnline(cfg Config) *Engine {
	e.t.Helper()
	en := e.start(cfg)
	waitFor[Synced](e.t, en, nil)
	e.waitOnline()
	return en
}

func (e *env) publish(text string, prio int) sandbox.Published {
	e.t.Helper()
	m := sandbox.Message{Token: e.token, User: e.user, Message: text, Priority: prio}
	if prio == 2 {
		m.Retry, m.Expire = 30, 3600
	}
	p, err := e.srv.Publish(m)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// waitFor reads events until match returns true, failing after a timeout.
// Events read on the way are returned too.
func waitFor[T Event](t testing.TB, en *Engine, match func(T) bool) T {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-en.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %T", *new(T))
			}
			if v, ok := ev.(T); ok && (match == nil || match(v)) {
				return v
			}
		case <-timeout:
			t.Fatalf("no %T event within 10s", *new(T))
		}
	}
}

// waitServer waits until cond holds on the sandbox.
func (e *env) waitServer(what string, cond func() bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Wait(ctx, cond); err != nil {
		e.t.Fatalf("sandbox: %s: %v", what, err)
	}
}

func (e *env) queueLen() int {
	d, ok := e.srv.Device(e.login.DeviceID)
	if !ok {
		e.t.Fatal("device vanished")
	}
	return len(d.Queue)
}

func (e *env) waitOnline() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.WaitOnline(ctx, e.login.DeviceID); err != nil {
		e.t.Fatalf("device never came online: %v", err)
	}
}

func count(t testing.TB, db *cache.DB) int {
	t.Helper()
	c, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Total
}

func msg(i int) string { return fmt.Sprintf("message %d", i) }
