package serve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pobox/cache"
	"pobox/sandbox"
	pbsession "pobox/session"
	inboxsync "pobox/sync"
)

// sandboxEnv is a sandbox with an account, an app and a device, and a
// real engine on a cache in step with it.
type sandboxEnv struct {
	srv   *sandbox.Server
	user  string
	token string
	db    *cache.DB
	en    *inboxsync.Engine
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{KeepAlive: 50 * time.Millisecond})
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
	client, err := pbsession.New(srv.APIURL(), pbsession.Options{Version: "test", Timeout: 5 * time.Second,
		Retry: pbsession.Backoff{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	dir := t.TempDir()
	db, err := cache.Open(context.Background(), filepath.Join(dir, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	en, err := inboxsync.New(inboxsync.Config{
		DB: db, Client: client,
		Login: pbsession.Stored{UserKey: user, Secret: pbsession.Secret(secret), DeviceID: devID, DeviceName: "pobox",
			APIURL: srv.APIURL(), WSURL: srv.WSURL()},
		LockPath:     filepath.Join(dir, "pobox.lock"),
		PollInterval: 10 * time.Millisecond,
		RetryActions: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	en.Start(context.Background())
	t.Cleanup(func() { en.Close() }) // after the server's cleanup: cleanups run last first
	return &sandboxEnv{srv: srv, user: user, token: token, db: db, en: en}
}

func (e *sandboxEnv) publish(t testing.TB, title string, prio int) sandbox.Published {
	t.Helper()
	m := sandbox.Message{Token: e.token, User: e.user, Title: title, Message: "body of " + title, Priority: prio}
	if prio == 2 {
		m.Retry, m.Expire = 30, 3600
	}
	p, err := e.srv.Publish(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPublishedReachesEverySession: one engine, two screens: a message
// published once appears in both.
func TestPublishedReachesEverySession(t *testing.T) {
	env := newSandboxEnv(t)
	ts := startServer(t, env.db, env.en, 2, func(c *Config) { c.UI.Now = nil })
	a := openInbox(t, ts.dial(ts.signers[0]), 80, 24)
	b := openInbox(t, ts.dial(ts.signers[1]), 100, 30)
	a.waitText(t, "connected")
	b.waitText(t, "connected")
	env.publish(t, "Backup finished on nas-1", 0)
	a.waitText(t, "Backup finished")
	b.waitText(t, "Backup finished")
}

// TestAckClearsEveryBanner: `a` in one session acknowledges for all: the
// sandbox records the receipt, and the other session's banner goes.
func TestAckClearsEveryBanner(t *testing.T) {
	env := newSandboxEnv(t)
	ts := startServer(t, env.db, env.en, 1, func(c *Config) { c.UI.Now = nil })
	c := ts.dial(ts.signers[0])
	a := openInbox(t, c, 80, 24)
	b := openInbox(t, c, 80, 24)
	a.waitText(t, "connected")
	b.waitText(t, "connected")
	p := env.publish(t, "Database down", 2)
	const banner = "1 emergency needs acknowledging"
	a.waitText(t, banner)
	b.waitText(t, banner)
	a.waitFor(t, "the emergency selected", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, ">") && strings.Contains(l, "Database down") {
				return true
			}
		}
		return false
	})
	a.press("a")
	for _, cl := range []*client{a, b} {
		cl.waitFor(t, "no banner", func(s string) bool { return !strings.Contains(s, banner) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.srv.Wait(ctx, func() bool {
		r, ok := env.srv.Receipt(p.Receipt)
		return ok && r.Acknowledged
	}); err != nil {
		t.Fatalf("the sandbox never recorded the acknowledgement: %v", err)
	}
}
