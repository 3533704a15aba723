package serve

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	inboxsync "pobox/sync"
)

func TestCoalesce(t *testing.T) {
	var (
		rows    = inboxsync.RowsChanged{}
		syncing = inboxsync.Syncing{}
		conn    = inboxsync.Connected{Holder: true}
		disc    = inboxsync.Disconnected{Err: errors.New("gone")}
		failed  = inboxsync.SyncFailed{Err: errors.New("500")}
		done    = inboxsync.ActionDone{Action: inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: "r"}}
		ended   = inboxsync.SessionEnded{Reason: inboxsync.EndElsewhere}
	)
	synced := func(backlog bool, prio int, keys ...int64) inboxsync.Synced {
		return inboxsync.Synced{New: keys, MaxPriority: prio, Emergency: prio == 2, Backlog: backlog}
	}
	for _, c := range []struct {
		name string
		in   []inboxsync.Event
		want []inboxsync.Event
	}{
		{"rows once", []inboxsync.Event{rows, done, rows, rows}, []inboxsync.Event{rows, done}},
		{"syncing once", []inboxsync.Event{syncing, syncing}, []inboxsync.Event{syncing}},
		{"synced merges in order", []inboxsync.Event{synced(false, 0, 1), syncing, synced(false, 2, 2, 3), syncing, synced(false, 1, 4)},
			[]inboxsync.Event{inboxsync.Synced{New: []int64{1, 2, 3, 4}, MaxPriority: 2, Emergency: true}}},
		{"backlog apart", []inboxsync.Event{synced(true, 0, 1), synced(false, 0, 2)},
			[]inboxsync.Event{synced(true, 0, 1), synced(false, 0, 2)}},
		{"failed sync kept", []inboxsync.Event{syncing, failed, syncing, synced(false, 0, 1)},
			[]inboxsync.Event{syncing, failed, synced(false, 0, 1)}},
		{"newest connection state", []inboxsync.Event{conn, disc, conn, disc}, []inboxsync.Event{disc}},
		{"state after other events", []inboxsync.Event{disc, done, conn}, []inboxsync.Event{disc, done, conn}},
		{"actions and end kept", []inboxsync.Event{done, done, ended}, []inboxsync.Event{done, done, ended}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var q []inboxsync.Event
			for _, ev := range c.in {
				q = coalesce(q, ev)
			}
			if !reflect.DeepEqual(q, c.want) {
				t.Errorf("got %#v\nwant %#v", q, c.want)
			}
		})
	}
}

// TestMergeDoesNotShare: a merged Synced has its own keys and
// emergencies: the events go to every subscriber, and one merge must not
// write into another's.
func TestMergeDoesNotShare(t *testing.T) {
	keys := make([]int64, 1, 8)
	keys[0] = 1
	ems := make([]inboxsync.Emergency, 1, 8)
	ems[0] = inboxsync.Emergency{Key: 1, Receipt: "r1"}
	a := inboxsync.Synced{New: keys, Emergencies: ems}
	m := mergeSynced(a, inboxsync.Synced{New: []int64{2}, Emergencies: []inboxsync.Emergency{{Key: 2, Receipt: "r2"}}})
	m2 := mergeSynced(a, inboxsync.Synced{New: []int64{3}, Emergencies: []inboxsync.Emergency{{Key: 3, Receipt: "r3"}}})
	if !reflect.DeepEqual(m.New, []int64{1, 2}) || !reflect.DeepEqual(m2.New, []int64{1, 3}) {
		t.Fatalf("merges share their keys: %v, %v", m.New, m2.New)
	}
	if !reflect.DeepEqual(m.Emergencies, []inboxsync.Emergency{{Key: 1, Receipt: "r1"}, {Key: 2, Receipt: "r2"}}) ||
		!reflect.DeepEqual(m2.Emergencies, []inboxsync.Emergency{{Key: 1, Receipt: "r1"}, {Key: 3, Receipt: "r3"}}) {
		t.Fatalf("merges lose or share their emergencies: %v, %v", m.Emergencies, m2.Emergencies)
	}
}

// TestHubSlowSubscriber: a subscriber that reads nothing blocks neither
// the engine's channel nor a subscriber that reads, which sees every new
// key once, in order; the slow one still gets every key when it reads.
func TestHubSlowSubscriber(t *testing.T) {
	src := make(chan inboxsync.Event)
	h := newHub(src, nil)
	h.start()
	defer h.stop()
	fast, slow := h.subscribe(), h.subscribe()
	defer fast.Close()
	defer slow.Close()

	const n = 5000
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range n {
			src <- inboxsync.Syncing{}
			src <- inboxsync.Synced{New: []int64{int64(i)}}
			src <- inboxsync.RowsChanged{}
		}
	}()
	var got []int64
	timeout := time.After(20 * time.Second)
	for len(got) < n {
		select {
		case ev := <-fast.C():
			if s, ok := ev.(inboxsync.Synced); ok {
				got = append(got, s.New...)
			}
		case <-timeout:
			t.Fatalf("the fast subscriber got %d of %d keys", len(got), n)
		}
	}
	<-sent // the engine was never held up by the slow one
	checkKeys(t, got, n)

	var slowGot []int64
	for len(slowGot) < n {
		select {
		case ev := <-slow.C():
			if s, ok := ev.(inboxsync.Synced); ok {
				slowGot = append(slowGot, s.New...)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the slow subscriber got %d of %d keys", len(slowGot), n)
		}
	}
	checkKeys(t, slowGot, n)
}

func checkKeys(t *testing.T, got []int64, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d keys, want %d", len(got), n)
	}
	for i, k := range got {
		if k != int64(i) {
			t.Fatalf("key %d is %d: lost, doubled or out of order", i, k)
		}
	}
}

// TestHubDropsStuckSubscriber: one that falls maxQueue events behind (of
// events that cannot be merged) is closed, saying why; the others go on.
func TestHubDropsStuckSubscriber(t *testing.T) {
	src := make(chan inboxsync.Event)
	h := newHub(src, nil)
	h.start()
	defer h.stop()
	stuck, live := h.subscribe(), h.subscribe()
	defer live.Close()
	for i := range maxQueue + 10 {
		src <- inboxsync.ActionDone{Action: inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: fmt.Sprint(i)}}
		<-live.C()
	}
	select {
	case <-stuck.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the stuck subscriber was never dropped")
	}
	if r := stuck.Reason(); r != dropSlow {
		t.Errorf("reason %v, want dropSlow", r)
	}
	for range stuck.C() { // drains, then closes
	}
	src <- inboxsync.RowsChanged{}
	if _, ok := <-live.C(); !ok {
		t.Fatal("the live subscriber was closed too")
	}
}

// TestHubState: a subscriber that comes late is told the connection's
// state first; one that comes after the hub stopped starts closed.
func TestHubState(t *testing.T) {
	src := make(chan inboxsync.Event)
	var observed []inboxsync.Event
	h := newHub(src, func(ev inboxsync.Event) { observed = append(observed, ev) })
	h.start()
	first := h.subscribe()
	src <- inboxsync.Disconnected{}
	src <- inboxsync.Connected{Holder: true}
	src <- inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut}
	for range 2 { // Connected replaced Disconnected
		receive(t, first)
	}
	late := h.subscribe()
	want := []inboxsync.Event{inboxsync.Connected{Holder: true}, inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut}}
	for _, w := range want {
		if got := receive(t, late); !reflect.DeepEqual(got, w) {
			t.Errorf("late subscriber got %#v first, want %#v", got, w)
		}
	}
	h.stop()
	if len(observed) != 3 {
		t.Errorf("observe saw %d events, want 3", len(observed))
	}
	for _, s := range []*subscriber{first, late, h.subscribe()} {
		if _, ok := <-s.C(); ok {
			t.Error("a subscription is still open after stop")
		}
		if s.Reason() != dropStopped {
			t.Errorf("reason %v, want dropStopped", s.Reason())
		}
	}
}

// TestHubEngineCloses: when the engine closes its channel every
// subscription closes.
func TestHubEngineCloses(t *testing.T) {
	src := make(chan inboxsync.Event)
	h := newHub(src, nil)
	h.start()
	defer h.stop()
	s := h.subscribe()
	close(src)
	select {
	case _, ok := <-s.C():
		if ok {
			t.Fatal("an event from a closed engine")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription stayed open after the engine closed")
	}
}

// receive returns the subscriber's next event, failing after 10 s.
func receive(t *testing.T, s *subscriber) inboxsync.Event {
	t.Helper()
	select {
	case ev := <-s.C():
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return nil
}
