package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	stdsync "sync"
	"sync/atomic"
	"time"

	"pobox/cache"
	"pobox/session"
)

// Server-delete policies (the server_delete setting).
const (
	// DeleteAfterSync deletes on the server what a sync stored, as Pushover
	// recommends. The default.
	DeleteAfterSync = "after-sync"
	// DeleteManual leaves messages on the server until the user deletes
	// them up to one (D).
	DeleteManual = "manual"
)

// Config is what an Engine needs. DB, Client and Login are required.
type Config struct {
	DB     *cache.DB
	Client *session.Client
	Login  session.Stored // device id, secret and websocket URL

	// LockPath is the holder lock file shared by the pobox processes on
	// this cache. "" makes this engine the holder without a lock.
	LockPath string
	// ServerDelete is DeleteAfterSync ("" too) or DeleteManual.
	ServerDelete string

	Watchdog     time.Duration // silence that means a dead socket; 0: 90 s
	DialTimeout  time.Duration // websocket handshake and login; 0: 15 s
	BackoffMin   time.Duration // first reconnect wait; 0: 1 s
	BackoffMax   time.Duration // longest reconnect wait; 0: 60 s
	StableAfter  time.Duration // a connection this old resets the backoff; 0: 1 min
	PollInterval time.Duration // how often to look for other processes' writes; 0: 250 ms
	LockRetry    time.Duration // how often a follower tries the lock; 0: 500 ms
	RetryActions time.Duration // first wait before replaying a failed action; 0: 5 s
	RetrySync    time.Duration // first wait before retrying a failed sync; 0: 2 s
	RetrySyncMax time.Duration // longest wait between sync retries; 0: 3 min
	ReloadPause  time.Duration // longest pause before reconnecting on 'R' (at least a fifth of it); 0: 5 s

	// Announce, when set, receives the messages newly stored, oldest
	// first, each once, in the holder only (so that with several pobox
	// processes on one cache it runs in one of them), never the backlog
	// of a device's first download. It must not block: queue the work.
	Announce func(ctx context.Context, ms []cache.Message)

	UserAgent string       // sent on the websocket handshake
	Logger    *slog.Logger // nil: no logging
	Now       func() time.Time
}

func (c *Config) defaults() error {
	if c.DB == nil || c.Client == nil {
		return errors.New("sync: Config needs DB and Client")
	}
	if c.Login.DeviceID == "" || c.Login.Secret == "" {
		return fmt.Errorf("sync: %w", session.ErrNoSession)
	}
	if c.Login.WSURL == "" {
		return errors.New("sync: the stored login has no websocket URL: log in again with `pobox login`")
	}
	if err := session.CheckWSURL(c.Login.WSURL); err != nil {
		return err
	}
	switch c.ServerDelete {
	case "":
		c.ServerDelete = DeleteAfterSync
	case DeleteAfterSync, DeleteManual:
	default:
		return fmt.Errorf("sync: server_delete must be %q or %q, not %q", DeleteAfterSync, DeleteManual, c.ServerDelete)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Watchdog, 90*time.Second)
	def(&c.DialTimeout, 15*time.Second)
	def(&c.BackoffMin, time.Second)
	def(&c.BackoffMax, time.Minute)
	def(&c.StableAfter, time.Minute)
	def(&c.PollInterval, 250*time.Millisecond)
	def(&c.LockRetry, 500*time.Millisecond)
	def(&c.RetryActions, 5*time.Second)
	def(&c.RetrySync, 2*time.Second)
	def(&c.RetrySyncMax, 3*time.Minute)
	def(&c.ReloadPause, 5*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Engine keeps one cache in step with the server. Create it with New, start
// it with Start, read Events until the channel closes, stop it with Close.
type Engine struct {
	cfg Config
	db  *cache.DB
	log *slog.Logger
	d   *dispatcher

	syncReq   chan struct{} // cap 1: one run pending at most
	outboxReq chan struct{} // cap 1
	kick      chan struct{} // cap 1: cuts a reconnect wait short

	holder atomic.Bool
	ended  ending

	syncMu stdsync.Mutex // serialises runs (worker and SyncOnce)

	devMu stdsync.Mutex
	devN  int64 // the login's device in the cache, once known

	// announceMu guards what has been announced: seen is the highest key
	// announced to the owner, hooksKey the highest handed to Announce.
	announceMu stdsync.Mutex
	seen       int64
	hooksKey   int64
	after      *int64 // AnnounceAfter's key, for Start

	statusMu stdsync.Mutex
	status   holderStatus // what `pobox status` reads, in the holder

	startOnce stdsync.Once
	started   time.Time // when Start ran
	cancel    context.CancelFunc
	wg        stdsync.WaitGroup // workers
	dispDone  chan struct{}     // tells the dispatcher to stop
	dispWG    stdsync.WaitGroup

	// afterCommit, when set by a test, runs between the commit of a batch
	// and the delete on the server; an error stops the run there, as a
	// crash would.
	afterCommit func() error
	// afterIngest, when set by a test, runs between the commit of a batch
	// and its announcement.
	afterIngest func()
}

// New checks cfg and returns an Engine that has not started.
func New(cfg Config) (*Engine, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Engine{
		cfg:       cfg,
		db:        cfg.DB,
		log:       cfg.Logger,
		d:         newDispatcher(),
		syncReq:   make(chan struct{}, 1),
		outboxReq: make(chan struct{}, 1),
		kick:      make(chan struct{}, 1),
		ended:     newEnding(),
		dispDone:  make(chan struct{}),
		cancel:    func() {},
	}, nil
}

// Events returns the channel of events. It is closed after Close.
func (e *Engine) Events() <-chan Event { return e.d.out }

// AnnounceAfter makes the messages stored after key news to the owner,
// rather than those stored after Start: an owner that starts a new engine
// (after `pobox login` replaced the login) goes on where the last one
// stopped. Call it before Start.
func (e *Engine) AnnounceAfter(key int64) { e.after = &key }

// Holder reports whether this process holds the websocket.
func (e *Engine) Holder() bool { return e.holder.Load() }

// Start runs the engine until ctx ends or Close is called. It returns at
// once; calling it again does nothing.
func (e *Engine) Start(ctx context.Context) {
	e.startOnce.Do(func() {
		e.started = e.cfg.Now()
		// Only what is stored from now on (or after AnnounceAfter's key)
		// is news to the owner.
		if e.after != nil {
			e.seen = *e.after
		} else if k, err := e.db.NewestKey(ctx); err == nil {
			e.seen = k
		} else {
			e.log.Warn("read the newest key", "err", err)
		}
		ctx, e.cancel = context.WithCancel(ctx)
		e.dispWG.Add(1)
		go func() { defer e.dispWG.Done(); e.d.run(e.dispDone) }()
		e.wg.Add(4)
		go func() { defer e.wg.Done(); e.roleLoop(ctx) }()
		go func() { defer e.wg.Done(); e.syncWorker(ctx) }()
		go func() { defer e.wg.Done(); e.outboxWorker(ctx) }()
		go func() { defer e.wg.Done(); e.watchLoop(ctx) }()
	})
}

// Close stops every goroutine of the engine, releases the lock and closes
// the events channel. It does not close the DB or the Client.
func (e *Engine) Close() error {
	e.startOnce.Do(func() {}) // a Start after Close does nothing
	e.cancel()
	e.wg.Wait()
	select {
	case <-e.dispDone:
	default:
		close(e.dispDone)
	}
	e.dispWG.Wait()
	return nil
}

// SyncNow asks for a download now and, when the websocket is down, cuts
// the reconnect wait short.
func (e *Engine) SyncNow() {
	e.requestSync()
	signal(e.kick)
}

func (e *Engine) requestSync() { signal(e.syncReq) }
func (e *Engine) kickOutbox()  { signal(e.outboxReq) }

// signal does a non-blocking send on a channel of capacity 1: requests
// made while one is pending merge into it.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (e *Engine) emit(ev Event) { e.d.emit(ev) }

// roleLoop makes this engine the holder as soon as it can get the lock.
func (e *Engine) roleLoop(ctx context.Context) {
	if e.cfg.LockPath == "" {
		e.hold(ctx)
		return
	}
	t := time.NewTicker(e.cfg.LockRetry)
	defer t.Stop()
	for {
		lock, err := tryLock(e.cfg.LockPath)
		if err != nil {
			e.log.Warn("holder lock", "err", err)
		}
		if lock != nil {
			e.hold(ctx)
			e.holder.Store(false)
			if err := lock.release(); err != nil {
				e.log.Warn("release holder lock", "err", err)
			}
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-e.ended.ctx.Done():
			return // nothing left to hold
		case <-t.C:
		}
	}
}

// hold runs the websocket as the holder until ctx ends.
func (e *Engine) hold(ctx context.Context) {
	e.holder.Store(true)
	e.log.Info("holding the websocket", "device", e.cfg.Login.DeviceName)
	// A holder refused this very login while this engine ran: trying again
	// would only be refused the same way. (A new login is a new device,
	// and connects; so does an engine started after the refusal, which
	// may follow a fix on the website.)
	if l, ok := e.readLink(ctx); ok && l.State == linkEnded &&
		l.Device == e.cfg.Login.DeviceID && !l.At.Before(e.started) {
		e.endSession(ctx, l.Reason)
		return
	}
	if !e.loginCurrent(ctx) {
		return
	}
	e.startHooks(ctx)
	e.recordHolder(ctx, func(s *holderStatus) { *s = holderStatus{PID: os.Getpid(), Since: e.cfg.Now()} })
	e.kickOutbox() // actions queued while nobody held the socket
	e.connLoop(ctx)
	if ctx.Err() != nil && !e.ended.is() {
		// Tell followers at once rather than leave "connected" behind.
		e.writeLink(context.WithoutCancel(ctx), link{State: linkOffline})
	}
}

// ending records that the session ended: the server refused the login or
// the device logged in elsewhere. It only ever goes from live to ended.
type ending struct {
	ctx    context.Context // done once ended
	cancel context.CancelFunc
	once   *stdsync.Once
}

func newEnding() ending {
	ctx, cancel := context.WithCancel(context.Background())
	return ending{ctx, cancel, new(stdsync.Once)}
}

func (en ending) is() bool { return en.ctx.Err() != nil }

// endSession stops talking to the server for good: the user must act.
func (e *Engine) endSession(ctx context.Context, reason EndReason) {
	e.ended.once.Do(func() {
		// Tell the followers while this engine still holds: once ended,
		// its holder lets go, and the state would be written late, over
		// the next holder's (and not at all once holder turned false).
		if e.holder.Load() {
			e.writeLink(ctx, link{State: linkEnded, Reason: reason})
		}
		e.ended.cancel()
		text := textLoggedOut
		switch reason {
		case EndElsewhere:
			text = textElsewhere
		case EndReplaced:
			text = textReplaced
		}
		e.log.Warn("session ended", "reason", text)
		e.emit(SessionEnded{Reason: reason, Text: text})
	})
}

// device returns the login's device as the cache has it now, adding it to
// the cache the first time.
func (e *Engine) device(ctx context.Context) (cache.Device, error) {
	e.devMu.Lock()
	defer e.devMu.Unlock()
	if e.devN != 0 {
		return e.db.Device(ctx, e.devN)
	}
	d, err := e.db.UseDevice(ctx, e.cfg.Login.DeviceID, e.cfg.Login.DeviceName)
	if err != nil {
		return d, fmt.Errorf("record the device in the cache: %w", err)
	}
	e.devN = d.N
	return d, nil
}

// Held reports whether a pobox process holds the websocket lock at path,
// for commands that must not pull the cache from under a running pobox.
func Held(path string) (bool, error) {
	l, err := tryLock(path)
	if err != nil || l == nil {
		return err == nil, err
	}
	return false, l.release()
}
