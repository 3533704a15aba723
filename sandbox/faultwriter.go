package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// applyFault runs the part of a fault that comes before the handler. It
// returns the writer the handler must use (nil: the request's own), and
// false when the fault has answered, or refused to answer, the request.
func (s *Server) applyFault(rec *recorder, r *http.Request, f Fault) (*faultWriter, bool) {
	switch f.Kind {
	case FaultStatus:
		s.fail(rec, f.Status, "injected failure (sandbox FailNext)")
		return nil, false
	case FaultHTML:
		code := statusOr(f.Status, http.StatusBadGateway)
		rec.Header().Set("Content-Type", "text/html")
		rec.Header().Set("Server", "nginx")
		rec.WriteHeader(code)
		rec.Write(proxyPage(code))
		return nil, false
	case FaultEmpty:
		rec.Header().Set("Content-Length", "0")
		rec.WriteHeader(statusOr(f.Status, http.StatusOK))
		return nil, false
	case FaultReset, FaultClose:
		rec.abort(f.Kind == FaultReset)
		return nil, false
	case FaultHang:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return nil, true
		case <-s.ctx.Done():
			s.fail(rec, http.StatusServiceUnavailable, "server is shutting down")
			return nil, false
		case <-r.Context().Done():
			return nil, false // nobody is listening any more
		}
	}
	fw := &faultWriter{rec: rec, f: f, done: r.Context().Done(), start: time.Now()}
	if f.Kind == FaultTruncate && f.After == 0 {
		fw.buf = &bytes.Buffer{} // half of a length known only at the end
	}
	if f.Kind == FaultSlow {
		// About twenty pieces a second: a steady trickle, so that a client
		// can tell it from a stall.
		fw.piece = max(1, f.Rate/20)
	}
	return fw, true
}

func statusOr(code, def int) int {
	if code == 0 {
		return def
	}
	return code
}

// proxyPage is nginx's error page, CRLFs included.
func proxyPage(code int) []byte {
	title := strconv.Itoa(code) + " " + http.StatusText(code)
	return []byte("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

// errCut tells a handler that the fault has ended its reply; it stops
// writing, and finish closes the connection.
var errCut = errors.New("sandbox: reply cut by an injected fault")

// faultWriter is the ResponseWriter of a request under a body fault:
// truncate, stall or slow. It is used by the request's goroutine only.
type faultWriter struct {
	rec   *recorder
	f     Fault
	done  <-chan struct{} // the request's context: the client left or Close
	start time.Time
	timer *time.Timer

	sent    int // body bytes passed on
	stalled bool
	cut     bool          // the connection is to be closed by finish
	buf     *bytes.Buffer // FaultTruncate with After 0: the whole reply
	code    int           // its status, while buffered
	piece   int           // FaultSlow: bytes per write
}

func (fw *faultWriter) Header() http.Header { return fw.rec.Header() }

func (fw *faultWriter) WriteHeader(code int) {
	if fw.buf != nil {
		if fw.code == 0 {
			fw.code = code
		}
		return
	}
	fw.rec.WriteHeader(code)
}

func (fw *faultWriter) Write(p []byte) (int, error) {
	switch {
	case fw.cut:
		return 0, errCut
	case fw.buf != nil:
		return fw.buf.Write(p)
	case fw.f.Kind == FaultSlow:
		return fw.writeSlowly(p)
	case fw.stalled:
		return fw.pass(p) // the stall is over
	}
	// Truncate or stall once After bytes have gone and more are coming.
	before := min(len(p), fw.f.After-fw.sent)
	n, err := fw.pass(p[:before])
	if err != nil || n == len(p) {
		return n, err
	}
	fw.rec.Flush() // the client has everything before the cut or the stall
	if fw.f.Kind == FaultTruncate || fw.wait(time.Time{}, fw.f.Delay) != nil || fw.f.Close {
		fw.cut = true
		return n, errCut
	}
	fw.stalled = true
	m, err := fw.pass(p[n:])
	return n + m, err
}

func (fw *faultWriter) pass(p []byte) (int, error) {
	n, err := fw.rec.Write(p)
	fw.sent += n
	return n, err
}

// writeSlowly passes p on a piece at a time, each when the rate allows.
func (fw *faultWriter) writeSlowly(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(len(p), fw.piece)
		n, err := fw.pass(p[:k])
		written += n
		if err != nil {
			return written, err
		}
		fw.rec.Flush()
		due := fw.start.Add(time.Duration(float64(fw.sent) / float64(fw.f.Rate) * float64(time.Second)))
		if err := fw.wait(due, 0); err != nil {
			fw.cut = true // not a clean end: the client must see the break
			return written, err
		}
		p = p[k:]
	}
	return written, nil
}

// wait blocks until due (or for d, when d > 0), unless the client leaves
// or the server closes first.
func (fw *faultWriter) wait(due time.Time, d time.Duration) error {
	if d <= 0 {
		if d = time.Until(due); d <= 0 {
			return nil
		}
	}
	if fw.timer == nil {
		fw.timer = time.NewTimer(d)
	} else {
		fw.timer.Reset(d)
	}
	select {
	case <-fw.timer.C:
		return nil
	case <-fw.done:
		fw.timer.Stop()
		return errCut
	}
}

// abort implements aborter: the connection is dropped once the handler
// has returned.
func (fw *faultWriter) abort(bool) { fw.cut = true }

// Unwrap lets http.ResponseController reach the connection.
func (fw *faultWriter) Unwrap() http.ResponseWriter { return fw.rec }

// Flush passes the handler's flushes on, except for a buffered reply.
func (fw *faultWriter) Flush() {
	if fw.buf == nil && !fw.cut {
		fw.rec.Flush()
	}
}

// Hijack passes a websocket upgrade through; FaultNext refuses body
// faults on /push, so the fault would have had nothing to act on.
func (fw *faultWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return fw.rec.Hijack() }

// finish ends the reply after the handler: a buffered reply is cut in
// half, and a cut reply loses its connection.
func (fw *faultWriter) finish() {
	if fw.timer != nil {
		fw.timer.Stop()
	}
	if fw.buf != nil {
		fw.rec.WriteHeader(statusOr(fw.code, http.StatusOK))
		b := fw.buf.Bytes()
		fw.rec.Write(b[:len(b)/2])
		fw.cut = true
	}
	if fw.cut {
		fw.rec.Flush()
		fw.rec.abort(false)
	}
}
