package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"pobox/cache"
	"pobox/sanitize"
)

// detail is the message pane: the selected message rendered to the pane's
// width once, then scrolled by slicing its lines. It renders again only
// when the message, its state or the width changes.
type detail struct {
	width, height int

	msg   cache.Message
	has   bool
	key   detailKey // what lines were rendered for
	lines []string  // each exactly width cells
	top   int       // first visible line
}

// detailKey is everything a rendering depends on.
type detailKey struct {
	id                int64
	width             int
	acked, ackPending bool
	has               bool
}

// SetSize sets the pane's size in cells.
func (d *detail) SetSize(w, h int) {
	d.width, d.height = max(w, 1), max(h, 1)
	d.clamp()
}

// set shows m (ok false: nothing selected). A different message starts at
// its top.
func (d *detail) set(m cache.Message, ok bool) {
	if !ok || !d.has || m.Key != d.msg.Key {
		d.top = 0
	}
	d.msg, d.has = m, ok
}

// scroll moves the view n lines down (up when n < 0).
func (d *detail) scroll(n int) {
	d.top += n
	d.clamp()
}

func (d *detail) clamp() {
	d.top = max(min(d.top, len(d.lines)-d.height), 0)
}

// render lays the message out when anything it depends on changed.
func (d *detail) render(r *bodyRenderer, now time.Time) {
	k := detailKey{id: d.msg.Key, width: d.width, acked: d.msg.Acked, ackPending: d.msg.AckPending, has: d.has}
	if k == d.key && d.lines != nil {
		return
	}
	d.key = k
	d.lines = d.lines[:0]
	if d.has {
		d.lines = r.message(d.lines, &d.msg, d.width, now)
	}
	d.clamp()
}

// view renders the visible lines into dst, height of them, each width
// cells wide; empty is shown when nothing is selected.
func (d *detail) view(dst []string, r *bodyRenderer, now time.Time, empty string) []string {
	d.render(r, now)
	dst = dst[:0]
	for i := 0; i < d.height; i++ {
		switch j := d.top + i; {
		case j < len(d.lines):
			dst = append(dst, d.lines[j])
		case i == 0 && !d.has:
			t := sanitize.Truncate(empty, d.width, "…")
			dst = append(dst, r.padTo(r.st.muted.Render(t), sanitize.Width(t), d.width))
		default:
			dst = append(dst, r.spaces(d.width))
		}
	}
	return dst
}

// message renders m into lines of exactly width cells.
func (r *bodyRenderer) message(lines []string, m *cache.Message, width int, now time.Time) []string {
	st := r.st
	add := func(styled string, w int) { lines = append(lines, r.padTo(styled, w, width)) }
	addWrapped := func(text string, style lipgloss.Style) {
		for _, l := range wrapSpans([]sanitize.Span{{Text: sanitize.Text(text)}}, width, true) {
			s, w := r.fragments(l, &style)
			add(s, w)
		}
	}

	title := m.Title
	if title == "" {
		title = m.App
	}
	addWrapped(sanitize.Line(title), st.detailTitle)

	meta := sanitize.Line(m.App) + " · #" + strconv.FormatInt(m.ID, 10) + " · " + fullDate(m.Time(), now)
	addWrapped(meta, st.meta)

	prio := "priority " + priorityWords(m.Priority)
	switch {
	case m.IsEmergency() && m.AckPending:
		prio += " · acknowledging…"
	case m.IsEmergency() && m.Acked:
		prio += " · acknowledged"
	case m.IsEmergency():
		prio += " · NOT ACKNOWLEDGED: press a"
	}
	switch {
	case m.NeedsAck() && !m.AckPending:
		addWrapped(prio, st.emergency)
	case m.Priority >= 1:
		addWrapped(prio, st.high)
	default:
		addWrapped(prio, st.meta)
	}

	if m.URL != "" {
		lines = r.link(lines, m, width)
	}
	add(st.rule.Render(strings.Repeat("─", width)), width)

	var spans []sanitize.Span
	switch {
	case m.HTML:
		spans = sanitize.HTML(m.Message)
	default:
		spans = sanitize.Linkify(m.Message)
	}
	for _, l := range wrapSpans(spans, width, !m.Monospace) {
		s, w := r.fragments(l, nil)
		add(s, w)
	}
	return lines
}

// link renders the message's URL: its title as an OSC 8 hyperlink (http
// and https only) and the address itself, so that the target is never
// hidden behind the title.
func (r *bodyRenderer) link(lines []string, m *cache.Message, width int) []string {
	st := r.st
	u, ok := sanitize.SafeURL(m.URL)
	label := sanitize.Line(m.URLTitle)
	if !ok {
		text := sanitize.Truncate("link (not opened: not a web address): "+sanitize.Line(m.URL), width, "…")
		return append(lines, r.padTo(st.muted.Render(text), sanitize.Width(text), width))
	}
	if label == "" {
		label = u
	}
	text := sanitize.Truncate("↗ "+label, width, "…")
	lines = append(lines, r.padTo(sanitize.WrapHyperlink(u, st.link.Render(text)), sanitize.Width(text), width))
	if label != u {
		addr := sanitize.Truncate("  "+u, width, "…")
		lines = append(lines, r.padTo(st.muted.Render(addr), sanitize.Width(addr), width))
	}
	return lines
}
