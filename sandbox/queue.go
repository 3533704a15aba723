package sandbox

import (
	"slices"
	"sort"
	"strconv"
)

// A device's queue is a list of runs in ascending id order. A run is Count
// messages alike but for their ids and umids, which are consecutive from
// the first copy's. A published message is a run of one; QueueBulk makes a
// single run of any length, so that a backlog of a million messages costs
// one entry and is expanded only message by message as it is downloaded.

// queued is one run of a device's queue. Its JSON form without "count" is
// the one copy of version 1 state files.
type queued struct {
	Msg       ClientMessage `json:"msg"`                  // the first copy: its id, umid and acked
	ExpiresAt int64         `json:"expires_at,omitempty"` // ttl: Unix time it leaves the queue
	Count     int64         `json:"count,omitempty"`      // copies in the run; 0 (older files) is 1
}

// n is the number of copies in the run.
func (q *queued) n() int64 { return max(q.Count, 1) }

func (q *queued) lastID() int64 { return q.Msg.ID + q.n() - 1 }

// copyAt is the run's copy number i (from 0).
func (q *queued) copyAt(i int64) ClientMessage {
	m := q.Msg
	if i != 0 {
		m.ID += i
		m.UMID += i
		m.IDStr = strconv.FormatInt(m.ID, 10)
		m.UMIDStr = strconv.FormatInt(m.UMID, 10)
	}
	return m
}

// enqueue appends a copy of m to the device's queue with the device's next
// id; the umid is the caller's, shared by every copy of one message.
func (d *device) enqueue(m ClientMessage, expiresAt int64) {
	d.enqueueRun(m, 1, expiresAt)
}

// enqueueRun appends n messages like m, with the device's next n ids and
// the umids from m.UMID on.
func (d *device) enqueueRun(m ClientMessage, n, expiresAt int64) (first int64) {
	m.ID = d.NextID
	m.IDStr = strconv.FormatInt(m.ID, 10)
	d.NextID += n
	d.Queue = append(d.Queue, queued{Msg: m, ExpiresAt: expiresAt, Count: n})
	return m.ID
}

// normalise makes a loaded queue what the code relies on: counts of at
// least one, ascending ids.
func (d *device) normalise() {
	for i := range d.Queue {
		d.Queue[i].Count = d.Queue[i].n()
	}
	slices.SortStableFunc(d.Queue, func(a, b queued) int { return cmpInt(a.Msg.ID, b.Msg.ID) })
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// prune drops runs whose ttl has passed.
func (d *device) prune(now int64) {
	d.Queue = slices.DeleteFunc(d.Queue, func(q queued) bool {
		return q.ExpiresAt != 0 && q.ExpiresAt <= now
	})
}

// deleteUpTo removes every message with id <= upto. The queue ascends, so
// they are a prefix: a binary search finds its end, and only the run that
// straddles upto is cut, whatever the number of messages.
func (d *device) deleteUpTo(upto int64) {
	i := sort.Search(len(d.Queue), func(i int) bool { return d.Queue[i].lastID() > upto })
	if i == len(d.Queue) {
		d.Queue = nil // let go of the whole array
		return
	}
	clear(d.Queue[:i]) // no strings kept alive by the slots left behind
	d.Queue = d.Queue[i:]
	if q := &d.Queue[0]; q.Msg.ID <= upto {
		k := upto - q.Msg.ID + 1
		q.Msg = q.copyAt(k)
		q.Count -= k
	}
}

// queueLen counts the messages of the queue.
func (d *device) queueLen() int {
	n := int64(0)
	for i := range d.Queue {
		n += d.Queue[i].n()
	}
	return int(n)
}

// view is the public copy of a device, every message spelled out.
func (d *device) view(now int64, online bool) Device {
	d.prune(now)
	out := Device{ID: d.ID, Name: d.Name, UserKey: d.UserKey, HighestDeleted: d.HighestDeleted, NextID: d.NextID, Online: online,
		HighestSent: d.HighestSent, DeletesAboveSent: d.DeletesAboveSent}
	out.Queue = make([]ClientMessage, 0, d.queueLen())
	for i := range d.Queue {
		q := &d.Queue[i]
		for k := range q.n() {
			out.Queue = append(out.Queue, q.copyAt(k))
		}
	}
	return out
}

// QueueLen returns how many messages the device holds, without copying
// them as Device does: the cheap check for queues of a million.
func (s *Server) QueueLen(deviceID string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Devices[deviceID]
	if d == nil {
		return 0, false
	}
	d.prune(s.now().Unix())
	return d.queueLen(), true
}
