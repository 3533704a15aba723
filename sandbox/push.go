package sandbox

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The websocket /push, pushover-api.md section 2.

// Frames the server sends, one byte each, as binary websocket frames.
var (
	frameKeepAlive = []byte("#")
	frameNew       = []byte("!")
	frameReload    = []byte("R")
	frameError     = []byte("E")
	frameAnother   = []byte("A")
)

const (
	loginTimeout = 30 * time.Second // the login line must come this soon
	writeTimeout = 10 * time.Second
	closeGrace   = 2 * time.Second // wait for the client's close reply
	sendBuffer   = 64
)

// upgrader answers a failed handshake with the usual JSON error.
func (s *Server) upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 1024,
		// Clients are programs, not browser pages; any Origin is accepted.
		CheckOrigin: func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			s.fail(w, status, "websocket handshake: "+reason.Error())
		},
	}
}

// wsSession is one websocket connection. The handler goroutine is its only
// reader and writeLoop its only writer.
type wsSession struct {
	conn       *websocket.Conn
	loggedIn   atomic.Bool
	send       chan []byte
	fin        chan struct{} // closed by finish
	finOnce    sync.Once
	finFrame   []byte        // written before a clean close; nil = drop the connection
	readerDone chan struct{} // closed when the reader has stopped
}

// finish ends the session: with a frame ('E', 'A') and a close handshake,
// or with nil by dropping the connection as a network failure would.
func (ss *wsSession) finish(frame []byte) {
	ss.finOnce.Do(func() {
		ss.finFrame = frame
		close(ss.fin)
	})
}

// handlePush serves GET /push: the upgrade, the login line, then frames.
func (s *Server) handlePush(w http.ResponseWriter, r *http.Request, _ []string) {
	if !websocket.IsWebSocketUpgrade(r) {
		s.fail(w, http.StatusBadRequest, "this endpoint speaks websocket only")
		return
	}
	if !s.track() {
		s.fail(w, http.StatusServiceUnavailable, "server is shutting down")
		return
	}
	defer s.wg.Done()
	conn, err := s.upgrader().Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	conn.SetReadLimit(4096)
	ss := &wsSession{
		conn: conn, send: make(chan []byte, sendBuffer),
		fin: make(chan struct{}), readerDone: make(chan struct{}),
	}
	defer close(ss.readerDone)
	defer ss.finish(nil)
	if !s.track() {
		conn.Close()
		return
	}
	go s.writeLoop(ss)
	if !s.ws.add(ss) {
		return
	}
	defer s.ws.remove(ss)

	_ = conn.SetReadDeadline(time.Now().Add(loginTimeout))
	typ, line, err := conn.ReadMessage()
	if err != nil {
		return
	}
	login := WSLogin{FrameType: typ, Raw: line, At: time.Now()}
	device, secret, ok := parseLogin(line)
	s.mu.Lock()
	d, acc := s.st.Devices[device], s.st.bySecret[secret]
	s.mu.Unlock()
	ok = ok && d != nil && acc != nil && d.UserKey == acc.UserKey
	if d != nil {
		login.DeviceID = device
	}
	if !ok {
		s.ws.recordLogin(login)
		s.broadcast()
		// Unconfirmed: the server closes after 'E'. The sandbox does, with
		// a close handshake, and reads until the client answers it. Only a
		// registered device id is logged: a client that swaps the fields
		// or leaves one out would otherwise put its secret in the log.
		who := "an unknown device"
		if d != nil {
			who = "device " + device
		}
		s.log.note("websocket login rejected for %s (%d bytes in a %s frame)", who, len(line), frameName(typ))
		ss.finish(frameError)
		drain(conn)
		return
	}
	s.log.note("websocket login device=%s", device)
	ss.loggedIn.Store(true)
	if old := s.ws.setLive(device, ss); old != nil {
		old.finish(frameAnother) // one live session per device
	}
	// Recorded once live, so that WaitLogins returning means the session
	// receives frames.
	login.OK = true
	s.ws.recordLogin(login)
	s.broadcast()
	defer s.broadcast()
	defer s.ws.unsetLive(device, ss)
	_ = conn.SetReadDeadline(time.Time{})
	// The client never has to send anything more; read only to notice
	// that it went away (and to answer pings and the close handshake).
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

func frameName(typ int) string {
	switch typ {
	case websocket.TextMessage:
		return "text"
	case websocket.BinaryMessage:
		return "binary"
	}
	return "type " + strconv.Itoa(typ)
}

// parseLogin reads "login:{device_id}:{secret}" with or without the
// trailing newline.
func parseLogin(line []byte) (device, secret string, ok bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	rest, found := strings.CutPrefix(string(line), "login:")
	if !found {
		return "", "", false
	}
	device, secret, found = strings.Cut(rest, ":")
	return device, secret, found && device != "" && secret != ""
}

// drain reads until the connection fails or the grace time passes, so that
// the client's close reply is consumed.
func drain(conn *websocket.Conn) {
	_ = conn.SetReadDeadline(time.Now().Add(closeGrace))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

// writeLoop is the session's only writer: queued frames, keep-alives once
// logged in, and the end of the session.
func (s *Server) writeLoop(ss *wsSession) {
	defer s.wg.Done()
	defer ss.conn.Close()
	ticker := time.NewTicker(s.opts.KeepAlive)
	defer ticker.Stop()
	write := func(p []byte) error {
		_ = ss.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		return ss.conn.WriteMessage(websocket.BinaryMessage, p)
	}
	for {
		select {
		case <-ss.fin:
			if ss.finFrame == nil {
				return
			}
			if write(ss.finFrame) == nil {
				code := websocket.CloseNormalClosure
				if bytes.Equal(ss.finFrame, frameError) {
					code = websocket.ClosePolicyViolation
				}
				msg := websocket.FormatCloseMessage(code, "")
				if ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeTimeout)) == nil {
					// Closing at once could reset the connection before the
					// client has read the frame; wait for its close reply.
					t := time.NewTimer(closeGrace)
					select {
					case <-ss.readerDone:
					case <-t.C:
					case <-s.ctx.Done():
					}
					t.Stop()
				}
			}
			return
		case p := <-ss.send:
			if write(p) != nil {
				ss.finish(nil)
				return
			}
		case <-ticker.C:
			if ss.loggedIn.Load() && s.keepAlive.Load() {
				if write(frameKeepAlive) != nil {
					ss.finish(nil)
					return
				}
			}
		}
	}
}

// queue hands a frame to the writer without blocking. When the buffer is
// full the frame is dropped: only a stuck client fills 64 frames, and a
// '!' already waiting there asks for the same sync.
func (ss *wsSession) queue(p []byte) bool {
	select {
	case ss.send <- p:
		return true
	default:
		return false
	}
}

// DropWebsockets drops every websocket connection without a close frame,
// as a network failure would. Clients are expected to reconnect.
func (s *Server) DropWebsockets() { s.ws.dropAll() }

// SendFrame sends a raw payload as one binary frame to the live session of
// the device ("" = every live session) and returns how many sessions it
// was queued for. It does not end the session, even for 'E' or 'A': the
// test decides what the frame means. See also Reload.
func (s *Server) SendFrame(deviceID string, payload []byte) int {
	return s.ws.sendTo(deviceID, bytes.Clone(payload))
}

// Reload sends 'R' (reconnect now) to the device's live session, or to
// every live session when deviceID is "".
func (s *Server) Reload(deviceID string) int { return s.ws.sendTo(deviceID, frameReload) }

// SetKeepAlive stops (false) or resumes (true) the '#' frames, so that a
// client's dead-connection watchdog can be tested.
func (s *Server) SetKeepAlive(on bool) { s.keepAlive.Store(on) }
