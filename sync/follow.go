package sync

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// stateLink is where the holder records the websocket's state, so that
// followers can show it too.
const stateLink = "sync.link"

// Link states.
const (
	linkConnected    = "connected"
	linkReconnecting = "reconnecting"
	linkOffline      = "offline" // the holder stopped
	linkEnded        = "ended"
)

// link is the holder's websocket state as stored for followers.
type link struct {
	State   string    `json:"state"`
	At      time.Time `json:"at"`
	RetryAt time.Time `json:"retry_at,omitzero"`
	Err     string    `json:"err,omitempty"`
	Reason  EndReason `json:"reason,omitempty"`
	Device  string    `json:"device"`
}

// errHolderGone is what followers show between a holder's exit and the
// takeover.
var errHolderGone = errors.New("the pobox holding the connection stopped; taking over")

func (e *Engine) writeLink(ctx context.Context, l link) {
	l.At = e.cfg.Now()
	l.Device = e.cfg.Login.DeviceID
	b, err := json.Marshal(l)
	if err == nil {
		err = e.db.SetState(ctx, stateLink, string(b))
	}
	if err != nil {
		e.log.Warn("record connection state", "err", err)
	}
}

// watch is what watchLoop remembers between polls.
type watch struct {
	linkRaw  string // last link state turned into an event
	linkSeen bool
}

// watchLoop notices writes by other processes (and by this one) and turns
// them into events: new messages another process stored are announced
// (followNew), and a follower turns the holder's records into
// Connected/Disconnected events of its own. The holder also replays the
// outbox when another process may have queued an action.
func (e *Engine) watchLoop(ctx context.Context) {
	var w watch
	t := time.NewTicker(e.cfg.PollInterval)
	defer t.Stop()
	for first := true; ; first = false {
		changed, err := e.db.Changed(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("look for changes", "err", err)
		}
		if changed || !w.linkSeen {
			e.loginCurrent(ctx)
		}
		holder := e.holder.Load()
		// Once ended, the engine no longer shows another holder's state
		// as its own: the owner keeps what SessionEnded said.
		if !holder && !e.ended.is() && (changed || !w.linkSeen) {
			e.followLink(ctx, &w)
		}
		if changed || first && e.after != nil {
			// At first, what was stored after AnnounceAfter's key.
			e.followNew(ctx)
		}
		if changed {
			e.emit(RowsChanged{})
			if holder {
				e.kickOutboxIfNew(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readLink returns the websocket state the last holder recorded.
func (e *Engine) readLink(ctx context.Context) (link, bool) {
	raw, ok, err := e.db.State(ctx, stateLink)
	var l link
	if err != nil || !ok || json.Unmarshal([]byte(raw), &l) != nil {
		return link{}, false
	}
	return l, true
}

// followLink emits the holder's websocket state when it changed.
func (e *Engine) followLink(ctx context.Context, w *watch) {
	raw, ok, err := e.db.State(ctx, stateLink)
	if err != nil {
		return
	}
	w.linkSeen = true
	if !ok || raw == w.linkRaw {
		return
	}
	w.linkRaw = raw
	var l link
	if json.Unmarshal([]byte(raw), &l) != nil {
		return
	}
	switch l.State {
	case linkConnected:
		e.emit(Connected{At: l.At})
	case linkReconnecting:
		e.emit(Disconnected{Err: errors.New(l.Err), RetryAt: l.RetryAt})
	case linkOffline:
		e.emit(Disconnected{Err: errHolderGone})
	case linkEnded:
		if l.Device == e.cfg.Login.DeviceID {
			e.endSession(ctx, l.Reason)
		}
	}
}
