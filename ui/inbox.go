package ui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
)

// focus says which part of the inbox gets the keys.
type focus int

const (
	focusList    focus = iota
	focusDetail        // the detail pane: j/k scroll it
	focusSearch        // the search field: it gets every key
	focusPicker        // the app or priority picker
	focusConfirm       // the delete-up-to question
	focusHelp          // the full help
)

// stackBelow is the width under which the panes stack.
const stackBelow = 80

// settleDelay is how long the selection must rest on an unread message
// before it is marked read, so that scrolling with j writes nothing.
const settleDelay = 300 * time.Millisecond

// inbox is the main screen: list, detail, status bar, banner and help.
type inbox struct {
	ctx    context.Context
	db     *cache.DB
	engine Engine
	opts   *Options
	st     *styles

	keys        keyMap
	pickerKeys  pickerKeyMap
	confirmKeys confirmKeyMap
	searchKeys  searchKeyMap
	help        help.Model
	search      textinput.Model

	list   list
	detail detail
	rows   *rowRenderer
	body   *bodyRenderer

	listBuf, detailBuf []string // reused by View

	width, height int
	stacked       bool
	focus         focus
	back          focus // where the help or a picker returns to

	picker    *picker
	confirmID int64 // the message D asked about

	filter cache.Filter
	gen    int // bumped on every filter change

	seq          int  // of the latest replacing read
	replacing    bool // a replacing read is on its way
	reloadQueued bool // a change arrived during it: read again after

	status    dbStatus
	conn      connState
	syncing   bool
	notice    notice // transient result of an action
	noticeSeq int

	lastSel   int64 // selection the detail and the read debounce follow
	settleSeq int

	bellSeq   int
	bellArmed bool
	retryTick bool // the reconnect countdown ticks
	clockTick bool // the relative times tick

	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd // tea.Tick; tests replace it
}

func newInbox(ctx context.Context, opts *Options, st *styles, db *cache.DB, engine Engine) *inbox {
	m := &inbox{
		ctx: ctx, db: db, engine: engine, opts: opts, st: st,
		keys: defaultKeyMap(), pickerKeys: defaultPickerKeyMap(),
		confirmKeys: defaultConfirmKeyMap(), searchKeys: defaultSearchKeyMap(),
		help: help.New(),
		rows: newRowRenderer(st), body: &bodyRenderer{st: st},
		conn:  connState{state: connConnecting},
		after: opts.tick,
	}
	if engine == nil {
		m.conn.state = connNone
	}
	m.help.Styles = st.help
	m.search = textinput.New()
	m.search.Prompt = "/"
	m.search.Placeholder = "search title, message, app"
	m.search.CharLimit = 200
	m.search.Cursor.SetMode(cursor.CursorStatic)
	applyInput(&m.search, st.th.Search)
	m.updateKeybindings()
	return m
}

// Init reads the first screen and starts listening to the engine.
func (m *inbox) Init() tea.Cmd {
	return tea.Batch(m.requestLoad(loadTop), m.waitEvent(), m.armClock())
}

// now is the injected clock.
func (m *inbox) now() time.Time { return m.opts.Now() }

// bell is where the bell and clipboard sequences go.
func (m *inbox) bell() io.Writer { return m.opts.Bell }

// SetSize lays the panes out for a terminal of w x h cells.
func (m *inbox) SetSize(w, h int) {
	m.width, m.height = max(w, 1), max(h, 1)
	m.stacked = m.width < stackBelow
	m.help.Width = m.width
	m.search.Width = max(m.width-3, 1)
	if m.picker != nil {
		m.picker.SetSize(m.width, m.bodyHeight())
	}
	lw, dw := m.paneWidths()
	bh := m.bodyHeight()
	m.list.SetSize(lw, bh)
	m.detail.SetSize(dw, bh)
}

// paneWidths returns the widths of the list and of the detail pane (side
// by side, with a one-cell border between them, or each the full width
// when stacked).
func (m *inbox) paneWidths() (int, int) {
	if m.stacked {
		return m.width, m.width
	}
	lw := m.width * 11 / 20
	return lw, m.width - lw - 1
}

// bodyHeight is the height of the panes: the screen less the banner, the
// status bar and the help line.
func (m *inbox) bodyHeight() int {
	banner, status, help := m.chrome()
	h := m.height
	for _, on := range []bool{banner, status, help} {
		if on {
			h--
		}
	}
	return max(h, 1)
}

// chrome says which lines around the panes fit: on a tiny terminal the
// help line goes first, then the status bar; the banner stays while any
// line is left for the list.
func (m *inbox) chrome() (banner, status, help bool) {
	banner = m.bannerShown() && m.height >= 2
	rest := m.height - 1 // one line for the panes
	if banner {
		rest--
	}
	return banner, rest >= 1, rest >= 2
}

// needAck is how many emergencies still need the user: pending
// acknowledgements count as dealt with.
func (m *inbox) needAck() int { return m.status.counts.Unacked - m.status.counts.AckPending }

func (m *inbox) bannerShown() bool { return m.needAck() > 0 }

// filtered reports whether any filter besides the search is set.
func (m *inbox) filtered() bool {
	return m.filter.App != "" || m.filter.MinPriority != nil || m.filter.Unread
}

// Update handles one message.
func (m *inbox) Update(msg tea.Msg) tea.Cmd {
	bannerWas := m.bannerShown()
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		cmd = m.handleMouse(msg)
	case loadedMsg:
		cmd = m.applyLoaded(msg)
	case eventMsg:
		cmd = tea.Batch(m.handleEvent(msg.ev), m.waitEvent())
	case eventsClosedMsg:
		m.conn = connState{state: connStopped}
	default:
		cmd = m.handleResult(msg)
	}
	if m.bannerShown() != bannerWas {
		m.SetSize(m.width, m.height) // the banner takes or gives back a line
		cmd = tea.Batch(cmd, m.extendCmd())
	}
	m.detail.set(m.list.selected())
	m.updateKeybindings()
	return cmd
}

// handleKey routes a key press. Outside the search field, a key message
// holding several runes (several presses read at once, as over SSH) is
// handled as one press a rune.
func (m *inbox) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.focus == focusSearch {
		return m.updateSearch(msg)
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) <= 1 {
		return m.handleOneKey(msg)
	}
	if msg.Paste {
		return nil // pasted text outside a text field means nothing
	}
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		if m.focus == focusSearch { // "/" opened the search: the rest is its text
			rest := tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i:]}
			cmds = append(cmds, m.updateSearch(rest))
			break
		}
		cmds = append(cmds, m.handleOneKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		m.updateKeybindings()
	}
	return tea.Batch(cmds...)
}

// handleOneKey handles one key press.
func (m *inbox) handleOneKey(msg tea.KeyMsg) tea.Cmd {
	if !m.notice.sticky {
		m.notice = notice{} // the next key clears a transient result
	}
	switch m.focus {
	case focusHelp:
		switch {
		case key.Matches(msg, m.keys.Quit):
			return tea.Quit
		case key.Matches(msg, m.keys.CloseHelp):
			m.focus = m.back
		}
		return nil
	case focusConfirm:
		return m.updateConfirm(msg)
	case focusPicker:
		return m.updatePicker(msg)
	}
	k := &m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.back, m.focus = m.focus, focusHelp
	case key.Matches(msg, k.Search):
		m.focus = focusSearch
		m.search.CursorEnd()
		return m.search.Focus()
	case key.Matches(msg, k.FilterApp):
		m.openAppPicker()
	case key.Matches(msg, k.FilterPriority):
		m.openPriorityPicker()
	case key.Matches(msg, k.Unread):
		m.filter.Unread = !m.filter.Unread
		return m.filterChanged()
	case key.Matches(msg, k.Back):
		return m.goBack()
	case key.Matches(msg, k.Open):
		m.focus = focusDetail
		return m.markRead()
	case key.Matches(msg, k.Ack):
		return m.ackSelected()
	case key.Matches(msg, k.AckAll):
		return m.ackAll()
	case key.Matches(msg, k.Delete):
		return m.deleteSelected()
	case key.Matches(msg, k.DeleteUpTo):
		m.confirmID = m.list.selectedID()
		m.focus = focusConfirm
	case key.Matches(msg, k.OpenURL):
		return m.openURL()
	case key.Matches(msg, k.Copy):
		return m.copyBody()
	case key.Matches(msg, k.Sync):
		return m.syncNow()
	case m.focus == focusDetail:
		m.scrollDetail(msg)
	default:
		return m.moveKey(msg)
	}
	return nil
}

// goBack is esc: out of the detail pane, else clear the search, else the
// filters.
func (m *inbox) goBack() tea.Cmd {
	switch {
	case m.focus == focusDetail:
		m.focus = focusList
	case m.filter.Search != "":
		m.filter.Search = ""
		m.search.SetValue("")
		return m.filterChanged()
	case m.filtered():
		m.filter.App, m.filter.MinPriority, m.filter.Unread = "", nil, false
		return m.filterChanged()
	}
	return nil
}

// moveKey moves the list's cursor.
func (m *inbox) moveKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.keys
	l := &m.list
	switch {
	case key.Matches(msg, k.Down):
		l.move(1)
	case key.Matches(msg, k.Up):
		l.move(-1)
	case key.Matches(msg, k.PageDown):
		l.move(l.height)
	case key.Matches(msg, k.PageUp):
		l.move(-l.height)
	case key.Matches(msg, k.Top):
		l.pending = 0
		if !l.atTop {
			return m.requestLoad(loadTop)
		}
		l.cursor = 0
		l.scroll()
	case key.Matches(msg, k.Bottom):
		l.pending = 0
		if !l.atBottom {
			return m.requestLoad(loadBottom)
		}
		l.cursor = len(l.rows) - 1
		l.scroll()
	default:
		return nil
	}
	return tea.Batch(m.selectionChanged(), m.extendCmd())
}

// scrollDetail scrolls the detail pane.
func (m *inbox) scrollDetail(msg tea.KeyMsg) {
	k := &m.keys
	d := &m.detail
	switch {
	case key.Matches(msg, k.Down):
		d.scroll(1)
	case key.Matches(msg, k.Up):
		d.scroll(-1)
	case key.Matches(msg, k.PageDown):
		d.scroll(d.height - 1)
	case key.Matches(msg, k.PageUp):
		d.scroll(-(d.height - 1))
	case key.Matches(msg, k.Top):
		d.scroll(-len(d.lines))
	case key.Matches(msg, k.Bottom):
		d.scroll(len(d.lines))
	}
}

// selectionChanged follows a new selection: the detail starts at its top
// and, when it is unread, the read debounce starts.
func (m *inbox) selectionChanged() tea.Cmd {
	id := m.list.selectedID()
	if id == m.lastSel {
		return nil
	}
	m.lastSel = id
	m.settleSeq++
	if sel, ok := m.list.selected(); !ok || sel.Read {
		return nil
	}
	seq := m.settleSeq
	return m.after(settleDelay, func(time.Time) tea.Msg { return settledMsg{seq: seq, id: id} })
}

// filterChanged reads the first screen for the new filter.
func (m *inbox) filterChanged() tea.Cmd {
	m.gen++
	m.list.pending = 0
	return m.requestLoad(loadTop)
}

// handleMouse scrolls and selects.
func (m *inbox) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.focus != focusList && m.focus != focusDetail {
		return nil
	}
	y := msg.Y
	if banner, _, _ := m.chrome(); banner {
		y--
	}
	if y < 0 || y >= m.bodyHeight() {
		return nil
	}
	lw, _ := m.paneWidths()
	inDetail := (m.stacked && m.focus == focusDetail) || (!m.stacked && msg.X > lw)
	switch {
	case msg.Button == tea.MouseButtonWheelUp || msg.Button == tea.MouseButtonWheelDown:
		n := 1
		if msg.Button == tea.MouseButtonWheelUp {
			n = -1
		}
		if inDetail {
			m.detail.scroll(n)
			return nil
		}
		m.list.move(n)
		return tea.Batch(m.selectionChanged(), m.extendCmd())
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		if inDetail {
			m.focus = focusDetail
			return nil
		}
		if m.list.clickRow(y) {
			m.focus = focusList
			return tea.Batch(m.selectionChanged(), m.extendCmd())
		}
	}
	return nil
}

// updateSearch feeds the search field; the list follows as one types.
func (m *inbox) updateSearch(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.searchKeys.Cancel):
		m.search.Blur()
		m.search.SetValue("")
		m.focus = focusList
		if m.filter.Search != "" {
			m.filter.Search = ""
			return m.filterChanged()
		}
		return nil
	case key.Matches(msg, m.searchKeys.Accept):
		m.search.Blur()
		m.focus = focusList
		return nil
	case msg.Type == tea.KeyCtrlC:
		return tea.Quit
	}
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	if v := m.search.Value(); v != m.filter.Search {
		m.filter.Search = v
		cmd = tea.Batch(cmd, m.filterChanged())
	}
	return cmd
}

// updateKeybindings enables exactly the bindings that do something now,
// so that help never offers a dead key.
func (m *inbox) updateKeybindings() {
	k := &m.keys
	sel, has := m.list.selected()
	f := m.focus
	if f == focusHelp {
		f = m.back // the full help lists what works where it was opened
	}
	browsing := f == focusList || f == focusDetail
	moving := browsing && (f == focusDetail || has)
	k.Up.SetEnabled(moving)
	k.Down.SetEnabled(moving)
	k.Top.SetEnabled(moving)
	k.Bottom.SetEnabled(moving)
	k.PageUp.SetEnabled(moving)
	k.PageDown.SetEnabled(moving)
	k.Open.SetEnabled(browsing && f == focusList && has)
	k.Back.SetEnabled(browsing && (f == focusDetail || m.filter.Search != "" || m.filtered()))
	k.Search.SetEnabled(browsing)
	k.FilterApp.SetEnabled(browsing && len(m.status.counts.Apps) > 0)
	k.FilterPriority.SetEnabled(browsing)
	k.Unread.SetEnabled(browsing)
	k.Ack.SetEnabled(browsing && has && m.engine != nil && sel.NeedsAck() && !sel.AckPending)
	k.AckAll.SetEnabled(browsing && m.engine != nil && m.needAck() > 0)
	k.Delete.SetEnabled(browsing && has)
	k.DeleteUpTo.SetEnabled(browsing && has && m.engine != nil)
	_, safe := safeURL(sel)
	k.OpenURL.SetEnabled(browsing && has && safe)
	k.Copy.SetEnabled(browsing && has && m.opts.Bell != nil)
	k.Sync.SetEnabled(browsing && m.engine != nil)
	k.Help.SetEnabled(browsing)
	k.Quit.SetEnabled(f != focusSearch)
}

// ShortHelp implements help.KeyMap: the few keys of the focused part.
func (m *inbox) ShortHelp() []key.Binding {
	switch m.focus {
	case focusSearch:
		return m.searchKeys.ShortHelp()
	case focusPicker:
		return m.pickerKeys.ShortHelp()
	case focusConfirm:
		return m.confirmKeys.ShortHelp()
	case focusDetail:
		return m.keys.detailHelp()
	case focusHelp:
		return []key.Binding{m.keys.CloseHelp, m.keys.Quit}
	}
	return m.keys.listHelp()
}

// FullHelp implements help.KeyMap: every binding, grouped.
func (m *inbox) FullHelp() [][]key.Binding { return m.keys.fullHelp() }
