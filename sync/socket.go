package sync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// pushConn is one websocket session with the push server. The engine's
// connection loop is its only reader and its only writer (the login line);
// the close on shutdown goes through WriteControl/Close, which gorilla
// allows concurrently with a reader.
type pushConn struct {
	ws       *websocket.Conn
	watchdog time.Duration
	stop     func() bool // detaches the close-on-cancel hook
}

// errWatchdog reports a connection that went silent: no frame, not even a
// keep-alive, within the watchdog interval.
var errWatchdog = errors.New("no keep-alive from the server")

// dialPush connects to wsURL and sends the login line. The socket is closed
// when ctx ends, which unblocks a pending read.
func dialPush(ctx context.Context, wsURL, deviceID, secret, userAgent string, timeout, watchdog time.Duration) (*pushConn, error) {
	d := websocket.Dialer{
		HandshakeTimeout: timeout,
		Proxy:            http.ProxyFromEnvironment,
		ReadBufferSize:   256, // frames are single bytes
		WriteBufferSize:  256,
	}
	h := http.Header{}
	if userAgent != "" {
		h.Set("User-Agent", userAgent)
	}
	ws, resp, err := d.DialContext(ctx, wsURL, h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		// The URL holds no secret (the login goes in the first frame).
		return nil, fmt.Errorf("connect to %s: %w", wsURL, err)
	}
	c := &pushConn{ws: ws, watchdog: watchdog}
	c.stop = context.AfterFunc(ctx, func() { ws.Close() })

	ws.SetWriteDeadline(time.Now().Add(timeout))
	line := "login:" + deviceID + ":" + secret + "\n"
	if err := ws.WriteMessage(websocket.TextMessage, []byte(line)); err != nil {
		c.close()
		return nil, fmt.Errorf("send login to %s: %w", wsURL, err)
	}
	return c, nil
}

// next blocks until the next frame and returns its payload. Frames may be
// text or binary (servers differ): the opcode is ignored. A silence longer
// than the watchdog returns errWatchdog.
func (c *pushConn) next() ([]byte, error) {
	c.ws.SetReadDeadline(time.Now().Add(c.watchdog))
	_, p, err := c.ws.ReadMessage()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, fmt.Errorf("%w for %s", errWatchdog, c.watchdog)
	}
	return p, err
}

// close ends the session politely when it can and always frees the socket.
func (c *pushConn) close() {
	c.stop()
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	c.ws.Close()
}
