package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"pobox/sanitize"
)

// statusView is the status bar: the search field while one types, the
// delete question while it waits, else the title, the connection, the
// last sync, the current notice, the filter and the counts.
func (m *inbox) statusView() string {
	st := m.st
	w := m.width
	switch m.focus {
	case focusSearch:
		return m.fill(ansi.Truncate(m.search.View(), w, ""), w, st.status)
	case focusConfirm:
		q := sanitize.Truncate("delete #"+itoa(m.confirmNum)+" and everything older, here and on Pushover?", max(w-5, 1), "…")
		line := st.confirm.Render(q) + " " + st.confirmKey.Render("y/n")
		return m.fill(line, w, st.status)
	}

	// Segments in order of precedence: each is shown only when it fits
	// whole, except the notice, which is cut to the room left.
	c := m.status.counts
	unread := strconv.Itoa(c.Unread) + " unread"
	var (
		conn   = m.connText()
		notice = m.notice.text
		counts = unread + " · " + strconv.Itoa(c.Total) + " total"
		filter = m.filterText()
		synced string
		title  = sanitize.Line(m.opts.Title)
	)
	if m.syncing {
		synced = "syncing…"
	} else if !m.status.lastSync.IsZero() {
		synced = "synced " + ago(m.status.lastSync, m.now())
	}
	if cw := sanitize.Width(conn); cw > w-2 {
		conn = sanitize.Truncate(conn, max(w-2, 1), "…")
	}
	room := w - 2 - sanitize.Width(conn) // a space at each end
	fits := func(s string, sep int) bool {
		if s == "" {
			return false
		}
		n := sanitize.Width(s) + sep
		if n > room {
			return false
		}
		room -= n
		return true
	}
	var link string
	if notice != "" {
		if n := sanitize.Width(notice) + 2; n > room {
			notice = sanitize.Truncate(notice, max(room-2, 0), "…")
		}
		room -= sanitize.Width(notice) + 2
		if m.notice.link != "" && room > 4 {
			link = sanitize.Truncate(m.notice.link, room-1, "…")
			room -= sanitize.Width(link) + 1
		}
	}
	showCounts := fits(counts, 2)
	showFilter := fits(filter, 2)
	showSynced := fits(synced, 3)
	showTitle := fits(title, 3)

	var b strings.Builder
	used := 0
	put := func(s lipgloss.Style, text string) {
		b.WriteString(s.Render(text))
		used += sanitize.Width(text)
	}
	put(st.status, " ")
	if showTitle {
		put(st.statusTitle, title)
		put(st.status, " · ")
	}
	put(st.connStyle(m.conn.state), conn)
	if showSynced {
		put(st.status, " · ")
		put(st.statusMuted, synced)
	}
	if notice != "" {
		put(st.status, "  ")
		put(st.noticeStyle(m.notice.kind), notice)
		if link != "" {
			put(st.status, " ")
			b.WriteString(sanitize.WrapHyperlink(m.notice.link, st.statusLink.Render(link)))
			used += sanitize.Width(link)
		}
	}
	if showFilter {
		put(st.status, "  ")
		put(st.statusFilter, filter)
	}
	if showCounts {
		if gap := w - used - sanitize.Width(counts) - 1; gap > 0 {
			put(st.status, strings.Repeat(" ", gap))
		}
		us := st.statusCounts
		if c.Unread > 0 {
			us = st.statusUnread
		}
		put(us, unread)
		put(st.statusCounts, counts[len(unread):])
	}
	if used < w {
		put(st.status, strings.Repeat(" ", w-used))
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
		return "reconnecting in " + strconv.Itoa(max(secs, 0)) + "s" + m.connReason()
	case connOffline:
		return "offline" + m.connReason()
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

// connReason is why the connection dropped, short.
func (m *inbox) connReason() string {
	if m.conn.err == "" {
		return ""
	}
	return " (" + sanitize.Truncate(trimPkg(m.conn.err), 40, "…") + ")"
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
