package sandbox

import (
	"slices"
	"time"
)

// state is everything the sandbox knows, guarded by Server.mu. Its exported
// fields are what --state persists.
type state struct {
	Version int `json:"version"`
	// LegacyNextID is the one global id counter of version 1 files, read
	// only to migrate them (see migrateV1); ids are per device since.
	LegacyNextID int64               `json:"next_id,omitempty"`
	NextUMID     int64               `json:"next_umid"` // next id across a user's devices
	NextAID      int64               `json:"next_aid"`
	Accounts     map[string]*account `json:"accounts"` // by user key
	Apps         map[string]*app     `json:"apps"`     // by token
	Groups       map[string]*group   `json:"groups"`   // by group key
	Devices      map[string]*device  `json:"devices"`  // by device id
	Receipts     map[string]*receipt `json:"receipts"` // by receipt

	// Indexes rebuilt after load.
	byEmail  map[string]*account
	bySecret map[string]*account
}

type account struct {
	Email     string            `json:"email"`
	Password  string            `json:"password"`
	TwoFA     string            `json:"twofa,omitempty"`
	UserKey   string            `json:"user_key"`
	CreatedAt int64             `json:"created_at"`
	Secrets   map[string]string `json:"secrets"`           // secret -> id of the device last registered with it
	Devices   []string          `json:"devices"`           // device ids in registration order
	Backlog   []ClientMessage   `json:"backlog,omitempty"` // seeded messages for devices registered later
}

type app struct {
	Token   string `json:"token"`
	Name    string `json:"name"`
	AID     int64  `json:"aid"`
	Icon    string `json:"icon"`
	Used    int    `json:"used"`     // messages counted this month
	ResetAt int64  `json:"reset_at"` // Unix time the allowance resets
}

type group struct {
	Key     string   `json:"key"`
	Members []string `json:"members"`
}

type device struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	UserKey        string   `json:"user_key"`
	Queue          []queued `json:"queue"` // ascending ids; see queue.go
	HighestDeleted int64    `json:"highest_deleted"`
	// HighestSent is the highest id a download reply offered the device:
	// a delete above it drops messages the client never saw.
	HighestSent int64 `json:"highest_sent,omitempty"`
	// DeletesAboveSent counts the deletes that went above HighestSent.
	DeletesAboveSent int `json:"deletes_above_sent,omitempty"`
	// NextID is the id the device's next message gets: ids are relative
	// to the device (pushover-api.md 1.3), so a new device starts at
	// Options.FirstID whatever the other devices of the account hold.
	NextID int64 `json:"next_id"`
}

// receipt is one emergency message and its repeat schedule.
type receipt struct {
	ID        string        `json:"id"`
	Token     string        `json:"token"`
	Targets   []target      `json:"targets"`
	Template  ClientMessage `json:"template"` // ids are renewed on each delivery
	Retry     int           `json:"retry"`
	Expire    int           `json:"expire"`
	Callback  string        `json:"callback,omitempty"`
	Tags      []string      `json:"tags,omitempty"`
	ExpiresAt int64         `json:"expires_at"`

	AcknowledgedAt       int64  `json:"acknowledged_at,omitempty"`
	AcknowledgedBy       string `json:"acknowledged_by,omitempty"`
	AcknowledgedByDevice string `json:"acknowledged_by_device,omitempty"`
	LastDeliveredAt      int64  `json:"last_delivered_at"`
	Deliveries           int    `json:"deliveries"`
	Expired              bool   `json:"expired,omitempty"`
	Canceled             bool   `json:"canceled,omitempty"`
	CalledBackAt         int64  `json:"called_back_at,omitempty"`

	// The schedule runs on the monotonic clock, scaled by RetryUnit.
	next     time.Time
	deadline time.Time
}

// target is one user an emergency went to, with the devices it reached and
// the umid its copies share.
type target struct {
	User    string   `json:"user"`
	UMID    int64    `json:"umid"`
	Devices []string `json:"devices"`
}

func (r *receipt) pending() bool {
	return r.AcknowledgedAt == 0 && !r.Expired && !r.Canceled
}

// stateVersion is the version of the state file written; version 1 (one
// global id counter) is migrated on load.
const stateVersion = 2

func newState(firstID int64) *state {
	st := &state{
		Version: stateVersion,
		// umids come from their own counter, far from the ids, so that a
		// client mixing up id and umid is caught.
		NextUMID: firstID + 500_000_000_000,
		// aids above 2^53, as observed (aid 435443636951759403).
		NextAID:  435443636951759403,
		Accounts: map[string]*account{},
		Apps:     map[string]*app{},
		Groups:   map[string]*group{},
		Devices:  map[string]*device{},
		Receipts: map[string]*receipt{},
	}
	st.index()
	return st
}

// index rebuilds the lookup maps (after New or a load).
func (st *state) index() {
	st.byEmail = map[string]*account{}
	st.bySecret = map[string]*account{}
	for _, a := range st.Accounts {
		if a.Secrets == nil {
			a.Secrets = map[string]string{}
		}
		st.byEmail[a.Email] = a
		for sec := range a.Secrets {
			st.bySecret[sec] = a
		}
	}
}

func (st *state) newUMID() int64 { return st.newUMIDs(1) }

// newUMIDs reserves n consecutive umids and returns the first.
func (st *state) newUMIDs(n int64) int64 {
	id := st.NextUMID
	st.NextUMID += n
	return id
}

// deviceOf returns the account's device with that name.
func (st *state) deviceNamed(a *account, name string) *device {
	for _, id := range a.Devices {
		if d := st.Devices[id]; d != nil && d.Name == name {
			return d
		}
	}
	return nil
}

func (r *receipt) view() ReceiptState {
	rs := ReceiptState{
		Receipt: r.ID, Token: r.Token,
		Acknowledged: r.AcknowledgedAt != 0, AcknowledgedAt: r.AcknowledgedAt,
		AcknowledgedBy: r.AcknowledgedBy, AcknowledgedByDevice: r.AcknowledgedByDevice,
		LastDeliveredAt: r.LastDeliveredAt, Deliveries: r.Deliveries,
		Expired: r.Expired, ExpiresAt: r.ExpiresAt, Canceled: r.Canceled,
		CalledBack: r.CalledBackAt != 0, CalledBackAt: r.CalledBackAt,
		Tags: slices.Clone(r.Tags),
	}
	for _, t := range r.Targets {
		rs.Users = append(rs.Users, t.User)
	}
	return rs
}
