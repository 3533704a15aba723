package sync

import (
	"context"
	"slices"
	"strconv"

	"pobox/cache"
)

// stateHooksKey is the highest key the holder has handed to Config.Announce,
// so that a holder taking over from another runs the hooks for what the
// previous one stored but did not hand over, and none twice.
const stateHooksKey = "sync.hooks_key"

// announce tells the owner about the messages a commit of this process's
// sync stored (in key order): a Synced event and, in the holder,
// Config.Announce. Another process (a follower's r, pobox sync) may have
// committed lower keys since the last look; jumping over them would lose
// their bell and hooks, so unless the batch follows the last announced key
// directly, what is new is read back from the cache, as the watch loop
// does. Each key is announced once, whichever path finds it first; both
// hold announceMu, so that the order of events is the order of keys.
func (e *Engine) announce(ctx context.Context, backlog bool, stored []cache.Message) {
	e.announceMu.Lock()
	defer e.announceMu.Unlock()
	if len(stored) > 0 && stored[0].Key == e.seen+1 {
		e.announceLocked(ctx, backlog, stored)
		return
	}
	e.followNewLocked(ctx)
}

func (e *Engine) announceLocked(ctx context.Context, backlog bool, stored []cache.Message) {
	fresh := slices.DeleteFunc(slices.Clone(stored), func(m cache.Message) bool { return m.Key <= e.seen })
	if len(fresh) == 0 {
		return
	}
	ev := Synced{At: e.cfg.Now(), MaxPriority: -3, Backlog: backlog}
	ev.add(fresh)
	e.seen = fresh[len(fresh)-1].Key
	e.emit(ev)
	if !backlog {
		e.runHooksLocked(ctx, fresh)
	}
}

// followNew announces what other processes stored since the last
// announcement, a page at a time however many there are, oldest first.
// Messages at or below the backlog mark are announced as backlog.
func (e *Engine) followNew(ctx context.Context) {
	e.announceMu.Lock()
	defer e.announceMu.Unlock()
	e.followNewLocked(ctx)
}

func (e *Engine) followNewLocked(ctx context.Context) {
	for ctx.Err() == nil {
		top, err := e.db.NewestKey(ctx)
		if err != nil || top <= e.seen {
			return
		}
		ms, err := e.db.Newer(ctx, cache.Filter{}, e.seen, cache.MaxLimit)
		if err != nil {
			e.log.Warn("read new messages", "err", err)
			return
		}
		if len(ms) == 0 {
			e.seen = top // deleted meanwhile
			return
		}
		slices.Reverse(ms) // oldest first, as Synced lists them
		backlogKey, err := e.db.BacklogKey(ctx)
		if err != nil {
			return
		}
		split := len(ms)
		for i, m := range ms {
			if m.Key > backlogKey {
				split = i
				break
			}
		}
		e.announceLocked(ctx, true, ms[:split])
		e.announceLocked(ctx, false, ms[split:])
		if len(ms) < cache.MaxLimit {
			return
		}
	}
}

// runHooksLocked hands new messages to Config.Announce, in the holder only.
func (e *Engine) runHooksLocked(ctx context.Context, ms []cache.Message) {
	if e.cfg.Announce == nil || !e.holder.Load() {
		return
	}
	ms = slices.DeleteFunc(slices.Clone(ms), func(m cache.Message) bool { return m.Key <= e.hooksKey })
	if len(ms) == 0 {
		return
	}
	e.cfg.Announce(ctx, ms)
	e.hooksKey = ms[len(ms)-1].Key
	if err := e.db.SetState(ctx, stateHooksKey, strconv.FormatInt(e.hooksKey, 10)); err != nil {
		e.log.Warn("record the hooks mark", "err", err)
	}
}

// startHooks runs when this engine becomes the holder: it picks up the
// hooks mark of the previous holder and hands over what that one stored
// after it, up to what this engine has already announced (newer messages
// reach the hooks through announce).
func (e *Engine) startHooks(ctx context.Context) {
	if e.cfg.Announce == nil {
		return
	}
	e.announceMu.Lock()
	defer e.announceMu.Unlock()
	raw, ok, err := e.db.State(ctx, stateHooksKey)
	if err != nil {
		e.log.Warn("read the hooks mark", "err", err)
	}
	mark, perr := strconv.ParseInt(raw, 10, 64)
	if !ok || perr != nil {
		// The first holder with hooks: nothing stored before is news.
		e.hooksKey = e.seen
		return
	}
	e.hooksKey = mark
	backlogKey, _ := e.db.BacklogKey(ctx)
	for e.hooksKey < e.seen && ctx.Err() == nil {
		ms, err := e.db.Newer(ctx, cache.Filter{}, max(e.hooksKey, backlogKey), cache.MaxLimit)
		if err != nil || len(ms) == 0 {
			return
		}
		slices.Reverse(ms)
		ms = slices.DeleteFunc(ms, func(m cache.Message) bool { return m.Key > e.seen })
		if len(ms) == 0 {
			return
		}
		e.runHooksLocked(ctx, ms)
	}
}
