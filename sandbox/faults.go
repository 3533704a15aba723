package sandbox

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fault injection: the next N requests to an endpoint fail the way a
// server or the proxies in front of it fail. faultwriter.go applies them.

// FaultKind is what an injected fault does to a request.
type FaultKind int

const (
	// FaultStatus answers Status with Pushover's JSON error body (FailNext).
	FaultStatus FaultKind = iota + 1
	// FaultHang waits Delay, then serves the request normally (HangNext).
	FaultHang
	// FaultHTML answers Status (0 = 502) with the HTML error page of a
	// proxy (nginx's "502 Bad Gateway"), Content-Type text/html.
	FaultHTML
	// FaultEmpty answers Status (0 = 200) with an empty body.
	FaultEmpty
	// FaultTruncate serves the real reply, but after After bytes of its
	// body (0 = half of it, which buffers the reply: give After for big
	// downloads) the connection is closed: a cut-off body, for the
	// download a truncated JSON stream. A shorter reply arrives whole.
	FaultTruncate
	// FaultReset answers nothing: the connection is reset (TCP RST).
	FaultReset
	// FaultClose answers nothing: the connection is closed (FIN).
	FaultClose
	// FaultStall serves the real reply, but after the headers and After
	// bytes of the body nothing comes for Delay; then the rest follows,
	// or, with Close, the connection is closed.
	FaultStall
	// FaultSlow serves the real reply at Rate bytes a second, a small
	// piece at least every 50 ms: slow but steady, never a stall.
	FaultSlow
)

var faultNames = map[FaultKind]string{
	FaultStatus: "status", FaultHang: "hang", FaultHTML: "html", FaultEmpty: "empty",
	FaultTruncate: "truncate", FaultReset: "reset", FaultClose: "close", FaultStall: "stall", FaultSlow: "slow",
}

// String is the kind's name as the request log shows it.
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// bodyFault reports whether the kind acts on the reply's body, which a
// websocket upgrade does not have.
func (k FaultKind) bodyFault() bool {
	return k == FaultTruncate || k == FaultStall || k == FaultSlow
}

// Fault is one injected failure; the fields a kind does not use are ignored.
type Fault struct {
	Kind   FaultKind
	Status int           // FaultStatus, FaultHTML, FaultEmpty
	Delay  time.Duration // FaultHang, FaultStall
	After  int           // FaultTruncate, FaultStall: bytes of the body first
	Close  bool          // FaultStall: close the connection after the stall
	Rate   int           // FaultSlow: bytes per second
}

func (f Fault) check() error {
	switch {
	case faultNames[f.Kind] == "":
		return fmt.Errorf("sandbox: fault kind %d is unknown; use FaultStatus .. FaultSlow", int(f.Kind))
	case f.Kind == FaultStatus && (f.Status < 100 || f.Status > 999):
		return fmt.Errorf("sandbox: FaultStatus needs an HTTP Status, not %d", f.Status)
	case f.Status != 0 && (f.Status < 100 || f.Status > 999):
		return fmt.Errorf("sandbox: %v: Status %d is not an HTTP status", f.Kind, f.Status)
	case (f.Kind == FaultHang || f.Kind == FaultStall) && f.Delay <= 0:
		return fmt.Errorf("sandbox: %v needs a positive Delay", f.Kind)
	case f.Kind == FaultSlow && f.Rate <= 0:
		return errors.New("sandbox: FaultSlow needs a positive Rate in bytes per second")
	case f.After < 0:
		return fmt.Errorf("sandbox: %v: After must not be negative", f.Kind)
	}
	return nil
}

type faults struct {
	mu   sync.Mutex
	list []*fault // in the order they were asked for
}

type fault struct {
	method string // "" = any method
	path   string // a concrete path or a route pattern
	n      int
	Fault
}

// parseEndpoint splits "GET /1/messages.json" or "/1/messages.json".
func parseEndpoint(endpoint string) (method, path string) {
	if m, p, ok := strings.Cut(strings.TrimSpace(endpoint), " "); ok {
		return strings.ToUpper(m), strings.TrimSpace(p)
	}
	return "", strings.TrimSpace(endpoint)
}

// FaultNext makes the next n requests to endpoint fail as f says. endpoint
// is a path ("/1/messages.json", any method), "METHOD path" ("GET
// /1/messages.json"), or a route pattern such as
// "/1/devices/{device}/update_highest_message.json"; "/push" is the
// websocket upgrade, where the body faults (truncate, stall, slow) do not
// apply. Faults are used in the order they were added. n <= 0 cancels the
// faults pending for endpoint, whatever their kind.
func (s *Server) FaultNext(endpoint string, n int, f Fault) error {
	if n > 0 {
		if err := f.check(); err != nil {
			return err
		}
		if _, p := parseEndpoint(endpoint); p == "/push" && f.Kind.bodyFault() {
			return fmt.Errorf("sandbox: %v does not apply to /push: the websocket takes the connection over; use FaultReset, FaultClose, FaultHTML or FaultStatus", f.Kind)
		}
	}
	s.faults.add(endpoint, n, f)
	return nil
}

// FailNext makes the next n requests to endpoint fail with status and a
// Pushover-style JSON error body (FaultStatus); endpoint is as for
// FaultNext. n <= 0 cancels the faults pending for endpoint.
func (s *Server) FailNext(endpoint string, n int, status int) {
	s.faults.add(endpoint, n, Fault{Kind: FaultStatus, Status: status})
}

// HangNext makes the next n requests to endpoint wait d before being served
// normally (FaultHang). The wait ends early when the client gives up (the
// request's context) or the server closes (then 503), so Close never waits
// for it.
func (s *Server) HangNext(endpoint string, n int, d time.Duration) {
	s.faults.add(endpoint, n, Fault{Kind: FaultHang, Delay: d})
}

func (f *faults) add(endpoint string, n int, ft Fault) {
	method, path := parseEndpoint(endpoint)
	f.mu.Lock()
	defer f.mu.Unlock()
	if n <= 0 {
		f.list = slices.DeleteFunc(f.list, func(o *fault) bool { return o.method == method && o.path == path })
		return
	}
	f.list = append(f.list, &fault{method: method, path: path, n: n, Fault: ft})
}

// take consumes one use of the first fault matching the request.
func (f *faults) take(method, path, pattern string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.list {
		if ft.method != "" && ft.method != method {
			continue
		}
		if ft.path != path && ft.path != pattern {
			continue
		}
		ft.n--
		if ft.n <= 0 {
			f.list = slices.Delete(f.list, i, i+1)
		}
		return ft.Fault, true
	}
	return Fault{}, false
}

// PendingFaults counts the injected faults not used yet.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	n := 0
	for _, ft := range s.faults.list {
		n += ft.n
	}
	return n
}
