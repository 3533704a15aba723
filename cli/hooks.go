package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	stdsync "sync"
	"time"

	"pobox/cache"
	"pobox/sanitize"
)

// defaultHookTimeout bounds one run of a hook unless it says otherwise.
const defaultHookTimeout = 30 * time.Second

// maxHookQueue bounds the messages waiting for their hooks; past it the
// newest are dropped (and logged) rather than memory growing without end
// behind a hook that keeps timing out.
const maxHookQueue = 10000

// hook is one command run for each new message that matches it: one
// [[hooks]] table of config.toml, or the command of `pobox watch --exec`.
type hook struct {
	Name    string        // for the log: "hooks[2]" or "watch --exec"; never the command, which may hold a token
	Command string        // run with sh -c
	Timeout time.Duration // 0: defaultHookTimeout
	Filter  messageFilter // which messages
	Stdout  io.Writer     // the hook's output; nil: the log (first line)
	Stderr  io.Writer
}

// hookJob is one message waiting for one hook.
type hookJob struct {
	h *hook
	m cache.Message
}

// hookRunner runs hooks one at a time in arrival order on its own
// goroutine, so that Announce never blocks the caller (the sync engine or
// the watch loop). A hook that fails or hangs is logged, killed at its
// timeout, and the next message still gets its hook.
type hookRunner struct {
	log   *slog.Logger
	db    *cache.DB // to match filters exactly as list does
	hooks []*hook
	warn  func(h *hook, m cache.Message, err error) // also told of failures; may be nil

	mu      stdsync.Mutex
	queue   []hookJob
	dropped int
	wake    chan struct{} // cap 1
	cancel  context.CancelFunc
	wg      stdsync.WaitGroup
}

// newHookRunner returns a runner for hooks; Start it, Close it. A nil
// *hookRunner is a runner without hooks.
func newHookRunner(log *slog.Logger, db *cache.DB, hooks []*hook) *hookRunner {
	return &hookRunner{log: log, db: db, hooks: hooks, wake: make(chan struct{}, 1), cancel: func() {}}
}

// Start runs the runner's goroutine until ctx ends or Close.
func (r *hookRunner) Start(ctx context.Context) {
	if r == nil {
		return
	}
	ctx, r.cancel = context.WithCancel(ctx)
	r.wg.Go(func() { r.loop(ctx) })
}

// Close stops the runner, killing a hook that still runs; messages still
// waiting for their hooks are dropped and counted in the log.
func (r *hookRunner) Close() {
	if r == nil {
		return
	}
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	left := len(r.queue)
	r.queue = nil
	r.mu.Unlock()
	if left > 0 {
		r.log.Warn("hooks not run: pobox is stopping", "messages", left)
	}
}

// Announce queues the messages, oldest first, for every hook. It never
// blocks. Its signature is inboxsync.Config.Announce's.
func (r *hookRunner) Announce(_ context.Context, ms []cache.Message) {
	if r == nil || len(r.hooks) == 0 || len(ms) == 0 {
		return
	}
	r.mu.Lock()
	for _, m := range ms {
		for _, h := range r.hooks {
			if len(r.queue) >= maxHookQueue {
				r.dropped++
				continue
			}
			r.queue = append(r.queue, hookJob{h, m})
		}
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *hookRunner) loop(ctx context.Context) {
	for {
		r.mu.Lock()
		var job hookJob
		ok := len(r.queue) > 0
		if ok {
			job = r.queue[0]
			r.queue[0] = hookJob{}
			r.queue = r.queue[1:]
		}
		dropped := r.dropped
		r.dropped = 0
		r.mu.Unlock()
		if dropped > 0 {
			r.log.Warn("hooks: too many messages waiting; some dropped", "dropped", dropped)
		}
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-r.wake:
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		r.run(ctx, job)
	}
}

// run runs one hook for one message, if the message matches.
func (r *hookRunner) run(ctx context.Context, job hookJob) {
	h, m := job.h, job.m
	if r.db != nil {
		ok, err := h.Filter.matches(ctx, r.db, m)
		if err != nil {
			r.fail(h, m, fmt.Errorf("match the filter: %w", err))
			return
		}
		if !ok {
			return
		}
	} else if !h.Filter.inRange(m) {
		return
	}
	start := time.Now()
	err := runHookCommand(ctx, h, m, r.log)
	switch {
	case ctx.Err() != nil:
		r.log.Info("hook stopped: pobox is stopping", "hook", h.Name, "id", m.ID)
	case err != nil:
		r.fail(h, m, err)
	default:
		r.log.Info("hook ran", "hook", h.Name, "id", m.ID, "took", time.Since(start).Round(time.Millisecond))
	}
}

func (r *hookRunner) fail(h *hook, m cache.Message, err error) {
	r.log.Warn("hook failed", "hook", h.Name, "id", m.ID, "err", err)
	if r.warn != nil {
		r.warn(h, m, err)
	}
}

// runHookCommand runs h's command for m: the message as one JSON line on
// standard input, and its main fields, sanitised, in POBOX_* variables.
// The text of the message never becomes a shell word.
func runHookCommand(ctx context.Context, h *hook, m cache.Message, log *slog.Logger) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = defaultHookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", h.Command)
	killGroup(cmd)
	// A grandchild that keeps the output open must not hold the runner.
	cmd.WaitDelay = time.Second
	cmd.Stdin = bytes.NewReader(append(body, '\n'))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = h.Stdout, h.Stderr
	if h.Stdout == nil {
		cmd.Stdout = &limitedBuffer{b: &out, n: 4096}
	}
	if h.Stderr == nil {
		cmd.Stderr = cmd.Stdout
	}
	cmd.Env = append(os.Environ(), hookEnv(m)...)
	err = cmd.Run()
	if out.Len() > 0 {
		log.Info("hook output", "hook", h.Name, "id", m.ID, "output", sanitize.Truncate(sanitize.Line(out.String()), 400, "…"))
	}
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %v (killed; set a longer timeout if it needs one)", timeout)
	}
	return err
}

// hookEnv is the environment a hook gets about its message. Every value is
// one line without control characters.
func hookEnv(m cache.Message) []string {
	return []string{
		"POBOX_ID=" + strconv.FormatInt(m.ID, 10),
		"POBOX_APP=" + envValue(m.App),
		"POBOX_TITLE=" + envValue(m.Title),
		"POBOX_PRIORITY=" + strconv.Itoa(m.Priority),
		"POBOX_URL=" + envValue(m.URL),
		"POBOX_RECEIPT=" + envValue(m.Receipt),
	}
}

// envValue is s made safe for an environment variable: one line, no
// control characters, no NUL.
func envValue(s string) string { return sanitize.Line(s) }

// limitedBuffer keeps the first n bytes written and discards the rest.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// newConfigHooks returns a runner for the [[hooks]] of config.toml, or nil
// (whose methods do nothing) when there are none.
func newConfigHooks(cfg *config, db *cache.DB, log *slog.Logger) *hookRunner {
	if len(cfg.Hooks) == 0 {
		return nil
	}
	return newHookRunner(log, db, cfg.Hooks)
}
