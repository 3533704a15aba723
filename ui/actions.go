package ui

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
)

// Results of the actions, each carrying its error. Every Cmd that
// produces one closes over copies (the cache, keys, a context), never
// over the model.
type (
	settledMsg struct {
		seq int
		id  int64
	}
	// id is the cache key of the message acted on, num its Pushover
	// id, for the user.
	markedMsg struct {
		id, num int64
		read    bool
		err     error
	}
	markedAllMsg struct {
		gen  int
		keys []int64
		err  error
	}
	deletedMsg struct {
		id, num int64
		err     error
	}
	countedMsg struct {
		id  int64
		n   int
		err error
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
		n    int
		what string
		err  error
	}
	// foundMsg answers a jump (n, e): the message to show, and whether
	// the filter must go for it to show.
	foundMsg struct {
		gen     int
		key     int64
		wrapped bool // n: found above, after the oldest
		clear   bool // e: the emergency does not match the filter
		what    string
		err     error
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
	text := what + ": " + errText(m.mode, err)
	if todo != "" {
		text += " (" + todo + ")"
	}
	return m.setNotice(noticeErr, text)
}

// opTimeout bounds one action.
const opTimeout = 30 * time.Second

// keepRead records that key was read under the unread filter: it stays
// in the filter's results until the filter changes.
func (m *inbox) keepRead(key int64) {
	if !m.filter.Unread {
		return
	}
	if i, found := slices.BinarySearch(m.keep, key); !found {
		m.keep = slices.Insert(m.keep, i, key)
	}
}

// forget drops keys from the kept ones (deleted, or unread again).
func (m *inbox) forget(drop func(int64) bool) {
	m.keep = slices.DeleteFunc(m.keep, drop)
}

// markRead marks the selected message read: at once (the detail was
// opened) or after the selection rested in the reading pane (settledMsg).
func (m *inbox) markRead() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok || sel.Read {
		return nil
	}
	return m.setRead(sel, true)
}

// setRead marks msg read or unread, here at once and in the cache in a
// Cmd.
func (m *inbox) setRead(msg cache.Message, read bool) tea.Cmd {
	m.list.update(func(r *cache.Message) bool { return r.Key == msg.Key }, func(r *cache.Message) { r.Read = read })
	if read {
		m.status.counts.Unread = max(m.status.counts.Unread-1, 0)
		m.keepRead(msg.Key)
	} else {
		m.status.counts.Unread++
		m.forget(func(k int64) bool { return k == msg.Key })
	}
	ctx, db, id, num := m.ctx, m.db, msg.Key, msg.ID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		return markedMsg{id: id, num: num, read: read, err: db.SetRead(ctx, id, read)}
	}
}

// toggleRead marks the selected message unread, or read when it is
// unread (U).
func (m *inbox) toggleRead() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok {
		return nil
	}
	m.settleSeq++ // a pending settle must not undo it
	return m.setRead(sel, !sel.Read)
}

// markAllRead marks every unread message that matches the search and
// filters read (M). The cache has no bulk update: the Cmd reads the
// unread matches a page at a time and marks each.
func (m *inbox) markAllRead() tea.Cmd {
	if m.status.counts.Unread == 0 {
		return nil
	}
	f := m.filter
	f.Unread = true
	m.list.update(func(r *cache.Message) bool { return !r.Read }, func(r *cache.Message) { r.Read = true })
	ctx, db, gen := m.ctx, m.db, m.gen
	return tea.Batch(m.setNotice(noticeInfo, "marking every message shown read…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 5*opTimeout)
		defer cancel()
		var keys []int64
		var before int64
		for {
			ms, err := db.Older(ctx, f, before, cache.MaxLimit)
			if err != nil {
				return markedAllMsg{gen: gen, keys: keys, err: err}
			}
			for _, msg := range ms {
				if err := db.SetRead(ctx, msg.Key, true); err != nil {
					return markedAllMsg{gen: gen, keys: keys, err: err}
				}
				keys = append(keys, msg.Key)
			}
			if len(ms) < cache.MaxLimit {
				return markedAllMsg{gen: gen, keys: keys}
			}
			before = ms[len(ms)-1].Key
		}
	})
}

// liveEmergencies are the emergencies that still need the user: not
// acknowledged, no acknowledgement queued, still paging.
func (m *inbox) liveEmergencies(yield func(*cache.Message) bool) {
	now := m.now()
	for i := range m.status.unacked {
		u := &m.status.unacked[i]
		if u.NeedsAck() && !u.AckPending && !expired(u, now) && !m.localAck[u.Receipt] {
			if !yield(u) {
				return
			}
		}
	}
}

// oldestNeed is the oldest emergency that still needs the user, the one
// the banner names; nil when none.
func (m *inbox) oldestNeed() *cache.Message {
	var o *cache.Message
	for u := range m.liveEmergencies {
		o = u // newest first: the last is the oldest
	}
	return o
}

// ackTarget is the emergency a acknowledges: the selected one, or else the
// oldest one the banner names, so that a clears the banner from any row.
func (m *inbox) ackTarget() (cache.Message, bool) {
	if sel, ok := m.list.selected(); ok && sel.NeedsAck() && !sel.AckPending && !expired(&sel, m.now()) {
		return sel, true
	}
	if o := m.oldestNeed(); o != nil {
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
	if m.localAck == nil {
		m.localAck = map[string]bool{}
	}
	m.localAck[receipt] = true // until the reload shows it pending
	m.list.update(func(r *cache.Message) bool { return r.Receipt == receipt }, func(r *cache.Message) { r.AckPending = true })
	m.status.counts.AckPending = min(m.status.counts.AckPending+1, m.status.counts.Unacked)
	if m.offline() {
		m.ackQueued = true
	}
	ctx, en := m.ctx, m.engine
	return tea.Batch(m.setNotice(noticeInfo, "acknowledging…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		return ackedMsg{receipt: receipt, err: en.Acknowledge(ctx, receipt)}
	})
}

// ackAll acknowledges every emergency (A).
func (m *inbox) ackAll() tea.Cmd {
	if m.engine == nil || m.needAck() <= 0 {
		return nil
	}
	if m.localAck == nil {
		m.localAck = map[string]bool{}
	}
	for u := range m.liveEmergencies {
		m.localAck[u.Receipt] = true
	}
	m.list.update(func(r *cache.Message) bool { return r.NeedsAck() }, func(r *cache.Message) { r.AckPending = true })
	m.status.counts.AckPending = m.status.counts.Unacked
	if m.offline() {
		m.ackQueued = true
	}
	ctx, en := m.ctx, m.engine
	return tea.Batch(m.setNotice(noticeInfo, "acknowledging every emergency…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		n, err := en.AcknowledgeAll(ctx)
		return ackedAllMsg{n: n, err: err}
	})
}

// mute silences the bell until a new emergency arrives (m), or lets it
// ring again.
func (m *inbox) mute() tea.Cmd {
	m.muted = !m.muted
	if m.muted {
		return m.setNotice(noticeInfo, "bell muted until a new emergency arrives (m: ring again)")
	}
	return m.setNotice(noticeInfo, "bell on")
}

// deleteSelected deletes the selected message here (d).
func (m *inbox) deleteSelected() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok {
		return nil
	}
	m.list.remove(sel.Key)
	m.forget(func(k int64) bool { return k == sel.Key })
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
	ctx, db, id, num := m.ctx, m.db, sel.Key, sel.ID
	return tea.Batch(m.selectionChanged(false), m.extendCmd(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		return deletedMsg{id: id, num: num, err: db.Delete(ctx, id)}
	})
}

// askDeleteUpTo asks "delete #N and everything older?" (D), and counts
// what would go: every message at or below it, whatever the search and
// filters show.
func (m *inbox) askDeleteUpTo() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok {
		return nil
	}
	m.confirmID, m.confirmNum, m.confirmCount = sel.Key, sel.ID, -1
	m.confirmDev = ""
	if sel.Device != m.status.device && sel.DeviceName != "" {
		m.confirmDev = m.mode.Line(sel.DeviceName) // an earlier login's id
	}
	m.back, m.focus = m.focus, focusConfirm
	ctx, db, id := m.ctx, m.db, sel.Key
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		c, err := db.Counts(ctx)
		if err != nil {
			return countedMsg{id: id, err: err}
		}
		newer, err := db.CountNewer(ctx, cache.Filter{}, id)
		return countedMsg{id: id, n: c.Total - newer, err: err}
	}
}

// updateConfirm answers "delete #N and everything older?".
func (m *inbox) updateConfirm(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.confirmKeys.Yes):
		m.focus = m.back
		if m.focus == focusDetail {
			m.focus = focusList // the message it showed is going
		}
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
		m.forget(func(k int64) bool { return k <= id })
		ctx := m.ctx
		return tea.Batch(m.setNotice(noticeInfo, "deleting #"+itoa(num)+" and everything older…"),
			m.selectionChanged(false), func() tea.Msg {
				ctx, cancel := context.WithTimeout(ctx, opTimeout)
				defer cancel()
				res, err := en.DeleteUpTo(ctx, id)
				return deletedUpToMsg{id: id, num: num, res: res, err: err}
			})
	case key.Matches(msg, m.confirmKeys.No):
		m.focus = m.back
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

// openLinks opens the picker of the selected message's links (o).
func (m *inbox) openLinks() tea.Cmd {
	// The list even for one link: it shows where the link goes before
	// anything opens, and offers the copy.
	m.openLinksPicker()
	return nil
}

// openURL opens a safe URL with the system opener, or shows it as a link
// to click when there is none.
func (m *inbox) openURL(u string) tea.Cmd {
	if m.opts.Opener == nil {
		cmd := m.setNotice(noticeInfo, "no browser here; open:")
		m.notice.link = u
		return cmd
	}
	open := m.opts.Opener
	return func() tea.Msg { return openedMsg{url: u, err: open(u)} }
}

// copyText sends text to the terminal's clipboard with OSC 52, which
// works over SSH in terminals that allow it; tmux may keep it to itself.
func (m *inbox) copyText(text, what string) tea.Cmd {
	n := len([]rune(text))
	return writeSeq(m.opts.out, m.opts.notify.copySeq(text), func(err error) tea.Msg {
		return copiedMsg{n: n, what: what, err: err}
	})
}

// syncNow asks the engine for a download (r).
func (m *inbox) syncNow() tea.Cmd {
	if m.engine == nil {
		return nil
	}
	m.engine.SyncNow() // only signals the engine: it never blocks
	return m.setNotice(noticeInfo, "syncing…")
}

// nextUnread goes to the next unread message below the selection, or
// the newest one after the last (n).
func (m *inbox) nextUnread() tea.Cmd {
	f := m.filter
	f.Unread = true
	ctx, db, gen, from := m.ctx, m.db, m.gen, m.list.selectedID()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		ms, err := db.Older(ctx, f, from, 1)
		wrapped := false
		if err == nil && len(ms) == 0 {
			ms, err = db.Older(ctx, f, 0, 1)
			wrapped = true
		}
		msg := foundMsg{gen: gen, wrapped: wrapped, what: "unread message", err: err}
		if len(ms) > 0 {
			msg.key = ms[0].Key
		}
		return msg
	}
}

// jumpEmergency goes to the oldest emergency that needs the user (e),
// clearing the search and filters when they hide it.
func (m *inbox) jumpEmergency() tea.Cmd {
	o := m.oldestNeed()
	if o == nil {
		return nil
	}
	ctx, db, gen, f, k := m.ctx, m.db, m.gen, m.filter, o.Key
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		ms, err := db.Older(ctx, f, k+1, 1)
		return foundMsg{gen: gen, key: k, clear: err == nil && (len(ms) == 0 || ms[0].Key != k), what: "emergency", err: err}
	}
}

// applyFound shows what a jump found.
func (m *inbox) applyFound(msg foundMsg) tea.Cmd {
	if msg.err != nil {
		return m.setError("could not find the "+msg.what, msg.err, "")
	}
	if msg.gen != m.gen {
		return nil
	}
	if msg.key == 0 {
		return m.setNotice(noticeInfo, "no "+msg.what+" here")
	}
	var cmds []tea.Cmd
	if msg.clear {
		m.filter = cache.Filter{}
		m.search.SetValue("")
		m.gen++
		m.keep = nil
		cmds = append(cmds, m.setNotice(noticeInfo, "search and filters cleared to show the "+msg.what))
	} else if msg.wrapped {
		cmds = append(cmds, m.setNotice(noticeInfo, "from the top: "+msg.what))
	}
	if i := m.list.indexOf(msg.key); i >= 0 && !msg.clear {
		m.list.pending = 0
		m.list.cursor = i
		m.list.scroll()
		cmds = append(cmds, m.selectionChanged(true), m.extendCmd())
	} else {
		m.list.pending = 0
		cmds = append(cmds, m.requestLoadAt(loadAround, msg.key, true))
	}
	return tea.Batch(cmds...)
}

// handleResult handles action results and timers.
func (m *inbox) handleResult(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case settledMsg:
		if msg.seq == m.settleSeq && msg.id == m.list.selectedID() && m.readingShown() && m.termFocused {
			return m.markRead()
		}
	case markedMsg:
		if msg.err != nil {
			state := "read"
			if !msg.read {
				state = "unread"
			}
			return m.setError("could not mark #"+itoa(msg.num)+" "+state, msg.err, "the cache may be read-only or full")
		}
		return m.requestLoad(loadReload)
	case markedAllMsg:
		if msg.gen == m.gen {
			for _, k := range msg.keys {
				m.keepRead(k)
			}
		}
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload), m.setError("could not mark every message read", msg.err, "try M again"))
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeOK, "marked "+plural(len(msg.keys), "message", "messages")+" read"))
	case deletedMsg:
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not delete #"+itoa(msg.num), msg.err, "try again, or restart pobox"))
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeOK, "deleted #"+itoa(msg.num)+" here"))
	case countedMsg:
		if msg.id == m.confirmID {
			m.confirmCount = msg.n
			if msg.err != nil {
				m.confirmCount = -2 // unknown
			}
		}
	case deletedUpToMsg:
		if msg.err != nil {
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not delete up to #"+itoa(msg.num), msg.err, "try D again"))
		}
		text := "deleted " + plural(msg.res.Removed, "message", "messages") + " here, #" + itoa(msg.num) + " and older"
		if msg.res.Server.UpToID == 0 {
			text += "; none of them waits on Pushover for this device"
		} else {
			text += "; on Pushover up to #" + itoa(msg.res.Server.UpToID)
		}
		return tea.Batch(m.requestLoad(loadReload), m.setNotice(noticeOK, text))
	case ackedMsg:
		if msg.err != nil {
			delete(m.localAck, msg.receipt)
			return tea.Batch(m.requestLoad(loadReload),
				m.setError("could not acknowledge", msg.err, "press a to try again"))
		}
		return m.requestLoad(loadReload)
	case ackedAllMsg:
		if msg.err != nil {
			clear(m.localAck)
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
		return m.setNotice(noticeOK, "sent "+msg.what+" ("+plural(msg.n, "character", "characters")+
			") to the terminal clipboard (OSC 52)")
	case foundMsg:
		return m.applyFound(msg)
	case noticeClearMsg:
		if msg.seq == m.noticeSeq && !m.notice.sticky {
			m.notice = notice{}
		}
	case bellMsg:
		return m.onBell(msg)
	case syncSlowMsg:
		m.syncing = m.syncing || msg.seq == m.syncSeq
	case retryTickMsg:
		return m.onRetryTick()
	case clockTickMsg:
		m.clockTick = false
		return tea.Batch(m.armClock(), m.armBell())
	}
	return nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
