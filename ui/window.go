package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
)

// loadKind says what a read of the list window is for.
type loadKind int

const (
	loadReload loadKind = iota // the window around the selection, after a change
	loadTop                    // the newest rows (first screen, new filter, g)
	loadBottom                 // the oldest rows (G)
	loadOlder                  // extend the window downwards
	loadNewer                  // extend the window upwards
)

// replaces reports whether the read replaces the whole window.
func (k loadKind) replaces() bool { return k <= loadBottom }

// loadReq describes one read. It is copied into the Cmd, which never
// touches the model.
type loadReq struct {
	kind   loadKind
	seq    int // replacing reads: only the latest one is applied
	gen    int // filter generation: reads for an old filter are dropped
	filter cache.Filter
	anchor int64 // reload: the selected id; older: the last id; newer: the first id
	above  int   // rows wanted above the anchor (reload, newer, bottom)
	below  int   // rows wanted from the anchor down (reload, older, top)

	// For a reload: where the selection was, to keep it in place.
	screenRow int
	viewTop   bool // the viewport showed the newest rows
}

// loadedMsg is a read's result. above holds rows newer than the anchor,
// below the anchor and older; both newest first.
type loadedMsg struct {
	req          loadReq
	above, below []cache.Message
	status       *dbStatus // replacing reads only
	err          error
}

// dbStatus is what the status bar and the banner read from the cache
// along with a window.
type dbStatus struct {
	counts   cache.Counts
	oldest   *cache.Message // the oldest emergency still needing the user
	lastSync time.Time
}

// loadCmd reads the window (and, for replacing reads, the counts) off the
// update loop.
func loadCmd(ctx context.Context, db *cache.DB, req loadReq) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		msg := loadedMsg{req: req}
		f := req.filter
		switch req.kind {
		case loadReload:
			if req.anchor > 0 && req.above > 0 {
				msg.above, msg.err = db.Newer(ctx, f, req.anchor, req.above)
			}
			if msg.err == nil {
				from := req.anchor
				if from > 0 {
					from++ // Older is exclusive: keep the anchor itself
				}
				msg.below, msg.err = db.Older(ctx, f, from, req.below)
			}
		case loadTop:
			msg.below, msg.err = db.Older(ctx, f, 0, req.below)
		case loadBottom:
			msg.above, msg.err = db.Newer(ctx, f, 0, req.above)
		case loadOlder:
			msg.below, msg.err = db.Older(ctx, f, req.anchor, req.below)
		case loadNewer:
			msg.above, msg.err = db.Newer(ctx, f, req.anchor, req.above)
		}
		if msg.err == nil && req.kind.replaces() {
			msg.status, msg.err = readStatus(ctx, db)
		}
		return msg
	}
}

// readStatus reads the counts, the oldest emergency that still needs the
// user and the time of the last sync.
func readStatus(ctx context.Context, db *cache.DB) (*dbStatus, error) {
	c, err := db.Counts(ctx)
	if err != nil {
		return nil, err
	}
	st := &dbStatus{counts: c}
	if c.Unacked-c.AckPending > 0 {
		// Newer from 0 reads the oldest emergencies; skip those whose
		// acknowledgement is already queued.
		ms, err := db.Newer(ctx, cache.Filter{Unacked: true}, 0, 50)
		if err != nil {
			return nil, err
		}
		for i := len(ms) - 1; i >= 0; i-- {
			if !ms[i].AckPending {
				st.oldest = &ms[i]
				break
			}
		}
	}
	if v, ok, err := db.State(ctx, cache.StateLastSync); err == nil && ok {
		st.lastSync, _ = time.Parse(time.RFC3339, v)
	}
	return st, nil
}

// requestLoad starts a read of kind for the current filter.
func (m *inbox) requestLoad(kind loadKind) tea.Cmd {
	l := &m.list
	req := loadReq{kind: kind, gen: m.gen, filter: m.filter}
	switch kind {
	case loadReload:
		if m.replacing {
			m.reloadQueued = true
			return nil
		}
		req.anchor = l.selectedID()
		req.above = min(max(l.cursor+l.margin(), l.margin()), cache.MaxLimit)
		req.below = min(max(len(l.rows)-l.cursor, l.height+l.margin()), cache.MaxLimit)
		req.screenRow = l.cursor - l.offset
		req.viewTop = l.atTop && l.offset == 0
		if req.anchor == 0 {
			req.below = l.chunk()
		}
	case loadTop:
		req.below = l.chunk()
	case loadBottom:
		req.above = l.chunk()
	case loadOlder:
		if len(l.rows) == 0 {
			return nil
		}
		l.loadingOlder = true
		req.anchor = l.rows[len(l.rows)-1].Key
		req.below = l.chunk()
	case loadNewer:
		if len(l.rows) == 0 {
			return nil
		}
		l.loadingNewer = true
		req.anchor = l.rows[0].Key
		req.above = l.chunk()
	}
	if kind.replaces() {
		m.seq++
		req.seq = m.seq
		m.replacing = true
		m.reloadQueued = false
	}
	return loadCmd(m.ctx, m.db, req)
}

// extendCmd starts the extension reads the viewport needs, if any.
func (m *inbox) extendCmd() tea.Cmd {
	var cmds []tea.Cmd
	if m.list.wantOlder() {
		cmds = append(cmds, m.requestLoad(loadOlder))
	}
	if m.list.wantNewer() {
		cmds = append(cmds, m.requestLoad(loadNewer))
	}
	return tea.Batch(cmds...)
}

// applyLoaded puts a read's rows into the window, when they still fit it.
func (m *inbox) applyLoaded(msg loadedMsg) tea.Cmd {
	l := &m.list
	req := msg.req
	if req.kind.replaces() {
		if req.seq != m.seq {
			return nil // a later replacing read is on its way
		}
		m.replacing = false
	} else if req.kind == loadOlder {
		l.loadingOlder = false
	} else {
		l.loadingNewer = false
	}
	if msg.err != nil {
		l.loaded = true
		return m.setError("could not read the cache", msg.err, "press r or restart pobox")
	}
	var cmds []tea.Cmd
	if msg.status != nil {
		cmds = append(cmds, m.applyStatus(msg.status))
	}
	if req.gen == m.gen {
		switch req.kind {
		case loadReload:
			if !m.applyReload(msg) {
				m.reloadQueued = true
			}
		case loadTop:
			l.replace(msg.below, true, len(msg.below) < req.below, 0, 0)
		case loadBottom:
			l.replace(msg.above, len(msg.above) < req.above, true, len(msg.above)-1, -1)
		case loadOlder:
			if n := len(l.rows); n > 0 && l.rows[n-1].Key == req.anchor {
				l.appendOlder(msg.below, len(msg.below) == req.below)
			}
		case loadNewer:
			if len(l.rows) > 0 && l.rows[0].Key == req.anchor {
				l.prependNewer(msg.above, len(msg.above) == req.above)
			}
		}
		if req.kind != loadReload || msg.req.anchor != l.selectedID() {
			cmds = append(cmds, m.selectionChanged())
		}
	}
	if m.reloadQueued && !m.replacing {
		cmds = append(cmds, m.requestLoad(loadReload))
	}
	cmds = append(cmds, m.extendCmd())
	return tea.Batch(cmds...)
}

// applyReload replaces the window with a reload's rows, keeping the
// selection on the same message and on the same screen line. It reports
// false when the selection moved too far while the read ran.
func (m *inbox) applyReload(msg loadedMsg) bool {
	l := &m.list
	req := msg.req
	rows := make([]cache.Message, 0, len(msg.above)+len(msg.below))
	rows = append(append(rows, msg.above...), msg.below...)
	atTop := req.anchor == 0 || len(msg.above) < req.above
	atBottom := len(msg.below) < req.below
	cur := l.selectedID()
	sel := -1
	for i := range rows {
		if rows[i].Key == cur {
			sel = i
			break
		}
	}
	if sel < 0 {
		if cur != req.anchor && cur != 0 {
			return false // the user moved on: read again around the new place
		}
		sel = len(msg.above) // deleted: the next older takes its place
	}
	row := req.screenRow
	if req.viewTop && atTop {
		row = sel // new messages on top stay visible
	}
	l.replace(rows, atTop, atBottom, sel, row)
	return true
}

// applyStatus takes fresh counts from the cache, and starts the bell's
// repeat when an emergency waits.
func (m *inbox) applyStatus(st *dbStatus) tea.Cmd {
	last := m.status.lastSync
	m.status = *st
	if last.After(m.status.lastSync) {
		m.status.lastSync = last
	}
	return m.armBell()
}
