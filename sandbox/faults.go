package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fault injection: the next N requests to an endpoint fail or hang.

type faults struct {
	mu   sync.Mutex
	list []*fault // in the order they were asked for
}

type fault struct {
	method string // "" = any method
	path   string // a concrete path or a route pattern
	n      int
	status int           // fail with this status, or
	hang   time.Duration // hang this long, then serve normally
}

// parseEndpoint splits "GET /1/messages.json" or "/1/messages.json".
func parseEndpoint(endpoint string) (method, path string) {
	if m, p, ok := strings.Cut(strings.TrimSpace(endpoint), " "); ok {
		return strings.ToUpper(m), strings.TrimSpace(p)
	}
	return "", strings.TrimSpace(endpoint)
}

// FailNext makes the next n requests to endpoint fail with status and a
// Pushover-style JSON error body. endpoint is a path ("/1/messages.json",
// any method), "METHOD path" ("GET /1/messages.json"), or a route pattern
// such as "/1/devices/{device}/update_highest_message.json". "/push" fails
// the websocket upgrade. n <= 0 cancels the faults pending for endpoint.
func (s *Server) FailNext(endpoint string, n int, status int) {
	s.faults.add(endpoint, n, &fault{status: status})
}

// HangNext makes the next n requests to endpoint wait d before being served
// normally. The wait ends early when the client gives up (the request's
// context) or the server closes (then 503), so Close never waits for it.
func (s *Server) HangNext(endpoint string, n int, d time.Duration) {
	s.faults.add(endpoint, n, &fault{hang: d})
}

func (f *faults) add(endpoint string, n int, ft *fault) {
	ft.method, ft.path = parseEndpoint(endpoint)
	ft.n = n
	f.mu.Lock()
	defer f.mu.Unlock()
	if n <= 0 {
		f.list = slices.DeleteFunc(f.list, func(o *fault) bool { return o.method == ft.method && o.path == ft.path })
		return
	}
	f.list = append(f.list, ft)
}

// take consumes one use of the first fault matching the request.
func (f *faults) take(method, path, pattern string) (fault, bool) {
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
		return *ft, true
	}
	return fault{}, false
}

// PendingFaults counts the injected failures and hangs not used yet.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	n := 0
	for _, ft := range s.faults.list {
		n += ft.n
	}
	return n
}

// apply runs the fault of a request, if any, and reports whether the
// request should still be served.
func (f *faults) apply(s *Server, w http.ResponseWriter, r *http.Request, pattern string) bool {
	ft, ok := f.take(r.Method, r.URL.Path, pattern)
	if !ok {
		return true
	}
	s.broadcast() // Wait can see that a fault was used

	if ft.status != 0 {
		s.fail(w, ft.status, "injected failure (sandbox FailNext)")
		return false
	}
	t := time.NewTimer(ft.hang)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false // nobody is listening any more
	case <-s.ctx.Done():
		s.fail(w, http.StatusServiceUnavailable, "server is shutting down")
		return false
	}
}
