package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// textAltKeys are the alt-keys a text field (bubbles textinput) binds
// itself: word motions and deletions.
var textAltKeys = key.NewBinding(key.WithKeys("alt+left", "alt+right", "alt+b", "alt+f", "alt+backspace", "alt+delete", "alt+d"))

// handleKey routes a key press. ctrl+c quits from everywhere. Over SSH
// several presses often arrive in one read, and Bubble Tea v1 then merges
// them: runes into one key message ("jjj"), and esc with the key after it
// into an alt-key (esc then j is alt+j, esc esc is alt+esc). An alt-key
// that nothing binds is therefore esc followed by the key, and outside a
// text field a message of several runes is one press a rune; no press is
// lost.
func (m *inbox) handleKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return tea.Quit
	}
	if msg.Alt && !msg.Paste && !m.altBound(msg) {
		plain := msg
		plain.Alt = false
		first := m.handleKey(tea.KeyMsg{Type: tea.KeyEsc})
		m.updateKeybindings()
		return tea.Batch(first, m.handleKey(plain))
	}
	if m.typing() {
		return m.typeKey(msg)
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) <= 1 {
		return m.handleOneKey(msg)
	}
	if msg.Paste {
		return nil // pasted text outside a text field means nothing
	}
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		if m.typing() { // "/" opened a text field: the rest is its text
			rest := tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i:]}
			cmds = append(cmds, m.typeKey(rest))
			break
		}
		cmds = append(cmds, m.handleOneKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
		m.updateKeybindings()
	}
	return tea.Batch(cmds...)
}

// typing reports whether a text field has focus: the search, or the find
// in the detail pane.
func (m *inbox) typing() bool {
	return m.focus == focusSearch || (m.focus == focusDetail && m.detail.finding)
}

// typeKey gives a key to the focused text field.
func (m *inbox) typeKey(msg tea.KeyMsg) tea.Cmd {
	if m.focus == focusSearch {
		return m.updateSearch(msg)
	}
	return m.detail.Update(msg)
}

// altBound reports whether an alt-key means something of its own where it
// was pressed: only a text field binds any.
func (m *inbox) altBound(msg tea.KeyMsg) bool {
	return m.typing() && key.Matches(msg, textAltKeys)
}

// handleOneKey handles one key press outside the text fields.
func (m *inbox) handleOneKey(msg tea.KeyMsg) tea.Cmd {
	if !m.notice.sticky {
		m.notice = notice{} // the next key clears a transient result
	}
	switch m.focus {
	case focusHelp:
		m.updateHelp(msg)
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
	case key.Matches(msg, k.LogIn):
		m.logInAgain = true
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.back, m.focus, m.helpTop = m.focus, focusHelp, 0
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
	case key.Matches(msg, k.NextMsg):
		return m.moveBy(1)
	case key.Matches(msg, k.PrevMsg):
		return m.moveBy(-1)
	case key.Matches(msg, k.NextUnread):
		return m.nextUnread()
	case key.Matches(msg, k.Emergency):
		return m.jumpEmergency()
	case key.Matches(msg, k.Ack):
		return m.ackSelected()
	case key.Matches(msg, k.AckAll):
		return m.ackAll()
	case key.Matches(msg, k.Mute):
		return m.mute()
	case key.Matches(msg, k.MarkUnread):
		return m.toggleRead()
	case key.Matches(msg, k.MarkAllRead):
		return m.markAllRead()
	case key.Matches(msg, k.Delete):
		return m.deleteSelected()
	case key.Matches(msg, k.DeleteUpTo):
		return m.askDeleteUpTo()
	case key.Matches(msg, k.Links):
		return m.openLinks()
	case key.Matches(msg, k.Copy):
		m.openCopyPicker()
	case key.Matches(msg, k.Sync):
		return m.syncNow()
	case m.focus == focusDetail:
		return m.detail.Update(msg)
	default:
		return m.moveKey(msg)
	}
	return nil
}

// goBack is esc: out of the detail pane (after clearing a find in it),
// else clear the search, else the filters.
func (m *inbox) goBack() tea.Cmd {
	switch {
	case m.focus == focusDetail && m.detail.clearFind():
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

// moveBy moves the selection n rows, as the person's move.
func (m *inbox) moveBy(n int) tea.Cmd {
	m.list.move(n)
	return tea.Batch(m.selectionChanged(true), m.extendCmd())
}

// moveKey moves the list's cursor.
func (m *inbox) moveKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.keys
	l := &m.list
	switch {
	case key.Matches(msg, k.Down):
		return m.moveBy(1)
	case key.Matches(msg, k.Up):
		return m.moveBy(-1)
	case key.Matches(msg, k.PageDown):
		return m.moveBy(l.height)
	case key.Matches(msg, k.PageUp):
		return m.moveBy(-l.height)
	case key.Matches(msg, k.HalfDown):
		return m.moveBy(max(l.height/2, 1))
	case key.Matches(msg, k.HalfUp):
		return m.moveBy(-max(l.height/2, 1))
	case key.Matches(msg, k.Top):
		l.pending = 0
		// While another read of the window runs, its result would
		// replace this move: read anew, so that the latest key wins.
		if !l.atTop || m.replacing {
			return m.requestLoadAt(loadTop, 0, true)
		}
		l.cursor = 0
		l.scroll()
	case key.Matches(msg, k.Bottom):
		l.pending = 0
		if !l.atBottom || m.replacing {
			return m.requestLoadAt(loadBottom, 0, true)
		}
		l.cursor = len(l.rows) - 1
		l.scroll()
	default:
		return nil
	}
	return tea.Batch(m.selectionChanged(true), m.extendCmd())
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
			return m.detail.Update(msg)
		}
		return m.moveBy(n)
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		if inDetail {
			m.focus = focusDetail
			return m.settle()
		}
		if m.list.clickRow(y) {
			m.focus = focusList
			return tea.Batch(m.selectionChanged(true), m.extendCmd())
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
	}
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	if v := m.search.Value(); v != m.filter.Search {
		m.filter.Search = v
		cmd = tea.Batch(cmd, m.filterChanged())
	}
	return cmd
}
