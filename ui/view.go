package ui

import (
	"strings"
)

// View renders the inbox: banner, panes, status bar, help line. Every
// line is at most the terminal's width as the terminal counts it: rows
// and detail lines are cut (sanitize's Cut, in the width mode) when they
// are rendered and cached, the other lines here.
func (m *inbox) View() string {
	if m.viewOK {
		return m.view
	}
	m.view, m.viewOK = m.render(), true
	return m.view
}

// render makes the View.
func (m *inbox) render() string {
	now := m.now()
	m.rows.now = now
	m.rows.setSearch(m.filter.Search)
	var b strings.Builder
	b.Grow(m.width * (m.height + 1) * 2)
	banner, status, help := m.chrome()
	if banner {
		b.WriteString(m.mode.Cut(m.bannerView(), m.width))
		b.WriteByte('\n')
	}
	m.bodyView(&b)
	if status {
		b.WriteByte('\n')
		b.WriteString(m.mode.Cut(m.statusView(), m.width))
	}
	if help {
		b.WriteByte('\n')
		b.WriteString(m.shortHelpView(m.ShortHelp()))
	}
	if m.parity {
		// Every line differs from the frames before the last eager one
		// (see eagerFrame), by a zero-width reset at its end.
		return strings.ReplaceAll(b.String(), "\n", parityMark+"\n") + parityMark
	}
	return b.String()
}

// parityMark ends every line while the parity is set: an SGR reset, zero
// cells wide and a no-op after the resets lipgloss writes.
const parityMark = "\x1b[m"

// bodyView writes the panes (or the help, or a picker) in the space
// between the banner and the status bar.
func (m *inbox) bodyView(b *strings.Builder) {
	h := m.bodyHeight()
	switch m.focus {
	case focusHelp:
		m.block(b, m.helpView(h), h)
		return
	case focusPicker:
		m.block(b, m.picker.view(m.st, m.mode), h)
		return
	}
	showDetail := m.base() == focusDetail || (m.focus == focusConfirm && m.back == focusDetail)
	switch {
	case m.stacked && showDetail:
		m.join(b, m.detail.visible(m.detailBuf[:0]), nil)
	case m.stacked:
		m.join(b, m.list.lines(m.listBuf[:0], m.rows, true, m.emptyText()), nil)
	default:
		m.listBuf = m.list.lines(m.listBuf[:0], m.rows, !showDetail, m.emptyText())
		m.detailBuf = m.detail.visible(m.detailBuf[:0])
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

// block writes lines in h lines, each cut to the width, padded with empty
// lines.
func (m *inbox) block(b *strings.Builder, lines []string, h int) {
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(m.mode.Cut(lines[i], m.width))
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

// bannerHints are the banner's key hints, longest first; the banner keeps
// the longest that leaves room for its text.
var bannerHints = []string{
	"a acknowledge · A all · m mute · e show",
	"a ack · A all · m mute · e show",
	"a ack · m mute · e show",
	"a ack · m mute",
	"a ack",
}

// bannerView is the emergency banner across the top: what needs the
// person, and the keys for it, which stay on the right however narrow
// the terminal is.
func (m *inbox) bannerView() string {
	mode := m.mode
	var head, detail string // the banner's text: what, then the quieter details
	var hints []string
	switch n := m.needAck(); {
	case n > 0:
		head = "!! " + plural(n, "emergency needs", "emergencies need") + " acknowledging"
		if o := m.oldestNeed(); o != nil {
			title := o.Title
			if title == "" {
				title = o.App
			}
			detail = " · oldest: " + mode.Line(title) + " (" + mode.Line(o.App) + ", " + ago(o.Time(), m.now()) + ")"
		}
		if m.queuedAck() {
			detail += " · an acknowledgement is queued"
		}
		hints = bannerHints
		if muted := m.muted; muted || !m.bellOn() {
			hints = []string{"a acknowledge · A all · e show", "a ack · A all · e show", "a ack · e show", "a ack"}
			if muted {
				head = "(bell muted) " + head
			}
		}
	default:
		head = "!! acknowledgement queued, not sent"
		detail = ": Pushover keeps paging until pobox can send it"
		hints = []string{""}
	}
	text := head + detail
	hint := ""
	for _, h := range hints {
		hint = h
		if mode.Width(h)+1+24 <= m.width {
			break
		}
	}
	hw := mode.Width(hint)
	room := m.width - hw
	if hint != "" {
		room-- // a space before the hint
	}
	t := mode.Truncate(text, max(room, 0), "…")
	gap := max(m.width-mode.Width(t)-hw, 0)
	st := m.st
	if len(t) > len(head) && strings.HasPrefix(t, head) {
		return st.banner.Render(head) + st.bannerDetail.Render(t[len(head):]+strings.Repeat(" ", gap)) + st.banner.Render(hint)
	}
	return st.banner.Render(t+strings.Repeat(" ", gap)) + st.banner.Render(hint)
}
