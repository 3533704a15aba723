package ui

import "pobox/cache"

// list is the message list pane. It never holds the whole cache: rows is a
// window of at most maxRows messages around the cursor, newest first, read
// with keyset queries (see window.go) and extended by a Cmd when the
// viewport comes within margin rows of the window's edge. Moves past the
// edge while more rows are on their way wait in pending, so that no key
// press is lost.
type list struct {
	rows   []cache.Message
	cursor int // index in rows of the selected message
	offset int // index in rows of the first visible row

	width, height int

	atTop, atBottom bool // the window holds the newest / the oldest match
	loaded          bool // the first read has arrived
	pending         int  // moves waiting for rows: > 0 down, < 0 up

	loadingOlder, loadingNewer bool
}

// SetSize sets the pane's size in cells.
func (l *list) SetSize(w, h int) {
	l.width, l.height = max(w, 1), max(h, 1)
	l.scroll()
}

// chunk is how many rows one extension read asks for.
func (l *list) chunk() int { return min(max(2*l.height, 40), cache.MaxLimit) }

// margin is how many rows beyond the viewport the window keeps ready.
func (l *list) margin() int { return max(l.height, 10) }

// maxRows bounds the window: about six screens.
func (l *list) maxRows() int { return min(max(6*l.height, 120), cache.MaxLimit) }

// selected returns the selected message, if any.
func (l *list) selected() (cache.Message, bool) {
	if l.cursor < 0 || l.cursor >= len(l.rows) {
		return cache.Message{}, false
	}
	return l.rows[l.cursor], true
}

// selectedID is the selected message's key, 0 when there is none.
func (l *list) selectedID() int64 {
	if m, ok := l.selected(); ok {
		return m.Key
	}
	return 0
}

// move moves the cursor n rows down (up when n < 0). What falls beyond the
// window while more rows exist waits in pending.
func (l *list) move(n int) {
	n += l.pending
	l.pending = 0
	if len(l.rows) == 0 {
		if !l.loaded {
			l.pending = n
		}
		return
	}
	t := l.cursor + n
	if last := len(l.rows) - 1; t > last {
		if !l.atBottom {
			l.pending = t - last
		}
		t = last
	}
	if t < 0 {
		if !l.atTop {
			l.pending = t
		}
		t = 0
	}
	l.cursor = t
	l.scroll()
}

// scroll keeps the cursor inside the viewport.
func (l *list) scroll() {
	if l.cursor >= len(l.rows) {
		l.cursor = max(len(l.rows)-1, 0)
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	// Do not leave blank rows at the bottom when rows could fill them.
	if l.offset+l.height > len(l.rows) {
		l.offset = max(len(l.rows)-l.height, 0)
	}
	l.offset = max(min(l.offset, l.cursor), 0)
}

// clickRow selects the row at screen line y of the pane; it reports
// whether a row was there.
func (l *list) clickRow(y int) bool {
	i := l.offset + y
	if y < 0 || i >= len(l.rows) {
		return false
	}
	l.pending = 0
	l.cursor = i
	l.scroll()
	return true
}

// wantOlder reports whether the window should be extended downwards.
func (l *list) wantOlder() bool {
	return l.loaded && !l.atBottom && !l.loadingOlder && len(l.rows) > 0 &&
		len(l.rows)-(l.offset+l.height) < l.margin()
}

// wantNewer reports whether the window should be extended upwards.
func (l *list) wantNewer() bool {
	return l.loaded && !l.atTop && !l.loadingNewer && len(l.rows) > 0 && l.offset < l.margin()
}

// appendOlder adds rows read below the window's last row, trims the top of
// the window when it grew too long, and replays waiting moves.
func (l *list) appendOlder(rows []cache.Message, full bool) {
	l.loadingOlder = false
	l.atBottom = !full
	l.rows = append(l.rows, rows...)
	if k := min(len(l.rows)-l.maxRows(), l.offset-l.margin()); k > 0 {
		l.rows = append(make([]cache.Message, 0, len(l.rows)-k+l.chunk()), l.rows[k:]...)
		l.cursor -= k
		l.offset -= k
		l.atTop = false
	}
	if l.pending > 0 || l.atBottom {
		l.move(0)
	}
}

// prependNewer adds rows read above the window's first row (newest first),
// trims the bottom of the window when it grew too long, and replays
// waiting moves.
func (l *list) prependNewer(rows []cache.Message, full bool) {
	l.loadingNewer = false
	l.atTop = !full
	if len(rows) > 0 {
		l.rows = append(append(make([]cache.Message, 0, len(rows)+len(l.rows)), rows...), l.rows...)
		l.cursor += len(rows)
		l.offset += len(rows)
	}
	if k := min(len(l.rows)-l.maxRows(), len(l.rows)-(l.offset+l.height+l.margin())); k > 0 {
		l.rows = l.rows[:len(l.rows)-k]
		l.atBottom = false
	}
	if l.pending < 0 || l.atTop {
		l.move(0)
	}
}

// replace puts a fresh window in place: rows newest first, sel the index
// to select, row the screen line it should appear on (-1: keep it in view
// the cheapest way).
func (l *list) replace(rows []cache.Message, atTop, atBottom bool, sel, row int) {
	l.rows = rows
	l.atTop, l.atBottom = atTop, atBottom
	l.loaded = true
	l.loadingOlder, l.loadingNewer = false, false
	l.cursor = max(min(sel, len(rows)-1), 0)
	if row >= 0 {
		l.offset = l.cursor - min(row, l.height-1)
	}
	l.scroll()
	if l.pending != 0 {
		l.move(0)
	}
}

// indexOf returns the index of the message with id in the window, or -1.
func (l *list) indexOf(id int64) int {
	for i := range l.rows {
		if l.rows[i].Key == id {
			return i
		}
	}
	return -1
}

// update applies fn to every row of the window that matches, for
// changes made here before the cache confirms them.
func (l *list) update(match func(*cache.Message) bool, fn func(*cache.Message)) {
	for i := range l.rows {
		if match(&l.rows[i]) {
			fn(&l.rows[i])
		}
	}
}

// remove drops the message with id from the window.
func (l *list) remove(id int64) {
	i := l.indexOf(id)
	if i < 0 {
		return
	}
	l.rows = append(l.rows[:i], l.rows[i+1:]...)
	if l.cursor > i {
		l.cursor-- // else the next older message moves into the cursor
	}
	l.scroll()
}

// lines renders the visible rows into dst, height of them, each exactly
// width cells wide; empty is shown when the window has no row. focused
// says whether the list has the focus (the selection's style).
func (l *list) lines(dst []string, r *rowRenderer, focused bool, empty string) []string {
	dst = dst[:0]
	for i := l.offset; i < len(l.rows) && len(dst) < l.height; i++ {
		var sel uint8 = selNone
		if i == l.cursor {
			sel = selBlurred
			if focused {
				sel = selFocused
			}
		}
		dst = append(dst, r.row(&l.rows[i], l.width, sel))
	}
	if len(dst) == 0 && l.loaded {
		dst = append(dst, r.blank(empty, l.width))
	}
	for len(dst) < l.height {
		dst = append(dst, r.blank("", l.width))
	}
	return dst
}
