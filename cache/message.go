package cache

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Message is one Pushover message as the Open Client API delivers it
// (every field of the ClientMessage schema, plus monospace should the server
// send it) and the state pobox keeps about it locally.
//
// The JSON tags are the wire names, so a Message encodes the way Pushover
// sends it (acked, html and monospace as 0/1; ids as exact int64), plus the
// string twins id_str, umid_str and aid_str for JSON readers that lose
// precision above 2^53, plus the local fields read, ack_pending and stored_at.
type Message struct {
	// Key identifies the message in this cache: assigned in the order
	// messages are stored, never reused. Lists are newest first by Key, and
	// every local action (read, delete, delete up to) names a Key.
	Key int64 `json:"key"`
	// Device is the local number of the device the message was downloaded
	// for (see Device); ID counts per device, so (Device, ID) is unique.
	Device     int64  `json:"-"`
	DeviceName string `json:"device,omitempty"` // that device's name, as registered

	ID             int64  `json:"id"`              // per-device id; increases; the server's delete watermark
	UMID           int64  `json:"umid"`            // the same message across the user's devices
	Title          string `json:"title"`           // may be empty: show App instead
	Message        string `json:"message"`         // body; an HTML subset when HTML is set
	App            string `json:"app"`             // sending application's name (not unique)
	AID            int64  `json:"aid"`             // sending application's id
	Icon           string `json:"icon"`            // icon name, "" for none
	Date           int64  `json:"date"`            // Unix seconds: received, or the sender's timestamp
	QueuedDate     int64  `json:"queued_date"`     // Unix seconds
	DispatchedDate int64  `json:"dispatched_date"` // Unix seconds
	Priority       int    `json:"priority"`        // -2 lowest .. 2 emergency
	Sound          string `json:"sound"`           // sound name
	URL            string `json:"url"`             // supplementary URL
	URLTitle       string `json:"url_title"`       // label for URL
	Acked          bool   `json:"acked"`           // emergency acknowledged (by anyone); 0/1 in JSON
	Receipt        string `json:"receipt"`         // emergency receipt, needed to acknowledge
	HTML           bool   `json:"html"`            // body uses the HTML subset; 0/1 in JSON
	Monospace      bool   `json:"monospace"`       // body is fixed-width text; 0/1 in JSON

	// Problem says what of the message could not be read as the server
	// sent it (a field of the wrong type); "" when it decoded cleanly.
	Problem string `json:"problem,omitempty"`

	// Local state, never sent by the server.
	Read       bool      `json:"read"`        // seen by the user here
	AckPending bool      `json:"ack_pending"` // an acknowledgement waits in the outbox
	StoredAt   time.Time `json:"stored_at"`   // first stored in this cache
}

// Time returns Date as a time.Time.
func (m Message) Time() time.Time { return time.Unix(m.Date, 0) }

// IsEmergency reports whether m is a priority-2 message with a receipt.
func (m Message) IsEmergency() bool { return m.Priority == 2 && m.Receipt != "" }

// NeedsAck reports whether m is an emergency nobody has acknowledged yet
// (an acknowledgement may be waiting in the outbox: see AckPending).
func (m Message) NeedsAck() bool { return m.IsEmergency() && !m.Acked }

// MarshalJSON encodes the wire names, acked, html and monospace as 0/1,
// and adds id_str, umid_str and aid_str.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message // without methods: no recursion
	// The outer fields shadow plain's fields of the same JSON name.
	return json.Marshal(struct {
		plain
		Acked     flag   `json:"acked"`
		HTML      flag   `json:"html"`
		Monospace flag   `json:"monospace"`
		IDStr     string `json:"id_str"`
		UMIDStr   string `json:"umid_str"`
		AIDStr    string `json:"aid_str"`
	}{plain(m), flag(m.Acked), flag(m.HTML), flag(m.Monospace),
		strconv.FormatInt(m.ID, 10), strconv.FormatInt(m.UMID, 10), strconv.FormatInt(m.AID, 10)})
}

// UnmarshalJSON decodes what MarshalJSON writes, and Pushover's own message
// objects: acked, html and monospace may be 0/1 or true/false; unknown keys
// are ignored.
func (m *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	w := struct {
		*plain
		Acked     flag `json:"acked"`
		HTML      flag `json:"html"`
		Monospace flag `json:"monospace"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	m.Acked, m.HTML, m.Monospace = bool(w.Acked), bool(w.HTML), bool(w.Monospace)
	return nil
}

// flag is a boolean that Pushover's JSON carries as 0 or 1.
type flag bool

func (f flag) MarshalJSON() ([]byte, error) {
	if f {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

func (f *flag) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "1", "true":
		*f = true
	case "0", "false", "null":
		*f = false
	default:
		return fmt.Errorf("cache: flag must be 0 or 1, got %s", b)
	}
	return nil
}

// columns lists the messages columns in the order scanMessage reads them.
const columns = `key, device, id, umid, title, message, app, aid, icon, date, queued_date, dispatched_date,
	priority, sound, url, url_title, acked, receipt, html, monospace, problem, read, ack_pending, stored_at`

// insertColumns are the columns Ingest writes: all but the key, which
// SQLite assigns.
const insertColumns = `device, id, umid, title, message, app, aid, icon, date, queued_date, dispatched_date,
	priority, sound, url, url_title, acked, receipt, html, monospace, problem, read, ack_pending, stored_at`

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanMessage reads one row selected with columns.
func scanMessage(s scanner) (Message, error) {
	var m Message
	var storedAt int64
	err := s.Scan(&m.Key, &m.Device, &m.ID, &m.UMID, &m.Title, &m.Message, &m.App, &m.AID, &m.Icon, &m.Date,
		&m.QueuedDate, &m.DispatchedDate, &m.Priority, &m.Sound, &m.URL, &m.URLTitle,
		&m.Acked, &m.Receipt, &m.HTML, &m.Monospace, &m.Problem, &m.Read, &m.AckPending, &storedAt)
	m.StoredAt = fromMillis(storedAt)
	return m, err
}

// scanMessages reads every row of rows and closes it.
func scanMessages(rows *sql.Rows, capacity int) ([]Message, error) {
	defer rows.Close()
	out := make([]Message, 0, capacity)
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
