package sync

import (
	"slices"
	"testing"
	"time"
)

func TestDispatcherKeepsOrderAndCoalesces(t *testing.T) {
	d := newDispatcher()
	// Nobody reads yet: emit must not block.
	d.emit(Syncing{})
	for range 1000 {
		d.emit(RowsChanged{})
	}
	d.emit(Synced{New: []int64{1}})
	d.emit(RowsChanged{})
	d.emit(RowsChanged{})

	done := make(chan struct{})
	finished := make(chan struct{})
	go func() { d.run(done); close(finished) }()
	var got []Event
	// A RowsChanged still queued covers every later one: the reader
	// reloads after it, and sees all the changes made before.
	for len(got) < 3 {
		select {
		case ev := <-d.out:
			got = append(got, ev)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d events: %#v", len(got), got)
		}
	}
	select {
	case ev := <-d.out:
		t.Fatalf("one event too many: %#v", ev)
	case <-time.After(50 * time.Millisecond): // absence: nothing to wait on
	}
	close(done)
	<-finished
	want := []string{"sync.Syncing", "sync.RowsChanged", "sync.Synced"}
	for i, ev := range got {
		if name := typeName(ev); name != want[i] {
			t.Fatalf("event %d is %s, want %s (all: %#v)", i, name, want[i], got)
		}
	}
	if _, ok := <-d.out; ok {
		t.Fatal("out is not closed after run returns")
	}
	d.emit(Syncing{}) // after the end: dropped, no panic
}

func typeName(ev Event) string {
	switch ev.(type) {
	case Syncing:
		return "sync.Syncing"
	case RowsChanged:
		return "sync.RowsChanged"
	case Synced:
		return "sync.Synced"
	}
	return "other"
}

func TestBackoffBounds(t *testing.T) {
	e := &Engine{cfg: Config{BackoffMin: time.Second, BackoffMax: time.Minute}}
	for n := range 12 {
		hi := min(time.Second<<n, time.Minute)
		for range 200 {
			d := e.backoff(n)
			if d < time.Second || d > hi {
				t.Fatalf("backoff(%d) = %v, want between 1s and %v", n, d, hi)
			}
		}
	}
	// Full jitter: waits spread over the range rather than bunch at its top.
	var short int
	for range 1000 {
		if e.backoff(10) < 30*time.Second {
			short++
		}
	}
	if short < 300 {
		t.Fatalf("%d of 1000 waits under 30 s at the cap: no jitter?", short)
	}
}

func TestDispatcherMergesQueuedSynced(t *testing.T) {
	d := newDispatcher()
	d.emit(Synced{New: []int64{1, 2}, MaxPriority: 0})
	d.emit(Synced{New: []int64{3}, MaxPriority: 2, Emergency: true, Emergencies: []Emergency{{3, "r3"}}})
	d.emit(Synced{New: []int64{4}, MaxPriority: 2, Emergency: true, Emergencies: []Emergency{{4, "r4"}}})
	d.emit(Synced{New: []int64{9}, Backlog: true}) // backlog is not merged into news
	done := make(chan struct{})
	defer close(done)
	go d.run(done)
	first := (<-d.out).(Synced)
	if !slices.Equal(first.New, []int64{1, 2, 3, 4}) || first.MaxPriority != 2 || !first.Emergency || first.Backlog ||
		!slices.Equal(first.Emergencies, []Emergency{{3, "r3"}, {4, "r4"}}) {
		t.Fatalf("merged = %+v", first)
	}
	if second := (<-d.out).(Synced); !second.Backlog || !slices.Equal(second.New, []int64{9}) {
		t.Fatalf("second = %+v", second)
	}
}
