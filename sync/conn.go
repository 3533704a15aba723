package sync

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// errReload is the server's 'R': reconnect at once.
var errReload = errors.New("the server asked pobox to reconnect")

// endError is 'E' or 'A': stop and tell the user.
type endError struct{ reason EndReason }

func (e *endError) Error() string {
	if e.reason == EndElsewhere {
		return textElsewhere
	}
	return textLoggedOut
}

// connLoop keeps the websocket up until ctx ends or the session ends:
// connect, sync once (messages may have come while offline), serve frames,
// and on failure wait with backoff before the next try.
func (e *Engine) connLoop(ctx context.Context) {
	attempt := 0
	for ctx.Err() == nil && !e.ended.is() {
		err := e.connectAndServe(ctx, &attempt)
		if ctx.Err() != nil || e.ended.is() {
			return
		}
		var end *endError
		if errors.As(err, &end) {
			e.endSession(ctx, end.reason)
			return
		}
		if errors.Is(err, errReload) {
			// A short pause, as other clients make: a server that answers
			// every login with 'R' must not get a tight loop of connects
			// and downloads.
			wait := jitter(e.cfg.ReloadPause/5, e.cfg.ReloadPause, 3)
			e.log.Info("server asked to reconnect", "in", wait.Round(time.Millisecond))
			attempt = 0
			e.emit(Disconnected{Err: err, RetryAt: e.cfg.Now().Add(wait), Holder: true})
			if !e.sleep(ctx, wait) {
				return
			}
			continue
		}
		wait := e.backoff(attempt)
		attempt++
		retryAt := e.cfg.Now().Add(wait)
		e.log.Info("websocket down", "err", err, "retry_in", wait.Round(time.Millisecond))
		e.writeLink(ctx, link{State: linkReconnecting, Err: err.Error(), RetryAt: retryAt})
		e.emit(Disconnected{Err: err, RetryAt: retryAt, Holder: true})
		if !e.sleep(ctx, wait) {
			return
		}
	}
}

// connectAndServe runs one websocket session. It resets *attempt once the
// session has lived StableAfter, so that a flapping link backs off while
// a long-lived one reconnects quickly after its first drop.
func (e *Engine) connectAndServe(ctx context.Context, attempt *int) error {
	// The socket also closes when the session ends elsewhere (a download
	// refused the secret), which ends serve.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.ended.ctx, cancel)()

	login := e.cfg.Login
	c, err := dialPush(sctx, login.WSURL, login.DeviceID, login.Secret.Reveal(), e.cfg.UserAgent, e.cfg.DialTimeout, e.cfg.Watchdog)
	if err != nil {
		return err
	}
	defer c.close()
	up := e.cfg.Now()
	e.log.Info("websocket connected")
	e.connected(ctx, up)
	e.writeLink(ctx, link{State: linkConnected})
	e.emit(Connected{At: up, Holder: true})
	e.requestSync()
	e.kickOutbox()

	err = e.serve(ctx, c)
	if e.cfg.Now().Sub(up) >= e.cfg.StableAfter {
		*attempt = 0
	}
	return err
}

// serve reads frames until the socket fails or a frame ends the session.
// Every byte of every frame counts: servers may coalesce them.
func (e *Engine) serve(ctx context.Context, c *pushConn) error {
	for first := true; ; first = false {
		p, err := c.next()
		if err != nil {
			return err
		}
		e.keptAlive(ctx)
		f := readFrame(p)
		for _, b := range f.unknown {
			e.log.Warn("unknown websocket frame byte ignored", "byte", int(b))
		}
		if f.sync || (first && f.stop == nil) {
			// On the first frame the server surely has the login: a
			// message queued between the connect's sync and that moment
			// got no '!'.
			e.requestSync()
		}
		if f.stop != nil {
			return f.stop
		}
	}
}

// frame is what one websocket payload asks of the engine.
type frame struct {
	sync    bool   // a '!' came before any stop
	stop    error  // errReload or *endError: the session ends here
	unknown []byte // bytes that mean nothing (ignored)
}

// readFrame reads a payload byte by byte, as servers may coalesce frames:
// "#!" is a keep-alive and a sync, "!R" a sync and a reload. Bytes after
// one that ends the session are not read.
func readFrame(p []byte) frame {
	var f frame
	for _, b := range p {
		switch b {
		case '#': // keep-alive: next() renewed the watchdog
		case '!':
			f.sync = true
		case 'R':
			f.stop = errReload
		case 'E':
			f.stop = &endError{EndLoggedOut}
		case 'A':
			f.stop = &endError{EndElsewhere}
		default:
			f.unknown = append(f.unknown, b)
		}
		if f.stop != nil {
			break
		}
	}
	return f
}

// backoff returns the wait before reconnect attempt n (0-based): full
// jitter between BackoffMin and min(BackoffMax, BackoffMin*2^n), so that
// many clients cut off at once do not all come back at once.
func (e *Engine) backoff(n int) time.Duration {
	return jitter(e.cfg.BackoffMin, e.cfg.BackoffMax, n)
}

// jitter returns a random wait between lo and min(top, lo*2^n): full
// jitter, so that clients cut off together do not come back together.
func jitter(lo, top time.Duration, n int) time.Duration {
	hi := lo
	for i := 0; i < n && hi < top; i++ {
		hi *= 2
	}
	hi = min(hi, top)
	if hi <= lo {
		return lo
	}
	return lo + rand.N(hi-lo)
}

// sleep waits d. It returns false when ctx ended, and returns early (true)
// when SyncNow kicks it.
func (e *Engine) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-e.ended.ctx.Done():
		return false
	case <-e.kick:
		return true
	case <-t.C:
		return true
	}
}
