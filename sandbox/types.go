package sandbox

import (
	"io"
	"time"
)

// Options configure a Server. The zero value is a usable in-memory server on
// a random loopback port.
type Options struct {
	// Addr is the listen address; "" means 127.0.0.1:0 (a free port).
	Addr string
	// KeepAlive is the interval of '#' frames; 0 means 30s.
	KeepAlive time.Duration
	// FirstID is the first message id of every device (ids are relative
	// to the device); 0 means 1. Tests use 1<<53+1 so that clients decoding
	// ids into float64 are caught.
	FirstID int64
	// StatePath, when set, is a JSON file the state is loaded from at New
	// and saved to after every change and at Close. "" keeps it in memory.
	StatePath string
	// AppLimit is the monthly allowance of messages per app; 0 means 10000.
	AppLimit int
	// Log receives the request log, one line a request, secrets redacted.
	// nil means no log (Requests still records them).
	Log io.Writer
	// Now is the clock for the dates in replies; nil means time.Now.
	Now func() time.Time
	// MinRetry is the smallest `retry` (in seconds) accepted for emergency
	// messages; 0 means 30, Pushover's limit. Tests may lower it to 1.
	MinRetry int
	// RetryUnit is how long one second of `retry` and `expire` lasts for the
	// repeat timer; 0 means time.Second. Tests set a few milliseconds so that
	// emergency repeats and expiry are seen quickly with valid parameters.
	RetryUnit time.Duration
	// MaxBody limits request bodies; 0 means 8 MiB (a 5 MiB attachment in
	// Base64 fits). Larger bodies get HTTP 413.
	MaxBody int64
}

// Account is an account that can log in as an Open Client.
type Account struct {
	Email    string
	Password string
	TwoFA    string // "" = no two-factor; else the code login must send
}

// Message is what a publisher sends to POST /1/messages.json; it mirrors
// the seed's MessageRequest plus the publisher parameters of
// pushover-api.md section 3.1. Zero values mean "not sent".
type Message struct {
	Token, User, Message, Title, Device, Sound, URL, URLTitle string

	Priority, Retry, Expire, TTL int
	HTML, Monospace, Encrypted   bool
	Timestamp                    int64

	Callback string // priority 2: URL POSTed on acknowledgement
	Tags     string // priority 2: comma-separated, for cancel_by_tag

	Attachment       []byte // raw image (multipart upload)
	AttachmentBase64 string
	AttachmentType   string
}

// Published is the outcome of a successful publish.
type Published struct {
	Request string // the request id of the reply
	Receipt string // priority 2 only
}

// ClientMessage is one message as GET /1/messages.json sends it to an Open
// Client device. Optional fields are left out when unset, as observed.
type ClientMessage struct {
	ID             int64  `json:"id"`
	IDStr          string `json:"id_str"`
	UMID           int64  `json:"umid"`
	UMIDStr        string `json:"umid_str"`
	Title          string `json:"title,omitempty"`
	Message        string `json:"message"`
	App            string `json:"app"`
	AID            int64  `json:"aid"`
	AIDStr         string `json:"aid_str"`
	Icon           string `json:"icon,omitempty"`
	Date           int64  `json:"date"`
	QueuedDate     int64  `json:"queued_date"`
	DispatchedDate int64  `json:"dispatched_date"`
	Priority       int    `json:"priority"`
	Sound          string `json:"sound,omitempty"`
	URL            string `json:"url,omitempty"`
	URLTitle       string `json:"url_title,omitempty"`
	Acked          int    `json:"acked"`
	Receipt        string `json:"receipt,omitempty"`
	HTML           int    `json:"html,omitempty"`
	// Monospace is sent when set (unconfirmed that Pushover sends it);
	// clients must ignore keys they do not know anyway.
	Monospace int `json:"monospace,omitempty"`
}

// Device is a registered Open Client device as tests see it.
type Device struct {
	ID, Name, UserKey string
	Queue             []ClientMessage // what GET /1/messages.json would return now
	HighestDeleted    int64           // the last update_highest_message watermark
	HighestSent       int64           // the highest id a download offered the device
	DeletesAboveSent  int             // deletes above HighestSent: a client bug that loses messages
	NextID            int64           // the id the device's next message will get
	Online            bool            // a websocket session is logged in
}

// ReceiptState is the server's view of one emergency receipt.
type ReceiptState struct {
	Receipt              string
	Token                string   // app that sent it
	Users                []string // user keys it was delivered to
	Acknowledged         bool
	AcknowledgedAt       int64
	AcknowledgedBy       string // user key
	AcknowledgedByDevice string // device name
	LastDeliveredAt      int64
	Deliveries           int // first delivery included
	Expired              bool
	ExpiresAt            int64
	Canceled             bool
	CalledBack           bool
	CalledBackAt         int64
	Tags                 []string
}

// WSLogin is one login attempt on the websocket: the first frame of a
// connection, exactly as received, so that tests can assert that a client
// sends the text frame "login:DEVICE:SECRET\n" (pushover-api.md 2).
// Raw holds the secret: it is for assertions and is never logged.
type WSLogin struct {
	DeviceID  string    // the registered device the line names, else ""
	FrameType int       // TextFrame or BinaryFrame (gorilla's TextMessage, BinaryMessage)
	Raw       []byte    // the frame's payload, byte for byte
	At        time.Time // when the frame was read
	OK        bool      // the login was accepted
}

// Websocket frame types of WSLogin.FrameType, as RFC 6455 numbers them.
const (
	TextFrame   = 1
	BinaryFrame = 2
)

// Request is one entry of the request log. Path includes the query string
// with secrets redacted.
type Request struct {
	At       time.Time
	Method   string
	Path     string
	Status   int // 0: the connection was dropped before any reply (a fault)
	Duration time.Duration
	Fault    string // the kind of the injected fault ("stall", "reset", ...), or ""
}

// Demo is the fixed demo account of AddDemo: the same values every run, so
// they can be printed and documented.
type Demo struct {
	Email, Password, Token, User string
}
