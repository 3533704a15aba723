package sync

import (
	"context"
	"encoding/json"
	"time"
)

// stateHolder is where the holder records who it is and how its websocket
// fares, for `pobox status` (ReadStatus).
const stateHolder = "sync.holder"

// keepaliveRecordEvery bounds how often a keep-alive is written down: a
// status a few seconds old is fine, a write per frame is not.
const keepaliveRecordEvery = 15 * time.Second

// holderStatus is the holder's record.
type holderStatus struct {
	PID         int       `json:"pid"`
	Since       time.Time `json:"since"`                 // holding the websocket since
	ConnectedAt time.Time `json:"connected_at,omitzero"` // the current connection's start
	KeepaliveAt time.Time `json:"keepalive_at,omitzero"` // the last frame received
	Reconnects  int       `json:"reconnects"`            // connections after the first
	connects    int
}

// recordHolder updates the holder's record and writes it.
func (e *Engine) recordHolder(ctx context.Context, update func(*holderStatus)) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	update(&e.status)
	b, err := json.Marshal(e.status)
	if err == nil {
		err = e.db.SetState(ctx, stateHolder, string(b))
	}
	if err != nil {
		e.log.Warn("record the holder's status", "err", err)
	}
}

// connected records a new websocket connection.
func (e *Engine) connected(ctx context.Context, at time.Time) {
	e.recordHolder(ctx, func(s *holderStatus) {
		s.connects++
		s.Reconnects = max(s.connects-1, 0)
		s.ConnectedAt, s.KeepaliveAt = at, at
	})
}

// keptAlive records a frame from the server, at most every
// keepaliveRecordEvery.
func (e *Engine) keptAlive(ctx context.Context) {
	now := e.cfg.Now()
	e.statusMu.Lock()
	due := now.Sub(e.status.KeepaliveAt) >= keepaliveRecordEvery
	e.statusMu.Unlock()
	if due {
		e.recordHolder(ctx, func(s *holderStatus) { s.KeepaliveAt = now })
	}
}
