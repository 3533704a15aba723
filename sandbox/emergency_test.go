package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// copiesOf returns the queued copies of a receipt on a device.
func copiesOf(s *Server, deviceID, receipt string) []ClientMessage {
	dev, _ := s.Device(deviceID)
	var out []ClientMessage
	for _, m := range dev.Queue {
		if m.Receipt == receipt {
			out = append(out, m)
		}
	}
	return out
}

func TestEmergencyRepeatsUntilAcknowledged(t *testing.T) {
	// One retry second lasts a millisecond: retry=30 repeats every 30 ms.
	e := newEnv(t, Options{RetryUnit: time.Millisecond})
	a := e.newDevice("me@example.com", "a")
	b := e.newDevice("me@example.com", "b")
	token := e.s.AddApp("alarm")
	c := e.online(a)
	pub := e.publish(Message{Token: token, User: a.user, Message: "fire", Priority: 2, Retry: 30, Expire: 10800})
	for range 3 { // the first delivery and two repeats
		if f := nextFrame(t, c, '!'); f != '!' {
			t.Fatalf("frame %q", f)
		}
	}
	if err := e.s.Wait(ctxT(t), func() bool { return len(copiesOf(e.s, b.id, pub.Receipt)) >= 3 }); err != nil {
		t.Fatalf("device b: %v", err)
	}
	copies := copiesOf(e.s, a.id, pub.Receipt)
	if len(copies) < 3 {
		t.Fatalf("%d copies on a", len(copies))
	}
	for i, m := range copies[1:] {
		if m.ID <= copies[i].ID || m.UMID != copies[0].UMID || m.Acked != 0 {
			t.Errorf("repeat %d: id %d after %d, umid %d vs %d, acked %d", i+1, m.ID, copies[i].ID, m.UMID, copies[0].UMID, m.Acked)
		}
	}

	e.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {b.secret}}).check(t, 200)
	rs, _ := e.s.Receipt(pub.Receipt)
	if !rs.Acknowledged || rs.AcknowledgedByDevice != "b" {
		t.Fatalf("receipt %+v", rs)
	}
	// The repeats have stopped: a second emergency repeats three times
	// meanwhile, and the first one's count does not move.
	pub2 := e.publish(Message{Token: token, User: a.user, Message: "flood", Priority: 2, Retry: 30, Expire: 10800})
	if err := e.s.Wait(ctxT(t), func() bool { r, _ := e.s.Receipt(pub2.Receipt); return r.Deliveries >= 4 }); err != nil {
		t.Fatal(err)
	}
	if rs2, _ := e.s.Receipt(pub.Receipt); rs2.Deliveries != rs.Deliveries {
		t.Errorf("deliveries went from %d to %d after the acknowledgement", rs.Deliveries, rs2.Deliveries)
	}
	for _, m := range copiesOf(e.s, a.id, pub.Receipt) {
		if m.Acked != 1 {
			t.Errorf("copy %d not acked", m.ID)
		}
	}
}

// TestEmergencyExpires: the repeats stop at the cap of 50 deliveries, and
// the receipt expires at its deadline. The cap is awaited as a condition;
// then the deadline (3 h, scaled to 10.8 s) is brought forward, so that a
// loaded machine, slow to deliver 50 repeats, cannot make the test race
// the clock.
func TestEmergencyExpires(t *testing.T) {
	e := newEnv(t, Options{RetryUnit: time.Millisecond, MinRetry: 1})
	d := e.newDevice("me@example.com", "a")
	token := e.s.AddApp("alarm")
	pub := e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 1, Expire: maxExpire})
	if err := e.s.Wait(ctxT(t), func() bool { r, _ := e.s.Receipt(pub.Receipt); return r.Deliveries >= maxRepeats }); err != nil {
		t.Fatal(err)
	}
	e.s.mu.Lock()
	e.s.st.Receipts[pub.Receipt].deadline = time.Now()
	e.s.mu.Unlock()
	e.s.kick(e.s.kickRepeat)
	if err := e.s.Wait(ctxT(t), func() bool { r, _ := e.s.Receipt(pub.Receipt); return r.Expired }); err != nil {
		t.Fatal(err)
	}
	rs, _ := e.s.Receipt(pub.Receipt)
	if rs.Deliveries != maxRepeats {
		t.Errorf("%d deliveries, want the cap of %d", rs.Deliveries, maxRepeats)
	}
	if n := len(copiesOf(e.s, d.id, pub.Receipt)); n != maxRepeats {
		t.Errorf("%d copies queued, want %d", n, maxRepeats)
	}
	r := e.do("GET", "/1/receipts/"+pub.Receipt+".json", url.Values{"token": {token}})
	if r.body["expired"] != json.Number("1") || r.body["acknowledged"] != json.Number("0") {
		t.Errorf("receipt %s", r.raw)
	}
	// Acknowledging an expired emergency is a success.
	e.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {d.secret}}).check(t, 200)
}

func TestEmergencyCallback(t *testing.T) {
	got := make(chan url.Values, 1)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(body))
		got <- v
	}))
	t.Cleanup(cb.Close)
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "laptop")
	token := e.s.AddApp("alarm")
	pub := e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 30, Expire: 60, Callback: cb.URL})
	e.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {d.secret}}).check(t, 200)
	select {
	case v := <-got:
		if v.Get("receipt") != pub.Receipt || v.Get("acknowledged") != "1" || v.Get("acknowledged_by") != d.user ||
			v.Get("acknowledged_by_device") != "laptop" || v.Get("acknowledged_at") == "" {
			t.Errorf("callback form %v", v)
		}
	case <-ctxT(t).Done():
		t.Fatal("no callback")
	}
	if err := e.s.Wait(ctxT(t), func() bool { r, _ := e.s.Receipt(pub.Receipt); return r.CalledBack }); err != nil {
		t.Fatal(err)
	}
}

// TestLateAcknowledgementLeavesReceipt: acknowledging an emergency that
// expired or was cancelled succeeds (clients treat it as success anyway)
// but leaves the receipt expired or cancelled and unacknowledged, calls
// no callback and leaves the copies unacknowledged.
func TestLateAcknowledgementLeavesReceipt(t *testing.T) {
	tests := []struct {
		name    string
		end     func(e *env, token, receipt string)
		expired json.Number
	}{
		{"Expired", func(e *env, _, receipt string) {
			e.s.mu.Lock()
			e.s.st.Receipts[receipt].deadline = time.Now().Add(-time.Millisecond)
			e.s.mu.Unlock()
			e.s.kick(e.s.kickRepeat)
			if err := e.s.Wait(ctxT(e.t), func() bool { r, _ := e.s.Receipt(receipt); return r.Expired }); err != nil {
				e.t.Fatal(err)
			}
		}, "1"},
		{"Cancelled", func(e *env, token, receipt string) {
			e.do("POST", "/1/receipts/"+receipt+"/cancel.json", url.Values{"token": {token}}).check(e.t, 200)
		}, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var callbacks atomic.Int32
			cb := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { callbacks.Add(1) }))
			t.Cleanup(cb.Close)
			e := newEnv(t, Options{})
			d := e.newDevice("me@example.com", "laptop")
			token := e.s.AddApp("alarm")
			pub := e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 30, Expire: 600, Callback: cb.URL})
			tt.end(e, token, pub.Receipt)

			e.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {d.secret}}).check(t, 200)
			r := e.do("GET", "/1/receipts/"+pub.Receipt+".json", url.Values{"token": {token}})
			r.check(t, 200, "acknowledged", "acknowledged_at", "acknowledged_by", "acknowledged_by_device",
				"last_delivered_at", "expired", "expires_at", "called_back", "called_back_at")
			if r.body["acknowledged"] != json.Number("0") || r.body["acknowledged_at"] != json.Number("0") ||
				r.body["acknowledged_by"] != "" || r.body["acknowledged_by_device"] != "" || r.body["expired"] != tt.expired {
				t.Errorf("receipt after a late acknowledgement: %s", r.raw)
			}
			for _, m := range e.download(d) {
				if m["acked"] != json.Number("0") {
					t.Errorf("copy %v acked by a late acknowledgement", m["id"])
				}
			}
			// Close waits for every callback the server started.
			if err := e.s.Close(); err != nil {
				t.Fatal(err)
			}
			if n := callbacks.Load(); n != 0 {
				t.Errorf("%d callbacks for a late acknowledgement", n)
			}
		})
	}
}

// TestAcknowledgeAtDeadline: an acknowledgement just after the deadline,
// before the scheduler has marked the receipt expired, finds it expired.
// Both happen under one hold of the lock, so the scheduler cannot step in.
func TestAcknowledgeAtDeadline(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "laptop")
	token := e.s.AddApp("alarm")
	pub := e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 30, Expire: 600, Callback: "http://127.0.0.1:9/"})
	e.s.mu.Lock()
	rc := e.s.st.Receipts[pub.Receipt]
	rc.deadline = time.Now().Add(-time.Millisecond)
	notify, cb := e.s.acknowledgeLocked(rc, d.user, d.id, "laptop")
	got := *rc
	e.s.mu.Unlock()
	if !got.Expired || got.AcknowledgedAt != 0 || got.AcknowledgedBy != "" || cb != nil || len(notify) != 0 {
		t.Errorf("acknowledged at the deadline: expired %v, acknowledged_at %d by %q, callback %v, notify %v",
			got.Expired, got.AcknowledgedAt, got.AcknowledgedBy, cb, notify)
	}
}

// TestCancelAfterAcknowledgement: a receipt ends in one state only.
func TestCancelAfterAcknowledgement(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "laptop")
	token := e.s.AddApp("alarm")
	pub := e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 30, Expire: 600})
	e.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {d.secret}}).check(t, 200)
	e.do("POST", "/1/receipts/"+pub.Receipt+"/cancel.json", url.Values{"token": {token}}).check(t, 200)
	if rs, _ := e.s.Receipt(pub.Receipt); !rs.Acknowledged || rs.Canceled {
		t.Errorf("acknowledged then cancelled: %+v", rs)
	}
}
