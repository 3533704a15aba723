package serve

import (
	"sync"

	inboxsync "pobox/sync"
)

// maxQueue is how many events a subscriber may have waiting after
// coalescing before it counts as stuck and is dropped (its channel
// closes, and its session ends saying so). Coalescing keeps a slow but
// live session far below it: a stream of syncs is one Synced, a flapping
// connection one state.
const maxQueue = 1024

// hub fans the engine's one event channel out to every session. One
// goroutine (run) reads the engine; each subscriber has its own queue
// and a pump goroutine that hands the queue to the subscriber's channel,
// so a slow session never blocks the engine or another session. The hub
// owns every goroutine it starts: stop ends them all and waits.
type hub struct {
	src     <-chan inboxsync.Event
	observe func(inboxsync.Event) // sees every event first; must not block

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	// state is what a new subscriber is told first, so that an inbox
	// opened after the engine connected does not show "connecting"
	// forever: the latest Connected or Disconnected, then SessionEnded
	// once the session ended.
	conn, ended inboxsync.Event

	stopOnce sync.Once
	stopCh   chan struct{}
	wg       sync.WaitGroup // run and the pumps
}

func newHub(src <-chan inboxsync.Event, observe func(inboxsync.Event)) *hub {
	return &hub{src: src, observe: observe, subs: map[*subscriber]struct{}{}, stopCh: make(chan struct{})}
}

// start runs the reader until the engine closes its channel or stop.
func (h *hub) start() {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.run()
	}()
}

func (h *hub) run() {
	defer h.closeAll(dropStopped)
	for {
		select {
		case <-h.stopCh:
			return
		case ev, ok := <-h.src:
			if !ok {
				return
			}
			if h.observe != nil {
				h.observe(ev)
			}
			h.mu.Lock()
			switch ev.(type) {
			case inboxsync.Connected, inboxsync.Disconnected:
				h.conn = ev
			case inboxsync.SessionEnded:
				h.ended = ev
			}
			for s := range h.subs {
				if !s.offer(ev) {
					delete(h.subs, s)
					s.end(dropSlow)
				}
			}
			h.mu.Unlock()
		}
	}
}

// stop ends the reader and every subscription, and waits for the hub's
// goroutines. Calling it again does nothing.
func (h *hub) stop() {
	h.stopOnce.Do(func() { close(h.stopCh) })
	h.wg.Wait()
}

// closeAll ends every subscription; later subscriptions start closed.
func (h *hub) closeAll(why dropReason) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		s.end(why)
	}
}

// subscribe returns a new subscriber that receives the connection's
// state, then every event from now on, in order. Close it when done; it
// closes by itself when the hub stops or when it falls maxQueue events
// behind.
func (h *hub) subscribe() *subscriber {
	s := &subscriber{
		h:    h,
		wake: make(chan struct{}, 1),
		out:  make(chan inboxsync.Event),
		done: make(chan struct{}),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(dropStopped)
		close(s.out)
		return s
	}
	for _, ev := range []inboxsync.Event{h.conn, h.ended} {
		if ev != nil {
			s.queue = append(s.queue, ev)
		}
	}
	h.subs[s] = struct{}{}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		s.pump()
	}()
	return s
}

// dropReason says why a subscription ended.
type dropReason int

const (
	dropNone    dropReason = iota
	dropClosed             // its owner closed it
	dropStopped            // the server is stopping (or the engine closed)
	dropSlow               // it fell maxQueue events behind
)

// subscriber is one session's view of the engine's events.
type subscriber struct {
	h *hub

	mu    sync.Mutex
	queue []inboxsync.Event
	why   dropReason

	wake chan struct{} // cap 1: the queue grew
	out  chan inboxsync.Event
	done chan struct{} // closed when the subscription ends
	once sync.Once
}

// C is the subscriber's channel; it is closed when the subscription ends.
func (s *subscriber) C() <-chan inboxsync.Event { return s.out }

// Done is closed when the subscription ends, before C is.
func (s *subscriber) Done() <-chan struct{} { return s.done }

// Reason says why the subscription ended (dropNone while it runs).
func (s *subscriber) Reason() dropReason {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.why
}

// Close ends the subscription. It is safe to call more than once and
// from any goroutine.
func (s *subscriber) Close() {
	s.h.mu.Lock()
	delete(s.h.subs, s)
	s.h.mu.Unlock()
	s.end(dropClosed)
}

// end records why and tells the pump to stop; the first reason wins.
func (s *subscriber) end(why dropReason) {
	s.once.Do(func() {
		s.mu.Lock()
		s.why = why
		s.queue = nil
		s.mu.Unlock()
		close(s.done)
	})
}

// pump delivers the queue in order until the subscription ends, then
// closes the channel (which ends the session's waiting receive).
func (s *subscriber) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		var ev inboxsync.Event
		if len(s.queue) > 0 {
			ev = s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
		}
		s.mu.Unlock()
		if ev == nil {
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}

// offer queues ev, coalescing with what already waits, and reports false
// when the queue has grown past maxQueue. It never blocks.
func (s *subscriber) offer(ev inboxsync.Event) bool {
	s.mu.Lock()
	s.queue = coalesce(s.queue, ev)
	n := len(s.queue)
	s.mu.Unlock()
	if n > maxQueue {
		return false
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// coalesce appends ev to q, merging it with what waits where that loses
// nothing a screen shows:
//
//   - a RowsChanged while one waits anywhere in q is dropped: one reload
//     reads everything;
//   - a Syncing right after another Syncing is dropped;
//   - a Synced removes the Syncing events waiting right before it (the
//     download they announce is over), then merges into a Synced waiting
//     last with the same Backlog, keeping every new key once, in order;
//   - a Connected or Disconnected replaces one waiting last: only the
//     newest connection state matters.
//
// Everything else (SyncFailed, actions, SessionEnded) is kept in order.
func coalesce(q []inboxsync.Event, ev inboxsync.Event) []inboxsync.Event {
	last := func() inboxsync.Event {
		if len(q) == 0 {
			return nil
		}
		return q[len(q)-1]
	}
	switch e := ev.(type) {
	case inboxsync.RowsChanged:
		for _, w := range q {
			if _, ok := w.(inboxsync.RowsChanged); ok {
				return q
			}
		}
	case inboxsync.Syncing:
		if _, ok := last().(inboxsync.Syncing); ok {
			return q
		}
	case inboxsync.Synced:
		for {
			if _, ok := last().(inboxsync.Syncing); !ok {
				break
			}
			q[len(q)-1] = nil
			q = q[:len(q)-1]
		}
		if prev, ok := last().(inboxsync.Synced); ok && prev.Backlog == e.Backlog {
			q[len(q)-1] = mergeSynced(prev, e)
			return q
		}
	case inboxsync.Connected, inboxsync.Disconnected:
		switch last().(type) {
		case inboxsync.Connected, inboxsync.Disconnected:
			q[len(q)-1] = ev
			return q
		}
	}
	return append(q, ev)
}

// mergeSynced returns s followed by t as one event (as the engine's own
// dispatcher merges them). The result never shares its New with s or t:
// the same event goes to every subscriber.
func mergeSynced(s, t inboxsync.Synced) inboxsync.Synced {
	keys := make([]int64, 0, len(s.New)+len(t.New))
	keys = append(append(keys, s.New...), t.New...)
	s.New = keys
	s.At = t.At
	s.MaxPriority = max(s.MaxPriority, t.MaxPriority)
	s.Emergency = s.Emergency || t.Emergency
	s.Emergencies = append(s.Emergencies[:len(s.Emergencies):len(s.Emergencies)], t.Emergencies...)
	return s
}
