package sandbox

import (
	"bytes"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestLoginFrameRecorded: every first frame is recorded as received, its
// type and its exact bytes, whether the login is accepted or not.
func TestLoginFrameRecorded(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "pobox")
	tests := []struct {
		name   string
		typ    int
		line   string
		ok     bool
		device string
	}{
		{"Text", websocket.TextMessage, "login:" + d.id + ":" + d.secret + "\n", true, d.id},
		{"TextWithoutNewline", websocket.TextMessage, "login:" + d.id + ":" + d.secret, true, d.id},
		{"Binary", websocket.BinaryMessage, "login:" + d.id + ":" + d.secret + "\n", true, d.id},
		{"CRLF", websocket.TextMessage, "login:" + d.id + ":" + d.secret + "\r\n", true, d.id},
		{"BadSecret", websocket.TextMessage, "login:" + d.id + ":nope\n", false, d.id},
		{"Swapped", websocket.TextMessage, "login:" + d.secret + ":" + d.id + "\n", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(e.s.WebsocketLogins())
			c, resp, err := websocket.DefaultDialer.Dial(e.s.WSURL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			defer c.Close()
			if err := c.WriteMessage(tt.typ, []byte(tt.line)); err != nil {
				t.Fatal(err)
			}
			if err := e.s.WaitLogins(ctxT(t), n+1); err != nil {
				t.Fatal(err)
			}
			l := e.s.WebsocketLogins()[n]
			if l.FrameType != tt.typ || string(l.Raw) != tt.line || l.OK != tt.ok || l.DeviceID != tt.device || l.At.IsZero() {
				t.Errorf("recorded %+v (raw %q), want type %d raw %q ok %v device %q", l, l.Raw, tt.typ, tt.line, tt.ok, tt.device)
			}
			l.Raw[0] = 'X' // a caller cannot change the record
			if again := e.s.WebsocketLogins()[n]; string(again.Raw) != tt.line {
				t.Errorf("record changed to %q", again.Raw)
			}
		})
	}
}

// syncBuffer is a log writer that tests may read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogNeverShowsSecret: the log of `pobox sandbox` holds no secret,
// password or two-factor code, whatever the client sends where.
func TestLogNeverShowsSecret(t *testing.T) {
	var log syncBuffer
	e := newEnv(t, Options{Log: &log, KeepAlive: time.Hour})
	e.s.AddAccount(Account{Email: "me@example.com", Password: "pw-me@example.com", TwoFA: "424242"})
	r := e.do("POST", "/1/users/login.json", url.Values{"email": {"me@example.com"}, "password": {"pw-me@example.com"}, "twofa": {"424242"}})
	secret := r.str("secret")
	id := e.register(secret, "pobox")
	d := testDevice{user: r.str("id"), secret: secret, id: id}
	e.download(d)
	e.do("GET", "/1/messages.json?Secret="+secret, url.Values{"device_id": {id}})
	e.do("POST", "/1/devices/"+id+"/update_highest_message.json?secret="+secret, url.Values{"message": {"1"}})
	lines := []string{
		"login:" + id + ":" + secret + "\n", // accepted
		"login:" + secret + ":" + id + "\n", // fields swapped
		"login:" + secret + "\n",            // device left out
		"login:" + id + ":" + secret + "x",  // wrong secret
		secret,                              // no prefix at all
	}
	for _, line := range lines {
		n := len(e.s.WebsocketLogins())
		c, resp, err := websocket.DefaultDialer.Dial(e.s.WSURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c.WriteMessage(websocket.TextMessage, []byte(line))
		if err := e.s.WaitLogins(ctxT(t), n+1); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if err := e.s.Close(); err != nil { // every request is logged by now
		t.Fatal(err)
	}
	out := log.String()
	if !strings.Contains(out, "websocket login rejected for an unknown device") || !strings.Contains(out, "REDACTED") {
		t.Errorf("the log lacks the expected lines:\n%s", out)
	}
	for name, v := range map[string]string{"secret": secret, "secret prefix": secret[:20], "password": "pw-me@example.com", "two-factor code": "424242"} {
		if strings.Contains(out, v) {
			t.Errorf("the log shows the %s:\n%s", name, out)
		}
	}
}
