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
	rowLowest            // priority -2
	rowLow               // priority -1
	rowHigh              // priority 1
	rowEmergency         // priority 2, nobody acknowledged it, still paging
	rowPending           // priority 2, our acknowledgement is on its way
	rowAcked             // priority 2, acknowledged
	rowExpired           // priority 2, not acknowledged, paging ended
	rowKinds
)

func kindOf(m *cache.Message, now time.Time) rowKind {
	switch {
	case m.IsEmergency() && m.AckPending && !m.Acked:
		return rowPending
	case m.NeedsAck() && expired(m, now):
		return rowExpired
	case m.NeedsAck():
		return rowEmergency
	case m.IsEmergency():
		return rowAcked
	case m.Priority >= 1:
		return rowHigh
	case m.Priority == -1:
		return rowLow
	case m.Priority < -1:
		return rowLowest
	}
	return rowNormal
}

// maxPaging is the longest an emergency pages: Pushover's largest expire.
const maxPaging = 3 * time.Hour

// pagingEnd is when Pushover stops paging for an emergency at the latest:
// maxPaging after the latest of its dates (the sender may set an older
// date).
func pagingEnd(m *cache.Message) time.Time {
	t := max(m.Date, m.QueuedDate, m.DispatchedDate)
	return time.Unix(t, 0).Add(maxPaging)
}

// expired reports whether an emergency stopped paging without anybody
// acknowledging it: it needs nobody any more, and the bell stops.
func expired(m *cache.Message, now time.Time) bool {
	return m.IsEmergency() && !m.Acked && !now.Before(pagingEnd(m))
}

// rowMarks are the two-cell priority markers, by kind.
var rowMarks = [rowKinds]string{
	rowNormal: "  ", rowLowest: "  ", rowLow: "  ", rowHigh: "! ", rowEmergency: "!!", rowPending: "~ ",
	rowAcked: "✓ ", rowExpired: "✗ ",
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
	mode  sanitize.WidthMode
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

func newRowRenderer(st *styles, mode sanitize.WidthMode) *rowRenderer {
	return &rowRenderer{st: st, mode: mode, cache: make(map[rowKey]string, 256), pad: spacer{mode: mode}}
}

// row returns the message's row, exactly width cells wide.
func (r *rowRenderer) row(m *cache.Message, width int, sel uint8) string {
	k := rowKey{id: m.Key, width: width, kind: kindOf(m, r.now), read: m.Read, sel: sel,
		label: timeLabel(m.Time(), r.now), query: r.query}
	if s, ok := r.cache[k]; ok {
		return s
	}
	s := r.mode.Cut(r.render(m, k), width)
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
	mode := r.mode
	var b strings.Builder
	b.Grow(width * 2)
	used := 0
	put := func(style lipgloss.Style, text string, w int) {
		if w <= 0 || used >= width {
			return
		}
		if used+w > width {
			text = mode.Truncate(text, width-used, "")
			w = mode.Width(text)
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
	title := mode.Line(m.Title)
	if title == "" {
		title = mode.Line(m.App)
	}
	if appW > 0 {
		app := mode.Truncate(m.App, appW, "…")
		put(rs.app, r.pad.padRight(app, appW)+" ", appW+1)
		rest -= appW + 1
	}
	if rest > 0 {
		body := m.Message
		if m.HTML {
			body = sanitize.PlainText(mode.HTML(body))
		}
		body = mode.Line(body)
		switch k.kind {
		case rowPending:
			body = "acknowledging… " + body
		case rowExpired:
			body = "expired, not acknowledged · " + body
		}
		tmax := rest
		if body != "" {
			tmax = max(rest*3/5, min(rest, 12))
		}
		t := mode.Truncate(title, tmax, "…")
		tw := mode.Width(t)
		ts, th := rs.title, rs.titleMatch
		if !m.Read {
			ts, th = rs.titleUnread, rs.titleUnreadMatch
		}
		mark(ts, th, t, tw)
		if room := rest - tw - 2; room >= 4 && body != "" {
			bt := mode.Truncate(body, room, "…")
			put(rs.body, "  ", 2)
			mark(rs.body, rs.bodyMatch, bt, mode.Width(bt))
		}
	}
	if used < width {
		b.WriteString(rs.fill.Render(r.pad.spaces(width - used)))
	}
	return b.String()
}

// blank is an empty list line, with text (muted) when given.
func (r *rowRenderer) blank(text string, width int) string {
	t := r.mode.Truncate(text, width, "…")
	tw := r.mode.Width(t)
	return r.st.empty.Render(t) + r.pad.spaces(width-tw)
}

// spacer hands out runs of spaces without allocating each time.
type spacer struct {
	s    string
	mode sanitize.WidthMode
}

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
	return s + p.spaces(width-p.mode.Width(s))
}

// bodyRenderer renders the detail pane's lines.
type bodyRenderer struct {
	st   *styles
	mode sanitize.WidthMode
	sp   spacer
}

func newBodyRenderer(st *styles, mode sanitize.WidthMode) *bodyRenderer {
	return &bodyRenderer{st: st, mode: mode, sp: spacer{mode: mode}}
}

// spaces returns n spaces.
func (r *bodyRenderer) spaces(n int) string { return r.sp.spaces(n) }

// padTo pads styled, which is w cells wide, with spaces to width cells.
func (r *bodyRenderer) padTo(styled string, w, width int) string {
	return styled + r.sp.spaces(width-w)
}

// fragments renders one wrapped line: with style each fragment but links
// in it, else each in the style of its span (HTML formatting, links); a
// link's host hint in the hint style. Within the byte ranges marks (of the
// line's plain text, in order) the text is in the match style instead.
func (r *bodyRenderer) fragments(line []frag, style *lipgloss.Style, marks []span) (string, int) {
	var b strings.Builder
	w, at := 0, 0 // at: offset of the fragment in the line's plain text
	for _, f := range line {
		var fs lipgloss.Style
		switch {
		case f.hint:
			fs = r.st.hint
		case style != nil && f.span.Href == "":
			fs = *style
		default:
			fs = r.st.span(f.span)
		}
		var s string
		if len(marks) == 0 {
			s = fs.Render(f.text)
		} else {
			s = r.marked(f.text, at, fs, marks)
		}
		if f.span.Href != "" {
			s = sanitize.WrapHyperlink(f.span.Href, s)
		}
		b.WriteString(s)
		w += r.mode.Width(f.text)
		at += len(f.text)
	}
	return b.String(), w
}

// marked renders text, which starts at offset at of its line, in style
// fs with the parts inside marks in the match style.
func (r *bodyRenderer) marked(text string, at int, fs lipgloss.Style, marks []span) string {
	var b strings.Builder
	pos := 0
	for _, mk := range marks {
		s, e := max(mk.start-at, pos), min(mk.end-at, len(text))
		if s >= e {
			continue
		}
		if s > pos {
			b.WriteString(fs.Render(text[pos:s]))
		}
		b.WriteString(r.st.findMatch.Render(text[s:e]))
		pos = e
	}
	if pos < len(text) {
		b.WriteString(fs.Render(text[pos:]))
	}
	return b.String()
}
