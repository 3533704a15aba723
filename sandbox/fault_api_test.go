package sandbox

import (
	"net/url"
	"strings"
	"testing"
)

// TestFaultEndpoint: POST /sandbox/fault.json injects what FaultNext does,
// and count=0 ends the outage.
func TestFaultEndpoint(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.s.AddApp("faults")
	d := e.newDevice("me@example.com", "a")
	dl := url.Values{"secret": {d.secret}, "device_id": {d.id}}
	fault := func(v url.Values) reply {
		v.Set("token", token)
		return e.do("POST", "/sandbox/fault.json", v)
	}

	fault(url.Values{"endpoint": {"GET /1/messages.json"}, "count": {"2"}}).check(t, 200, "pending")
	for range 2 {
		e.do("GET", "/1/messages.json", dl).check(t, 500, "errors")
	}
	e.do("GET", "/1/messages.json", dl).check(t, 200, "messages", "user", "device")

	fault(url.Values{"endpoint": {"/1/messages.json"}, "count": {"1000"}, "kind": {"html"}, "status": {" 502\n"}}).check(t, 200, "pending")
	if resp, body, err := e.get("/1/messages.json?" + dl.Encode()); err != nil || resp.StatusCode != 502 || !strings.Contains(string(body), "Bad Gateway") {
		t.Fatalf("html fault: %v, %q, want a 502 page", err, body)
	}
	fault(url.Values{"endpoint": {"/1/messages.json"}, "count": {"0"}}).check(t, 200, "pending")
	if n := e.s.PendingFaults(); n != 0 {
		t.Fatalf("count=0 left %d faults", n)
	}
	e.do("GET", "/1/messages.json", dl).check(t, 200, "messages", "user", "device")

	for name, v := range map[string]url.Values{
		"ErrToken":    {"token": {"nope"}, "endpoint": {"/1/messages.json"}},
		"ErrEndpoint": {"endpoint": {""}},
		"ErrKind":     {"endpoint": {"/1/messages.json"}, "kind": {"flood"}},
		"ErrCount":    {"endpoint": {"/1/messages.json"}, "count": {"lots"}},
		"ErrDelay":    {"endpoint": {"/1/messages.json"}, "kind": {"hang"}, "delay": {"soon"}},
		"ErrNoDelay":  {"endpoint": {"/1/messages.json"}, "kind": {"stall"}},
		"ErrPushBody": {"endpoint": {"/push"}, "kind": {"truncate"}},
	} {
		t.Run(name, func(t *testing.T) {
			keys := []string{"errors", "token"} // {"token":"invalid"}, as Pushover's own calls answer
			if name != "ErrToken" {
				v.Set("token", token)
				keys = keys[:1]
			}
			e.do("POST", "/sandbox/fault.json", v).check(t, 400, keys...)
			if n := e.s.PendingFaults(); n != 0 {
				t.Fatalf("a refused fault was added (%d pending)", n)
			}
		})
	}
}
