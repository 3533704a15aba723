package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
)

// pickerKind says what a picker chooses.
type pickerKind int

const (
	pickApp      pickerKind = iota // the app filter (f)
	pickPriority                   // the minimum priority (p)
	pickLinks                      // a link of the message, to open or copy (o)
	pickCopy                       // what of the message to copy (y)
)

// pickItem is one choice. label and note are sanitized.
type pickItem struct {
	label, note string
	hint        string // the host a link leads to, when its label does not show it
	hotkey      string // chooses the item at once
	active      bool   // the filter in force
	app         string // pickApp
	min         *int   // pickPriority
	value       string // pickLinks: the URL; pickCopy: the text
	what        string // pickCopy: what it is, for the notice
}

// picker is a small modal list in a box.
type picker struct {
	kind   pickerKind
	title  string
	items  []pickItem
	cursor int
	offset int

	width, height int
}

// SetSize sets the space the picker may use.
func (p *picker) SetSize(w, h int) {
	p.width, p.height = max(w, 1), max(h, 1)
	p.scroll()
}

// rowsShown is how many items fit: the box takes a border and a title.
func (p *picker) rowsShown() int { return max(min(len(p.items), p.height-3), 1) }

func (p *picker) move(n int) {
	p.cursor = max(min(p.cursor+n, len(p.items)-1), 0)
	p.scroll()
}

func (p *picker) scroll() {
	h := p.rowsShown()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
}

// view renders the picker as a box centred in its space, each line
// measured in the terminal's width mode (a lipgloss border would measure
// app names and link texts per grapheme).
func (p *picker) view(st *styles, mode sanitize.WidthMode) []string {
	wide, noteShare := 48, 3
	if p.kind == pickLinks {
		wide, noteShare = 100, 2
	}
	bw := st.pickerBorder
	padL, padR := st.pickerBox.GetPaddingLeft(), st.pickerBox.GetPaddingRight()
	inner := min(p.width-2-padL-padR, wide)
	if inner < 4 {
		inner = max(p.width-2, 1)
		padL, padR = 0, 0
	}
	edge := st.pickerEdge
	line := func(styled string, w int) string {
		return edge.Render(bw.Left) + strings.Repeat(" ", padL) + styled + strings.Repeat(" ", max(inner-w, 0)+padR) + edge.Render(bw.Right)
	}
	var box []string
	box = append(box, edge.Render(bw.TopLeft+strings.Repeat(bw.Top, inner+padL+padR)+bw.TopRight))
	t := mode.Truncate(p.title, inner, "…")
	box = append(box, line(st.pickerTitle.Render(t), mode.Width(t)))
	h := p.rowsShown()
	for i := p.offset; i < len(p.items) && i < p.offset+h; i++ {
		it := p.items[i]
		// Gutter: the cursor (visible without colour) and the filter in force.
		cur, act := "  ", "  "
		if i == p.cursor {
			cur = "> "
		}
		if it.active {
			act = "✓ "
		}
		item := st.pickerItem
		if i == p.cursor {
			item = st.pickerSel
		}
		room := inner - 4
		note := mode.Truncate(it.note, max(room/noteShare, 0), "…")
		room -= mode.Width(note)
		if note != "" {
			room--
		}
		hint := ""
		if it.hint != "" && room/2 > 4 {
			hint = " " + mode.Truncate("["+it.hint+"]", room/2-1, "…]")
			room -= mode.Width(hint)
		}
		label := mode.Truncate(it.label, max(room, 0), "…")
		gap := max(inner-4-mode.Width(label)-mode.Width(hint)-mode.Width(note), 0)
		s := item.Render(cur) + st.pickerMark.Render(act) + item.Render(label) + st.pickerHint.Render(hint) +
			item.Render(strings.Repeat(" ", gap)) + st.pickerCount.Render(note)
		box = append(box, line(s, inner))
	}
	box = append(box, edge.Render(bw.BottomLeft+strings.Repeat(bw.Bottom, inner+padL+padR)+bw.BottomRight))
	// Centre it.
	bwid := inner + padL + padR + 2
	left := strings.Repeat(" ", max((p.width-bwid)/2, 0))
	top := max((p.height-len(box))/2, 0)
	out := make([]string, 0, p.height)
	for i := 0; i < top; i++ {
		out = append(out, "")
	}
	for _, l := range box {
		out = append(out, left+l)
	}
	return out
}

// openAppPicker offers the apps of the cache (f).
func (m *inbox) openAppPicker() {
	c := m.status.counts
	p := &picker{kind: pickApp, title: "Show messages of"}
	p.items = append(p.items, pickItem{label: "every app", note: strconv.Itoa(c.Total), active: m.filter.App == ""})
	for _, a := range c.Apps {
		active := a.App == m.filter.App
		if a.Total == 0 && !active {
			continue // every message of the app was deleted
		}
		p.items = append(p.items, pickItem{label: m.mode.Line(a.App), app: a.App, note: strconv.Itoa(a.Total), active: active})
		if active {
			p.cursor = len(p.items) - 1
		}
	}
	m.showPicker(p)
}

// openPriorityPicker offers minimum priorities (p).
func (m *inbox) openPriorityPicker() {
	p := &picker{kind: pickPriority, title: "Show priority"}
	for _, c := range priorityChoices() {
		cur := m.filter.MinPriority
		active := (c.min == nil && cur == nil) || (c.min != nil && cur != nil && *c.min == *cur)
		p.items = append(p.items, pickItem{label: c.label, min: c.min, active: active})
		if active {
			p.cursor = len(p.items) - 1
		}
	}
	m.showPicker(p)
}

// linksOf lists the links of a message (the URL field and each inline
// link), once per message.
func (m *inbox) linksOf(msg cache.Message) []sanitize.Link {
	if msg.Key == 0 {
		return nil
	}
	if m.links.key != msg.Key {
		m.links.key = msg.Key
		m.links.links = m.mode.Links(msg.Message, msg.HTML, msg.URL, msg.URLTitle)
	}
	return m.links.links
}

// openLinksPicker lists every link of the selected message, numbered, to
// open (enter, or its number) or copy (y) (o).
func (m *inbox) openLinksPicker() {
	sel, ok := m.list.selected()
	links := m.linksOf(sel)
	if !ok || len(links) == 0 {
		return
	}
	p := &picker{kind: pickLinks, title: "Links of #" + itoa(sel.ID) + ": enter opens, y copies"}
	for i, l := range links {
		it := pickItem{label: l.Text, hint: l.HostHint, value: l.URL}
		if i < 9 {
			it.hotkey = strconv.Itoa(i + 1)
			it.label = it.hotkey + ". " + it.label
		}
		if l.Text != l.URL {
			it.note = l.URL
		}
		p.items = append(p.items, it)
	}
	m.showPicker(p)
}

// openCopyPicker offers what of the selected message to copy (y).
func (m *inbox) openCopyPicker() {
	sel, ok := m.list.selected()
	if !ok {
		return
	}
	p := &picker{kind: pickCopy, title: "Copy to the terminal clipboard"}
	body := m.mode.Text(sel.Message)
	if sel.HTML {
		body = sanitize.PlainText(m.mode.HTML(sel.Message))
	}
	p.items = append(p.items, pickItem{label: "b  the message", value: body, what: "the message", hotkey: "b",
		note: plural(len([]rune(body)), "char", "chars")})
	if u, ok := safeURL(sel); ok {
		p.items = append(p.items, pickItem{label: "u  the URL", value: u, what: "the URL", hotkey: "u"})
	}
	id := itoa(sel.ID)
	p.items = append(p.items, pickItem{label: "i  the message id", value: id, what: "the id", hotkey: "i", note: "#" + id})
	if sel.Receipt != "" {
		r := m.mode.Line(sel.Receipt)
		p.items = append(p.items, pickItem{label: "r  the receipt", value: r, what: "the receipt", hotkey: "r"})
	}
	m.showPicker(p)
}

func (m *inbox) showPicker(p *picker) {
	p.SetSize(m.width, m.bodyHeight())
	m.picker = p
	m.back, m.focus = m.focus, focusPicker
}

// closePicker returns to where the picker was opened.
func (m *inbox) closePicker() {
	m.picker, m.focus = nil, m.back
}

// updatePicker handles a key while a picker is open.
func (m *inbox) updatePicker(msg tea.KeyMsg) tea.Cmd {
	p := m.picker
	k := &m.pickerKeys
	if msg.Type == tea.KeyRunes && len(msg.Runes) == 1 {
		for i, it := range p.items {
			if it.hotkey != "" && it.hotkey == string(msg.Runes) {
				p.cursor = i
				return m.choose(p, false)
			}
		}
	}
	switch {
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Cancel):
		m.closePicker()
	case key.Matches(msg, k.Copy) && p.kind == pickLinks:
		return m.choose(p, true)
	case key.Matches(msg, k.Choose):
		return m.choose(p, false)
	}
	return nil
}

// choose acts on the item under the cursor; copy copies a link instead of
// opening it.
func (m *inbox) choose(p *picker, copy bool) tea.Cmd {
	m.closePicker()
	it := p.items[p.cursor]
	switch p.kind {
	case pickApp:
		m.filter.App = it.app
		return m.filterChanged()
	case pickPriority:
		m.filter.MinPriority = it.min
		return m.filterChanged()
	case pickLinks:
		if copy {
			return m.copyText(it.value, "the link")
		}
		return m.openURL(it.value)
	case pickCopy:
		return m.copyText(it.value, it.what)
	}
	return nil
}
