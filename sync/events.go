package sync

import "time"

// Event is what the engine tells its owner, in order, on the channel that
// Events returns. It is one of the types in this file.
type Event interface{ event() }

// Connected: the websocket is up and logged in. Holder is false when another
// pobox process holds it and this one follows.
type Connected struct {
	At     time.Time
	Holder bool
}

// Disconnected: the websocket is down. Err says why; the engine tries again
// at RetryAt (zero when it will not retry by itself, for example offline
// with a session that ended).
type Disconnected struct {
	Err     error
	RetryAt time.Time
	Holder  bool
}

// Syncing: a download started.
type Syncing struct{}

// Synced: messages were stored (by this process or another). New lists the
// cache keys of the messages stored for the first time, oldest first; each
// message is announced once. Backlog is true for the first download of a
// device: what waited on the server before pobox logged in, which must not
// ring. A sync that stored nothing new is announced with New empty.
type Synced struct {
	At          time.Time
	New         []int64
	MaxPriority int  // highest priority among New; -3 when New is empty
	Emergency   bool // New holds an unacknowledged emergency
	// Emergencies are those emergencies' keys and receipts. Pushover
	// repeats an emergency until someone acknowledges it, each repeat a
	// new message (a higher key) with the same receipt: by them the owner
	// tells a repeat from a new emergency.
	Emergencies []Emergency
	Backlog     bool
}

// Emergency is an unacknowledged emergency newly stored.
type Emergency struct {
	Key     int64
	Receipt string
}

// SyncFailed: a download or its storage failed. The messages are still on
// the server; the engine tries again by itself at RetryAt (and at the next
// '!', connect or "sync now").
type SyncFailed struct {
	Err     error
	RetryAt time.Time
}

// ActionKind names what an action asked of the server.
type ActionKind string

// The actions the engine performs.
const (
	ActionAck        ActionKind = "acknowledge"
	ActionDeleteUpTo ActionKind = "delete-up-to"
)

// Action is one request for the server, as the user made it.
type Action struct {
	Kind    ActionKind
	Receipt string // ActionAck
	UpTo    int64  // ActionDeleteUpTo
}

// ActionDone: the server carried out the action.
type ActionDone struct {
	Action Action
}

// ActionFailed: the server did not carry out the action. With Queued the
// failure is temporary (network, 5xx) and the action stays in the outbox to
// be replayed; otherwise the server refused it for good and Err says why.
type ActionFailed struct {
	Action Action
	Err    error
	Queued bool
}

// EndReason says why the session ended.
type EndReason int

const (
	// EndLoggedOut: the server refused the login ('E', or a download
	// refused the secret). The user must log in again.
	EndLoggedOut EndReason = iota + 1
	// EndElsewhere: the device logged in from another session ('A').
	EndElsewhere
	// EndReplaced: `pobox login` stored the login of another device for
	// this cache since this engine started: it stops rather than hold,
	// download and delete for a device the user has left. Start again
	// with the stored login.
	EndReplaced
)

// SessionEnded: the engine stopped talking to the server and will not
// reconnect by itself. Text is the sentence to show the user.
type SessionEnded struct {
	Reason EndReason
	Text   string
}

// RowsChanged: the cache changed (this process or another wrote to it);
// views reload the rows they show. Consecutive ones are coalesced.
type RowsChanged struct{}

func (Connected) event()    {}
func (Disconnected) event() {}
func (Syncing) event()      {}
func (Synced) event()       {}
func (SyncFailed) event()   {}
func (ActionDone) event()   {}
func (ActionFailed) event() {}
func (SessionEnded) event() {}
func (RowsChanged) event()  {}

// Texts of the session's end, for the user.
const (
	textLoggedOut = "Pushover refused this device's login: log in again with `pobox login`"
	textElsewhere = "this device connected from another session, so pobox stopped listening here; " +
		"close the other pobox (or register another device with `pobox login --device NAME`) and restart pobox"
	textReplaced = "pobox was logged in as another device since this pobox started: start it again to use that login"
)
