package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// get sends a GET with a client of its own (so that a dropped connection
// touches no other test request) and returns the reply and the body as
// far as it came.
func (e *env) get(path string) (*http.Response, []byte, error) {
	e.t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: testTimeout}).Get(e.s.APIURL() + path)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func (e *env) downloadPath(d testDevice) string {
	return "/1/messages.json?" + url.Values{"secret": {d.secret}, "device_id": {d.id}}.Encode()
}

func (e *env) mustFault(endpoint string, n int, f Fault) {
	e.t.Helper()
	if err := e.s.FaultNext(endpoint, n, f); err != nil {
		e.t.Fatal(err)
	}
}

// lastRequest is the newest entry of the request log, once the server has
// logged the request (it logs after the reply, so the client can be first).
func (e *env) lastRequest(n int) Request {
	e.t.Helper()
	if err := e.s.Wait(ctxT(e.t), func() bool { return len(e.s.Requests()) >= n }); err != nil {
		e.t.Fatalf("request %d never logged: %v", n, err)
	}
	return e.s.Requests()[n-1]
}

// TestFaultReplies: the faults that answer instead of the server.
func TestFaultReplies(t *testing.T) {
	tests := []struct {
		name     string
		fault    Fault
		code     int
		ctype    string
		body     string // "" = empty
		logged   int
		logFault string
	}{
		{"HTML502", Fault{Kind: FaultHTML}, 502, "text/html", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
			"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", 502, "html"},
		{"HTML504", Fault{Kind: FaultHTML, Status: 504}, 504, "text/html", "", 504, "html"},
		{"Empty200", Fault{Kind: FaultEmpty}, 200, "", "", 200, "empty"},
		{"Empty503", Fault{Kind: FaultEmpty, Status: 503}, 503, "", "", 503, "empty"},
		{"Status", Fault{Kind: FaultStatus, Status: 500}, 500, "application/json; charset=utf-8", "", 500, "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			d := e.newDevice("me@example.com", "a")
			e.mustFault("GET /1/messages.json", 1, tt.fault)
			n := len(e.s.Requests())
			resp, body, err := e.get(e.downloadPath(d))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.code || resp.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("HTTP %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Content-Type"), tt.code, tt.ctype)
			}
			switch {
			case tt.fault.Kind == FaultEmpty && len(body) != 0:
				t.Errorf("body %q, want none", body)
			case tt.fault.Kind == FaultHTML && !strings.Contains(string(body), "<center>nginx</center>"):
				t.Errorf("body %q, want nginx's page", body)
			case tt.body != "" && string(body) != tt.body:
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if r := e.lastRequest(n + 1); r.Status != tt.logged || r.Fault != tt.logFault {
				t.Errorf("logged %+v", r)
			}
			e.download(d) // used up: the next request is served
		})
	}
}

// TestFaultDropsConnection: reset and close answer nothing at all.
func TestFaultDropsConnection(t *testing.T) {
	for _, kind := range []FaultKind{FaultReset, FaultClose} {
		t.Run(kind.String(), func(t *testing.T) {
			e := newEnv(t, Options{})
			d := e.newDevice("me@example.com", "a")
			e.mustFault("/1/messages.json", 1, Fault{Kind: kind})
			n := len(e.s.Requests())
			conn, err := net.Dial("tcp", strings.TrimPrefix(e.s.APIURL(), "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(testTimeout))
			io.WriteString(conn, "GET "+e.downloadPath(d)+" HTTP/1.1\r\nHost: sandbox\r\n\r\n")
			got, err := io.ReadAll(conn)
			if len(got) != 0 {
				t.Errorf("read %q, want nothing", got)
			}
			if reset := errors.Is(err, syscall.ECONNRESET); reset != (kind == FaultReset) || (kind == FaultClose && err != nil) {
				t.Errorf("read error %v", err)
			}
			if r := e.lastRequest(n + 1); r.Status != 0 || r.Fault != kind.String() {
				t.Errorf("logged %+v", r)
			}
			e.download(d)
		})
	}
}

// TestFaultTruncate: the headers and part of the real reply, then the
// connection closes: the client gets a truncated JSON stream.
func TestFaultTruncate(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	if _, err := e.s.QueueBulk(d.id, 1000, Message{}); err != nil {
		t.Fatal(err)
	}
	_, whole, err := e.get(e.downloadPath(d))
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []int{1, 5000, 100_000} {
		e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultTruncate, After: after})
		resp, body, err := e.get(e.downloadPath(d))
		if resp == nil || resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("After %d: reply %v, error %v; want 200 and an unexpected EOF", after, resp, err)
		}
		if len(body) != after || !bytes.Equal(body, whole[:after]) {
			t.Errorf("After %d: got %d bytes, want the reply's first %d", after, len(body), after)
		}
		if json.Valid(body) {
			t.Errorf("After %d: the cut reply is valid JSON", after)
		}
	}
	// After 0: half of a small reply.
	token := e.s.AddApp("x")
	_, full, _ := e.get("/1/sounds.json?token=" + token)
	e.mustFault("/1/sounds.json", 1, Fault{Kind: FaultTruncate})
	resp, half, err := e.get("/1/sounds.json?token=" + token)
	if resp == nil || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		!errors.Is(err, io.ErrUnexpectedEOF) || len(half) != len(full)/2 || json.Valid(half) ||
		!bytes.Equal(half, requestField.ReplaceAll(full, requestField.Find(half))[:len(half)]) { // request ids differ
		t.Errorf("half of %d bytes: got %d (%v)", len(full), len(half), err)
	}
}

// idleConn is a client connection with a stall timeout: each read must
// bring a byte within idle, as a careful download client does.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c idleConn) Read(p []byte) (int, error) {
	c.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

// stallClient is an HTTP client that gives up when no byte comes for idle.
func stallClient(t *testing.T, idle time.Duration) *http.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return idleConn{c, idle}, err
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// timedRead reads the body and returns it and the longest pause between
// two reads that brought bytes.
func timedRead(r io.Reader) ([]byte, time.Duration, error) {
	var out []byte
	var gap time.Duration
	last := time.Now()
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			gap = max(gap, time.Since(last))
			last = time.Now()
			out = append(out, buf[:n]...)
		}
		if err == io.EOF {
			return out, gap, nil
		}
		if err != nil {
			return out, gap, err
		}
	}
}

// TestFaultStall: after the headers and After bytes nothing comes for
// Delay; then the reply goes on whole, or the connection closes. A client
// with a stall timeout shorter than Delay notices.
func TestFaultStall(t *testing.T) {
	const after, delay = 3000, 200 * time.Millisecond
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	if _, err := e.s.QueueBulk(d.id, 100, Message{}); err != nil {
		t.Fatal(err)
	}
	u := e.s.APIURL() + e.downloadPath(d)

	t.Run("Continue", func(t *testing.T) {
		e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultStall, After: after, Delay: delay})
		resp, err := stallClient(t, testTimeout).Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		head := make([]byte, after)
		if _, err := io.ReadFull(resp.Body, head); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		rest, _, err := timedRead(resp.Body)
		if waited := time.Since(start); err != nil || waited < delay {
			t.Errorf("the rest came after %v (%v), want a stall of %v first", waited, err, delay)
		}
		if n, err := decodeMessages(bytes.NewReader(append(head, rest...))); err != nil || n != 100 {
			t.Errorf("after the stall: %d messages, %v", n, err)
		}
	})
	t.Run("Close", func(t *testing.T) {
		e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultStall, After: after, Delay: delay, Close: true})
		start := time.Now()
		resp, body, err := e.get(e.downloadPath(d))
		if resp == nil || !errors.Is(err, io.ErrUnexpectedEOF) || len(body) != after || time.Since(start) < delay {
			t.Errorf("got %d bytes, %v after %v; want %d, then the connection closed after %v", len(body), err, time.Since(start), after, delay)
		}
	})
	t.Run("StallTimeout", func(t *testing.T) {
		e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultStall, After: after, Delay: time.Hour})
		resp, err := stallClient(t, 500*time.Millisecond).Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _, err := timedRead(resp.Body)
		// At most After bytes: fewer if a loaded machine kept the client
		// waiting longer than its stall timeout before the stall.
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || len(body) > after {
			t.Errorf("read %d bytes, then %v; want at most %d and a timeout", len(body), err, after)
		}
		// The stalled handler ends when this client hangs up (or at
		// Close); goleak in TestMain checks that it does.
	})
}

// TestFaultSlow: a slow but steady reply takes as long as its rate says,
// and a client with a stall timeout far shorter than the whole download
// (but longer than the pause between pieces) finishes it.
func TestFaultSlow(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	if _, err := e.s.QueueBulk(d.id, 100, Message{}); err != nil {
		t.Fatal(err)
	}
	_, whole, err := e.get(e.downloadPath(d))
	if err != nil {
		t.Fatal(err)
	}
	rate := len(whole) * 2 // half a second for the reply, 20 pieces a second
	e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultSlow, Rate: rate})
	start := time.Now()
	resp, err := stallClient(t, 5*time.Second).Get(e.s.APIURL() + e.downloadPath(d))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, gap, err := timedRead(resp.Body)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("slow download failed after %v (longest pause %v): %v", took, gap, err)
	}
	if n, err := decodeMessages(bytes.NewReader(body)); err != nil || n != 100 {
		t.Errorf("slow download: %d messages, %v", n, err)
	}
	if min := time.Duration(float64(len(body)) / float64(rate) * 0.9 * float64(time.Second)); took < min {
		t.Errorf("%d bytes at %d bytes/s took %v, want at least %v", len(body), rate, took, min)
	}
	t.Logf("%d bytes in %v, longest pause %v", len(body), took, gap)
}

func TestFaultNextRefuses(t *testing.T) {
	e := newEnv(t, Options{})
	for name, f := range map[string]Fault{
		"ErrKind":         {},
		"ErrStatus":       {Kind: FaultStatus},
		"ErrHTMLStatus":   {Kind: FaultHTML, Status: 42},
		"ErrHangDelay":    {Kind: FaultHang},
		"ErrStallDelay":   {Kind: FaultStall, After: 10},
		"ErrSlowRate":     {Kind: FaultSlow},
		"ErrAfter":        {Kind: FaultTruncate, After: -1},
		"ErrPushStall":    {Kind: FaultStall, Delay: time.Second},
		"ErrPushSlow":     {Kind: FaultSlow, Rate: 10},
		"ErrPushTruncate": {Kind: FaultTruncate},
	} {
		t.Run(name, func(t *testing.T) {
			endpoint := "/1/messages.json"
			if strings.HasPrefix(name, "ErrPush") {
				endpoint = "/push"
			}
			if err := e.s.FaultNext(endpoint, 1, f); err == nil {
				t.Errorf("FaultNext accepted %+v on %s", f, endpoint)
			}
		})
	}
	if n := e.s.PendingFaults(); n != 0 {
		t.Errorf("%d faults pending", n)
	}
	if err := e.s.FaultNext("/push", 1, Fault{Kind: FaultReset}); err != nil {
		t.Errorf("reset on /push: %v", err)
	}
}
