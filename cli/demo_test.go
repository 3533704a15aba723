package cli

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	inboxsync "pobox/sync"
)

// TestDemoStack runs what `pobox demo` runs under its UI: the seeded
// sandbox, the login, and the engine filling the cache.
func TestDemoStack(t *testing.T) {
	cfg := demoConfig(t.TempDir())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := startDemo(context.Background(), cfg, 50, log)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()

	timeout := time.After(10 * time.Second)
	stored := 0
	for stored < 50 {
		select {
		case ev := <-d.en.Events():
			if s, ok := ev.(inboxsync.Synced); ok {
				if !s.Backlog && len(s.New) > 0 {
					t.Fatalf("the seeded messages were not treated as the backlog: %+v", s)
				}
				stored += len(s.New)
			}
		case <-timeout:
			t.Fatalf("%d of 50 seeded messages stored after 10 s", stored)
		}
	}
	c, err := d.db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 50 || c.Unacked != 1 || len(c.Apps) < 3 {
		t.Fatalf("counts %+v: want 50 messages from several apps, one unacknowledged emergency", c)
	}

	// The live publisher's messages arrive too, and ring (not backlog).
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); publishSamples(ctx, d.srv, d.acct, time.Millisecond, log) }()
	defer func() { cancel(); <-done }()
	for {
		select {
		case ev := <-d.en.Events():
			if s, ok := ev.(inboxsync.Synced); ok && len(s.New) > 0 && !s.Backlog {
				m, err := d.db.Get(context.Background(), s.New[0])
				if err != nil || m.App == "" {
					t.Fatalf("stored %+v, %v", m, err)
				}
				return
			}
		case <-timeout:
			t.Fatal("no published sample arrived")
		}
	}
}

func TestDemoConfigMirrorsXDG(t *testing.T) {
	c := demoConfig("/d")
	for got, want := range map[string]string{
		c.SessionPath: "/d/config/pobox/session.json",
		c.CachePath:   "/d/data/pobox/cache.db",
		c.LogPath:     "/d/state/pobox/pobox.log",
		c.LockPath:    "/d/state/pobox/pobox.lock",
	} {
		if got != want {
			t.Errorf("path %s, want %s", got, want)
		}
	}
}
