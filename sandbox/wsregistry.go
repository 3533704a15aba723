package sandbox

import (
	"bytes"
	"context"
	"slices"
	"sync"
)

const maxLogins = 10000 // WebsocketLogins keeps the most recent ones

// wsRegistry knows every websocket connection and the live (logged-in)
// session of each device. Its lock is never held while writing to a socket;
// it may be taken while Server.mu is held, never the other way round.
type wsRegistry struct {
	mu      sync.Mutex
	closed  bool
	all     map[*wsSession]struct{}
	live    map[string]*wsSession // device id -> session
	logins  []WSLogin
	changed chan struct{} // closed and replaced whenever live changes
}

func (r *wsRegistry) init() {
	r.all = map[*wsSession]struct{}{}
	r.live = map[string]*wsSession{}
	r.changed = make(chan struct{})
}

// broadcastLocked wakes every WaitOnline.
func (r *wsRegistry) broadcastLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// add registers a new connection; after dropAll it refuses and ends it.
func (r *wsRegistry) add(ss *wsSession) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		ss.finish(nil)
		return false
	}
	r.all[ss] = struct{}{}
	return true
}

func (r *wsRegistry) remove(ss *wsSession) {
	r.mu.Lock()
	delete(r.all, ss)
	r.mu.Unlock()
}

// setLive makes ss the device's session and returns the one it replaces.
func (r *wsRegistry) setLive(device string, ss *wsSession) *wsSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.live[device]
	r.live[device] = ss
	r.broadcastLocked()
	return old
}

func (r *wsRegistry) unsetLive(device string, ss *wsSession) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live[device] == ss {
		delete(r.live, device)
		r.broadcastLocked()
	}
}

func (r *wsRegistry) online(device string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live[device] != nil
}

func (r *wsRegistry) recordLogin(l WSLogin) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logins = appendCapped(r.logins, l, maxLogins)
	r.broadcastLocked()
}

// notify queues '!' for each device's live session.
func (r *wsRegistry) notify(devices []string) {
	if len(devices) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range devices {
		if ss := r.live[id]; ss != nil {
			ss.queue(frameNew)
		}
	}
}

// sendTo queues a frame for one device's session, or all when device is "".
func (r *wsRegistry) sendTo(device string, p []byte) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for id, ss := range r.live {
		if (device == "" || id == device) && ss.queue(p) {
			n++
		}
	}
	return n
}

// finish ends the device's live session with a frame.
func (r *wsRegistry) finish(device string, frame []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ss := r.live[device]; ss != nil {
		ss.finish(frame)
	}
}

// dropAll drops every connection.
func (r *wsRegistry) dropAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for ss := range r.all {
		ss.finish(nil)
	}
}

// closeAll drops every connection and refuses new ones (Close).
func (r *wsRegistry) closeAll() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.dropAll()
}

// WebsocketLogins returns the login attempts (at least the last 10,000),
// oldest first, each with its first frame's type and bytes as received.
func (s *Server) WebsocketLogins() []WSLogin {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	out := slices.Clone(s.ws.logins)
	for i := range out {
		out[i].Raw = bytes.Clone(out[i].Raw) // the record stays as received
	}
	return out
}

// WaitOnline blocks until the device has a live websocket session (its
// login was accepted), or ctx ends.
func (s *Server) WaitOnline(ctx context.Context, deviceID string) error {
	for {
		s.ws.mu.Lock()
		ok, ch := s.ws.live[deviceID] != nil, s.ws.changed
		s.ws.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitLogins blocks until at least n websocket login attempts (accepted or
// not) have been recorded, or ctx ends. An accepted login is recorded once
// its session is live and receives frames.
func (s *Server) WaitLogins(ctx context.Context, n int) error {
	for {
		s.ws.mu.Lock()
		ok, ch := len(s.ws.logins) >= n, s.ws.changed
		s.ws.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
