package session

import "time"

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
}

// wireMessage is a ClientMessage as sent; numbers may come as numbers or
// strings, and the *_str twins are preferred for ids.
type wireMessage struct {
	ID             flexInt    `json:"id"`
	IDStr          flexString `json:"id_str"`
	UMID           flexInt    `json:"umid"`
	UMIDStr        flexString `json:"umid_str"`
	Title          flexString `json:"title"`
	Message        flexString `json:"message"`
	App            flexString `json:"app"`
	AID            flexInt    `json:"aid"`
	AIDStr         flexString `json:"aid_str"`
	Icon           flexString `json:"icon"`
	Date           flexInt    `json:"date"`
	QueuedDate     flexInt    `json:"queued_date"`
	DispatchedDate flexInt    `json:"dispatched_date"`
	Priority       flexInt    `json:"priority"`
	Sound          flexString `json:"sound"`
	URL            flexString `json:"url"`
	URLTitle       flexString `json:"url_title"`
	Acked          flexInt    `json:"acked"`
	Receipt        flexString `json:"receipt"`
	HTML           flexInt    `json:"html"`
	Monospace      flexInt    `json:"monospace"`
}

func (w wireMessage) message() Message {
	m := Message{
		ID:             pickID(w.ID, w.IDStr),
		UMID:           pickID(w.UMID, w.UMIDStr),
		Title:          string(w.Title),
		Message:        string(w.Message),
		App:            string(w.App),
		AID:            pickID(w.AID, w.AIDStr),
		Icon:           string(w.Icon),
		Date:           unixTime(w.Date),
		QueuedDate:     unixTime(w.QueuedDate),
		DispatchedDate: unixTime(w.DispatchedDate),
		Priority:       int(w.Priority),
		Sound:          string(w.Sound),
		URL:            string(w.URL),
		URLTitle:       string(w.URLTitle),
		Acked:          w.Acked != 0,
		Receipt:        string(w.Receipt),
		HTML:           w.HTML != 0,
		Monospace:      w.Monospace != 0,
	}
	if m.Title == "" {
		m.Title = m.App
	}
	return m
}

func unixTime(s flexInt) time.Time {
	if s <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0)
}
