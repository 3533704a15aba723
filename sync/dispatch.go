package sync

import stdsync "sync"

// dispatcher delivers events in order without ever blocking the engine: emit
// appends to a queue and one goroutine hands the queue to the reader. A
// RowsChanged that would follow another still queued is dropped, and a
// Synced that would follow another still queued (with the same Backlog) is
// merged into it, so that a slow reader sees one reload, not hundreds, and
// every new key still reaches it once, in order.
type dispatcher struct {
	mu     stdsync.Mutex
	queue  []Event
	wake   chan struct{} // cap 1: "the queue grew"
	out    chan Event
	closed bool
}

func newDispatcher() *dispatcher {
	return &dispatcher{wake: make(chan struct{}, 1), out: make(chan Event)}
}

// emit queues ev. It never blocks.
func (d *dispatcher) emit(ev Event) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	if _, ok := ev.(RowsChanged); ok {
		for _, q := range d.queue {
			if _, dup := q.(RowsChanged); dup {
				d.mu.Unlock()
				return
			}
		}
	}
	if s, ok := ev.(Synced); ok && len(d.queue) > 0 {
		if last, ok := d.queue[len(d.queue)-1].(Synced); ok && last.Backlog == s.Backlog {
			d.queue[len(d.queue)-1] = last.merge(s)
			d.mu.Unlock()
			return
		}
	}
	d.queue = append(d.queue, ev)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// run delivers queued events until done is closed, then closes out.
func (d *dispatcher) run(done <-chan struct{}) {
	defer close(d.out)
	defer func() {
		d.mu.Lock()
		d.closed = true
		d.queue = nil
		d.mu.Unlock()
	}()
	for {
		d.mu.Lock()
		var ev Event
		if len(d.queue) > 0 {
			ev = d.queue[0]
			d.queue[0] = nil
			d.queue = d.queue[1:]
		}
		d.mu.Unlock()
		if ev == nil {
			select {
			case <-d.wake:
				continue
			case <-done:
				return
			}
		}
		select {
		case d.out <- ev:
		case <-done:
			return
		}
	}
}

// merge returns s followed by t as one event.
func (s Synced) merge(t Synced) Synced {
	s.New = append(s.New[:len(s.New):len(s.New)], t.New...)
	s.At = t.At
	s.MaxPriority = max(s.MaxPriority, t.MaxPriority)
	s.Emergency = s.Emergency || t.Emergency
	s.Emergencies = append(s.Emergencies[:len(s.Emergencies):len(s.Emergencies)], t.Emergencies...)
	return s
}
