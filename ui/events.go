package ui

import (
	"context"
	"io"
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
	inboxsync "pobox/sync"
)

type (
	// eventMsg carries one engine event.
	eventMsg struct{ ev inboxsync.Event }
	// eventsClosedMsg: the engine closed its channel.
	eventsClosedMsg struct{}
	// bellMsg is the bell's repeat timer.
	bellMsg struct{ seq int }
	// retryTickMsg redraws the reconnect countdown.
	retryTickMsg struct{}
	// clockTickMsg redraws the relative times.
	clockTickMsg struct{}
	// syncSlowMsg: the sync seq is still running after syncShowAfter.
	syncSlowMsg struct{ seq int }
)

// syncShowAfter is how long a sync runs before the status bar says so:
// most take a few milliseconds, and "syncing…" would only flicker (and
// cost a frame each time).
const syncShowAfter = 300 * time.Millisecond

// connStateKind is the connection state the status bar shows.
type connStateKind int

const (
	connConnecting connStateKind = iota
	connConnected
	connFollowing // another pobox holds the websocket
	connReconnecting
	connOffline
	connLoggedOut
	connElsewhere
	connReplaced // `pobox login` stored another device's login
	connStopped  // the engine closed
	connNone     // no engine: a cache on its own
)

type connState struct {
	state   connStateKind
	retryAt time.Time
	err     string // sanitized
}

// offline reports that actions cannot reach Pushover now: they wait in
// the outbox.
func (m *inbox) offline() bool {
	switch m.conn.state {
	case connConnected, connFollowing, connConnecting:
		return false
	}
	return true
}

// waitEvent receives one event from the engine; Update re-arms it.
func (m *inbox) waitEvent() tea.Cmd {
	if m.engine == nil {
		return nil
	}
	ch := m.engine.Events()
	if ch == nil {
		return nil // an engine without events
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return eventMsg{ev}
	}
}

// handleEvent turns an engine event into state, reads, the bell and
// notifications.
func (m *inbox) handleEvent(ev inboxsync.Event) tea.Cmd {
	switch ev.(type) {
	case inboxsync.Connected, inboxsync.Disconnected:
		if m.sessionEnded() {
			// An engine never connects again after its end: a late state
			// must not wipe why it stopped (and what to press).
			return nil
		}
	}
	switch ev := ev.(type) {
	case inboxsync.Connected:
		m.conn = connState{state: connConnected}
		if !ev.Holder {
			m.conn.state = connFollowing
		}
		if m.notice.sticky && m.notice.fromEngine {
			m.notice = notice{}
		}
	case inboxsync.Disconnected:
		m.conn = connState{state: connOffline, retryAt: ev.RetryAt, err: errText(m.mode, ev.Err)}
		if m.status.counts.AckPending > 0 {
			m.ackQueued = true
		}
		if !ev.RetryAt.IsZero() {
			m.conn.state = connReconnecting
			return m.armRetryTick()
		}
	case inboxsync.Syncing:
		m.syncSeq++
		seq := m.syncSeq
		return m.after(syncShowAfter, func(time.Time) tea.Msg { return syncSlowMsg{seq: seq} })
	case inboxsync.Synced:
		m.syncing = false
		m.syncSeq++
		if !ev.At.IsZero() {
			m.status.lastSync = ev.At
		}
		if len(ev.New) > 0 {
			m.arrived = true // the frame that shows them goes out at once
		}
		alert := m.alertFor(ev)
		if len(ev.New) > 0 {
			return tea.Batch(m.loadArrivals(), alert)
		}
		return tea.Batch(m.requestLoad(loadReload), alert)
	case inboxsync.SyncFailed:
		m.syncing = false
		m.syncSeq++
		text := "sync failed: " + errText(m.mode, ev.Err)
		if d := ev.RetryAt.Sub(m.now()); !ev.RetryAt.IsZero() && d > 0 {
			text += "; trying again in " + strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s (r: now)"
		} else {
			text += " (press r to try again)"
		}
		return m.setNotice(noticeErr, text)
	case inboxsync.ActionDone:
		if ev.Action.Kind == inboxsync.ActionAck {
			m.ackQueued = false
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeOK, actionDoneText(ev.Action)))
	case inboxsync.ActionFailed:
		text := actionName(ev.Action) + " failed: " + errText(m.mode, ev.Err)
		if ev.Queued {
			text += "; pobox will try again when Pushover can be reached"
			if ev.Action.Kind == inboxsync.ActionAck {
				m.ackQueued = true
			}
		} else if ev.Action.Kind == inboxsync.ActionAck {
			delete(m.localAck, ev.Action.Receipt)
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeErr, text))
	case inboxsync.SessionEnded:
		m.conn = connState{state: connLoggedOut}
		switch ev.Reason {
		case inboxsync.EndElsewhere:
			m.conn.state = connElsewhere
		case inboxsync.EndReplaced:
			m.conn.state = connReplaced
		}
		text := m.mode.Line(ev.Text)
		switch {
		case m.opts.Login == nil:
		case m.conn.state == connReplaced:
			// Short, so that the key survives a narrow status bar.
			text = "pobox login stored another device: press L to use it here"
		default:
			text += " — or press L to log in again here"
		}
		m.notice = notice{kind: noticeErr, text: text, sticky: true, fromEngine: true}
	case inboxsync.RowsChanged:
		return m.requestLoad(loadReload)
	}
	return nil
}

func actionName(a inboxsync.Action) string {
	if a.Kind == inboxsync.ActionDeleteUpTo {
		return "delete on Pushover up to #" + itoa(a.UpTo)
	}
	return "acknowledgement"
}

func actionDoneText(a inboxsync.Action) string {
	if a.Kind == inboxsync.ActionDeleteUpTo {
		return "deleted on Pushover up to #" + itoa(a.UpTo)
	}
	return "acknowledged"
}

// errText is an error for the status bar: one line sanitized in mode.
func errText(mode sanitize.WidthMode, err error) string {
	if err == nil {
		return ""
	}
	return mode.Line(err.Error())
}

// bellOn reports whether the bell may ring at all.
func (m *inbox) bellOn() bool { return m.opts.BellInterval > 0 && m.opts.out != nil }

// alertFor announces a download: a new emergency rings at once, starts
// the repeat and lifts a mute (Pushover's repeats of one do nothing: the
// bell repeats by itself); a new message of the notify priority or
// more raises a desktop notification (or rings, in bell mode); a new
// priority 1 rings once when no notification went out for it. Quiet
// priorities ring only when notify_priority asks for them, and the
// backlog of a first sync never alerts.
func (m *inbox) alertFor(ev inboxsync.Synced) tea.Cmd {
	if ev.Backlog || len(ev.New) == 0 {
		return nil
	}
	fresh := m.newEmergency(ev)
	if ev.Emergency && !fresh && len(ev.Emergencies) == len(ev.New) {
		return nil // only repeats: the bell's own repeat goes on
	}
	n := m.opts.notify
	var cmds []tea.Cmd
	notify := ev.MaxPriority >= n.minPriority && n.mode != NotifyOff
	osc := notify && n.mode != NotifyBell
	if osc {
		cmds = append(cmds, notifyCmd(m.ctx, m.db, ev.New, n, m.opts.out))
	}
	ring := fresh || (ev.MaxPriority >= 1 && !osc) || (notify && n.mode == NotifyBell)
	if fresh {
		m.muted = false // the mute was for the emergencies before
		if m.opts.BellInterval > 0 {
			m.bellSeq++ // restart the repeat from now
			m.bellArmed = true
			cmds = append(cmds, m.bellTimer())
		}
	}
	if ring && m.bellOn() {
		cmds = append(cmds, m.ring())
	}
	return tea.Batch(cmds...)
}

// newEmergency reports whether ev brings a new emergency. Pushover
// repeats an emergency until someone acknowledges it, each time as a new
// message (a higher key) with the same receipt: a repeat is not new (it
// neither rings at once, nor restarts the bell's repeat, nor lifts a
// mute).
func (m *inbox) newEmergency(ev inboxsync.Synced) bool {
	fresh := ev.Emergency && len(ev.Emergencies) == 0 // an event that does not name them
	for _, e := range ev.Emergencies {
		if m.firstCopy(e.Key, e.Receipt) {
			fresh = true
		}
	}
	return fresh
}

// firstCopy records a copy of an emergency and reports whether it is the
// first seen of its receipt (a copy seen before in a read counts as the
// same, not as a repeat).
func (m *inbox) firstCopy(key int64, receipt string) bool {
	if k, ok := m.firstKey[receipt]; ok && k < key {
		return false
	}
	m.firstKey[receipt] = key
	return true
}

// notifyMax is how many of a download's new messages are read to find the
// ones that notify.
const notifyMax = 50

// notifyCmd reads the new messages and sends one notification naming the
// most urgent of those at the notify priority or more (and how many more
// came with it).
func notifyCmd(ctx context.Context, db *cache.DB, keys []int64, n notifier, out io.Writer) tea.Cmd {
	if out == nil {
		return nil
	}
	keys = append([]int64(nil), keys[max(len(keys)-notifyMax, 0):]...)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		var best cache.Message
		count := 0
		for _, k := range keys {
			msg, err := db.Get(ctx, k)
			if err != nil || msg.Priority < n.minPriority {
				continue
			}
			count++
			if count == 1 || msg.Priority >= best.Priority {
				best = msg
			}
		}
		if count == 0 {
			return nil
		}
		title := n.width.Line(best.Title)
		if app := n.width.Line(best.App); title == "" {
			title = app
		} else if app != "" {
			title = app + ": " + title
		}
		body := best.Message
		if best.HTML {
			body = sanitize.PlainText(n.width.HTML(body))
		}
		if count > 1 {
			body = "(and " + plural(count-1, "more", "more") + ") " + body
		}
		_ = writeSeq(out, n.notification(title, body, best.Key), nil)() // nobody to tell if it fails
		return nil
	}
}

// armBell starts the repeat while an emergency needs the user and no
// timer runs (at start-up, after a change in another pobox).
func (m *inbox) armBell() tea.Cmd {
	if m.bellArmed || m.needAck() <= 0 || !m.bellOn() {
		return nil
	}
	m.bellArmed = true
	m.bellSeq++
	return m.bellTimer()
}

func (m *inbox) bellTimer() tea.Cmd {
	seq := m.bellSeq
	return m.after(m.opts.BellInterval, func(time.Time) tea.Msg { return bellMsg{seq: seq} })
}

// onBell repeats the bell until every emergency is dealt with, has
// expired, or the bell is muted (the timer keeps running, so that m
// again rings on time).
func (m *inbox) onBell(msg bellMsg) tea.Cmd {
	if msg.seq != m.bellSeq {
		return nil
	}
	if m.needAck() <= 0 {
		m.bellArmed = false
		return nil
	}
	if m.muted {
		return m.bellTimer()
	}
	return tea.Batch(m.ring(), m.bellTimer())
}

// ring writes BEL to the terminal, from a Cmd, in order with the frames.
func (m *inbox) ring() tea.Cmd {
	return writeSeq(m.opts.out, "\a", nil)
}

// armRetryTick redraws the "reconnecting in Ns" countdown every second,
// only while it runs.
func (m *inbox) armRetryTick() tea.Cmd {
	if m.retryTick {
		return nil
	}
	m.retryTick = true
	return m.after(time.Second, func(time.Time) tea.Msg { return retryTickMsg{} })
}

func (m *inbox) onRetryTick() tea.Cmd {
	m.retryTick = false
	if m.conn.state == connReconnecting && m.now().Before(m.conn.retryAt) {
		return m.armRetryTick()
	}
	return nil
}

// armClock redraws once a minute so that relative times age (and
// emergencies expire).
func (m *inbox) armClock() tea.Cmd {
	if m.clockTick {
		return nil
	}
	m.clockTick = true
	return m.after(time.Minute, func(time.Time) tea.Msg { return clockTickMsg{} })
}
