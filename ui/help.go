package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// ShortHelp implements help.KeyMap: the few keys of the focused part, the
// most useful first, with short labels; shortHelpView keeps the last two
// (help and quit, or their stand-ins) whatever the width.
func (m *inbox) ShortHelp() []key.Binding {
	k := &m.keys
	quit := short(k.ForceQuit, "ctrl+c", "quit")
	mute := short(k.Mute, "m", "mute")
	if m.muted {
		mute = short(k.Mute, "m", "unmute")
	}
	logIn := short(k.LogIn, "L", "log in")
	if m.conn.state == connReplaced {
		logIn = short(k.LogIn, "L", "new login")
	}
	switch m.focus {
	case focusSearch:
		return []key.Binding{m.searchKeys.Accept, m.searchKeys.Cancel, quit}
	case focusPicker:
		pk := m.pickerKeys
		return []key.Binding{pk.Choose, pk.Copy, pk.Down, pk.Up, pk.Cancel, quit}
	case focusConfirm:
		return []key.Binding{m.confirmKeys.Yes, m.confirmKeys.No, quit}
	case focusHelp:
		return []key.Binding{short(m.helpKeys.Down, "j/k", "scroll"), k.CloseHelp, quit}
	case focusDetail:
		d := &m.detail.keys
		if m.detail.finding {
			return []key.Binding{d.FindAccept, d.FindCancel, quit}
		}
		return []key.Binding{short(k.Back, "esc/q", "back"), logIn,
			short(d.FindNext, "n/N", "match"), short(k.NextMsg, "J/K", "next/prev"), short(d.Down, "j/k", "scroll"),
			short(d.Find, "/", "find"), short(k.Ack, "a", "ack"), short(k.Links, "o", "links"), short(k.Copy, "y", "copy"),
			mute, short(k.MarkUnread, "U", k.MarkUnread.Help().Desc), short(k.Delete, "d", "delete"),
			k.Help, quit}
	}
	return []key.Binding{logIn, short(k.Down, "j/k", "move"), short(k.Open, "enter", "read"),
		short(k.Ack, "a", "ack"), short(k.Emergency, "e", "emergency"), mute,
		short(k.Search, "/", "search"), short(k.Unread, "u", "unread"), short(k.NextUnread, "n", "next unread"),
		short(k.Back, "esc", "clear"), short(k.Links, "o", "links"), short(k.Delete, "d", "delete"), k.Help, k.Quit}
}

// short is b with a shorter help text, for the one-line help.
func short(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// FullHelp implements help.KeyMap: every binding, grouped, the reading
// pane's last.
func (m *inbox) FullHelp() [][]key.Binding {
	return append(m.keys.fullHelp(), m.detail.keys.FullHelp()...)
}

// shortHelpView renders the one-line help in width cells: enabled
// bindings in order while they fit, and always the last two (help and
// quit, or their stand-ins), which come last.
func (m *inbox) shortHelpView(bindings []key.Binding) string {
	var live []key.Binding
	var id strings.Builder // what the line depends on: the same line is not rendered twice
	id.WriteString(strconv.Itoa(m.width))
	for _, b := range bindings {
		if b.Enabled() {
			live = append(live, b)
			h := b.Help()
			id.WriteString("\x00" + h.Key + "\x00" + h.Desc)
		}
	}
	if id.String() == m.shortHelp.id {
		return m.shortHelp.line
	}
	st := m.st
	sep := st.help.ShortSeparator.Render(" • ")
	const sepW = 3
	item := func(b key.Binding) (string, int) {
		h := b.Help()
		return st.help.ShortKey.Render(h.Key) + " " + st.help.ShortDesc.Render(h.Desc), m.mode.Width(h.Key) + 1 + m.mode.Width(h.Desc)
	}
	width := func(b key.Binding) int {
		h := b.Help()
		return m.mode.Width(h.Key) + 1 + m.mode.Width(h.Desc)
	}
	tail := live[max(len(live)-2, 0):]
	head := live[:len(live)-len(tail)]
	room := m.width
	for i, b := range tail {
		room -= width(b)
		if i > 0 {
			room -= sepW
		}
	}
	var keep []key.Binding
	for _, b := range head {
		if w := width(b); w+sepW <= room {
			keep = append(keep, b)
			room -= w + sepW
		}
	}
	var sb strings.Builder
	for i, b := range append(keep, tail...) {
		if i > 0 {
			sb.WriteString(sep)
		}
		s, _ := item(b)
		sb.WriteString(s)
	}
	m.shortHelp.id, m.shortHelp.line = id.String(), m.mode.Cut(sb.String(), m.width)
	return m.shortHelp.line
}

// helpKeyMap scrolls the full help.
type helpKeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
}

func defaultHelpKeyMap() helpKeyMap {
	return helpKeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b", "ctrl+u")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "ctrl+d", " ")),
	}
}

// updateHelp handles a key while the full help is open.
func (m *inbox) updateHelp(msg tea.KeyMsg) {
	hk := &m.helpKeys
	page := max(m.bodyHeight()-3, 1)
	switch {
	case key.Matches(msg, m.keys.CloseHelp):
		m.focus, m.helpTop = m.back, 0
	case key.Matches(msg, hk.Down):
		m.helpTop++
	case key.Matches(msg, hk.Up):
		m.helpTop--
	case key.Matches(msg, hk.PageDown):
		m.helpTop += page
	case key.Matches(msg, hk.PageUp):
		m.helpTop -= page
	}
	m.helpTop = max(m.helpTop, 0)
}

// fullHelpLines lays every binding out in columns of groups, as many
// groups side by side as width allows: bubbles' help would cut the
// columns that do not fit, and every binding must show. A binding that
// does nothing now is dimmed; the mouse's entries have no keys.
func (m *inbox) fullHelpLines(width int) []string {
	st := m.st
	const gap = 4
	type column struct {
		lines []string
		w     int
	}
	var cols []column
	for gi, g := range m.FullHelp() {
		kw, dw := 0, 0
		for _, b := range g {
			kw = max(kw, m.mode.Width(b.Help().Key))
			dw = max(dw, m.mode.Width(b.Help().Desc))
		}
		c := column{w: kw + 1 + dw}
		if gi < len(helpTitles) {
			t := helpTitles[gi]
			c.w = max(c.w, m.mode.Width(t))
			c.lines = append(c.lines, st.helpTitle.Render(t)+strings.Repeat(" ", c.w-m.mode.Width(t)))
		}
		for _, b := range g {
			h := b.Help()
			ks, ds := st.help.FullKey, st.help.FullDesc
			if !b.Enabled() && len(b.Keys()) > 0 {
				ks, ds = st.helpOff, st.helpOff
			}
			pad := strings.Repeat(" ", kw-m.mode.Width(h.Key)+1)
			tail := strings.Repeat(" ", c.w-kw-1-m.mode.Width(h.Desc))
			c.lines = append(c.lines, ks.Render(h.Key)+pad+ds.Render(h.Desc)+tail)
		}
		cols = append(cols, c)
	}
	var out []string
	for len(cols) > 0 {
		n, w := 1, cols[0].w
		for n < len(cols) && w+gap+cols[n].w <= width {
			w += gap + cols[n].w
			n++
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		rows := 0
		for _, c := range cols[:n] {
			rows = max(rows, len(c.lines))
		}
		for r := 0; r < rows; r++ {
			var b strings.Builder
			for i, c := range cols[:n] {
				if i > 0 {
					b.WriteString(strings.Repeat(" ", gap))
				}
				if r < len(c.lines) {
					b.WriteString(c.lines[r])
				} else {
					b.WriteString(strings.Repeat(" ", c.w))
				}
			}
			out = append(out, b.String())
		}
		cols = cols[n:]
	}
	return out
}

// helpView is the full help in h lines: a title, the bindings scrolled
// to helpTop, and where it is when they do not fit.
func (m *inbox) helpView(h int) []string {
	lines := m.fullHelpLines(m.width)
	title := m.st.helpTitle.Render("Keys") + m.st.muted.Render("  (dimmed: not available here now; esc or q closes)")
	out := []string{title}
	room := h - 1
	if len(lines) > room {
		room = max(room-1, 0)
	}
	m.helpTop = min(m.helpTop, max(len(lines)-room, 0))
	for i := m.helpTop; i < len(lines) && len(out) < 1+room; i++ {
		out = append(out, lines[i])
	}
	if len(lines) > h-1 && h > 1 {
		last := min(m.helpTop+room, len(lines))
		out = append(out, m.st.muted.Render("lines "+strconv.Itoa(m.helpTop+1)+"–"+strconv.Itoa(last)+" of "+
			strconv.Itoa(len(lines))+" · j/k scroll"))
	}
	return out
}
