package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

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
)

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
	connStopped // the engine closed
	connNone    // no engine: a cache on its own
)

type connState struct {
	state   connStateKind
	retryAt time.Time
	err     string // sanitized
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

// handleEvent turns an engine event into state, reads and the bell.
func (m *inbox) handleEvent(ev inboxsync.Event) tea.Cmd {
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
		m.conn = connState{state: connOffline, retryAt: ev.RetryAt, err: errText(ev.Err)}
		if !ev.RetryAt.IsZero() {
			m.conn.state = connReconnecting
			return m.armRetryTick()
		}
	case inboxsync.Syncing:
		m.syncing = true
	case inboxsync.Synced:
		m.syncing = false
		if !ev.At.IsZero() {
			m.status.lastSync = ev.At
		}
		return tea.Batch(m.requestLoad(loadReload), m.bellFor(ev))
	case inboxsync.SyncFailed:
		m.syncing = false
		return m.setNotice(noticeErr, "sync failed: "+errText(ev.Err)+" (press r to try again)")
	case inboxsync.ActionDone:
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeOK, actionDoneText(ev.Action)))
	case inboxsync.ActionFailed:
		text := actionName(ev.Action) + " failed: " + errText(ev.Err)
		if ev.Queued {
			text += "; pobox will try again when Pushover can be reached"
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeErr, text))
	case inboxsync.SessionEnded:
		m.conn = connState{state: connLoggedOut}
		if ev.Reason == inboxsync.EndElsewhere {
			m.conn.state = connElsewhere
		}
		text := sanitize.Line(ev.Text)
		if m.opts.Login != nil {
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

// errText is an error for the status bar: one sanitized line.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return sanitize.Line(err.Error())
}

// bellFor rings for a download: a new emergency rings at once and starts
// the repeat; a new priority 1 rings once; quiet priorities and the
// backlog of a first sync never ring.
func (m *inbox) bellFor(ev inboxsync.Synced) tea.Cmd {
	if ev.Backlog || m.opts.BellInterval < 0 || len(ev.New) == 0 {
		return nil
	}
	switch {
	case ev.Emergency:
		m.bellSeq++ // restart the repeat from now
		m.bellArmed = true
		return tea.Batch(m.ring(), m.bellTimer())
	case ev.MaxPriority >= 1:
		return m.ring()
	}
	return nil
}

// armBell starts the repeat while an emergency needs the user and no
// timer runs (at start-up, after a change in another pobox).
func (m *inbox) armBell() tea.Cmd {
	if m.bellArmed || m.needAck() <= 0 || m.opts.BellInterval < 0 {
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

// onBell repeats the bell until every emergency is dealt with.
func (m *inbox) onBell(msg bellMsg) tea.Cmd {
	if msg.seq != m.bellSeq {
		return nil
	}
	if m.needAck() <= 0 {
		m.bellArmed = false
		return nil
	}
	return tea.Batch(m.ring(), m.bellTimer())
}

// ring writes BEL to the terminal, from a Cmd (never from View).
func (m *inbox) ring() tea.Cmd {
	w := m.opts.Bell
	if w == nil {
		return nil
	}
	return func() tea.Msg {
		_, _ = w.Write([]byte{'\a'}) // a bell that cannot ring has nobody to tell
		return nil
	}
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

// armClock redraws once a minute so that relative times age.
func (m *inbox) armClock() tea.Cmd {
	if m.clockTick {
		return nil
	}
	m.clockTick = true
	return m.after(time.Minute, func(time.Time) tea.Msg { return clockTickMsg{} })
}
