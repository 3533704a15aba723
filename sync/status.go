package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"pobox/cache"
)

// Status is what the engines sharing a cache recorded in it: the state of
// the websocket as its holder last wrote it, the holder itself, the last
// sync and the counts. ReadStatus reads it without starting an engine and
// without talking to the server, so that a shell prompt can call it.
type Status struct {
	// Link is the websocket as the holder last recorded it; Link.State is
	// "" when no pobox ever held it on this cache.
	Link LinkStatus `json:"link"`
	// Holder is the process that holds (or last held) the websocket; nil
	// when the engine records none (older engines).
	Holder *HolderStatus `json:"holder,omitempty"`
	// LastSync is the end of the last completed download; zero if none.
	LastSync time.Time `json:"last_sync,omitzero"`

	Messages   int `json:"messages"`    // cached
	Unread     int `json:"unread"`      // not yet read
	Unacked    int `json:"unacked"`     // emergencies not yet acknowledged (pending ones included)
	AckPending int `json:"ack_pending"` // of those, acknowledged here and waiting in the outbox
	Outbox     int `json:"outbox"`      // actions waiting to be sent
}

// LinkStatus is the websocket state as recorded by its holder.
type LinkStatus struct {
	// State is "connected", "reconnecting", "offline" (the holder
	// stopped), "ended" (the server refused the login, or the device
	// connected elsewhere), or "" (never recorded).
	State   string    `json:"state"`
	At      time.Time `json:"at,omitzero"`       // when State began
	RetryAt time.Time `json:"retry_at,omitzero"` // reconnecting: next attempt
	Err     string    `json:"err,omitempty"`     // reconnecting: why it is down
	Ended   string    `json:"ended,omitempty"`   // ended: "logged-out" or "elsewhere"
	Device  string    `json:"device,omitempty"`  // device id of the holder's login
}

// HolderStatus is the holder's own record.
type HolderStatus struct {
	PID         int       `json:"pid"`
	Since       time.Time `json:"since,omitzero"`        // holds the websocket since
	ConnectedAt time.Time `json:"connected_at,omitzero"` // the current connection's start
	KeepAliveAt time.Time `json:"keepalive_at,omitzero"` // last keep-alive frame from the server
	Reconnects  int       `json:"reconnects"`            // since it took the websocket
}

// holderRecord is the JSON under stateHolder, as holder.go writes it.
type holderRecord struct {
	PID         int    `json:"pid"`
	Since       string `json:"since"`
	ConnectedAt string `json:"connected_at"`
	KeepAliveAt string `json:"keepalive_at"`
	Reconnects  int    `json:"reconnects"`
}

// ReadStatus reads what the engines record in db's state table, and the
// counts. It never writes. Records it cannot read are left zero: a status
// shown is better than none.
func ReadStatus(ctx context.Context, db *cache.DB) (Status, error) {
	var st Status
	if raw, ok, err := db.State(ctx, stateLink); err != nil {
		return st, err
	} else if ok {
		var l link
		if json.Unmarshal([]byte(raw), &l) == nil {
			st.Link = LinkStatus{State: l.State, At: l.At, RetryAt: l.RetryAt, Err: l.Err, Device: l.Device}
			switch l.Reason {
			case EndLoggedOut:
				st.Link.Ended = "logged-out"
			case EndElsewhere:
				st.Link.Ended = "elsewhere"
			}
		}
	}
	if raw, ok, err := db.State(ctx, stateHolder); err != nil {
		return st, err
	} else if ok {
		var h holderRecord
		if json.Unmarshal([]byte(raw), &h) == nil {
			st.Holder = &HolderStatus{PID: h.PID, Since: parseTime(h.Since), ConnectedAt: parseTime(h.ConnectedAt), KeepAliveAt: parseTime(h.KeepAliveAt), Reconnects: h.Reconnects}
		}
	}
	if raw, ok, err := db.State(ctx, cache.StateLastSync); err != nil {
		return st, err
	} else if ok {
		st.LastSync = parseTime(raw)
	}
	c, err := db.Counts(ctx)
	if err != nil {
		return st, err
	}
	st.Messages, st.Unread, st.Unacked, st.AckPending = c.Total, c.Unread, c.Unacked, c.AckPending
	items, err := db.Outbox(ctx)
	if err != nil {
		return st, fmt.Errorf("read the outbox: %w", err)
	}
	st.Outbox = len(items)
	return st, nil
}

// parseTime reads an RFC 3339 time; zero when it is not one.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
