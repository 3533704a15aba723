package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

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
	case key.Matches(msg, k.LogIn):
		m.logInAgain = true
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
		if sel, ok := m.list.selected(); ok {
			m.confirmNum = sel.ID
		}
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
