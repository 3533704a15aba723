package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"pobox/sanitize"
)

// View renders the inbox: banner, panes, status bar, help line.
func (m *inbox) View() string {
	now := m.now()
	m.rows.now = now
	m.rows.setSearch(m.filter.Search)
	var b strings.Builder
	b.Grow(m.width * (m.height + 1) * 2)
	banner, status, help := m.chrome()
	if banner {
		b.WriteString(m.bannerView())
		b.WriteByte('\n')
	}
	m.bodyView(&b)
	if status {
		b.WriteByte('\n')
		b.WriteString(m.statusView())
	}
	if help {
		b.WriteByte('\n')
		b.WriteString(shortHelp(&m.help, m.ShortHelp(), m.width))
	}
	return b.String()
}

// shortHelp renders the one-line help, cut to width: bubbles' help
// overflows when even its ellipsis does not fit.
func shortHelp(h *help.Model, bindings []key.Binding, width int) string {
	return ansi.Truncate(h.ShortHelpView(bindings), width, "")
}

// fullHelp renders the groups of bindings side by side, in as many rows of
// groups as the width needs: bubbles' help would cut the columns that do
// not fit, and every binding must show.
func fullHelp(h help.Model, groups [][]key.Binding, width int) string {
	h.Width = 0 // measure without cutting
	var rows []string
	for len(groups) > 0 {
		n := 1
		for n < len(groups) && lipgloss.Width(h.FullHelpView(groups[:n+1])) <= width {
			n++
		}
		rows = append(rows, h.FullHelpView(groups[:n]))
		groups = groups[n:]
	}
	return strings.Join(rows, "\n\n")
}

// bodyView writes the panes (or the help, or a picker) in the space
// between the banner and the status bar.
func (m *inbox) bodyView(b *strings.Builder) {
	h := m.bodyHeight()
	switch m.focus {
	case focusHelp:
		m.block(b, m.st.helpTitle.Render("Keys")+"\n"+fullHelp(m.help, m.FullHelp(), m.width), h)
		return
	case focusPicker:
		m.block(b, m.picker.view(m.st), h)
		return
	}
	now := m.now()
	showDetail := m.focus == focusDetail || (m.focus == focusConfirm && m.back == focusDetail)
	switch {
	case m.stacked && showDetail:
		m.join(b, m.detail.view(m.detailBuf[:0], m.body, now, ""), nil)
	case m.stacked:
		m.join(b, m.list.lines(m.listBuf[:0], m.rows, true, m.emptyText()), nil)
	default:
		m.listBuf = m.list.lines(m.listBuf[:0], m.rows, !showDetail, m.emptyText())
		m.detailBuf = m.detail.view(m.detailBuf[:0], m.body, now, "")
		m.join(b, m.listBuf, m.detailBuf)
	}
}

// join writes left and right (when not nil) side by side, with the
// border between them.
func (m *inbox) join(b *strings.Builder, left, right []string) {
	sep := m.st.border
	for i, l := range left {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		if right != nil {
			b.WriteString(sep)
			if i < len(right) {
				b.WriteString(right[i])
			}
		}
	}
}

// block writes s in h lines, cut or padded.
func (m *inbox) block(b *strings.Builder, s string, h int) {
	lines := strings.Split(s, "\n")
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(ansi.Truncate(lines[i], m.width, ""))
		}
	}
}

// emptyText is what an empty list says.
func (m *inbox) emptyText() string {
	if m.filter.Search != "" || m.filtered() {
		return "Nothing matches. Press esc to clear the search and filters."
	}
	return "No messages yet: new ones appear here as they arrive."
}

// bannerView is the emergency banner across the top.
func (m *inbox) bannerView() string {
	n := m.needAck()
	text := "!! " + plural(n, "emergency needs", "emergencies need") + " acknowledging"
	if o := m.status.oldest; o != nil {
		title := o.Title
		if title == "" {
			title = o.App
		}
		text += " · oldest: " + sanitize.Line(title) + " (" + sanitize.Line(o.App) + ", " + ago(o.Time(), m.now()) + ")"
	}
	text += " · a acknowledge · A all"
	t := sanitize.Truncate(text, m.width, "…")
	return m.st.banner.Render(t + strings.Repeat(" ", max(m.width-sanitize.Width(t), 0)))
}
