package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"
)

// Options.StatePath: accounts, apps, devices, queues, receipts and session
// secrets survive a restart, so a client can be tested against a server
// that goes away and comes back. Live websockets, faults and the request
// log do not. The file holds passwords and secrets: it is written 0600.

const saveDebounce = 100 * time.Millisecond

// loadState reads a state file; ok is false when it does not exist yet.
func loadState(path string) (st *state, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	st = &state{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, false, fmt.Errorf("%s is not a sandbox state file: %w", path, err)
	}
	switch st.Version {
	case 1:
		st.migrateV1()
	case stateVersion:
	default:
		return nil, false, fmt.Errorf("%s has state version %d; this sandbox reads versions 1 and %d", path, st.Version, stateVersion)
	}
	if st.Accounts == nil {
		st.Accounts = map[string]*account{}
	}
	if st.Apps == nil {
		st.Apps = map[string]*app{}
	}
	if st.Groups == nil {
		st.Groups = map[string]*group{}
	}
	if st.Devices == nil {
		st.Devices = map[string]*device{}
	}
	if st.Receipts == nil {
		st.Receipts = map[string]*receipt{}
	}
	for _, d := range st.Devices {
		d.normalise()
	}
	st.index()
	return st, true, nil
}

// migrateV1 turns the one global id counter of version 1 into a counter
// per device. Each device continues above every id that counter issued and
// above what the device holds or has deleted (a watermark can lie above
// every issued id), so that no id a client has seen is issued again.
func (st *state) migrateV1() {
	for _, d := range st.Devices {
		next := st.LegacyNextID
		for _, q := range d.Queue {
			next = max(next, q.lastID()+1)
		}
		if d.HighestDeleted < math.MaxInt64 {
			next = max(next, d.HighestDeleted+1)
		}
		d.NextID = max(next, 1)
	}
	st.LegacyNextID = 0
	st.Version = stateVersion
}

// dirty notes a change of state: Wait re-checks its condition, and the
// saver writes the state soon after.
func (s *Server) dirty() {
	s.broadcast()
	if s.opts.StatePath != "" {
		s.kick(s.kickSave)
	}
}

// broadcast wakes every Wait without touching the state file.
func (s *Server) broadcast() {
	s.changedMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changedMu.Unlock()
}

// Wait blocks until cond returns true or ctx ends. cond is evaluated now
// and after every change of state (a publish, a delivery, a repeat, an
// acknowledgement, an expiry, a websocket login or logout); it may call the Server's reading methods.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.changedMu.Lock()
		ch := s.changed
		s.changedMu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// kick wakes a goroutine waiting on ch without blocking.
func (s *Server) kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// runSaver writes the state after changes, at most once per saveDebounce.
// Close writes it a last time.
func (s *Server) runSaver() {
	defer s.wg.Done()
	if s.opts.StatePath == "" {
		return
	}
	t := time.NewTimer(saveDebounce)
	t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.kickSave:
		}
		t.Reset(saveDebounce) // gather the changes that follow
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := s.saveNow(); err != nil {
			s.log.note("saving state: %v", err)
		}
	}
}

// saveNow writes the state file atomically (temporary file, then rename).
func (s *Server) saveNow() error {
	if s.opts.StatePath == "" {
		return nil
	}
	s.mu.Lock()
	data, err := json.Marshal(s.st)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("sandbox: encode state: %w", err)
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	dir := filepath.Dir(s.opts.StatePath)
	f, err := os.CreateTemp(dir, ".sandbox-state-*")
	if err != nil {
		return fmt.Errorf("sandbox: save state: %w (is %s writable?)", err, dir)
	}
	defer os.Remove(f.Name()) // after a successful rename this fails harmlessly
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	if err := os.Rename(f.Name(), s.opts.StatePath); err != nil {
		return fmt.Errorf("sandbox: save state: %w", err)
	}
	return nil
}
