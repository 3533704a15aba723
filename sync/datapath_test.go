package sync

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	stdsync "sync"
	"testing"
	"time"

	"pobox/cache"
	"pobox/sandbox"
	"pobox/session"
)

// TestDeleteUpToIDNeverAboveStored: `pobox delete --upto 99999999` must not
// make the server drop what was never downloaded.
func TestDeleteUpToIDNeverAboveStored(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	for i := range 3 {
		e.publish(msg(i), 0)
	}
	db := e.openDB()
	cfg := e.config(db)
	cfg.ServerDelete = DeleteManual
	en := e.engine(cfg)
	ev, err := en.SyncOnce(context.Background())
	if err != nil || len(ev.New) != 3 {
		t.Fatalf("SyncOnce = %+v, %v", ev, err)
	}
	newest, err := db.Get(context.Background(), ev.New[2])
	if err != nil {
		t.Fatal(err)
	}
	later := e.publish("not downloaded yet", 0)

	d, err := en.DeleteUpToID(context.Background(), 99999999999999999)
	if err != nil {
		t.Fatal(err)
	}
	if d.Removed != 3 || d.Server.UpToID != newest.ID {
		t.Fatalf("DeleteUpToID = %+v, want 3 removed and the server delete at %d", d, newest.ID)
	}
	for _, ev := range en.Flush(context.Background()) {
		if _, ok := ev.(ActionDone); !ok {
			t.Fatalf("flush: %#v", ev)
		}
	}
	if dv, _ := e.srv.Device(e.login.DeviceID); dv.HighestDeleted != newest.ID || len(dv.Queue) != 1 {
		t.Fatalf("server deleted up to %d with %d queued; want %d and the later message kept", dv.HighestDeleted, len(dv.Queue), newest.ID)
	}
	ev, err = en.SyncOnce(context.Background())
	if err != nil || len(ev.New) != 1 {
		t.Fatalf("the later message %s was not stored: %+v, %v", later.Request, ev, err)
	}
}

// TestFailedSyncRetriesItself: downloads fail for a while with the
// websocket up; the waiting message is stored once they work again, with
// no new '!' and no reconnect.
func TestFailedSyncRetriesItself(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	db := e.openDB()
	cfg := e.config(db)
	cfg.Watchdog = time.Hour // no reconnect (and its sync) to hide the fault
	cfg.RetrySync, cfg.RetrySyncMax = 20*time.Millisecond, 100*time.Millisecond
	en := e.startOnline(cfg) // after the empty backlog
	logins := len(e.srv.WebsocketLogins())
	// Each sync tries 3 times (the client's retries): this fails several
	// syncs in a row.
	e.srv.FailNext("GET /1/messages.json", 10, 500)
	p := e.publish("while downloads fail", 0)
	waitFor[SyncFailed](t, en, func(f SyncFailed) bool { return !f.RetryAt.IsZero() })
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) > 0 })
	m, err := db.Get(context.Background(), ev.New[0])
	if err != nil || m.Message != "while downloads fail" {
		t.Fatalf("stored %+v, %v (published %s)", m, err, p.Request)
	}
	if n := e.srv.PendingFaults(); n != 0 {
		t.Errorf("%d faults left: the retry did not use them up", n)
	}
	if n := len(e.srv.WebsocketLogins()); n != logins {
		t.Errorf("the websocket reconnected (%d logins, was %d): not the retry's doing", n, logins)
	}
}

// TestAnnouncedBeforeServerDelete: the bell and the banner must not wait
// for the delete on the server, which may hang or fail. Every delete
// hangs here (for longer than the wait for the announcement, whatever the
// client's timeouts and retries): an announcement that waited for it
// would not come. Once the server answers again, the delete is done and
// the message stays stored once.
func TestAnnouncedBeforeServerDelete(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	db := e.openDB()
	cfg := e.config(db)
	cfg.PollInterval = time.Hour // only the sync itself announces
	en := e.startOnline(cfg)
	const deletePath = "/1/devices/{device}/update_highest_message.json"
	e.srv.HangNext(deletePath, 1000, time.Hour)
	e.publish("ring now", 1)
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) > 0 })
	if ev.MaxPriority != 1 {
		t.Fatalf("announced %+v, want the priority 1 message", ev)
	}
	if n := e.queueLen(); n != 1 {
		t.Fatalf("%d messages on the server, want the one whose delete hangs", n)
	}
	e.waitServer("the delete hangs", func() bool { return e.srv.PendingFaults() < 1000 })
	e.srv.HangNext(deletePath, 0, 0) // the hanging attempt times out (5 s), a retry goes through
	e.waitServer("deleted once the server answers", func() bool { return e.queueLen() == 0 })
	if n := count(t, db); n != 1 {
		t.Fatalf("%d stored, want 1", n)
	}
}

// TestFollowerAnnouncesEveryMessageOnce: a burst larger than one page of
// the cache, stored between two looks of a follower, reaches it in full,
// each message once, in order.
func TestFollowerAnnouncesEveryMessageOnce(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour, AppLimit: 100000})
	e.startOnline(e.config(e.openDB())) // the holder
	fcfg := e.config(e.openDB())
	fcfg.PollInterval = 700 * time.Millisecond // both batches land between two looks
	follower := e.start(fcfg)
	waitFor[Connected](t, follower, nil)

	// The holder's download waits until the whole burst is queued: it then
	// commits two batches back to back.
	e.srv.HangNext("GET /1/messages.json", 1, 2*time.Second)
	const n = cache.MaxLimit + 500
	for i := range n {
		if _, err := e.srv.Publish(sandbox.Message{Token: e.token, User: e.user, Message: msg(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []int64
	deadline := time.After(30 * time.Second)
	for len(keys) < n {
		select {
		case ev := <-follower.Events():
			if s, ok := ev.(Synced); ok && !s.Backlog {
				keys = append(keys, s.New...)
			}
		case <-deadline:
			t.Fatalf("the follower announced %d of %d", len(keys), n)
		}
	}
	if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != n {
		t.Fatalf("announced %d keys, not each once in order", len(keys))
	}
}

// TestOwnSyncAndWatchAnnounceOnce: a follower that syncs itself (r) sees
// its own commit through both its sync and its watch for other processes'
// writes; the messages are announced once all the same.
func TestOwnSyncAndWatchAnnounceOnce(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	lock, err := tryLock(filepath.Join(e.dir, "sync.lock")) // a holder elsewhere, offline
	if err != nil || lock == nil {
		t.Fatalf("lock: %v", err)
	}
	defer lock.release()
	e.publish("one", 0)
	e.publish("two", 0)
	en, err := New(e.config(e.openDB()))
	if err != nil {
		t.Fatal(err)
	}
	// The watch loop announces the commit before the sync itself does.
	watched := make(chan struct{})
	en.afterIngest = func() { <-watched }
	en.Start(context.Background())
	defer en.Close()
	en.SyncNow()
	first := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) > 0 })
	close(watched)
	got := len(first.New)
	timeout := time.After(500 * time.Millisecond) // absence: nothing to wait on
	for {
		select {
		case ev := <-en.Events():
			if s, ok := ev.(Synced); ok {
				got += len(s.New)
			}
		case <-timeout:
			if got != 2 {
				t.Fatalf("announced %d keys for 2 messages", got)
			}
			return
		}
	}
}

// TestReloadPauses: after 'R' the engine waits a moment before it
// reconnects, so that a server answering every login with 'R' does not get
// a tight loop.
func TestReloadPauses(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	cfg := e.config(e.openDB())
	cfg.ReloadPause = time.Second // so at least 200 ms
	en := e.startOnline(cfg)
	start := time.Now()
	e.srv.Reload(e.login.DeviceID)
	waitFor[Disconnected](t, en, nil)
	waitFor[Connected](t, en, nil)
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Fatalf("reconnected %v after R, want a pause of at least 200ms", el)
	}
}

// TestAckDoesNotBlockTheOutbox: one acknowledgement the server keeps
// refusing for now holds back neither the next one nor a delete.
func TestAckDoesNotBlockTheOutbox(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	stuck, fine := e.publish("stuck", 2), e.publish("fine", 2)
	db := e.openDB()
	en := e.engine(e.config(db))
	if _, err := en.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext("/1/receipts/"+stuck.Receipt+"/acknowledge.json", 100, 500)
	for _, r := range []string{stuck.Receipt, fine.Receipt} {
		if err := en.Acknowledge(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	evs := en.Flush(context.Background())
	if r, _ := e.srv.Receipt(fine.Receipt); !r.Acknowledged {
		t.Fatalf("the second acknowledgement waited behind the first: %#v", evs)
	}
	items, _ := db.Outbox(context.Background())
	if len(items) != 1 || items[0].Receipt != stuck.Receipt {
		t.Fatalf("outbox = %+v, want only the stuck acknowledgement", items)
	}
}

// TestUnknownActionIsKept: an action a newer pobox queued stays for it and
// does not block the others.
func TestUnknownActionIsKept(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	p := e.publish("fire", 2)
	db := e.openDB()
	en := e.engine(e.config(db))
	if _, err := en.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(e.dir, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO outbox (kind, device, created_at) VALUES ('snooze', 1, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := en.Acknowledge(context.Background(), p.Receipt); err != nil {
		t.Fatal(err)
	}
	en.Flush(context.Background())
	if r, _ := e.srv.Receipt(p.Receipt); !r.Acknowledged {
		t.Fatal("the acknowledgement waited behind the unknown action")
	}
	items, _ := db.Outbox(context.Background())
	if len(items) != 1 || items[0].Kind != "snooze" {
		t.Fatalf("outbox = %+v, want the unknown action kept", items)
	}
}

// TestNewDeviceStartsLowAgain: after a logout and a login as a new device,
// the new device's ids start low again (here: equal to the old device's).
// Its messages are stored, shown and announced; the old device's are still
// listed; the server deletes only the new device's queue, only up to what
// was stored; and a delete the old device queued is not sent with the new
// device's id.
func TestNewDeviceStartsLowAgain(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	for i := range 3 {
		e.publish("old "+msg(i), 0)
	}
	db := e.openDB()
	old, err := New(e.config(db))
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := old.SyncOnce(context.Background()); err != nil || len(ev.New) != 3 {
		t.Fatalf("old device sync = %+v, %v", ev, err)
	}
	// An action the old device queued and never sent.
	if _, err := old.DeleteUpTo(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	old.Close()
	oldDev, _ := e.srv.Device(e.login.DeviceID)

	// Log in again as a new device.
	devID, secret, err := e.srv.AddDevice(e.user, "laptop-2")
	if err != nil {
		t.Fatal(err)
	}
	e.login.DeviceID, e.login.Secret, e.login.DeviceName = devID, session.Secret(secret), "laptop-2"
	e.srv.RemoveDevice(oldDev.ID) // deleted on the website: its queue no longer matters
	for i := range 3 {
		e.publish("new "+msg(i), 0)
	}
	en := e.start(e.config(db))
	var ev Synced
	var dropped bool
	timeout := time.After(10 * time.Second)
	for len(ev.New) < 3 || !dropped {
		select {
		case got := <-en.Events():
			switch got := got.(type) {
			case Synced:
				if len(got.New) > 0 {
					ev = ev.merge(got)
				}
			case ActionFailed:
				dropped = dropped || errors.Is(got.Err, errOtherDevice)
			}
		case <-timeout:
			t.Fatalf("stored %d new, old device's delete dropped: %v", len(ev.New), dropped)
		}
	}
	m, err := db.Get(context.Background(), ev.New[0])
	if err != nil || m.Message != "new message 0" || m.ID != oldDev.NextID-3 {
		t.Fatalf("first new message = %+v, %v; want id %d, the old device's first id again", m, err, oldDev.NextID-3)
	}
	e.waitServer("new device's queue emptied", func() bool { return e.queueLen() == 0 })
	if d, _ := e.srv.Device(devID); d.HighestDeleted != m.ID+2 {
		t.Errorf("server deleted up to %d, want %d", d.HighestDeleted, m.ID+2)
	}
	if c := count(t, db); c != 4 { // three new, and the old device's third
		t.Errorf("%d messages listed, want 4", c)
	}
	if d, _ := e.srv.Device(devID); d.HighestDeleted != m.ID+2 {
		t.Errorf("the old device's delete reached the new device: deleted up to %d", d.HighestDeleted)
	}
}

// TestBigBacklogKeepsProgress: a download cut off part-way keeps what it
// stored and deletes up to it on the server, so that the next download
// starts there; in the end every id is stored once and the queue is empty.
func TestBigBacklogKeepsProgress(t *testing.T) {
	const n = 25000
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	if _, err := e.srv.QueueBulk(e.login.DeviceID, n, sandbox.Message{Title: "bulk"}); err != nil {
		t.Fatal(err)
	}
	// The first download is cut off about a third of the way.
	if err := e.srv.FaultNext("GET /1/messages.json", 1, sandbox.Fault{Kind: sandbox.FaultTruncate, After: 3 << 20}); err != nil {
		t.Fatal(err)
	}
	db := e.openDB()
	en := e.engine(e.config(db))
	first, err := en.SyncOnce(context.Background())
	if err == nil || len(first.New) == 0 || len(first.New) >= n {
		t.Fatalf("first sync: %d stored, %v; want part of the queue and an error", len(first.New), err)
	}
	left, _ := e.srv.QueueLen(e.login.DeviceID)
	if left != n-len(first.New) {
		t.Fatalf("after the cut-off sync %d are queued, want %d: what was stored must be deleted", left, n-len(first.New))
	}
	second, err := en.SyncOnce(context.Background())
	if err != nil || len(first.New)+len(second.New) != n {
		t.Fatalf("second sync: %d more, %v; want the remaining %d", len(second.New), err, n-len(first.New))
	}
	if left, _ := e.srv.QueueLen(e.login.DeviceID); left != 0 || count(t, db) != n {
		t.Fatalf("%d left on the server, %d stored; want 0 and %d", left, count(t, db), n)
	}
}

// TestServerDeleteFailsAfterStore: the messages are stored and announced
// although the delete on the server keeps failing; the next sync downloads
// them again (stored once), deletes them, and nothing is lost.
func TestServerDeleteFailsAfterStore(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	db := e.openDB()
	en := e.startOnline(e.config(db))
	e.srv.FailNext("/1/devices/{device}/update_highest_message.json", 3, 500) // every retry of one sync
	e.publish("kept", 0)
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) == 1 })
	waitFor[SyncFailed](t, en, nil)
	if e.queueLen() != 1 {
		t.Fatalf("%d queued, want the message still on the server", e.queueLen())
	}
	en.SyncNow()
	e.waitServer("deleted by the next sync", func() bool { return e.queueLen() == 0 })
	if c := count(t, db); c != 1 {
		t.Fatalf("%d stored, want 1", c)
	}
	if m, err := db.Get(context.Background(), ev.New[0]); err != nil || m.Message != "kept" {
		t.Fatalf("stored %+v, %v", m, err)
	}
}

// TestLoginReplacedEndsEngines: once the cache records a login as another
// device (pobox login while a daemon runs), the engines of the old device
// end, holder and follower alike, and let go of the websocket, so that
// the new device's engine holds it and stores what is sent to it.
func TestLoginReplacedEndsEngines(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	holder := e.startOnline(e.config(e.openDB()))
	follower := e.start(e.config(e.openDB()))
	waitFor[Connected](t, follower, nil)
	oldID := e.login.DeviceID

	devID, secret, err := e.srv.AddDevice(e.user, "laptop-2")
	if err != nil {
		t.Fatal(err)
	}
	db := e.openDB()
	if err := SetLogin(context.Background(), db, devID); err != nil {
		t.Fatal(err)
	}
	for name, en := range map[string]*Engine{"holder": holder, "follower": follower} {
		if end := waitFor[SessionEnded](t, en, nil); end.Reason != EndReplaced {
			t.Errorf("%s ended with %+v, want EndReplaced", name, end)
		}
	}
	e.waitServer("the old device offline", func() bool { d, _ := e.srv.Device(oldID); return !d.Online })
	// The holder told its followers before it let go of the lock.
	if l, ok := holder.readLink(context.Background()); !ok || l.State != linkEnded || l.Device != oldID {
		t.Errorf("the link the old holder left: %+v (recorded: %v), want ended", l, ok)
	}

	e.login.DeviceID, e.login.Secret, e.login.DeviceName = devID, session.Secret(secret), "laptop-2"
	en := e.startOnline(e.config(db)) // after the new device's empty backlog
	e.publish("to the new device", 0)
	ev := waitFor[Synced](t, en, func(s Synced) bool { return len(s.New) > 0 })
	if m, err := db.Get(context.Background(), ev.New[0]); err != nil || m.Message != "to the new device" || m.DeviceName != "laptop-2" {
		t.Fatalf("stored %+v, %v", m, err)
	}
	if follower.Holder() || holder.Holder() {
		t.Error("an engine of the old device holds the websocket again")
	}
	// The old engines still see what the new holder stores, but show no
	// connection state after their end (not even the new holder's): their
	// owners keep showing why they stopped. (A watch loop looks at the
	// link before it announces what is new.)
	for name, old := range map[string]*Engine{"holder": holder, "follower": follower} {
		var states []Event
		waitFor(t, old, func(e Event) bool {
			switch e := e.(type) {
			case Connected, Disconnected:
				states = append(states, e)
			case Synced:
				return slices.Contains(e.New, ev.New[0])
			}
			return false
		})
		if len(states) > 0 {
			t.Errorf("the ended %s emitted connection states: %+v", name, states)
		}
	}
}

// TestServerDeleteAfterDurableCommit: what a sync stored is committed
// durably (a power cut cannot undo it) before Pushover is asked to forget
// it: at the durable commit the server still holds every message.
func TestServerDeleteAfterDurableCommit(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	for i := range 3 {
		e.publish(msg(i), 0)
	}
	db := e.openDB()
	var durable []string
	var queuedAtCommit []int
	db.ObserveDurable(func(op string) {
		durable = append(durable, op)
		queuedAtCommit = append(queuedAtCommit, e.queueLen())
	})
	en := e.engine(e.config(db))
	ev, err := en.SyncOnce(context.Background())
	if err != nil || len(ev.New) != 3 {
		t.Fatalf("SyncOnce = %+v, %v", ev, err)
	}
	db.ObserveDurable(nil)
	if len(durable) == 0 || queuedAtCommit[len(queuedAtCommit)-1] != 3 {
		t.Fatalf("durable commits %q with %v queued on the server: want one before the server delete, with all 3 still queued", durable, queuedAtCommit)
	}
	if n := e.queueLen(); n != 0 {
		t.Fatalf("%d left on the server after the sync", n)
	}
}

// TestAnnounceSkipsNothingStoredElsewhere: a message another process stored
// (a follower's r, pobox sync) just before the holder's own sync commits
// has a lower key than what that sync stored; announcing the sync must not
// jump over it, or its bell and hooks never come.
func TestAnnounceSkipsNothingStoredElsewhere(t *testing.T) {
	e := newEnv(t, sandbox.Options{KeepAlive: time.Hour})
	cfg := e.config(e.openDB())
	cfg.PollInterval = time.Hour // only the holder's own sync announces
	var hooked []string
	var hookMu stdsync.Mutex
	cfg.Announce = func(_ context.Context, ms []cache.Message) {
		hookMu.Lock()
		defer hookMu.Unlock()
		for _, m := range ms {
			hooked = append(hooked, m.Message)
		}
	}
	holder := e.startOnline(cfg)

	// Another process's sync stores a message of this device.
	other := e.openDB()
	dev, err := other.UseDevice(context.Background(), e.login.DeviceID, e.login.DeviceName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Ingest(context.Background(), cache.Batch{Device: dev.N, Messages: []cache.Message{{ID: 1, Message: "stored elsewhere"}}}); err != nil {
		t.Fatal(err)
	}
	e.publish("stored here", 0)
	var got []string
	for len(got) < 2 {
		ev := waitFor[Synced](t, holder, func(s Synced) bool { return len(s.New) > 0 })
		for _, k := range ev.New {
			m, err := other.Get(context.Background(), k)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m.Message)
		}
		if got[len(got)-1] == "stored here" {
			break
		}
	}
	want := []string{"stored elsewhere", "stored here"}
	if !slices.Equal(got, want) {
		t.Fatalf("announced %q, want %q", got, want)
	}
	hookMu.Lock()
	defer hookMu.Unlock()
	if !slices.Equal(hooked, want) {
		t.Fatalf("hooks ran for %q, want %q", hooked, want)
	}
}
