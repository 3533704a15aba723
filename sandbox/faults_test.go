package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestFailNext(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	token := e.s.AddApp("x")
	form := url.Values{"token": {token}, "user": {d.user}, "message": {"m"}}
	dl := url.Values{"secret": {d.secret}, "device_id": {d.id}}

	e.s.FailNext("POST /1/messages.json", 2, 500)
	e.do("GET", "/1/messages.json", dl).check(t, 200, "messages", "user", "device") // other method: untouched
	e.do("POST", "/1/messages.json", form).check(t, 500, "errors")
	e.do("POST", "/1/messages.json", form).check(t, 500, "errors")
	e.do("POST", "/1/messages.json", form).check(t, 200)

	e.s.FailNext("/1/messages.json", 1, 503) // any method
	e.do("GET", "/1/messages.json", dl).check(t, 503, "errors")

	e.s.FailNext("/1/devices/{device}/update_highest_message.json", 1, 502) // by pattern
	del := url.Values{"secret": {d.secret}, "message": {"1"}}
	e.do("POST", "/1/devices/"+d.id+"/update_highest_message.json", del).check(t, 502, "errors")
	e.do("POST", "/1/devices/"+d.id+"/update_highest_message.json", del).check(t, 200)

	e.s.FailNext("/1/users/login.json", 5, 500)
	e.s.FailNext("/1/users/login.json", 0, 0) // cancels
	if n := e.s.PendingFaults(); n != 0 {
		t.Errorf("%d faults pending after cancelling", n)
	}
}

func TestHangNextRespectsCancellation(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	e.s.HangNext("GET /1/messages.json", 1, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.s.APIURL()+"/1/messages.json?secret="+d.secret+"&device_id="+d.id, nil)
	if _, err := e.hc.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung request: %v, want the client's deadline", err)
	}
	// The server gives the hung handler up when the client goes away: the
	// request is logged, without a reply.
	if err := e.s.Wait(ctxT(t), func() bool { r := e.s.Requests(); return len(r) == 3 && r[2].Status == 499 }); err != nil {
		t.Fatalf("requests %+v: %v", e.s.Requests(), err)
	}
	e.download(d) // the next one is served

	// A short hang, then a normal reply.
	e.s.HangNext("GET /1/messages.json", 1, 10*time.Millisecond)
	e.download(d)
}

// TestCloseStopsEverything: a hanging request, live websockets, a pending
// emergency and a saver are all stopped by Close, and no goroutine is left.
func TestCloseStopsEverything(t *testing.T) {
	s, err := New(Options{StatePath: t.TempDir() + "/state.json", KeepAlive: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	e := &env{t: t, s: s, hc: &http.Client{Transport: tr}}
	d := e.newDevice("me@example.com", "a")
	token := s.AddApp("x")
	e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 30, Expire: 600})
	c := e.online(d)
	nextFrame(t, c, '#')
	e.dial(d.id, "bad", true) // a session being refused

	s.HangNext("/1/sounds.json", 1, time.Hour)
	done := make(chan int)
	go func() {
		resp, err := e.hc.Get(s.APIURL() + "/1/sounds.json?token=" + token)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	if err := s.Wait(ctxT(t), func() bool { return s.PendingFaults() == 0 }); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if code := <-done; code != 503 && code != 0 {
		t.Errorf("hung request ended with %d, want 503 or a broken connection", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	tr.CloseIdleConnections()
	c.Close()
	goleak.VerifyNone(t)
}

// TestCloseStopsStallsAndSlowStreams: Close ends a stalled reply, a slow
// one and a huge download being read, promptly, and leaves no goroutine.
func TestCloseStopsStallsAndSlowStreams(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	e := &env{t: t, s: s, hc: &http.Client{Transport: tr}}
	d := e.newDevice("me@example.com", "a")
	if _, err := s.QueueBulk(d.id, 1_000_000, Message{}); err != nil {
		t.Fatal(err)
	}
	e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultStall, After: 10, Delay: time.Hour})
	e.mustFault("GET /1/messages.json", 1, Fault{Kind: FaultSlow, Rate: 1})
	u := s.APIURL() + e.downloadPath(d)
	started := make(chan struct{}, 3)
	ended := make(chan error, 3)
	release := make(chan struct{}) // the plain download is not read on until Close
	for i := range 3 {             // stalled, slow, and a plain one whose reader stops
		go func() {
			resp, err := e.hc.Get(u)
			if err != nil {
				started <- struct{}{}
				ended <- err
				return
			}
			defer resp.Body.Close()
			one := make([]byte, 1)
			_, err = resp.Body.Read(one)
			started <- struct{}{}
			if i == 2 {
				<-release
			}
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
			}
			ended <- err
		}()
		<-started // one at a time: the faults go to the first two
	}
	if n := s.PendingFaults(); n != 0 {
		t.Fatalf("%d faults not used", n)
	}
	waitBlockedWrite(t)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	close(release)
	for range 3 {
		if err := <-ended; err == nil {
			t.Error("a download cut by Close ended without an error")
		}
	}
	tr.CloseIdleConnections()
	goleak.VerifyNone(t)
}

// waitBlockedWrite waits until a download is stuck writing to a client
// that does not read: the case Close must not wait for. Nothing announces
// it, so the goroutines' stacks are looked at until one shows it.
func waitBlockedWrite(t *testing.T) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(testTimeout)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "sandbox.writeMessages") && strings.Contains(g, "waitWrite") {
				return
			}
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("no download blocked on its client")
		}
	}
}
