package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"pobox/sanitize"
)

// pickerKind says what a picker chooses.
type pickerKind int

const (
	pickApp pickerKind = iota
	pickPriority
)

// pickItem is one choice. Label is sanitized.
type pickItem struct {
	label, note string
	active      bool   // the filter in force
	app         string // pickApp
	min         *int   // pickPriority
}

// picker is a small modal list: the app filter (f) and the minimum
// priority (p).
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
func (p *picker) rowsShown() int { return max(min(len(p.items), p.height-4), 1) }

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

// view renders the picker as a box centred in its space.
func (p *picker) view(st *styles) string {
	inner := min(p.width-4, 48)
	if inner < 1 {
		inner = max(p.width, 1)
	}
	var b strings.Builder
	b.WriteString(st.pickerTitle.Render(sanitize.Truncate(p.title, inner, "…")))
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
		note := sanitize.Truncate(it.note, max(inner/3, 0), "")
		lw := inner - 4 - sanitize.Width(note) - 1
		label := sanitize.Truncate(it.label, max(lw, 0), "…")
		gap := strings.Repeat(" ", max(inner-4-sanitize.Width(label)-sanitize.Width(note), 0))
		item := st.pickerItem
		if i == p.cursor {
			item = st.pickerSel
		}
		b.WriteByte('\n')
		b.WriteString(item.Render(cur) + st.pickerMark.Render(act) + item.Render(label+gap) + st.pickerCount.Render(note))
	}
	box := st.pickerBox.Render(b.String())
	return lipgloss.Place(p.width, p.height, lipgloss.Center, lipgloss.Center, box)
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
		p.items = append(p.items, pickItem{label: sanitize.Line(a.App), app: a.App, note: strconv.Itoa(a.Total), active: active})
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

func (m *inbox) showPicker(p *picker) {
	p.SetSize(m.width, m.bodyHeight())
	m.picker = p
	m.back, m.focus = m.focus, focusPicker
}

// updatePicker handles a key while a picker is open.
func (m *inbox) updatePicker(msg tea.KeyMsg) tea.Cmd {
	p := m.picker
	k := &m.pickerKeys
	switch {
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Cancel):
		m.picker, m.focus = nil, m.back
	case key.Matches(msg, k.Choose):
		m.picker, m.focus = nil, m.back
		it := p.items[p.cursor]
		if p.kind == pickApp {
			m.filter.App = it.app
		} else {
			m.filter.MinPriority = it.min
		}
		return m.filterChanged()
	}
	return nil
}
