package sandbox

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// expectClosed reads once more and wants the server's close frame with code.
func expectClosed(t *testing.T, c *websocket.Conn, code int) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	_, p, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("after the frame: payload %q, err %v; want close code %d", p, err, code)
	}
}

func TestFrames(t *testing.T) {
	e := newEnv(t, Options{KeepAlive: 20 * time.Millisecond})
	d := e.newDevice("me@example.com", "pobox")
	token := e.s.AddApp("x")

	t.Run("KeepAlive", func(t *testing.T) {
		c := e.online(d)
		// The upgrade is logged at once, not when the socket closes.
		if reqs := e.s.Requests(); reqs[len(reqs)-1].Path != "/push" || reqs[len(reqs)-1].Status != 101 {
			t.Errorf("last request %+v, want GET /push 101", reqs[len(reqs)-1])
		}
		for range 2 {
			if f := nextFrame(t, c, '#'); f != '#' {
				t.Fatalf("frame %q, want '#'", f)
			}
		}
	})
	t.Run("NewMessage", func(t *testing.T) {
		c := e.online(d)
		e.publish(Message{Token: token, User: d.user, Message: "hi"})
		if f := nextFrame(t, c, '!'); f != '!' {
			t.Fatalf("frame %q, want '!'", f)
		}
	})
	t.Run("LoginWithoutNewline", func(t *testing.T) {
		n := len(e.s.WebsocketLogins())
		c := e.dial(d.id, d.secret, false)
		if err := e.s.WaitLogins(ctxT(t), n+1); err != nil {
			t.Fatal(err)
		}
		e.publish(Message{Token: token, User: d.user, Message: "hi"})
		if f := nextFrame(t, c, '!'); f != '!' {
			t.Fatalf("frame %q, want '!'", f)
		}
	})
	t.Run("Reload", func(t *testing.T) {
		c := e.online(d)
		if n := e.s.Reload(d.id); n != 1 {
			t.Fatalf("Reload reached %d sessions", n)
		}
		if f := nextFrame(t, c, 'R'); f != 'R' {
			t.Fatalf("frame %q, want 'R'", f)
		}
	})
	t.Run("SendFrame", func(t *testing.T) {
		c := e.online(d)
		e.s.SendFrame(d.id, []byte("Z"))
		if f := nextFrame(t, c, 'Z'); f != 'Z' {
			t.Fatalf("frame %q, want 'Z'", f)
		}
	})
	t.Run("AnotherSession", func(t *testing.T) {
		old := e.online(d)
		logins := len(e.s.WebsocketLogins())
		c := e.dial(d.id, d.secret, true)
		if f := nextFrame(t, old, 'A'); f != 'A' {
			t.Fatalf("older session got %q, want 'A'", f)
		}
		expectClosed(t, old, websocket.CloseNormalClosure)
		if err := e.s.WaitLogins(ctxT(t), logins+1); err != nil {
			t.Fatal(err)
		}
		e.s.SendFrame(d.id, []byte("!"))
		if f := nextFrame(t, c, '!'); f != '!' {
			t.Fatalf("new session got %q", f)
		}
	})
	for name, line := range map[string][]string{
		"ErrorBadSecret": {d.id, "wrong"},
		"ErrorBadDevice": {"nosuchdevice", d.secret},
		"ErrorNoSecret":  {d.id, ""},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.dial(line[0], line[1], true)
			if f := nextFrame(t, c, 'E'); f != 'E' {
				t.Fatalf("frame %q, want 'E'", f)
			}
			expectClosed(t, c, websocket.ClosePolicyViolation)
		})
	}
	t.Run("ErrorMalformedLine", func(t *testing.T) {
		c, resp, err := websocket.DefaultDialer.Dial(e.s.WSURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		defer c.Close()
		c.WriteMessage(websocket.TextMessage, []byte("hello\n"))
		if f := nextFrame(t, c, 'E'); f != 'E' {
			t.Fatalf("frame %q, want 'E'", f)
		}
	})
	t.Run("ErrorDeviceRemoved", func(t *testing.T) {
		gone := e.newDevice("me@example.com", "gone")
		c := e.online(gone)
		e.s.RemoveDevice(gone.id)
		if f := nextFrame(t, c, 'E'); f != 'E' {
			t.Fatalf("frame %q, want 'E'", f)
		}
	})
	logins := e.s.WebsocketLogins()
	ok, failed := 0, 0
	for _, l := range logins {
		if l.OK {
			ok++
		} else {
			failed++
		}
	}
	if ok < 7 || failed != 4 {
		t.Errorf("logins: %d ok, %d failed; want >= 7 and 4", ok, failed)
	}
}

func TestKeepAliveSwitch(t *testing.T) {
	interval := 20 * time.Millisecond
	e := newEnv(t, Options{KeepAlive: interval})
	d := e.newDevice("me@example.com", "pobox")
	c := e.online(d)
	nextFrame(t, c, '#')
	e.s.SetKeepAlive(false)
	e.s.SendFrame(d.id, []byte("x")) // everything before it may still be '#'
	if f := nextFrame(t, c, 'x'); f != 'x' {
		t.Fatalf("frame %q", f)
	}
	// A negative check needs a window: five intervals without any frame.
	_ = c.SetReadDeadline(time.Now().Add(5 * interval))
	_, p, err := c.ReadMessage()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("got %q (%v) with keep-alives off", p, err)
	}
	e.s.SetKeepAlive(true)
	c2 := e.online(e.newDevice("me@example.com", "second"))
	if f := nextFrame(t, c2, '#'); f != '#' {
		t.Fatalf("frame %q after resuming", f)
	}
}

func TestDropWebsockets(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "pobox")
	c := e.online(d)
	e.s.DropWebsockets()
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if err == nil || (errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure) {
		t.Fatalf("read after drop: %v, want a broken connection without a close frame", err)
	}
	if err := e.s.Wait(ctxT(t), func() bool { dev, _ := e.s.Device(d.id); return !dev.Online }); err != nil {
		t.Fatal(err)
	}
	// Reconnecting works.
	e.online(d)
}

func TestPushUpgradeFault(t *testing.T) {
	e := newEnv(t, Options{})
	e.s.FailNext("/push", 1, 503)
	_, resp, err := websocket.DefaultDialer.Dial(e.s.WSURL(), nil)
	if err == nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("dial: %v %v, want HTTP 503", err, resp)
	}
	resp.Body.Close()
	d := e.newDevice("me@example.com", "pobox")
	e.online(d) // the fault was used up
}

func TestParseLogin(t *testing.T) {
	tests := []struct {
		line, device, secret string
		ok                   bool
	}{
		{"login:D:S\n", "D", "S", true},
		{"login:D:S", "D", "S", true},
		{"login:D:S\r\n", "D", "S", true},
		{"login:D:", "D", "", false},
		{"login::S", "", "S", false},
		{"login:D", "", "", false},
		{"LOGIN:D:S", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		d, s, ok := parseLogin([]byte(tt.line))
		if ok != tt.ok || (ok && (d != tt.device || s != tt.secret)) {
			t.Errorf("parseLogin(%q) = %q %q %v", tt.line, d, s, ok)
		}
	}
}
