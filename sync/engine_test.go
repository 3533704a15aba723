package sync

import (
	"context"
	"errors"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"pobox/cache"
	"pobox/sandbox"
)

func TestPublishIsStoredThenDeletedOnServer(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	e.publish("waiting before login", 1)
	db := e.openDB()
	en := e.start(e.config(db))

	first := waitFor[Synced](t, en, nil)
	if !first.Backlog || len(first.New) != 1 {
		t.Fatalf("first sync = %+v, want the backlog of 1 message", first)
	}
	if m, err := db.Get(context.Background(), first.New[0]); err != nil || m.ID <= 1<<53 {
		t.Fatalf("id %d (%v) lost precision or was renumbered", m.ID, err)
	}
	e.waitServer("backlog deleted", func() bool { return e.queueLen() == 0 })
	// The login is one text frame, byte for byte as pushover-api.md 2 has it.
	logins := e.srv.WebsocketLogins()
	want := "login:" + e.login.DeviceID + ":" + e.login.Secret.Reveal() + "\n"
	if len(logins) == 0 || logins[0].FrameType != sandbox.TextFrame || string(logins[0].Raw) != want || !logins[0].OK {
		t.Fatalf("%d websocket logins; the first is not the text frame login:DEVICE:SECRET\\n", len(logins))
	}

	p := e.publish("hello", 2)
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) > 0 })
	if ev.Backlog || !ev.Emergency || ev.MaxPriority != 2 ||
		!slices.Equal(ev.Emergencies, []Emergency{{ev.New[0], p.Receipt}}) {
		t.Fatalf("synced = %+v, want a new emergency (receipt %s), not backlog", ev, p.Receipt)
	}
	e.waitServer("queue emptied", func() bool { return e.queueLen() == 0 })
	m, err := db.Get(context.Background(), ev.New[0])
	if err != nil || m.Message != "hello" {
		t.Fatalf("stored %+v, %v", m, err)
	}
	if d, _ := e.srv.Device(e.login.DeviceID); d.HighestDeleted != m.ID {
		t.Fatalf("server deleted up to %d, want %d", d.HighestDeleted, m.ID)
	}
}

func TestManualDeleteLeavesMessagesOnServer(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	db := e.openDB()
	cfg := e.config(db)
	cfg.ServerDelete = DeleteManual
	en := e.startOnline(cfg) // after the (empty) backlog
	e.publish("keep me", 0)
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) > 0 })
	if e.queueLen() != 1 {
		t.Fatalf("queue has %d messages, want the message kept", e.queueLen())
	}
	// D deletes on the server even in manual mode.
	if _, err := en.DeleteUpTo(context.Background(), ev.New[0]); err != nil {
		t.Fatal(err)
	}
	waitFor[ActionDone](t, en, nil)
	e.waitServer("deleted by D", func() bool { return e.queueLen() == 0 })
	if count(t, db) != 0 {
		t.Fatal("D left the message in the cache")
	}
}

// TestFrames: each frame test observes the effect of its own frame: a
// download that this '!' caused, a reconnect that this 'R' caused; and
// every byte of a frame that carries several counts.
func TestFrames(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		check   func(t *testing.T, e *env, en *Engine, before frameCounts)
	}{
		{"BangDownloads", "!", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			e.eventually("a download for the '!'", func() bool { return e.counts().downloads > before.downloads })
			e.expectSameSocket(before)
		}},
		{"EveryByteCounts", "#!#", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			e.eventually("a download for the '!' inside '#!#'", func() bool { return e.counts().downloads > before.downloads })
			e.expectSameSocket(before)
		}},
		{"ReloadReconnects", "R", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			waitFor[Disconnected](t, en, func(d Disconnected) bool { return errors.Is(d.Err, errReload) })
			e.eventually("a new websocket login after 'R'", func() bool { return e.counts().logins > before.logins })
		}},
		{"BangThenReloadInOneFrame", "!R", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			waitFor[Disconnected](t, en, func(d Disconnected) bool { return errors.Is(d.Err, errReload) })
			e.eventually("a new websocket login", func() bool { return e.counts().logins > before.logins })
			e.eventually("a download", func() bool { return e.counts().downloads > before.downloads })
		}},
		{"ErrorEnds", "#E", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			ev := waitFor[SessionEnded](t, en, nil)
			if ev.Reason != EndLoggedOut {
				t.Fatalf("reason %v", ev.Reason)
			}
		}},
		{"ElsewhereEnds", "#A", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			ev := waitFor[SessionEnded](t, en, nil)
			if ev.Reason != EndElsewhere {
				t.Fatalf("reason %v", ev.Reason)
			}
		}},
		{"UnknownIgnored", "?x#", func(t *testing.T, e *env, en *Engine, before frameCounts) {
			// The socket stays up: a '!' on it still downloads.
			e.srv.SendFrame(e.login.DeviceID, []byte("!"))
			e.eventually("a download for the later '!'", func() bool { return e.counts().downloads > before.downloads })
			e.expectSameSocket(before)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
			cfg := e.config(e.openDB())
			cfg.Watchdog = time.Hour // only the frames act
			en := e.start(cfg)
			e.waitOnline()
			// A first frame syncs too (see serve): get it and the connect's
			// sync out of the way, so that what follows is the payload's.
			e.srv.SendFrame(e.login.DeviceID, []byte("#"))
			e.eventually("the connect's syncs", func() bool { return e.counts().downloads >= 1 && en.idle(50*time.Millisecond) })
			before := e.counts()
			e.srv.SendFrame(e.login.DeviceID, []byte(tt.payload))
			tt.check(t, e, en, before)
		})
	}
}

// idle reports whether no sync ran or waited for a while d.
func (e *Engine) idle(d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(d / 10) {
		if len(e.syncReq) > 0 || !e.syncMu.TryLock() {
			return false
		}
		e.syncMu.Unlock()
	}
	return true
}

// frameCounts are what the sandbox saw of this device.
type frameCounts struct{ downloads, logins int }

func (e *env) counts() frameCounts {
	var c frameCounts
	for _, r := range e.srv.Requests() {
		if r.Method == "GET" && strings.HasPrefix(r.Path, "/1/messages.json") {
			c.downloads++
		}
	}
	c.logins = len(e.srv.WebsocketLogins())
	return c
}

// expectSameSocket checks that no reconnect happened since before.
func (e *env) expectSameSocket(before frameCounts) {
	e.t.Helper()
	if n := e.counts().logins; n != before.logins {
		e.t.Fatalf("the websocket was reconnected (%d logins, was %d)", n, before.logins)
	}
}

// eventually waits until cond holds, polling, for at most 10 s.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestEndedSessionDoesNotReconnect(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	en := e.start(e.config(e.openDB()))
	e.waitOnline()
	e.srv.SendFrame(e.login.DeviceID, []byte("E"))
	waitFor[SessionEnded](t, en, nil)
	en.SyncNow() // must not bring it back
	logins := len(e.srv.WebsocketLogins())
	// Give a reconnect every chance to happen: many backoff periods.
	time.Sleep(200 * time.Millisecond)
	if n := len(e.srv.WebsocketLogins()); n != logins {
		t.Fatalf("%d logins after E, want %d", n, logins)
	}
}

func TestWatchdogReconnects(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: 20 * time.Millisecond})
	cfg := e.config(e.openDB())
	cfg.Watchdog = 150 * time.Millisecond
	en := e.start(cfg)
	waitFor[Connected](t, en, nil)
	e.srv.SetKeepAlive(false)
	d := waitFor[Disconnected](t, en, nil)
	if !errors.Is(d.Err, errWatchdog) {
		t.Fatalf("disconnected because %v, want the watchdog", d.Err)
	}
	e.srv.SetKeepAlive(true)
	waitFor[Connected](t, en, nil)
}

func TestReconnectPicksUpWhatCameWhileDown(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	db := e.openDB()
	en := e.start(e.config(db))
	e.waitOnline()
	// Refuse the next websocket logins so the message lands while down.
	e.srv.FailNext("/push", 3, 503)
	e.srv.DropWebsockets()
	waitFor[Disconnected](t, en, nil)
	e.publish("sent while down", 0)
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) == 1 })
	m, err := db.Get(context.Background(), ev.New[0])
	if err != nil || m.Message != "sent while down" {
		t.Fatalf("got %+v, %v", m, err)
	}
}

func TestServerErrorsThenRecovery(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	db := e.openDB()
	en := e.startOnline(e.config(db))
	// More failures than the client retries: one run fails.
	e.srv.FailNext("GET /1/messages.json", 3, 500)
	e.publish("after the outage", 0)
	f := waitFor[SyncFailed](t, en, nil)
	if f.Err == nil {
		t.Fatal("SyncFailed without an error")
	}
	en.SyncNow()
	waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) == 1 })
	e.waitServer("queue emptied", func() bool { return e.queueLen() == 0 })
}

func TestCrashBetweenCommitAndDelete(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	for i := range 5 {
		e.publish(msg(i), 0)
	}
	db := e.openDB()
	en, err := New(e.config(db))
	if err != nil {
		t.Fatal(err)
	}
	crash := errors.New("crash")
	en.afterCommit = func() error { return crash }
	if _, err := en.SyncOnce(context.Background()); !errors.Is(err, crash) {
		t.Fatalf("SyncOnce = %v", err)
	}
	if count(t, db) != 5 || e.queueLen() != 5 {
		t.Fatalf("after the crash: %d stored, %d on the server; want 5 and 5", count(t, db), e.queueLen())
	}
	en.Close()

	// A new process on the same cache.
	db2 := e.openDB()
	en2 := e.start(e.config(db2))
	ev := waitFor[Synced](t, en2, nil)
	if len(ev.New) != 0 {
		t.Fatalf("the re-download stored %d messages again", len(ev.New))
	}
	e.waitServer("queue emptied", func() bool { return e.queueLen() == 0 })
	if count(t, db2) != 5 {
		t.Fatalf("%d stored, want 5", count(t, db2))
	}
}

func TestBurstFromFourPublishers(t *testing.T) {
	const publishers, each = 4, 250
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour, AppLimit: 100000})
	db := e.openDB()
	en := e.startOnline(e.config(db))

	var wg stdsync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				m := sandbox.Message{Token: e.token, User: e.user, Message: msg(p*each + i)}
				if _, err := e.srv.Publish(m); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	stored := 0
	for stored < publishers*each {
		ev := waitFor[Synced](t, en, nil)
		stored += len(ev.New)
	}
	e.waitServer("queue emptied", func() bool { return e.queueLen() == 0 })
	if n := count(t, db); n != publishers*each || stored != n {
		t.Fatalf("stored %d (events said %d), want %d", n, stored, publishers*each)
	}
}

func TestFollowerTakesOver(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	dbA, dbB := e.openDB(), e.openDB()
	a := e.startOnline(e.config(dbA)) // after the backlog
	b := e.start(e.config(dbB))
	// The follower shows the holder's state and its messages.
	if c := waitFor[Connected](t, b, nil); c.Holder {
		t.Fatal("two holders")
	}
	e.publish("seen by both", 1)
	waitFor[Synced](t, a, func(s Synced) bool { return len(s.New) == 1 })
	ev := waitFor[Synced](t, b, func(s Synced) bool { return len(s.New) == 1 })
	if ev.MaxPriority != 1 || ev.Backlog {
		t.Fatalf("follower's event %+v", ev)
	}
	// An action by the follower is performed by the holder.
	if _, err := b.DeleteUpTo(context.Background(), ev.New[0]); err != nil {
		t.Fatal(err)
	}
	waitFor[ActionDone](t, a, nil)

	logins := len(e.srv.WebsocketLogins())
	a.Close()
	waitFor[Connected](t, b, func(c Connected) bool { return c.Holder })
	e.waitServer("second websocket", func() bool { return len(e.srv.WebsocketLogins()) > logins })
	if !b.Holder() {
		t.Fatal("b does not hold after takeover")
	}
	// The new holder downloads: a message published now is stored.
	e.publish("after the takeover", 0)
	ev = waitFor[Synced](t, b, func(s Synced) bool { return len(s.New) == 1 })
	if m, err := dbB.Get(context.Background(), ev.New[0]); err != nil || m.Message != "after the takeover" {
		t.Fatalf("after the takeover: %+v, %v", m, err)
	}
}

func TestOutboxReplayAfterNetworkLoss(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	db := e.openDB()
	cfg := e.config(db)
	cfg.RetryActions = time.Hour // replay only on reconnect
	en := e.startOnline(cfg)
	p := e.publish("fire", 2)
	waitFor[Synced](t, en, func(s Synced) bool { return s.Emergency })

	// Failing until the test says otherwise: a replay kicked meanwhile
	// (the watch loop sees the queued action) must not get through.
	ackPath := "/1/receipts/" + p.Receipt + "/acknowledge.json"
	e.srv.FailNext(ackPath, 1000, 502)
	if err := en.Acknowledge(context.Background(), p.Receipt); err != nil {
		t.Fatal(err)
	}
	f := waitFor[ActionFailed](t, en, nil)
	if !f.Queued {
		t.Fatalf("a 502 ended the action: %v", f.Err)
	}
	c, _ := db.Counts(context.Background())
	if c.AckPending != 1 {
		t.Fatalf("counts %+v, want the acknowledgement pending", c)
	}
	e.srv.FailNext(ackPath, 0, 0)
	e.srv.DropWebsockets() // the reconnect replays the outbox
	done := waitFor[ActionDone](t, en, nil)
	if done.Action.Receipt != p.Receipt {
		t.Fatalf("done %+v", done)
	}
	if r, _ := e.srv.Receipt(p.Receipt); !r.Acknowledged || r.AcknowledgedByDevice != "pobox" {
		t.Fatalf("receipt %+v", r)
	}
	c, _ = db.Counts(context.Background())
	if c.Unacked != 0 || c.AckPending != 0 {
		t.Fatalf("counts %+v after the replay", c)
	}
}

func TestOutboxSurvivesRestart(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	p := e.publish("fire", 2)
	db := e.openDB()
	dev, err := db.UseDevice(context.Background(), e.login.DeviceID, e.login.DeviceName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(context.Background(), cache.Batch{Device: dev.N, Messages: []cache.Message{{ID: 1, Priority: 2, Receipt: p.Receipt, Message: "fire"}}}); err != nil {
		t.Fatal(err)
	}
	// Queued by a process that never reached the server.
	if _, err := db.EnqueueAck(context.Background(), dev.N, p.Receipt); err != nil {
		t.Fatal(err)
	}
	en := e.start(e.config(db))
	waitFor[ActionDone](t, en, nil)
	if r, _ := e.srv.Receipt(p.Receipt); !r.Acknowledged {
		t.Fatal("the queued acknowledgement was not replayed")
	}
}

func TestRefusedActionIsReported(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	db := e.openDB()
	en := e.start(e.config(db))
	waitFor[Synced](t, en, nil)
	if err := en.Acknowledge(context.Background(), "unknownreceipt0000000000000000"); err != nil {
		t.Fatal(err)
	}
	f := waitFor[ActionFailed](t, en, nil)
	if f.Queued || f.Err == nil {
		t.Fatalf("failed %+v, want a final failure", f)
	}
	if items, _ := db.Outbox(context.Background()); len(items) != 0 {
		t.Fatalf("outbox still holds %+v", items)
	}
}

func TestLargeQueueIsStoredInBatches(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour, AppLimit: 100000})
	const n = 2*ingestBatch + 500
	for i := range n {
		e.publish(msg(i), 0)
	}
	db := e.openDB()
	en := e.engine(e.config(db))
	ev, err := en.SyncOnce(context.Background())
	if err != nil || len(ev.New) != n || !ev.Backlog {
		t.Fatalf("SyncOnce = %d new (backlog %v), %v; want %d", len(ev.New), ev.Backlog, err, n)
	}
	if count(t, db) != n || e.queueLen() != 0 {
		t.Fatalf("%d stored, %d left on the server", count(t, db), e.queueLen())
	}
}

func TestRefusedLoginEndsFollowersToo(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	a := e.startOnline(e.config(e.openDB()))
	b := e.start(e.config(e.openDB()))
	waitFor[Connected](t, b, nil)

	e.srv.SendFrame(e.login.DeviceID, []byte("E"))
	waitFor[SessionEnded](t, a, nil)
	if ev := waitFor[SessionEnded](t, b, nil); ev.Reason != EndLoggedOut {
		t.Fatalf("follower ended with %v", ev.Reason)
	}
	logins := len(e.srv.WebsocketLogins())
	a.Close()                          // the lock is free: the follower must not try the refused login
	time.Sleep(200 * time.Millisecond) // many lock retries; absence cannot be awaited
	if n := len(e.srv.WebsocketLogins()); n != logins || b.Holder() {
		t.Fatalf("%d logins after the holder left (want %d); follower holds: %v", n, logins, b.Holder())
	}
}
