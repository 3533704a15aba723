package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"pobox/cache"
	"pobox/sanitize"
)

// rowKind picks the styles of a list row.
type rowKind int

const (
	rowNormal    rowKind = iota
	rowLow               // priority -1 and -2
	rowHigh              // priority 1
	rowEmergency         // priority 2, nobody acknowledged it
	rowPending           // priority 2, our acknowledgement is on its way
	rowAcked             // priority 2, acknowledged
	rowKinds
)

func kindOf(m *cache.Message) rowKind {
	switch {
	case m.IsEmergency() && m.AckPending && !m.Acked:
		return rowPending
	case m.NeedsAck():
		return rowEmergency
	case m.IsEmergency():
		return rowAcked
	case m.Priority >= 1:
		return rowHigh
	case m.Priority < 0:
		return rowLow
	}
	return rowNormal
}

// rowMarks are the two-cell priority markers, by kind.
var rowMarks = [rowKinds]string{
	rowNormal: "  ", rowLow: "  ", rowHigh: "! ", rowEmergency: "!!", rowPending: "~ ", rowAcked: "✓ ",
}

// rowKey identifies one rendering of a row: anything that changes the
// row's text or style is part of it.
type rowKey struct {
	id    int64
	width int
	kind  rowKind
	read  bool
	sel   uint8  // selNone, selFocused, selBlurred
	label string // the time column, which ages
	query string // the search, whose matches are marked
}

// rowCacheMax bounds the cache of rendered rows; it is emptied when full
// (a screen renders again in well under a millisecond).
const rowCacheMax = 4096

// rowRenderer renders list rows and keeps the results: a repaint with
// nothing changed costs a map lookup a row.
type rowRenderer struct {
	st    *styles
	now   time.Time
	query string   // the search shown
	match *matcher // its matcher, nil without a search
	cache map[rowKey]string
	pad   spacer
}

// setSearch makes rows mark the matches of search.
func (r *rowRenderer) setSearch(search string) {
	if search != r.query {
		r.query, r.match = search, newMatcher(search)
	}
}

func newRowRenderer(st *styles) *rowRenderer {
	return &rowRenderer{st: st, cache: make(map[rowKey]string, 256)}
}

// row returns the message's row, exactly width cells wide.
func (r *rowRenderer) row(m *cache.Message, width int, sel uint8) string {
	k := rowKey{id: m.Key, width: width, kind: kindOf(m), read: m.Read, sel: sel,
		label: timeLabel(m.Time(), r.now), query: r.query}
	if s, ok := r.cache[k]; ok {
		return s
	}
	s := r.render(m, k)
	if len(r.cache) >= rowCacheMax {
		clear(r.cache)
	}
	r.cache[k] = s
	return s
}

// layout of a row: cursor, unread mark, space, priority mark, space, time,
// space, app, space, title, two spaces, body. The cursor column keeps the
// selection visible without colour or attributes.
const rowFixed = 1 + 1 + 1 + 2 + 1 + timeLabelWidth + 1

func (r *rowRenderer) render(m *cache.Message, k rowKey) string {
	rs := &r.st.rows[k.sel][k.kind]
	width := k.width
	var b strings.Builder
	b.Grow(width * 2)
	used := 0
	put := func(style lipgloss.Style, text string, w int) {
		if w <= 0 || used >= width {
			return
		}
		if used+w > width {
			text = sanitize.Truncate(text, width-used, "")
			w = sanitize.Width(text)
		}
		b.WriteString(style.Render(text))
		used += w
	}
	// mark writes text, which fits, with the search's matches in hl.
	mark := func(style, hl lipgloss.Style, text string, w int) {
		spans := r.match.spans(text)
		if len(spans) == 0 {
			b.WriteString(style.Render(text))
			used += w
			return
		}
		pieces := split(text, spans)
		for i, p := range pieces {
			if p == "" {
				continue
			}
			if i%2 == 1 {
				b.WriteString(hl.Render(p))
			} else {
				b.WriteString(style.Render(p))
			}
		}
		used += w
	}
	cur := " "
	if k.sel != selNone {
		cur = ">"
	}
	put(rs.cursor, cur, 1)
	dot := " "
	if !m.Read {
		dot = "●"
	}
	put(rs.unread, dot+" ", 1+1)
	put(rs.mark, rowMarks[k.kind]+" ", 3)
	put(rs.time, r.pad.padRight(k.label, timeLabelWidth)+" ", timeLabelWidth+1)

	rest := width - rowFixed
	appW := min(max(width/8, 6), 16)
	if rest-appW-1 < 12 {
		appW = 0 // too narrow for the app column: the title says enough
	}
	title := sanitize.Line(m.Title)
	if title == "" {
		title = sanitize.Line(m.App)
	}
	if appW > 0 {
		app := sanitize.Truncate(m.App, appW, "…")
		put(rs.app, r.pad.padRight(app, appW)+" ", appW+1)
		rest -= appW + 1
	}
	if rest > 0 {
		body := m.Message
		if m.HTML {
			body = sanitize.PlainText(sanitize.HTML(body))
		}
		body = sanitize.Line(body)
		if k.kind == rowPending {
			body = "acknowledging… " + body
		}
		tmax := rest
		if body != "" {
			tmax = max(rest*3/5, min(rest, 12))
		}
		t := sanitize.Truncate(title, tmax, "…")
		tw := sanitize.Width(t)
		ts, th := rs.title, rs.titleMatch
		if !m.Read {
			ts, th = rs.titleUnread, rs.titleUnreadMatch
		}
		mark(ts, th, t, tw)
		if room := rest - tw - 2; room >= 4 && body != "" {
			bt := sanitize.Truncate(body, room, "…")
			put(rs.body, "  ", 2)
			mark(rs.body, rs.bodyMatch, bt, sanitize.Width(bt))
		}
	}
	if used < width {
		b.WriteString(rs.fill.Render(r.pad.spaces(width - used)))
	}
	return b.String()
}

// blank is an empty list line, with text (muted) when given.
func (r *rowRenderer) blank(text string, width int) string {
	t := sanitize.Truncate(text, width, "…")
	tw := sanitize.Width(t)
	return r.st.muted.Render(t) + r.pad.spaces(width-tw)
}

// spacer hands out runs of spaces without allocating each time.
type spacer struct{ s string }

func (p *spacer) spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if len(p.s) < n {
		p.s = strings.Repeat(" ", max(n, 256))
	}
	return p.s[:n]
}

// padRight pads s (sanitized, w cells) with spaces to width cells.
func (p *spacer) padRight(s string, width int) string {
	return s + p.spaces(width-sanitize.Width(s))
}

// bodyRenderer renders the detail pane's lines.
type bodyRenderer struct {
	st *styles
	sp spacer
}

// spaces returns n spaces.
func (r *bodyRenderer) spaces(n int) string { return r.sp.spaces(n) }

// padTo pads styled, which is w cells wide, with spaces to width cells.
func (r *bodyRenderer) padTo(styled string, w, width int) string {
	return styled + r.sp.spaces(width-w)
}

// fragments renders one wrapped line: with style each fragment in it,
// else each in the style of its span (HTML formatting, links).
func (r *bodyRenderer) fragments(line []frag, style *lipgloss.Style) (string, int) {
	var b strings.Builder
	w := 0
	for _, f := range line {
		var s string
		if style != nil {
			s = style.Render(f.text)
		} else {
			s = r.st.span(f.span).Render(f.text)
		}
		if f.span.Href != "" {
			s = sanitize.WrapHyperlink(f.span.Href, s)
		}
		b.WriteString(s)
		w += sanitize.Width(f.text)
	}
	return b.String(), w
}
