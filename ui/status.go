package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"pobox/sanitize"
)

// statusView is the status bar: the search field while one types, the
// delete question while it waits, else connection, last sync, the
// current notice, the filter and the counts.
func (m *inbox) statusView() string {
	st := m.st
	w := m.width
	switch m.focus {
	case focusSearch:
		return m.fill(m.search.View(), w, st.status)
	case focusConfirm:
		q := sanitize.Truncate("delete #"+itoa(m.confirmID)+" and everything older, here and on Pushover?", max(w-5, 1), "…")
		line := st.confirm.Render(q) + " " + st.confirmKey.Render("y/n")
		return m.fill(line, w, st.status)
	}

	type seg struct {
		text  string
		style lipgloss.Style
	}
	var left []seg
	if t := sanitize.Line(m.opts.Title); t != "" {
		left = append(left, seg{t, st.statusTitle})
	}
	left = append(left, seg{m.connText(), st.connStyle(m.conn.state)})
	if m.syncing {
		left = append(left, seg{"syncing…", st.statusMuted})
	} else if !m.status.lastSync.IsZero() {
		left = append(left, seg{"synced " + ago(m.status.lastSync, m.now()), st.statusMuted})
	}

	c := m.status.counts
	right := seg{strconv.Itoa(c.Unread) + " unread · " + strconv.Itoa(c.Total) + " total", st.statusMuted}
	filter := m.filterText()

	// The counts on the right are kept; the left side, the notice and
	// the filter are cut, in that order of precedence, to what is left.
	var b strings.Builder
	used := 0
	put := func(s lipgloss.Style, text string, max int) {
		if max <= 0 {
			return
		}
		// text is sanitized or pobox's own; only what does not fit is cut.
		t, tw := text, sanitize.Width(text)
		if tw > max {
			t = sanitize.Truncate(text, max, "…")
			tw = sanitize.Width(t)
		}
		b.WriteString(s.Render(t))
		used += tw
	}
	rightW := sanitize.Width(right.text) + 1
	avail := w - rightW - 1
	put(st.status, " ", avail)
	for i, sg := range left {
		if i > 0 {
			put(st.statusMuted, " · ", avail-used)
		}
		put(sg.style, sg.text, avail-used)
	}
	if n := m.notice; n.text != "" {
		put(st.status, "  ", avail-used)
		ns := st.statusInfo
		switch n.kind {
		case noticeOK:
			ns = st.statusOK
		case noticeErr:
			ns = st.statusErr
		}
		put(ns, n.text, avail-used)
		if n.link != "" && avail-used > 2 {
			put(st.status, " ", avail-used)
			t := sanitize.Truncate(n.link, avail-used, "…")
			b.WriteString(sanitize.WrapHyperlink(n.link, st.statusLink.Render(t)))
			used += sanitize.Width(t)
		}
	}
	if filter != "" && avail-used > 8 {
		put(st.status, "  ", avail-used)
		put(st.statusFilter, filter, avail-used)
	}
	gap := w - used - rightW
	if gap > 0 {
		b.WriteString(st.status.Render(strings.Repeat(" ", gap)))
		used += gap
	}
	put(right.style, right.text, w-used-1)
	if used < w {
		b.WriteString(st.status.Render(strings.Repeat(" ", w-used)))
	}
	return b.String()
}

// fill pads a rendered string to w cells in style s.
func (m *inbox) fill(rendered string, w int, s lipgloss.Style) string {
	if n := w - lipgloss.Width(rendered); n > 0 {
		return rendered + s.Render(strings.Repeat(" ", n))
	}
	return rendered
}

// connText describes the connection.
func (m *inbox) connText() string {
	switch m.conn.state {
	case connConnected:
		return "connected"
	case connFollowing:
		return "following another pobox"
	case connReconnecting:
		secs := int(m.conn.retryAt.Sub(m.now()).Round(time.Second) / time.Second)
		return "reconnecting in " + strconv.Itoa(max(secs, 0)) + "s"
	case connOffline:
		return "offline"
	case connLoggedOut:
		return "logged out"
	case connElsewhere:
		return "stopped: logged in elsewhere"
	case connStopped:
		return "stopped"
	case connNone:
		return "cache only"
	}
	return "connecting…"
}

// filterText describes the search and filters in force.
func (m *inbox) filterText() string {
	var parts []string
	f := m.filter
	if f.Search != "" && m.focus != focusSearch {
		parts = append(parts, "/"+sanitize.Line(f.Search))
	}
	if f.App != "" {
		parts = append(parts, "app: "+sanitize.Line(f.App))
	}
	if f.MinPriority != nil {
		parts = append(parts, "priority ≥ "+strconv.Itoa(*f.MinPriority))
	}
	if f.Unread {
		parts = append(parts, "unread only")
	}
	return strings.Join(parts, " · ")
}
