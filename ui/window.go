package ui

import (
	"context"
	"errors"
	"slices"
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
	loadAround                 // the window around another message (next unread, the emergency)
	loadOlder                  // extend the window downwards
	loadNewer                  // extend the window upwards
)

// replaces reports whether the read replaces the whole window.
func (k loadKind) replaces() bool { return k <= loadAround }

// loadReq describes one read. It is copied into the Cmd, which never
// touches the model.
type loadReq struct {
	kind   loadKind
	seq    int // replacing reads: only the latest one is applied
	gen    int // filter generation: reads for an old filter are dropped
	filter cache.Filter
	anchor int64 // reload, around: the message; older: the last key; newer: the first key
	above  int   // rows wanted above the anchor (reload, around, newer, bottom)
	below  int   // rows wanted from the anchor down (reload, around, older, top)

	// keep are the keys (ascending) read here under the unread filter:
	// they stay in its results until the filter changes.
	keep []int64

	screenRow int  // the screen line a loadAround puts its message on
	viewTop   bool // reload: the viewport showed the newest rows
	follow    bool // reload: the selection was on the newest row: it moves to the new newest

	// newerThan, when > 0, asks how many matching messages are newer
	// than this key: those that arrived since the person left the top.
	newerThan int64
	// count asks how many messages match the filter (search or
	// filters): replacing reads only, each one while a filter is in
	// force, since arrivals, deletions and reads change it.
	count bool
	// user says the person asked for the read (g, G, n, e): the
	// selection it brings is theirs, and may become read.
	user bool
}

// loadedMsg is a read's result. above holds rows newer than the anchor,
// below the anchor and older; both newest first. The full flags say that
// more rows lie beyond them.
type loadedMsg struct {
	req                  loadReq
	above, below         []cache.Message
	aboveFull, belowFull bool
	status               *dbStatus // replacing reads only
	newer                int       // answer to newerThan, -1 when not asked
	matches              int       // answer to count, -1 when not asked
	err                  error
}

// dbStatus is what the status bar and the banner read from the cache
// along with a window.
type dbStatus struct {
	counts cache.Counts
	// unacked are the newest emergencies nobody has acknowledged
	// (pending ones included), newest first: whether they still page
	// depends on the clock (see expired).
	unacked  []cache.Message
	lastSync time.Time
	device   int64 // the newest device (the login's): others are named beside their ids
}

// maxUnacked bounds the emergencies read for the banner: beyond the
// newest hundred, older ones stopped paging long ago.
const maxUnacked = 100

// loadCmd reads the window (and, for replacing reads, the counts) off the
// update loop.
func loadCmd(ctx context.Context, db *cache.DB, req loadReq, device int64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		msg := loadedMsg{req: req, newer: -1, matches: -1}
		f := req.filter
		// The counts are read beside the rows, on another connection: a
		// new message shows as soon as both are in.
		var status chan statusResult
		if req.kind.replaces() {
			status = make(chan statusResult, 1)
			go func() {
				r := statusResult{matches: -1}
				r.st, r.err = readStatus(ctx, db, device)
				if r.err == nil && req.count {
					r.matches, r.err = db.CountNewer(ctx, f, 0)
					r.matches += len(req.keep) // read here, shown still
				}
				status <- r
			}()
		}
		older := func(before int64, n int) ([]cache.Message, bool, error) {
			return keptOlder(ctx, db, f, before, n, req.keep)
		}
		newer := func(after int64, n int) ([]cache.Message, bool, error) {
			return keptNewer(ctx, db, f, after, n, req.keep)
		}
		switch req.kind {
		case loadReload, loadAround:
			if req.anchor > 0 && req.above > 0 {
				msg.above, msg.aboveFull, msg.err = newer(req.anchor, req.above)
			}
			if msg.err == nil {
				from := req.anchor
				if from > 0 {
					from++ // Older is exclusive: keep the anchor itself
				}
				msg.below, msg.belowFull, msg.err = older(from, req.below)
			}
		case loadTop:
			msg.below, msg.belowFull, msg.err = older(0, req.below)
		case loadBottom:
			msg.above, msg.aboveFull, msg.err = newer(0, req.above)
		case loadOlder:
			msg.below, msg.belowFull, msg.err = older(req.anchor, req.below)
		case loadNewer:
			msg.above, msg.aboveFull, msg.err = newer(req.anchor, req.above)
		}
		if msg.err == nil && req.newerThan > 0 {
			msg.newer, msg.err = db.CountNewer(ctx, f, req.newerThan)
		}
		if status != nil {
			r := <-status
			if msg.err == nil {
				msg.status, msg.matches, msg.err = r.st, r.matches, r.err
			}
		}
		return msg
	}
}

type statusResult struct {
	st      *dbStatus
	matches int
	err     error
}

// keptOlder is db.Older with the kept keys (read under the unread filter)
// merged in: up to limit rows below the key before, newest first, and
// whether more lie beyond them. Only kept rows among the limit nearest
// are read (by key), so the cost stays that of one page.
func keptOlder(ctx context.Context, db *cache.DB, f cache.Filter, before int64, limit int, keep []int64) ([]cache.Message, bool, error) {
	rows, err := db.Older(ctx, f, before, limit)
	if err != nil {
		return nil, false, err
	}
	full := len(rows) == limit
	if len(keep) == 0 || !f.Unread {
		return rows, full, nil
	}
	hi := before
	if hi <= 0 {
		hi = 1<<63 - 1
	}
	lo := int64(0)
	if full {
		lo = rows[len(rows)-1].Key
	}
	// Kept keys in (lo, hi), newest first.
	var extra []int64
	for i := len(keep) - 1; i >= 0 && keep[i] > lo; i-- {
		if keep[i] < hi {
			extra = append(extra, keep[i])
		}
	}
	return mergeKept(ctx, db, rows, extra, limit, full, func(a, b int64) bool { return a > b })
}

// keptNewer is db.Newer with the kept keys merged in, as keptOlder: up to
// limit rows above the key after (the nearest to it), newest first.
func keptNewer(ctx context.Context, db *cache.DB, f cache.Filter, after int64, limit int, keep []int64) ([]cache.Message, bool, error) {
	rows, err := db.Newer(ctx, f, after, limit)
	if err != nil {
		return nil, false, err
	}
	full := len(rows) == limit
	if len(keep) == 0 || !f.Unread {
		return rows, full, nil
	}
	hi := int64(1<<63 - 1)
	if full {
		hi = rows[0].Key
	}
	var extra []int64 // kept keys in (after, hi), nearest to after first
	for i, _ := slices.BinarySearch(keep, after+1); i < len(keep) && keep[i] < hi; i++ {
		extra = append(extra, keep[i])
	}
	slices.Reverse(rows) // nearest first for the merge
	rows, full, err = mergeKept(ctx, db, rows, extra, limit, full, func(a, b int64) bool { return a < b })
	slices.Reverse(rows)
	return rows, full, err
}

// mergeKept merges the kept keys extra into rows, both in the order
// before, keeps the first limit, reads the kept rows among them, and
// reports whether more lie beyond.
func mergeKept(ctx context.Context, db *cache.DB, rows []cache.Message, extra []int64, limit int, full bool,
	before func(a, b int64) bool) ([]cache.Message, bool, error) {
	if len(extra) == 0 {
		return rows, full, nil
	}
	out := make([]cache.Message, 0, min(len(rows)+len(extra), limit))
	i, j := 0, 0
	for len(out) < limit && (i < len(rows) || j < len(extra)) {
		switch {
		case j >= len(extra) || (i < len(rows) && !before(extra[j], rows[i].Key)):
			if j < len(extra) && extra[j] == rows[i].Key {
				j++ // unread again: it is in rows
			}
			out = append(out, rows[i])
			i++
		default:
			m, err := db.Get(ctx, extra[j])
			j++
			if errors.Is(err, cache.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, false, err
			}
			out = append(out, m)
		}
	}
	return out, full || i < len(rows) || j < len(extra), nil
}

// readStatus reads the counts, the newest emergencies that still need
// acknowledging and the time of the last sync; the login's device, when
// device is not known yet (0).
func readStatus(ctx context.Context, db *cache.DB, device int64) (*dbStatus, error) {
	c, err := db.Counts(ctx)
	if err != nil {
		return nil, err
	}
	st := &dbStatus{counts: c}
	if c.Unacked > 0 {
		if st.unacked, err = db.Older(ctx, cache.Filter{Unacked: true}, 0, maxUnacked); err != nil {
			return nil, err
		}
	}
	if v, ok, err := db.State(ctx, cache.StateLastSync); err == nil && ok {
		st.lastSync, _ = time.Parse(time.RFC3339, v)
	}
	st.device = device
	if device == 0 {
		if ds, err := db.Devices(ctx); err == nil && len(ds) > 0 {
			st.device = ds[len(ds)-1].N
		}
	}
	return st, nil
}

// requestLoad starts a read of kind for the current filter.
func (m *inbox) requestLoad(kind loadKind) tea.Cmd {
	return m.requestLoadAt(kind, 0, false)
}

// requestLoadAt starts a read of kind; anchor is the message a loadAround
// reads around, user whether the person asked for it.
func (m *inbox) requestLoadAt(kind loadKind, anchor int64, user bool) tea.Cmd {
	l := &m.list
	req := loadReq{kind: kind, gen: m.gen, filter: m.filter, user: user}
	if m.filter.Unread && len(m.keep) > 0 {
		req.keep = slices.Clone(m.keep)
	}
	switch kind {
	case loadReload:
		if m.replacing {
			m.reloadQueued = true
			return nil
		}
		req.anchor = l.selectedID()
		req.above = min(max(l.cursor+l.margin(), l.margin()), cache.MaxLimit)
		// Rows enough below the cursor to fill the screen and keep a
		// margin, not the whole window: a reload comes with every new
		// message, and each row read costs (the extension reads more
		// when the person scrolls there).
		req.below = min(max(l.offset+l.height+l.margin()-l.cursor, l.height), cache.MaxLimit)
		req.viewTop = l.atTop && l.offset == 0
		req.follow = m.following()
		if req.follow {
			// The newest rows, however many arrived: the selection goes
			// to the newest.
			req.anchor, req.above = 0, 0
			req.below = min(l.height+l.margin(), cache.MaxLimit)
		}
		if req.anchor == 0 && !req.follow {
			req.below = l.chunk()
		}
	case loadAround:
		req.anchor = anchor
		req.above = l.margin()
		req.below = min(l.height+l.margin(), cache.MaxLimit)
		req.screenRow = l.height / 3
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
		req.count = m.filter.Search != "" || m.filtered()
		m.seq++
		req.seq = m.seq
		m.replacing, m.replacingKind = true, kind
		m.reloadQueued = false
		if kind != loadTop && m.seenTop > 0 && !req.follow {
			req.newerThan = m.seenTop
		}
	}
	return loadCmd(m.ctx, m.db, req, m.status.device)
}

// loadArrivals reads the window for messages a sync stored. A reload on
// its way cannot show them: it is superseded (its answer is dropped by
// its seq) rather than waited for; a jump the person asked for is not.
func (m *inbox) loadArrivals() tea.Cmd {
	if m.replacing && m.replacingKind == loadReload {
		m.replacing = false
	}
	return m.requestLoad(loadReload)
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
		before := l.selectedID()
		switch req.kind {
		case loadReload, loadAround:
			if k := m.newCopy(msg); k > 0 {
				// Beyond the rows read: read around it.
				cmds = append(cmds, m.requestLoadAt(loadAround, k, false))
			} else if !m.applyReload(msg) {
				m.reloadQueued = true
			}
		case loadTop:
			l.replace(msg.below, true, !msg.belowFull, 0, 0)
		case loadBottom:
			l.replace(msg.above, !msg.aboveFull, true, len(msg.above)-1, -1)
		case loadOlder:
			if n := len(l.rows); n > 0 && l.rows[n-1].Key == req.anchor {
				l.appendOlder(msg.below, msg.belowFull)
			}
		case loadNewer:
			if len(l.rows) > 0 && l.rows[0].Key == req.anchor {
				l.prependNewer(msg.above, msg.aboveFull)
			}
		}
		if msg.matches >= 0 {
			m.matches = msg.matches
		}
		if msg.newer >= 0 {
			m.newer = msg.newer
		}
		if l.selectedID() != before {
			// A jump the person asked for (g, G, n, e) and moves they
			// made past the window's edge are theirs; the selection
			// moving with new rows, a filter or a deletion is not.
			cmds = append(cmds, m.selectionChanged(req.user || req.kind == loadOlder || req.kind == loadNewer))
		}
	}
	if m.reloadQueued && !m.replacing {
		cmds = append(cmds, m.requestLoad(loadReload))
	}
	cmds = append(cmds, m.extendCmd())
	return tea.Batch(cmds...)
}

// applyReload replaces the window with a reload's rows, keeping the
// selection on the same message and on the same screen line, or on the
// newest message when it followed it. It reports false when the selection
// moved too far while the read ran.
func (m *inbox) applyReload(msg loadedMsg) bool {
	l := &m.list
	req := msg.req
	rows := make([]cache.Message, 0, len(msg.above)+len(msg.below))
	rows = append(append(rows, msg.above...), msg.below...)
	atTop := req.anchor == 0 || !msg.aboveFull
	atBottom := !msg.belowFull
	if req.follow && req.kind == loadReload && l.cursor == 0 && m.following() {
		l.replace(rows, true, atBottom, 0, 0) // the newest stays selected, on top
		return true
	}
	cur := l.selectedID()
	if req.kind == loadAround {
		cur = req.anchor
	}
	sel := slices.IndexFunc(rows, func(r cache.Message) bool { return r.Key == cur })
	if old, ok := l.selected(); ok && sel < 0 && req.kind == loadReload && old.Receipt != "" {
		// Pushover's repeat replaced the selected emergency with a new
		// copy: the selection follows it.
		if i := slices.IndexFunc(rows, func(r cache.Message) bool { return r.Receipt == old.Receipt }); i >= 0 {
			sel, cur = i, rows[i].Key
		}
	}
	if sel < 0 {
		if req.kind == loadReload && cur != req.anchor && cur != 0 {
			return false // the user moved on: read again around the new place
		}
		sel = len(msg.above) // deleted: the next older takes its place
	}
	row := req.screenRow
	if req.kind == loadReload {
		// The line the selection is on now: keys pressed while the read
		// ran may have moved it.
		row = l.cursor - l.offset
	}
	if req.viewTop && atTop && req.kind == loadReload {
		row = sel // new messages on top stay visible
	}
	l.replace(rows, atTop, atBottom, sel, row)
	return true
}

// newCopy returns the key of the new copy of the selected emergency that
// a reload found among the emergencies waiting but not among its rows (a
// repeat is newer than every message the window holds), else 0.
func (m *inbox) newCopy(msg loadedMsg) int64 {
	old, ok := m.list.selected()
	if !ok || old.Receipt == "" || msg.req.kind != loadReload || msg.req.anchor != old.Key || msg.status == nil {
		return 0
	}
	for _, rows := range [][]cache.Message{msg.above, msg.below} {
		for _, r := range rows {
			if r.Key == old.Key || r.Receipt == old.Receipt {
				return 0 // still there, or applyReload finds the copy
			}
		}
	}
	for _, u := range msg.status.unacked {
		if u.Receipt == old.Receipt {
			return u.Key
		}
	}
	return 0
}

// applyStatus takes fresh counts from the cache, and starts the bell's
// repeat when an emergency waits.
func (m *inbox) applyStatus(st *dbStatus) tea.Cmd {
	last := m.status.lastSync
	m.status = *st
	if last.After(m.status.lastSync) {
		m.status.lastSync = last
	}
	if m.status.counts.AckPending == 0 {
		m.ackQueued = false
	}
	m.detail.device = st.device
	for _, u := range st.unacked {
		m.firstCopy(u.Key, u.Receipt)
	}
	return m.armBell()
}
