package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every binding of the inbox, with its help text. Bindings are
// enabled and disabled from state in one place, (*inbox).updateKeybindings,
// so that a disabled key neither matches nor shows in help.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Open, Back                              key.Binding

	Search, FilterApp, FilterPriority, Unread key.Binding

	Ack, AckAll, Delete, DeleteUpTo key.Binding
	OpenURL, Copy, Sync             key.Binding
	LogIn                           key.Binding

	Help, CloseHelp, Quit key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "read")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		Search:         key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		FilterApp:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "app")),
		FilterPriority: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "priority")),
		Unread:         key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unread only")),

		Ack:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge")),
		AckAll:     key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "acknowledge all")),
		Delete:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete here")),
		DeleteUpTo: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete up to, everywhere")),
		OpenURL:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open URL")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Sync:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "sync now")),
		LogIn:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log in again")),

		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		CloseHelp: key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("esc", "close help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// listHelp is the short help of the list pane.
func (k keyMap) listHelp() []key.Binding {
	return []key.Binding{k.LogIn, k.Down, k.Up, k.Open, k.Ack, k.AckAll, k.Search, k.Back, k.Delete, k.Help, k.Quit}
}

// detailHelp is the short help of the detail pane.
func (k keyMap) detailHelp() []key.Binding {
	return []key.Binding{k.Down, k.Up, k.Back, k.Ack, k.OpenURL, k.Copy, k.Delete, k.Help, k.Quit}
}

// fullHelp groups every binding in columns, as DESIGN.md lists them.
func (k keyMap) fullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.Top, k.Bottom, k.PageDown, k.PageUp},
		{k.Open, k.Back, k.Search, k.FilterApp, k.FilterPriority, k.Unread},
		{k.Ack, k.AckAll, k.Delete, k.DeleteUpTo},
		{k.OpenURL, k.Copy, k.Sync, k.LogIn, k.Help, k.Quit},
	}
}

// pickerKeyMap is the key map of the app and priority pickers.
type pickerKeyMap struct {
	Up, Down, Choose, Cancel key.Binding
}

func defaultPickerKeyMap() pickerKeyMap {
	return pickerKeyMap{
		Up:     key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:   key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Cancel: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap.
func (k pickerKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Up, k.Choose, k.Cancel}
}

// FullHelp implements help.KeyMap.
func (k pickerKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// confirmKeyMap answers the delete-up-to question.
type confirmKeyMap struct {
	Yes, No key.Binding
}

func defaultConfirmKeyMap() confirmKeyMap {
	return confirmKeyMap{
		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes, delete")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n/esc", "no")),
	}
}

// ShortHelp implements help.KeyMap.
func (k confirmKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Yes, k.No} }

// FullHelp implements help.KeyMap.
func (k confirmKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// searchKeyMap is active while the search field has focus.
type searchKeyMap struct {
	Accept, Cancel key.Binding
}

func defaultSearchKeyMap() searchKeyMap {
	return searchKeyMap{
		Accept: key.NewBinding(key.WithKeys("enter", "down", "tab"), key.WithHelp("enter", "keep search")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),
	}
}

// ShortHelp implements help.KeyMap.
func (k searchKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Accept, k.Cancel} }

// FullHelp implements help.KeyMap.
func (k searchKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

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
	_, ackable := m.ackTarget()
	k.Ack.SetEnabled(browsing && m.engine != nil && ackable)
	k.AckAll.SetEnabled(browsing && m.engine != nil && m.needAck() > 0)
	k.Delete.SetEnabled(browsing && has)
	k.DeleteUpTo.SetEnabled(browsing && has && m.engine != nil)
	_, safe := safeURL(sel)
	k.OpenURL.SetEnabled(browsing && has && safe)
	k.Copy.SetEnabled(browsing && has && m.opts.Bell != nil)
	k.Sync.SetEnabled(browsing && m.engine != nil && !m.sessionEnded())
	k.LogIn.SetEnabled(browsing && m.sessionEnded() && m.opts.Login != nil)
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
