package ui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
	inboxsync "pobox/sync"
)

// focus says which part of the inbox gets the keys.
type focus int

const (
	focusList    focus = iota
	focusDetail        // the detail pane: j/k scroll it
	focusSearch        // the search field: it gets every key
	focusPicker        // a picker (app, priority, links, copy)
	focusConfirm       // the delete-up-to question
	focusHelp          // the full help
)

// stackBelow is the width under which the panes stack.
const stackBelow = 80

// settleDelay is how long a selection the person made must rest in the
// reading pane before it is marked read, so that scrolling with j
// writes nothing.
const settleDelay = 300 * time.Millisecond

// inbox is the main screen: list, detail, status bar, banner and help.
type inbox struct {
	ctx    context.Context
	db     *cache.DB
	engine Engine
	opts   *Options
	st     *styles
	mode   sanitize.WidthMode

	keys        keyMap
	pickerKeys  pickerKeyMap
	confirmKeys confirmKeyMap
	searchKeys  searchKeyMap
	helpKeys    helpKeyMap
	search      textinput.Model

	list   list
	detail detailPane
	rows   *rowRenderer

	listBuf, detailBuf []string                  // reused by View
	shortHelp          struct{ id, line string } // the last help line and what it showed
	arrived            bool                      // new messages: paint the frame that shows them at once
	parity             bool                      // see eagerFrame
	// view is the last View, valid until an Update that changes the
	// screen or SetSize: Bubble Tea asks for the View after every
	// Update, and the eager frame made it already.
	view       string
	viewOK     bool
	afterFrame []tea.Cmd // commands that wait for the eager frame to be out

	width, height int
	stacked       bool
	focus         focus
	back          focus // where the help, a picker or the question returns to
	helpTop       int   // first line of the full help shown

	picker       *picker
	confirmID    int64  // the key of the message D asked about
	confirmNum   int64  // its Pushover id
	confirmCount int    // what D would delete: -1 counting, -2 unknown
	confirmDev   string // the device of its id, when not the login's

	filter  cache.Filter
	gen     int     // bumped on every filter change
	keep    []int64 // keys read under the unread filter, ascending: they stay shown
	matches int     // messages matching the search and filters, -1 unknown

	seenTop int64 // the newest key seen on top of the list
	newer   int   // matching messages newer than seenTop, when the window lacks them

	seq           int      // of the latest replacing read
	replacing     bool     // a replacing read is on its way
	replacingKind loadKind // its kind
	// heldSeq is the read of new messages that the next engine event
	// waits for (see Update); 0 when none.
	heldSeq      int
	reloadQueued bool // a change arrived during it: read again after

	status    dbStatus
	conn      connState
	syncing   bool // a sync runs, for longer than syncShowAfter
	syncSeq   int
	notice    notice // transient result of an action
	noticeSeq int

	lastSel     int64 // selection the detail and the read debounce follow
	userSel     bool  // the person made the selection (a key, a click)
	settleSeq   int
	termFocused bool // the terminal has focus (true unless it reported otherwise)

	links struct { // the links of one message, for o
		key   int64
		links []sanitize.Link
	}

	localAck  map[string]bool // receipts acknowledged here, before the cache shows it
	ackQueued bool            // an acknowledgement waits in the outbox (offline)
	// muted: m silenced the bell until a new emergency arrives
	// (Pushover's repeats of one, new copies of its receipt, are not new).
	muted bool

	// firstKey is the key of the first copy seen of each emergency's
	// receipt: Pushover's repeats are later copies.
	firstKey map[string]int64

	logInAgain bool // L: Run returns ErrLogInAgain

	bellSeq   int
	bellArmed bool
	retryTick bool // the reconnect countdown ticks
	clockTick bool // the relative times tick

	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd // tea.Tick; tests replace it
}

func newInbox(ctx context.Context, opts *Options, st *styles, db *cache.DB, engine Engine) *inbox {
	mode := opts.mode
	m := &inbox{
		ctx: ctx, db: db, engine: engine, opts: opts, st: st, mode: mode,
		keys: defaultKeyMap(), pickerKeys: defaultPickerKeyMap(),
		confirmKeys: defaultConfirmKeyMap(), searchKeys: defaultSearchKeyMap(), helpKeys: defaultHelpKeyMap(),
		rows:        newRowRenderer(st, mode),
		detail:      newDetailPane(st, mode, opts.Now),
		conn:        connState{state: connConnecting},
		matches:     -1,
		termFocused: true,
		firstKey:    map[string]int64{},
		after:       opts.tick,
	}
	if engine == nil {
		m.conn.state = connNone
	}
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
	m.viewOK = false
	m.width, m.height = max(w, 1), max(h, 1)
	m.stacked = m.width < stackBelow
	m.search.Width = max(m.width-3-12, 1) // room for the match count
	if m.picker != nil {
		m.picker.SetSize(m.width, m.bodyHeight())
	}
	lw, dw := m.paneWidths()
	bh := m.bodyHeight()
	m.list.SetSize(lw, bh)
	m.detail.SetSize(dw, bh)
	m.detail.empty = "No message selected."
	if m.stacked {
		m.detail.empty = "" // the list shows instead
	}
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
	return m.conn.state == connLoggedOut || m.conn.state == connElsewhere || m.conn.state == connReplaced
}

// needAck is how many emergencies still need the user: pending
// acknowledgements count as dealt with, and so do emergencies whose
// paging ended.
func (m *inbox) needAck() int {
	n := 0
	for range m.liveEmergencies {
		n++
	}
	return n
}

// queuedAck reports that an acknowledgement made here waits in the
// outbox: Pushover keeps paging until it is sent.
func (m *inbox) queuedAck() bool {
	return m.ackQueued && m.status.counts.AckPending > 0
}

func (m *inbox) bannerShown() bool { return m.needAck() > 0 || m.queuedAck() }

// filtered reports whether any filter besides the search is set.
func (m *inbox) filtered() bool {
	return m.filter.App != "" || m.filter.MinPriority != nil || m.filter.Unread
}

// following reports whether the selection follows the newest message:
// it is on it, at the top, and the person is not reading in the detail
// pane or answering the delete question. New arrivals then take the
// selection, so that an idle inbox shows them; they are not read.
func (m *inbox) following() bool {
	l := &m.list
	f := m.base()
	return l.atTop && l.cursor == 0 && l.offset == 0 && l.pending == 0 && (f == focusList || f == focusSearch)
}

// readingShown reports whether the reading pane shows the selection:
// the detail pane has focus, or it stands beside the list.
func (m *inbox) readingShown() bool {
	return m.focus == focusDetail || (!m.stacked && m.focus == focusList)
}

// newerWaiting is how many matching messages arrived above the view
// since the person left the top.
func (m *inbox) newerWaiting() int {
	l := &m.list
	if !l.atTop {
		return m.newer
	}
	n := 0
	for i := 0; i < l.offset && i < len(l.rows); i++ {
		if l.rows[i].Key > m.seenTop {
			n++
		}
	}
	return n
}

// Update handles one message. Bubble Tea asks for the View after every
// Update: the last one stays for a message that changes nothing on the
// screen.
func (m *inbox) Update(msg tea.Msg) tea.Cmd {
	if !m.invisible(msg) {
		m.viewOK = false
	}
	return m.update(msg)
}

// invisible reports whether msg changes nothing on the screen: the eager
// frame is out, a sync starts (it shows only when it lasts), a quick
// sync ends and the status bar's "synced just now" stays as it was (what
// it stored shows with the read that follows).
func (m *inbox) invisible(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case framePaintedMsg:
		return true
	case eventMsg:
		switch ev := msg.ev.(type) {
		case inboxsync.Syncing:
			return true
		case inboxsync.Synced:
			last, now := m.status.lastSync, m.now()
			return !m.syncing && (ev.At.IsZero() || !last.IsZero() && ago(ev.At, now) == ago(last, now))
		}
	}
	return false
}

func (m *inbox) update(msg tea.Msg) tea.Cmd {
	bannerWas := m.bannerShown()
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		cmd = m.handleMouse(msg)
	case tea.FocusMsg:
		m.termFocused = true
		cmd = m.settle()
	case tea.BlurMsg:
		m.termFocused = false
		m.settleSeq++ // nothing becomes read while the terminal is away
	case loadedMsg:
		cmd = m.applyLoaded(msg)
		if m.heldSeq != 0 && msg.req.seq == m.heldSeq {
			m.heldSeq = 0
			cmd = tea.Batch(cmd, m.waitEvent())
		}
	case eventMsg:
		seq := m.seq
		cmd = m.handleEvent(msg.ev)
		if _, ok := msg.ev.(inboxsync.Synced); ok && m.seq != seq && m.replacing {
			// The read of what the sync stored goes out alone: batched
			// with the next receive, Bubble Tea would start it only
			// after painting this Update's frame. The receive follows
			// when the read is back (every read returns a loadedMsg);
			// the engine queues events meanwhile.
			m.heldSeq = m.seq
		} else {
			cmd = tea.Batch(cmd, m.waitEvent())
		}
	case eventsClosedMsg:
		m.conn = connState{state: connStopped}
	case framePaintedMsg:
		cmd = tea.Batch(m.afterFrame...)
		m.afterFrame = nil
	default:
		cmd = m.handleResult(msg)
	}
	if m.bannerShown() != bannerWas {
		m.SetSize(m.width, m.height) // the banner takes or gives back a line
		cmd = tea.Batch(cmd, m.extendCmd())
	}
	if l := &m.list; l.atTop && l.offset == 0 && len(l.rows) > 0 {
		m.seenTop = max(m.seenTop, l.rows[0].Key)
		m.newer = 0
	}
	m.detail.set(m.list.selected())
	m.updateKeybindings()
	if _, ok := msg.(loadedMsg); ok && m.arrived && !m.replacing {
		m.arrived = false
		if paint := m.eagerFrame(); paint != nil {
			// The frame goes out alone (a batch would wait for the
			// event loop), and the other commands when it is out.
			m.afterFrame = append(m.afterFrame, cmd)
			cmd = paint
		}
	}
	return cmd
}

// framePaintedMsg: the eager frame is out (or was not needed).
type framePaintedMsg struct{}

// eagerFrame paints the current frame now, from a Cmd, instead of at the
// renderer's next tick: new messages reach the screen without waiting up
// to a frame (see termWriter.writeFrame). The parity flips first, so that
// the frame differs on every line from what the renderer last painted.
func (m *inbox) eagerFrame() tea.Cmd {
	fw, ok := m.opts.out.(frameWriter)
	if !ok || m.width <= 0 || m.height <= 0 {
		return nil
	}
	m.parity = !m.parity
	m.viewOK = false
	view, seen, width := m.View(), fw.frameCount(), m.width
	return func() tea.Msg {
		fw.writeFrame(view, seen, width)
		return framePaintedMsg{}
	}
}

// selectionChanged follows a new selection: the detail starts at its top
// and, when the person made it (user) and the reading pane shows it, the
// read debounce starts. A selection that moved by itself (new messages,
// a deletion) is never read.
func (m *inbox) selectionChanged(user bool) tea.Cmd {
	id := m.list.selectedID()
	if id == m.lastSel {
		return nil
	}
	m.lastSel = id
	m.settleSeq++
	m.userSel = user
	return m.settle()
}

// settle starts the read debounce for the selection when the person
// made it, the reading pane shows it and the terminal has focus.
func (m *inbox) settle() tea.Cmd {
	sel, ok := m.list.selected()
	if !ok || sel.Read || !m.userSel || !m.readingShown() || !m.termFocused {
		return nil
	}
	m.settleSeq++
	seq, id := m.settleSeq, sel.Key
	return m.after(settleDelay, func(time.Time) tea.Msg { return settledMsg{seq: seq, id: id} })
}

// filterChanged reads the first screen for the new filter. Messages read
// under the old one no longer stay.
func (m *inbox) filterChanged() tea.Cmd {
	m.gen++
	m.list.pending = 0
	m.keep = nil
	m.matches = -1
	return m.requestLoad(loadTop)
}
