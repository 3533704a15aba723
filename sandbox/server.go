package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Server is a running sandbox. All its methods are safe for concurrent use.
type Server struct {
	opts   Options
	now    func() time.Time
	ln     net.Listener
	http   *http.Server
	routes []*route
	apiURL string

	// ctx is cancelled by Close; every goroutine the server owns stops on it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards st, the whole Pushover state.
	mu sync.Mutex
	st *state

	// life guards closing and wg.Add, so that no goroutine starts once
	// Close waits.
	life    sync.Mutex
	closing bool

	ws         wsRegistry
	keepAlive  atomic.Bool
	kickRepeat chan struct{} // wakes the repeat scheduler
	kickSave   chan struct{} // wakes the state saver
	loaded     bool          // state came from StatePath

	faults      faults
	log         requestLog
	attachments attachmentLog
	saveMu      sync.Mutex // serialises writes of the state file

	changedMu sync.Mutex
	changed   chan struct{} // closed and replaced by dirty, for Wait
}

// New starts a sandbox listening on opts.Addr. It is serving when New
// returns; Close stops it.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 30 * time.Second
	}
	if opts.FirstID <= 0 {
		opts.FirstID = 1
	}
	if opts.AppLimit <= 0 {
		opts.AppLimit = 10000
	}
	if opts.MinRetry <= 0 {
		opts.MinRetry = 30
	}
	if opts.RetryUnit <= 0 {
		opts.RetryUnit = time.Second
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 8 << 20
	}
	s := &Server{
		opts:       opts,
		now:        opts.Now,
		kickRepeat: make(chan struct{}, 1),
		kickSave:   make(chan struct{}, 1),
		changed:    make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.st = newState(opts.FirstID)
	if opts.StatePath != "" {
		st, ok, err := loadState(opts.StatePath)
		if err != nil {
			return nil, fmt.Errorf("sandbox: load state: %w (move the file away to start afresh)", err)
		}
		if ok {
			s.st, s.loaded = st, true
		}
	}
	s.keepAlive.Store(true)
	s.log.w = opts.Log
	s.routes = s.buildRoutes()
	s.ws.init()

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on %s: %w (choose another --addr)", opts.Addr, err)
	}
	s.ln = ln
	s.apiURL = "http://" + urlHost(ln.Addr().(*net.TCPAddr))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ErrorLog:          log.New(errorLog{&s.log}, "http: ", 0),
	}
	s.mu.Lock()
	s.rescheduleLoaded(time.Now())
	s.mu.Unlock()

	s.wg.Add(3)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.note("serve: %v", err)
		}
	}()
	go s.runRepeats()
	go s.runSaver()
	return s, nil
}

// urlHost is the host:port for URLs: an unspecified listen address
// (0.0.0.0, ::) is reached through loopback.
func urlHost(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}

// APIURL is the REST base, "http://127.0.0.1:PORT" (no trailing slash, no /1).
func (s *Server) APIURL() string { return s.apiURL }

// WSURL is the websocket URL, "ws://127.0.0.1:PORT/push".
func (s *Server) WSURL() string { return "ws" + strings.TrimPrefix(s.apiURL, "http") + "/push" }

// Loaded reports whether the state was loaded from Options.StatePath.
func (s *Server) Loaded() bool { return s.loaded }

// track registers one more server-owned goroutine; it returns false once
// Close has started, and the caller must not start the goroutine.
func (s *Server) track() bool {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(1)
	return true
}

// Close stops the server: it closes the listener, every websocket and HTTP
// connection, stops every goroutine it started, waits for them, and saves
// the state when Options.StatePath is set.
func (s *Server) Close() error {
	s.life.Lock()
	if s.closing {
		s.life.Unlock()
		return nil
	}
	s.closing = true
	s.life.Unlock()

	s.cancel() // hanging requests, the scheduler, the saver, callbacks
	s.ws.closeAll()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err := s.http.Shutdown(ctx)
	cancel()
	if err != nil {
		err = s.http.Close()
	}
	s.wg.Wait()
	if serr := s.saveNow(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// ServeHTTP routes one request: fault injection, body limit, the handler,
// then the request log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var rec *recorder
	logIt := func(code int) {
		s.log.add(Request{At: start, Method: r.Method, Path: redactPath(r.URL), Status: code,
			Duration: time.Since(start), Fault: rec.fault})
		s.broadcast()
	}
	// A websocket is logged when it is taken over, not hours later when
	// it closes.
	rec = &recorder{ResponseWriter: w, onHijack: func() { logIt(http.StatusSwitchingProtocols) }}
	defer func() {
		v := recover()
		if v == http.ErrAbortHandler { // recorder.abort without a hijackable connection
			logIt(rec.status)
			panic(v)
		}
		if v != nil {
			// Bad input must never take the server down; answer 500 instead.
			s.log.note("panic serving %s %s: %v", r.Method, redactPath(r.URL), v)
			if rec.status == 0 {
				s.fail(rec, http.StatusInternalServerError, "internal error")
			}
		}
		if rec.hijacked {
			return
		}
		if rec.aborted {
			logIt(rec.status) // 0: the connection was dropped before a reply
			return
		}
		code := rec.code()
		if rec.status == 0 && r.Context().Err() != nil {
			code = 499 // the client went away before a reply (nginx's code)
		}
		logIt(code)
	}()

	rt, params := s.match(r.URL.Path)
	if rt == nil {
		s.fail(rec, http.StatusNotFound, "resource not found: "+clip(r.URL.Path, 100))
		return
	}
	h, ok := rt.methods[r.Method]
	if !ok {
		rec.Header().Set("Allow", rt.allow())
		s.fail(rec, http.StatusMethodNotAllowed, "method "+clip(r.Method, 20)+" not allowed, use "+rt.allow())
		return
	}
	if rt.pattern != "/push" {
		// A reply blocked on a client that does not read would keep Close
		// waiting; once the request is over (client gone, or Close), its
		// writes fail at once. The websocket has deadlines of its own.
		stop := context.AfterFunc(r.Context(), func() {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now())
		})
		defer stop()
	}
	var fw *faultWriter
	if f, ok := s.faults.take(r.Method, r.URL.Path, rt.pattern); ok {
		s.broadcast() // Wait can see that a fault was used
		rec.fault = f.Kind.String()
		if fw, ok = s.applyFault(rec, r, f); !ok {
			return
		}
	}
	r.Body = http.MaxBytesReader(rec, r.Body, s.opts.MaxBody)
	if fw == nil {
		h(rec, r, params)
		return
	}
	h(fw, r, params)
	fw.finish()
}

// recorder remembers the status for the log and passes Hijack through for
// the websocket upgrade.
type recorder struct {
	http.ResponseWriter
	status   int
	hijacked bool   // by the websocket upgrade
	aborted  bool   // the connection was dropped by a fault
	fault    string // the kind of the injected fault, for the log
	onHijack func()
}

// Unwrap lets http.ResponseController reach the connection.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// Flush sends what has been written so far (faults need it mid-reply).
func (rw *recorder) Flush() {
	if f, ok := rw.ResponseWriter.(http.Flusher); ok && !rw.aborted {
		f.Flush()
	}
}

// abort drops the connection without finishing the reply: with a TCP
// reset (SO_LINGER 0) when reset is set, else with an ordinary close.
// Whatever was flushed before has reached the client.
func (rw *recorder) abort(reset bool) {
	if rw.aborted {
		return
	}
	h, ok := rw.ResponseWriter.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http drops the connection too
	}
	conn, _, err := h.Hijack()
	rw.aborted = true
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(p)
}

func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := rw.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("sandbox: connection cannot be hijacked")
	}
	rw.hijacked = true
	rw.onHijack()
	return h.Hijack()
}

func (rw *recorder) code() int {
	switch {
	case rw.hijacked:
		return http.StatusSwitchingProtocols
	case rw.status == 0:
		return http.StatusOK
	}
	return rw.status
}

// clip shortens untrusted text quoted back in an error.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
