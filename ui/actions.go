package ui

import (
	"context"
	"strconv"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
)

// Results of the actions, each carrying its error.
type (
	settledMsg struct {
		seq int
		id  int64
	}
	// id is the cache key of the message acted on, num its Pushover
	// id, for the user.
	markedMsg struct {
		id, num int64
		err     error
	}
	deletedMsg struct {
		id, num int64
		err     error
	}
	deletedUpToMsg struct {
		id, num int64
		res     cache.Deleted
		err     error
	}
	ackedMsg struct {
		receipt string
		err     error
	}
	ackedAllMsg struct {
		n   int
		err error
	}
	openedMsg struct {
		url string
		err error
	}
	copiedMsg struct {
		n   int
		err error
	}
	noticeClearMsg struct{ seq int }
)

// noticeKind colours a notice.
type noticeKind int

const (
	noticeInfo noticeKind = iota
	noticeOK
	noticeErr
)

// notice is the transient result of an action in the status bar. Text is
// sanitized; link, when set, is a safe URL shown as a hyperlink after it.
type notice struct {
	kind       noticeKind
	text       string
	link       string
	sticky     bool // stays until replaced (the session ended)
	fromEngine bool
}

// noticeFor is how long a notice stays when no key clears it.
func noticeFor(k noticeKind) time.Duration {
	if k == noticeErr {
		return 15 * time.Second
	}
	return 5 * time.Second
}

// setNotice shows text and clears it after a while.
func (m *inbox) setNotice(kind noticeKind, text string) tea.Cmd {
	m.notice = notice{kind: kind, text: text}
	m.noticeSeq++
	seq := m.noticeSeq
	return m.after(noticeFor(kind), func(time.Time) tea.Msg { return noticeClearMsg{seq: seq} })
}

// setError shows what failed, why, and what to do.
func (m *inbox) setError(what string, err error, todo string) tea.Cmd {
	text := what + ": " + errText(err)
	if todo != "" {
		text += " (" + todo + ")"
	}
	return m.setNotice(noticeErr, text)
}

// opCtx bounds one action.
func (m *inbox) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(m.ctx, 30*time.Second)
}

// markRead marks the selected message read: at once (the detail was
// opened) or after the selection rested (settledMsg).
func (m *inbox) markRead() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok || sel.Read {
		return nil
	}
	m.list.update(func(r *cache.Message) bool { return r.Key == sel.Key }, func(r *cache.Message) { r.Read = true })
	m.status.counts.Unread = max(m.status.counts.Unread-1, 0)
	db, id, num := m.db, sel.Key, sel.ID
	return func() tea.Msg {
		ctx, cancel := m.opCtx()
		defer cancel()
		return markedMsg{id: id, num: num, err: db.SetRead(ctx, id, true)}
	}
}

// ackTarget is the emergency a acknowledges: the selected one, or else the
// oldest one the banner names, so that a clears the banner from any row.
func (m *inbox) ackTarget() (cache.Message, bool) {
	if sel, ok := m.list.selected(); ok && sel.NeedsAck() && !sel.AckPending {
		return sel, true
	}
	if o := m.status.oldest; o != nil && o.NeedsAck() && !o.AckPending {
		return *o, true
	}
	return cache.Message{}, false
}

// ackSelected acknowledges the selected emergency, or the banner's (a).
func (m *inbox) ackSelected() tea.Cmd {
	target, ok := m.ackTarget()
	if !ok || m.engine == nil {
		return nil
	}
	receipt := target.Receipt
	if o := m.status.oldest; o != nil && o.Receipt == receipt {
		m.status.oldest = nil // until the reload names the next one
	}
	m.list.update(func(r *cache.Message) bool { return r.Receipt == receipt }, func(r *cache.Message) { r.AckPending = true })
	m.status.counts.AckPending = min(m.status.counts.AckPending+1, m.status.counts.Unacked)
	en := m.engine
	return tea.Batch(m.setNotice(noticeInfo, "acknowledging…"), func() tea.Msg {
		ctx, cancel := m.opCtx()
		defer cancel()
		return ackedMsg{receipt: receipt, err: en.Acknowledge(ctx, receipt)}
	})
}

// ackAll acknowledges every emergency (A).
func (m *inbox) ackAll() tea.Cmd {
	if m.engine == nil || m.needAck() <= 0 {
		return nil
	}
	m.list.update(func(r *cache.Message) bool { return r.NeedsAck() }, func(r *cache.Message) { r.AckPending = true })
	m.status.counts.AckPending = m.status.counts.Unacked
	en := m.engine
	return tea.Batch(m.setNotice(noticeInfo, "acknowledging every emergency…"), func() tea.Msg {
		ctx, cancel := m.opCtx()
		defer cancel()
		n, err := en.AcknowledgeAll(ctx)
		return ackedAllMsg{n: n, err: err}
	})
}

// deleteSelected deletes the selected message here (d).
func (m *inbox) deleteSelected() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok {
		return nil
	}
	m.list.remove(sel.Key)
	c := &m.status.counts
	c.Total = max(c.Total-1, 0)
	if !sel.Read {
		c.Unread = max(c.Unread-1, 0)
	}
	if sel.NeedsAck() {
		c.Unacked = max(c.Unacked-1, 0)
		if sel.AckPending {
			c.AckPending = max(c.AckPending-1, 0)
		}
	}
	db, id, num := m.db, sel.Key, sel.ID
	return tea.Batch(m.selectionChanged(), m.extendCmd(), func() tea.Msg {
		ctx, cancel := m.opCtx()
		defer cancel()
		return deletedMsg{id: id, num: num, err: db.Delete(ctx, id)}
	})
}

// updateConfirm answers "delete #N and everything older?".
func (m *inbox) updateConfirm(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.confirmKeys.Yes):
		m.focus = focusList
		id, num, en := m.confirmID, m.confirmNum, m.engine
		m.confirmID = 0
		if en == nil || id == 0 {
			return nil
		}
		if i := m.list.indexOf(id); i >= 0 {
			m.list.rows = m.list.rows[:i] // older rows follow it in the window
			m.list.atBottom = true
			m.list.scroll()
		}
		return tea.Batch(m.setNotice(noticeInfo, "deleting #"+itoa(num)+" and everything older…"),
			m.selectionChanged(), func() tea.Msg {
				ctx, cancel := m.opCtx()
				defer cancel()
				res, err := en.DeleteUpTo(ctx, id)
				return deletedUpToMsg{id: id, num: num, res: res, err: err}
			})
	case key.Matches(msg, m.confirmKeys.No):
		m.focus = focusList
		m.confirmID = 0
		return m.setNotice(noticeInfo, "nothing deleted")
	}
	return nil
}

// safeURL returns the message's URL when pobox may open or link it.
func safeURL(m cache.Message) (string, bool) {
	if m.URL == "" {
		return "", false
	}
	return sanitize.SafeURL(m.URL)
}

// openURL opens the selected message's URL with the system opener, or
// shows it as a link to click when there is none (o).
func (m *inbox) openURL() tea.Cmd {
	sel, _ := m.list.selected()
	u, ok := safeURL(sel)
	if !ok {
		return nil
	}
	if m.opts.Opener == nil {
		cmd := m.setNotice(noticeInfo, "no browser here; open:")
		m.notice.link = u
		return cmd
	}
	open := m.opts.Opener
	return func() tea.Msg { return openedMsg{url: u, err: open(u)} }
}

// copyBody copies the selected message's text to the clipboard with OSC
// 52 (y), which works over SSH in terminals that allow it.
func (m *inbox) copyBody() tea.Cmd {
	sel, ok := m.list.selected()
	w := m.opts.Bell
	if !ok || w == nil {
		return nil
	}
	text := sanitize.Text(sel.Message)
	if sel.HTML {
		text = sanitize.PlainText(sanitize.HTML(sel.Message))
	}
	return func() tea.Msg {
		_, err := osc52.New(text).WriteTo(w)
		return copiedMsg{n: len([]rune(text)), err: err}
	}
}

// syncNow asks the engine for a download (r).
func (m *inbox) syncNow() tea.Cmd {
	if m.engine == nil {
		return nil
	}
	m.engine.SyncNow() // only signals the engine: it never blocks
	return m.setNotice(noticeInfo, "syncing…")
}

// handleResult handles action results and timers.
func (m *inbox) handleResult(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case settledMsg:
		if msg.seq == m.settleSeq && msg.id == m.list.selectedID() {
			return m.markRead()
		}
	case markedMsg:
		if msg.err != nil {
			return m.setError("could not mark #"+itoa(msg.num)+" read", msg.err, "the cache may be read-only or full")
		}
		return m.requestLoad(loadReload)
	case deletedMsg:
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not delete #"+itoa(msg.num), msg.err, "try again, or restart pobox"))
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeOK, "deleted #"+itoa(msg.num)+" here"))
	case deletedUpToMsg:
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not delete up to #"+itoa(msg.num), msg.err, "try D again"))
		}
		return tea.Batch(m.requestLoad(loadReload),
			m.setNotice(noticeOK, "deleted "+strconv.Itoa(msg.res.Removed)+" up to #"+itoa(msg.num)))
	case ackedMsg:
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not acknowledge", msg.err, "press a to try again"))
		}
		return m.requestLoad(loadReload)
	case ackedAllMsg:
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not acknowledge every emergency", msg.err, "press A to try again"))
		}
		return tea.Batch(m.requestLoad(loadReload),
			m.setNotice(noticeInfo, "acknowledging "+plural(msg.n, "emergency", "emergencies")+"…"))
	case openedMsg:
		if msg.err != nil {
			cmd := m.setError("could not open the link", msg.err, "open it yourself:")
			m.notice.link = msg.url
			return cmd
		}
		return m.setNotice(noticeOK, "opened in your browser")
	case copiedMsg:
		if msg.err != nil {
			return m.setError("could not copy", msg.err, "")
		}
		return m.setNotice(noticeOK, "copied "+plural(msg.n, "character", "characters")+" (OSC 52)")
	case noticeClearMsg:
		if msg.seq == m.noticeSeq && !m.notice.sticky {
			m.notice = notice{}
		}
	case bellMsg:
		return m.onBell(msg)
	case retryTickMsg:
		return m.onRetryTick()
	case clockTickMsg:
		m.clockTick = false
		return m.armClock()
	}
	return nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
