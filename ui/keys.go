package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every binding of the inbox, with its help text. Bindings are
// enabled and disabled from state in one place, (*inbox).updateKeybindings,
// so that a disabled key never matches; the short help shows only enabled
// ones, the full help (?) every one, those that do nothing now dimmed.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown, HalfUp, HalfDown key.Binding
	Open, Back, NextMsg, PrevMsg, NextUnread, Emergency       key.Binding

	Search, FilterApp, FilterPriority, Unread key.Binding

	Ack, AckAll, Mute                key.Binding
	MarkUnread, MarkAllRead          key.Binding
	Delete, DeleteUpTo               key.Binding
	Links, Copy, Sync, LogIn         key.Binding
	Help, CloseHelp, Quit, ForceQuit key.Binding

	// Wheel and Click only document the mouse in the full help.
	Wheel, Click key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "newest")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "oldest")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		HalfUp:   key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "half page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "half page down")),

		Open:       key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter/tab", "read")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextMsg:    key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "next message")),
		PrevMsg:    key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "previous message")),
		NextUnread: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next unread")),
		Emergency:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "go to the emergency")),

		Search:         key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		FilterApp:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "app")),
		FilterPriority: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "priority")),
		Unread:         key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "unread only")),

		Ack:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge")),
		AckAll:      key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "acknowledge all")),
		Mute:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mute the bell")),
		MarkUnread:  key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "mark unread")),
		MarkAllRead: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "mark all read")),
		Delete:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete here")),
		DeleteUpTo:  key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete up to, everywhere")),
		Links:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "links")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Sync:        key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "sync now")),
		LogIn:       key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log in again")),

		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		CloseHelp: key.NewBinding(key.WithKeys("?", "esc", "q"), key.WithHelp("esc/q", "close help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit, from anywhere")),

		Wheel: key.NewBinding(key.WithKeys(), key.WithHelp("wheel", "scroll the pane under it")),
		Click: key.NewBinding(key.WithKeys(), key.WithHelp("click", "select, focus a pane")),
	}
}

// helpTitles head the columns of fullHelp, then those of the reading
// pane's key map.
var helpTitles = []string{"Moving", "Reading", "Finding", "Acting", "In the reading pane", "Finding in a message"}

// fullHelp groups every binding in columns, as DESIGN.md lists them.
func (k keyMap) fullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom, k.Wheel, k.Click},
		{k.Open, k.Back, k.NextMsg, k.PrevMsg, k.NextUnread, k.Emergency, k.Links, k.Copy},
		{k.Search, k.FilterApp, k.FilterPriority, k.Unread, k.MarkUnread, k.MarkAllRead, k.Sync},
		{k.Ack, k.AckAll, k.Mute, k.Delete, k.DeleteUpTo, k.LogIn, k.Help, k.Quit, k.ForceQuit},
	}
}

// pickerKeyMap is the key map of the pickers (app, priority, links, copy).
type pickerKeyMap struct {
	Up, Down, Choose, Copy, Cancel key.Binding
}

func defaultPickerKeyMap() pickerKeyMap {
	return pickerKeyMap{
		Up:     key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:   key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Copy:   key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Cancel: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap.
func (k pickerKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Choose, k.Copy, k.Down, k.Up, k.Cancel}
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

// base is the focus the help and the pickers were opened from.
func (m *inbox) base() focus {
	if m.focus == focusHelp || m.focus == focusPicker {
		return m.back
	}
	return m.focus
}

// updateKeybindings enables exactly the bindings that do something now,
// so that no dead key matches or shows in the short help.
func (m *inbox) updateKeybindings() {
	k := &m.keys
	sel, has := m.list.selected()
	f := m.base()
	inDetail := f == focusDetail
	browsing := (f == focusList || inDetail) && m.focus != focusPicker
	finding := inDetail && (m.detail.finding || m.detail.query != "")
	listMoving := browsing && !inDetail && has
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Top, &k.Bottom, &k.PageUp, &k.PageDown, &k.HalfUp, &k.HalfDown} {
		b.SetEnabled(listMoving)
	}
	k.Open.SetEnabled(browsing && !inDetail && has)
	k.Back.SetEnabled(browsing && (inDetail || m.filter.Search != "" || m.filtered()))
	if inDetail {
		k.Back.SetKeys("esc", "q")
		k.Back.SetHelp("esc/q", "back to the list")
	} else {
		k.Back.SetKeys("esc")
		k.Back.SetHelp("esc", "clear the search, filters")
	}
	k.NextMsg.SetEnabled(browsing && inDetail && has)
	k.PrevMsg.SetEnabled(browsing && inDetail && has)
	k.NextUnread.SetEnabled(browsing && !finding && m.status.counts.Unread > 0)
	k.Emergency.SetEnabled(browsing && m.oldestNeed() != nil)
	k.Search.SetEnabled(browsing && !inDetail)
	k.FilterApp.SetEnabled(browsing && len(m.status.counts.Apps) > 0)
	k.FilterPriority.SetEnabled(browsing)
	k.Unread.SetEnabled(browsing)
	_, ackable := m.ackTarget()
	k.Ack.SetEnabled(browsing && m.engine != nil && ackable)
	k.AckAll.SetEnabled(browsing && m.engine != nil && m.needAck() > 0)
	k.Mute.SetEnabled(browsing && m.opts.BellInterval > 0 && m.needAck() > 0)
	if m.muted {
		k.Mute.SetHelp("m", "bell muted: ring again")
	} else {
		k.Mute.SetHelp("m", "mute the bell")
	}
	k.MarkUnread.SetEnabled(browsing && has)
	if has && !sel.Read {
		k.MarkUnread.SetHelp("U", "mark read")
	} else {
		k.MarkUnread.SetHelp("U", "mark unread")
	}
	k.MarkAllRead.SetEnabled(browsing && m.status.counts.Unread > 0)
	k.Delete.SetEnabled(browsing && has)
	k.DeleteUpTo.SetEnabled(browsing && has && m.engine != nil)
	k.Links.SetEnabled(browsing && has && len(m.linksOf(sel)) > 0)
	k.Copy.SetEnabled(browsing && has && m.opts.out != nil)
	k.Sync.SetEnabled(browsing && m.engine != nil && !m.sessionEnded())
	k.LogIn.SetEnabled(browsing && m.sessionEnded() && m.opts.Login != nil)
	if m.conn.state == connReplaced {
		k.LogIn.SetHelp("L", "use the login pobox login stored")
	} else {
		k.LogIn.SetHelp("L", "log in again")
	}
	k.Help.SetEnabled(browsing)
	k.Quit.SetEnabled(browsing && !inDetail)
	k.ForceQuit.SetEnabled(true)
	k.CloseHelp.SetEnabled(m.focus == focusHelp)
	m.pickerKeys.Copy.SetEnabled(m.picker != nil && m.picker.kind == pickLinks)
	m.detail.updateKeybindings()
}
