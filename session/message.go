package session

import (
	"strings"
	"time"
)

// Message is one downloaded message, every field of Pushover's
// ClientMessage. Ids are exact int64 (Pushover's exceed 2^53). Text fields
// are as the sender wrote them: untrusted, to be sanitised before display.
type Message struct {
	ID             int64     // per-device id; increases; the delete-up-to watermark
	UMID           int64     // id shared by every copy across the user's devices
	Title          string    // the app's name when the sender gave no title
	Message        string    // body; the HTML subset when HTML is true
	App            string    // sending application's name
	AID            int64     // sending application's id
	Icon           string    // icon name, "" if none
	Date           time.Time // when Pushover received it, or the sender's timestamp
	QueuedDate     time.Time // zero when absent
	DispatchedDate time.Time // zero when absent
	Priority       int       // -2..2
	Sound          string
	URL            string
	URLTitle       string
	Acked          bool   // priority 2: acknowledged (by anyone)
	Receipt        string // priority 2: needed to acknowledge
	HTML           bool
	Monospace      bool

	// Problem says which fields could not be read (a value of the wrong
	// type); "" when the message decoded cleanly. Such a message is
	// stored with what could be read rather than stop every later sync.
	Problem string
}

// wireMessage is a ClientMessage as sent; numbers may come as numbers or
// strings, and the *_str twins are preferred for ids. Every field decodes
// without failing: a value of the wrong type is noted, not fatal.
type wireMessage struct {
	ID             msgInt     `json:"id"`
	IDStr          flexString `json:"id_str"`
	UMID           msgInt     `json:"umid"`
	UMIDStr        flexString `json:"umid_str"`
	Title          flexString `json:"title"`
	Message        flexString `json:"message"`
	App            flexString `json:"app"`
	AID            msgInt     `json:"aid"`
	AIDStr         flexString `json:"aid_str"`
	Icon           flexString `json:"icon"`
	Date           msgInt     `json:"date"`
	QueuedDate     msgInt     `json:"queued_date"`
	DispatchedDate msgInt     `json:"dispatched_date"`
	Priority       msgInt     `json:"priority"`
	Sound          flexString `json:"sound"`
	URL            flexString `json:"url"`
	URLTitle       flexString `json:"url_title"`
	Acked          msgInt     `json:"acked"`
	Receipt        flexString `json:"receipt"`
	HTML           msgInt     `json:"html"`
	Monospace      msgInt     `json:"monospace"`
}

// msgInt is flexInt for a message field: a value that is not a whole
// number decodes as 0 and is remembered, so that one odd field cannot make
// the whole download fail (and with it every later one).
type msgInt struct {
	v   flexInt
	bad bool
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *msgInt) UnmarshalJSON(b []byte) error {
	if err := n.v.UnmarshalJSON(b); err != nil {
		*n = msgInt{bad: true}
	}
	return nil
}

func (w wireMessage) message() Message {
	m := Message{
		ID:             pickID(w.ID.v, w.IDStr),
		UMID:           pickID(w.UMID.v, w.UMIDStr),
		Title:          string(w.Title),
		Message:        string(w.Message),
		App:            string(w.App),
		AID:            pickID(w.AID.v, w.AIDStr),
		Icon:           string(w.Icon),
		Date:           unixTime(w.Date.v),
		QueuedDate:     unixTime(w.QueuedDate.v),
		DispatchedDate: unixTime(w.DispatchedDate.v),
		Priority:       min(max(int(w.Priority.v), -2), 2),
		Sound:          string(w.Sound),
		URL:            string(w.URL),
		URLTitle:       string(w.URLTitle),
		Acked:          w.Acked.v != 0,
		Receipt:        string(w.Receipt),
		HTML:           w.HTML.v != 0,
		Monospace:      w.Monospace.v != 0,
	}
	if m.Title == "" {
		m.Title = m.App
	}
	var bad []string
	for _, f := range []struct {
		name string
		bad  bool
	}{{"id", w.ID.bad && m.ID == 0}, {"umid", w.UMID.bad && m.UMID == 0}, {"aid", w.AID.bad && m.AID == 0},
		{"date", w.Date.bad}, {"queued_date", w.QueuedDate.bad}, {"dispatched_date", w.DispatchedDate.bad},
		{"priority", w.Priority.bad}, {"acked", w.Acked.bad}, {"html", w.HTML.bad}, {"monospace", w.Monospace.bad}} {
		if f.bad {
			bad = append(bad, f.name)
		}
	}
	if !w.Priority.bad && (w.Priority.v < -2 || w.Priority.v > 2) {
		bad = append(bad, "priority")
	}
	if len(bad) > 0 {
		m.Problem = "pobox could not read " + strings.Join(bad, ", ") + " of this message as the server sent it"
	}
	return m
}

func unixTime(s flexInt) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0)
}
