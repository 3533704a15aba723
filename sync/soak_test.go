package sync

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"

	"pobox/cache"
	"pobox/sandbox"
	"pobox/session"
)

// TestSoak publishes many messages from several publishers while faults
// are injected at random: dropped sockets, 500s, HTML 502s, cut-off bodies
// and stalls on download and delete, 'R', the holder stopped and started
// again, and one login as a new device half-way (the old device's holder
// and follower end by themselves). A follower watches throughout. At the end every message is stored exactly once,
// announced exactly once to the follower, nothing was deleted on the server
// above what was stored, every acknowledgement was applied, the queues are
// empty, and no goroutine (goleak, TestMain) or file descriptor is left.
//
// POBOX_SOAK_MESSAGES sets the number of messages (default 10,000; CI runs
// a bounded one). -short skips it.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak test does not run with -short")
	}
	total := 10000
	if v := os.Getenv("POBOX_SOAK_MESSAGES"); v != "" {
		var err error
		if total, err = strconv.Atoi(v); err != nil || total < 100 {
			t.Fatalf("POBOX_SOAK_MESSAGES=%q: want a number >= 100", v)
		}
	}
	start := time.Now()
	s := newSoak(t, total)
	fds := openFDs(t) // the sandbox's listener included
	s.run()
	s.check()
	s.close()
	t.Logf("soak: %d messages (%d emergencies) in %v (%.0f/s); %d faults, %d holder restarts, one new device; follower announced %d",
		total, s.emergencies.Load(), time.Since(start).Round(time.Millisecond), float64(total)/time.Since(start).Seconds(),
		s.faults.Load(), s.restarts.Load(), len(s.announced))
	// The sandbox's side of closed connections closes when it reads their
	// end: wait for that, briefly.
	after := openFDs(t)
	for deadline := time.Now().Add(5 * time.Second); after > fds && time.Now().Before(deadline); after = openFDs(t) {
		time.Sleep(10 * time.Millisecond)
	}
	if after > fds {
		t.Errorf("%d file descriptors open after the soak, %d before: %v", after, fds, fdTargets())
	}
}

type soak struct {
	t     *testing.T
	e     *env
	total int

	mu        stdsync.Mutex
	holder    *Engine
	follower  *Engine
	announced []int64 // keys the follower announced, in order
	receipts  map[string]bool

	stopFollow chan struct{}
	followDone chan struct{}

	faults, restarts, emergencies atomic.Int64
}

func newSoak(t *testing.T, total int) *soak {
	// An emergency repeats every 300 ms and expires after 108 s: long
	// enough that a slow run (-race on a loaded machine) acknowledges
	// each before it expires, as a person would.
	e := newEnv(t, sandbox.Options{KeepAlive: 20 * time.Millisecond, AppLimit: 10 * total, MinRetry: 30,
		RetryUnit: 10 * time.Millisecond})
	return &soak{t: t, e: e, total: total, receipts: map[string]bool{}}
}

// config opens a cache handle of its own for an engine (closed with it by
// stop), as another process would.
func (s *soak) config() Config {
	db, err := cache.Open(context.Background(), s.e.dir+"/cache.db")
	if err != nil {
		s.t.Fatal(err)
	}
	cfg := s.e.config(db)
	cfg.RetrySync, cfg.RetrySyncMax = 5*time.Millisecond, 50*time.Millisecond
	cfg.ReloadPause = 20 * time.Millisecond
	return cfg
}

// run publishes everything in two halves, with a new device in between.
func (s *soak) run() {
	s.startHolder()
	s.startFollower()
	ctx, cancel := context.WithCancel(context.Background())
	var wg stdsync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.injectFaults(ctx) }()
	go func() { defer wg.Done(); s.restartHolder(ctx) }()

	s.publish(0, s.total/2)
	cancel()
	wg.Wait()
	s.drain("the first device")
	s.newDevice()

	ctx, cancel = context.WithCancel(context.Background())
	wg.Add(2)
	go func() { defer wg.Done(); s.injectFaults(ctx) }()
	go func() { defer wg.Done(); s.restartHolder(ctx) }()
	s.publish(s.total/2, s.total)
	cancel()
	wg.Wait()
	s.e.srv.FaultNext("/1/messages.json", 0, sandbox.Fault{})
	s.e.srv.FaultNext("/1/devices/{device}/update_highest_message.json", 0, sandbox.Fault{})
	s.drain("the second device")
}

// publish sends messages [from, to) from four publishers; one in fifty is
// an emergency.
func (s *soak) publish(from, to int) {
	var wg stdsync.WaitGroup
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := from + p; i < to; i += 4 {
				m := sandbox.Message{Token: s.e.token, User: s.e.user, Title: soakTitle(i), Message: "soak"}
				if i%50 == 0 {
					m.Priority, m.Retry, m.Expire = 2, 30, 10800
					s.emergencies.Add(1)
				}
				if _, err := s.e.srv.Publish(m); err != nil {
					s.t.Errorf("publish %d: %v", i, err)
					return
				}
				// About 1,000 messages a second in all, in bursts, so
				// that the faults land among them.
				if i%40 < 4 {
					time.Sleep(time.Duration(rand.IntN(80)) * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
}

func soakTitle(i int) string { return fmt.Sprintf("soak %06d", i) }

// injectFaults injects one random fault every few milliseconds.
func (s *soak) injectFaults(ctx context.Context) {
	const dl, del = "GET /1/messages.json", "/1/devices/{device}/update_highest_message.json"
	faults := []func(){
		func() { s.e.srv.DropWebsockets() },
		func() { s.e.srv.Reload("") },
		func() { s.e.srv.FailNext(dl, 1, 500) },
		func() { s.e.srv.FaultNext(dl, 1, sandbox.Fault{Kind: sandbox.FaultHTML}) },
		func() {
			s.e.srv.FaultNext(dl, 1, sandbox.Fault{Kind: sandbox.FaultTruncate, After: 50 + rand.IntN(5000)})
		},
		func() {
			s.e.srv.FaultNext(dl, 1, sandbox.Fault{Kind: sandbox.FaultStall, After: rand.IntN(2000), Delay: 200 * time.Millisecond})
		},
		func() { s.e.srv.FaultNext(dl, 1, sandbox.Fault{Kind: sandbox.FaultReset}) },
		func() { s.e.srv.FailNext(del, 1, 500) },
		func() { s.e.srv.FaultNext(del, 1, sandbox.Fault{Kind: sandbox.FaultHTML}) },
		func() { s.e.srv.FaultNext(del, 1, sandbox.Fault{Kind: sandbox.FaultEmpty, Status: 502}) },
		func() { s.e.srv.FaultNext(del, 1, sandbox.Fault{Kind: sandbox.FaultReset}) },
		func() {
			s.e.srv.FaultNext(del, 1, sandbox.Fault{Kind: sandbox.FaultStall, After: 0, Delay: 300 * time.Millisecond, Close: true})
		},
	}
	t := time.NewTicker(15 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			faults[rand.IntN(len(faults))]()
			s.faults.Add(1)
		}
	}
}

// restartHolder stops the holder now and then and starts another, as a
// daemon killed and restarted by its service manager.
func (s *soak) restartHolder(ctx context.Context) {
	t := time.NewTicker(700 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			old := s.holder
			s.mu.Unlock()
			stop(old)
			s.startHolder()
			s.restarts.Add(1)
		}
	}
}

func (s *soak) startHolder() {
	en, err := New(s.config())
	if err != nil {
		s.t.Fatal(err)
	}
	en.Start(context.Background())
	// Its events are not watched; a reader keeps the dispatcher moving.
	go func() {
		for range en.Events() {
		}
	}()
	s.mu.Lock()
	s.holder = en
	s.mu.Unlock()
}

// startFollower starts the watcher: it records every announcement and
// acknowledges every emergency it is told about.
func (s *soak) startFollower() {
	en, err := New(s.config())
	if err != nil {
		s.t.Fatal(err)
	}
	en.Start(context.Background())
	s.stopFollow, s.followDone = make(chan struct{}), make(chan struct{})
	db := en.db
	go func() {
		defer close(s.followDone)
		for {
			select {
			case <-s.stopFollow:
				return
			case ev, ok := <-en.Events():
				if !ok {
					return
				}
				sy, ok := ev.(Synced)
				if !ok {
					continue
				}
				s.mu.Lock()
				s.announced = append(s.announced, sy.New...)
				s.mu.Unlock()
				if !sy.Emergency {
					continue
				}
				for _, k := range sy.New {
					m, err := db.Get(context.Background(), k)
					if err != nil || !m.NeedsAck() {
						continue
					}
					s.mu.Lock()
					s.receipts[m.Receipt] = true
					s.mu.Unlock()
					if err := en.Acknowledge(context.Background(), m.Receipt); err != nil {
						s.t.Errorf("acknowledge: %v", err)
					}
				}
			}
		}
	}()
	s.mu.Lock()
	s.follower = en
	s.mu.Unlock()
}

func (s *soak) stopFollower() {
	close(s.stopFollow)
	<-s.followDone
	stop(s.follower)
}

// stop closes an engine and then its cache handle.
func stop(en *Engine) {
	en.Close()
	en.db.Close()
}

// newDevice logs out and in again as a new device: the old one is deleted
// on the website, the holder and the watcher start again with the new
// login.
func (s *soak) newDevice() {
	s.mu.Lock()
	holder := s.holder
	s.mu.Unlock()
	old := s.e.login.DeviceID
	s.checkServerDeletes(old)
	devID, secret, err := s.e.srv.AddDevice(s.e.user, "soak-2")
	if err != nil {
		s.t.Fatal(err)
	}
	// pobox login records the new device in the cache: the running
	// holder and follower of the old one end by themselves.
	if err := SetLogin(context.Background(), holder.db, devID); err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, en := range []*Engine{holder, s.follower} {
		select {
		case <-en.ended.ctx.Done():
		case <-ctx.Done():
			s.t.Fatal("an engine of the old device did not end after the login as a new one")
		}
	}
	stop(holder)
	s.stopFollower()
	s.e.login.DeviceID, s.e.login.Secret, s.e.login.DeviceName = devID, session.Secret(secret), "soak-2"
	s.e.srv.RemoveDevice(old)
	s.startHolder()
	s.startFollower()
}

// drain waits until the server holds nothing for the device, every
// emergency the follower saw is acknowledged, and the follower has
// announced every stored message.
func (s *soak) drain(what string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		n, _ := s.e.srv.QueueLen(s.e.login.DeviceID)
		var stored int64
		if top, _ := s.follower.db.Older(ctx, cache.Filter{}, 0, 1); len(top) == 1 {
			stored = top[0].Key
		}
		s.mu.Lock()
		var last int64
		if len(s.announced) > 0 {
			last = s.announced[len(s.announced)-1]
		}
		pending := 0
		for r := range s.receipts {
			if st, ok := s.e.srv.Receipt(r); !ok || !st.Acknowledged {
				pending++
			}
		}
		s.mu.Unlock()
		items, _ := s.follower.db.Outbox(ctx)
		if n == 0 && last >= stored && pending == 0 && len(items) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			rest, _ := s.follower.db.Newer(context.Background(), cache.Filter{}, last, 50)
			for _, m := range rest {
				s.t.Logf("not announced: key %d device %d id %d %q receipt %q", m.Key, m.Device, m.ID, m.Title, m.Receipt)
			}
			s.mu.Lock()
			for r := range s.receipts {
				if st, ok := s.e.srv.Receipt(r); !ok || !st.Acknowledged {
					s.t.Logf("receipt %s not acknowledged: %+v", r, st)
				}
			}
			s.mu.Unlock()
			bk, _ := s.follower.db.BacklogKey(context.Background())
			s.t.Logf("backlog key %d, follower seen %d holder %v", bk, s.follower.seen, s.follower.Holder())
			s.t.Fatalf("%s: not drained: %d queued on the server, announced up to %d of %d, %d receipts unacknowledged, %d actions waiting",
				what, n, last, stored, pending, len(items))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *soak) check() {
	t := s.t
	ctx := context.Background()
	db := s.follower.db
	// Every message stored once: each title once, each receipt once.
	titles := map[string]int{}
	receipts := map[string]int{}
	var keys []int64
	var before int64
	for {
		ms, err := db.Older(ctx, cache.Filter{}, before, cache.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			titles[m.Title]++
			if m.Receipt != "" {
				receipts[m.Receipt]++
			}
			keys = append(keys, m.Key)
		}
		if len(ms) < cache.MaxLimit {
			break
		}
		before = ms[len(ms)-1].Key
	}
	for i := range s.total {
		if n := titles[soakTitle(i)]; n != 1 {
			t.Errorf("%q stored %d times", soakTitle(i), n)
		}
	}
	for r, n := range receipts {
		if n != 1 {
			t.Errorf("receipt %s stored %d times", r, n)
		}
	}
	// Announced once each, in order, and every stored message among them.
	s.mu.Lock()
	announced := slices.Clone(s.announced)
	acked := len(s.receipts)
	s.mu.Unlock()
	if !slices.IsSorted(announced) || len(slices.Compact(slices.Clone(announced))) != len(announced) {
		t.Errorf("the follower announced %d keys, not each once in order", len(announced))
	}
	for _, k := range keys {
		if _, ok := slices.BinarySearch(announced, k); !ok {
			t.Errorf("stored message %d never announced", k)
			break
		}
	}
	if acked != int(s.emergencies.Load()) {
		t.Errorf("%d emergencies acknowledged, %d published", acked, s.emergencies.Load())
	}
	// Nothing deleted on the server above what was stored.
	s.checkServerDeletes(s.e.login.DeviceID)
	devs, err := db.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if sd, ok := s.e.srv.Device(d.ID); ok && sd.HighestDeleted > d.HighestSeen {
			t.Errorf("device %s: deleted up to %d on the server, stored up to %d", d.Name, sd.HighestDeleted, d.HighestSeen)
		}
		if d.ServerDeletedUpTo > d.HighestSeen {
			t.Errorf("device %s: recorded a server delete up to %d above %d", d.Name, d.ServerDeletedUpTo, d.HighestSeen)
		}
	}
}

// checkServerDeletes fails the test when the server saw a delete of the
// device above every id its downloads offered (messages never downloaded).
func (s *soak) checkServerDeletes(deviceID string) {
	d, ok := s.e.srv.Device(deviceID)
	if !ok {
		s.t.Fatalf("device %s is not on the server", deviceID)
	}
	if d.DeletesAboveSent != 0 {
		s.t.Errorf("device %s: %d deletes above every id downloaded (highest sent %d)", d.Name, d.DeletesAboveSent, d.HighestSent)
	}
}

func (s *soak) close() {
	s.mu.Lock()
	holder := s.holder
	s.mu.Unlock()
	stop(holder)
	s.stopFollower()
	s.e.client.CloseIdleConnections()
}

// openFDs counts this process's open file descriptors (Linux; 0 elsewhere).
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

func fdTargets() []string {
	ents, _ := os.ReadDir("/proc/self/fd")
	var out []string
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			out = append(out, l)
		}
	}
	return out
}
