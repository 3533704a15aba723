package serve

import (
	"context"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// sessionChannel is the ssh server's handler of "session" channels: the
// library's, given a context of the channel's own (ended when the client
// closes the channel, not only when the connection ends, since one
// connection may carry several sessions) and the channel's requests
// through channelRequests, which keeps the window changes and the
// environment itself.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	s.mu.Lock()
	if s.chansClosed {
		s.mu.Unlock()
		_ = newChan.Reject(gossh.ResourceShortage, "the server is stopping")
		return
	}
	s.chanWG.Add(1)
	s.mu.Unlock()
	defer s.chanWG.Done()
	cctx := newChannelContext(ctx)
	defer cctx.cancel()
	ch := &acceptedChannel{NewChannel: newChan, st: cctx.st, gone: cctx.cancel, done: make(chan struct{})}
	ssh.DefaultSessionHandler(srv, conn, ch, cctx)
	// The library's loop returns when the requests end, that is when the
	// channel has closed (or the connection): the session is over.
	if ch.accepted {
		<-ch.done
	}
}

// channelState is what the server keeps of one session channel.
type channelState struct {
	// winch holds the newest window size not yet read: a reader that
	// falls behind misses sizes, never the last one, and the requests
	// never wait for it.
	winch chan ssh.Window

	mu     sync.Mutex
	pty    bool // a pty was requested
	window ssh.Window
}

// resized records a new window size and offers it to winch. A size of
// zero (ssh -tt from a script: a client without a terminal of its own)
// is offered as the classic 80x24, as full-screen programs take it on
// such a pty; latest keeps it as the client gave it.
func (st *channelState) resized(w ssh.Window) {
	st.mu.Lock()
	st.window = w
	st.mu.Unlock()
	if w.Width <= 0 {
		w.Width = 80
	}
	if w.Height <= 0 {
		w.Height = 24
	}
	select {
	case st.winch <- w:
	default:
		// The one waiting is older: replace it. Only this goroutine
		// sends, so the second send finds room.
		select {
		case <-st.winch:
		default:
		}
		st.winch <- w
	}
}

// latest is the newest window size.
func (st *channelState) latest() ssh.Window {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.window
}

// maxEnvRequests bounds the environment a client may send on one
// channel (each allowed variable a few times over).
const maxEnvRequests = 16

// acceptedChannel hands the library the channel with its requests
// passed through channelRequests.
type acceptedChannel struct {
	gossh.NewChannel
	st       *channelState
	gone     func() // the client will show nothing more
	accepted bool
	done     chan struct{} // closed when channelRequests returns
}

func (c *acceptedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	c.accepted = true
	out := make(chan *gossh.Request)
	go func() {
		defer close(c.done)
		channelRequests(reqs, out, c.st, c.gone)
	}()
	return ch, out, nil
}

// channelRequests passes a session channel's requests on to the library,
// except:
//
//   - window changes, which it answers itself and hands to the session
//     through channelState.winch: the library's loop would wait, from
//     the second one on, for a reader, which a command never is, and
//     answer no later request of the channel nor see it end;
//   - agent forwarding, which it refuses (the library agrees to it);
//   - environment variables other than allowedEnv, and more than
//     maxEnvRequests of them, which it refuses: the library keeps every
//     one it is sent;
//   - OpenSSH's end of writing (eow@openssh.com: the client will show
//     nothing more, as when the program reading its output has exited),
//     on which it calls gone: the session ends, as sshd ends the writer.
//
// It returns, closing out, when the channel's requests end.
func channelRequests(in <-chan *gossh.Request, out chan<- *gossh.Request, st *channelState, gone func()) {
	defer close(out)
	envs := 0
	for req := range in {
		switch req.Type {
		case "pty-req":
			var p struct {
				Term                          string
				Cols, Rows, WidthPx, HeightPx uint32
				Modes                         string
			}
			st.mu.Lock()
			first := !st.pty
			st.pty = true
			st.mu.Unlock()
			if first && gossh.Unmarshal(req.Payload, &p) == nil {
				st.resized(ssh.Window{Width: int(p.Cols), Height: int(p.Rows),
					WidthPixels: int(p.WidthPx), HeightPixels: int(p.HeightPx)})
			}
		case "window-change":
			var w struct{ Cols, Rows, WidthPx, HeightPx uint32 }
			st.mu.Lock()
			hasPty := st.pty
			st.mu.Unlock()
			ok := hasPty && gossh.Unmarshal(req.Payload, &w) == nil
			if ok {
				st.resized(ssh.Window{Width: int(w.Cols), Height: int(w.Rows),
					WidthPixels: int(w.WidthPx), HeightPixels: int(w.HeightPx)})
			}
			if req.WantReply {
				_ = req.Reply(ok, nil)
			}
			continue
		case "auth-agent-req@openssh.com":
			// No agent forwarding: the library would say yes (and open
			// no agent channel); say no.
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
			continue
		case "eow@openssh.com":
			gone()
			if req.WantReply {
				_ = req.Reply(true, nil)
			}
			continue
		case "env":
			var kv struct{ Key, Value string }
			if envs >= maxEnvRequests || gossh.Unmarshal(req.Payload, &kv) != nil || !isAllowedEnv(kv.Key) {
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
				continue
			}
			envs++
		}
		out <- req
	}
}

// channelContext is a session channel's ssh.Context: the connection's
// metadata and lock, values of its own (the library keeps the session
// in its context, and wish the colour profile), and an end of its own,
// when the channel closes or the connection ends.
type channelContext struct {
	ssh.Context // the connection's
	ctx         context.Context
	cancel      context.CancelFunc
	st          *channelState

	mu     sync.Mutex
	values map[any]any
}

type channelStateKey struct{}

func newChannelContext(conn ssh.Context) *channelContext {
	c := &channelContext{Context: conn, st: &channelState{winch: make(chan ssh.Window, 1)}, values: map[any]any{}}
	c.ctx, c.cancel = context.WithCancel(conn)
	c.values[channelStateKey{}] = c.st
	return c
}

func (c *channelContext) Deadline() (time.Time, bool) { return c.ctx.Deadline() }
func (c *channelContext) Done() <-chan struct{}       { return c.ctx.Done() }
func (c *channelContext) Err() error                  { return c.ctx.Err() }

func (c *channelContext) Value(key any) any {
	c.mu.Lock()
	v, ok := c.values[key]
	c.mu.Unlock()
	if ok {
		return v
	}
	return c.ctx.Value(key)
}

func (c *channelContext) SetValue(key, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values[key] = value
}

// channelStateOf is the channel's state, from a session's context.
func channelStateOf(ctx ssh.Context) *channelState {
	st, _ := ctx.Value(channelStateKey{}).(*channelState)
	return st
}
