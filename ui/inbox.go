package ui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
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

	picker     *picker
	confirmID  int64 // the key of the message D asked about
	confirmNum int64 // its Pushover id

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

	logInAgain bool // L: Run returns ErrLogInAgain

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

// sessionEnded reports that the server refused the login or the device
// logged in elsewhere: nothing works until the user logs in again.
func (m *inbox) sessionEnded() bool {
	return m.conn.state == connLoggedOut || m.conn.state == connElsewhere
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
