package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"pobox/sanitize"
)

// statusView is the status bar: the search field while one types, the
// delete question while it waits, else the title, the connection, the
// last sync, the current notice, newer messages waiting above, the filter
// and the counts.
func (m *inbox) statusView() string {
	st := m.st
	w := m.width
	switch m.focus {
	case focusSearch:
		count := m.matchText()
		in := m.mode.Cut(m.search.View(), max(w-m.mode.Width(count)-2, 1))
		line := in
		if count != "" {
			line += st.status.Render("  ") + st.statusFilter.Render(count)
		}
		return m.fill(line, w, st.status)
	case focusConfirm:
		return m.fill(m.confirmView(w), w, st.status)
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
		newer  string
		synced string
		title  = m.mode.Line(m.opts.Title)
	)
	if n := m.newerWaiting(); n > 0 {
		newer = "↑ " + strconv.Itoa(n) + " new: g"
	}
	if m.syncing {
		synced = "syncing…"
	} else if !m.status.lastSync.IsZero() {
		synced = "synced " + ago(m.status.lastSync, m.now())
	}
	mode := m.mode
	if cw := mode.Width(conn); cw > w-2 {
		conn = mode.Truncate(conn, max(w-2, 1), "…")
	}
	room := w - 2 - mode.Width(conn) // a space at each end
	fits := func(s string, sep int) bool {
		if s == "" {
			return false
		}
		n := mode.Width(s) + sep
		if n > room {
			return false
		}
		room -= n
		return true
	}
	showNewer := fits(newer, 2)
	var link string
	if notice != "" {
		if n := mode.Width(notice) + 2; n > room {
			notice = mode.Truncate(notice, max(room-2, 0), "…")
		}
		room -= mode.Width(notice) + 2
		if m.notice.link != "" && room > 4 {
			link = mode.Truncate(m.notice.link, room-1, "…")
			room -= mode.Width(link) + 1
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
		used += mode.Width(text)
	}
	put(st.status, " ")
	if showTitle {
		put(st.statusTitle, title)
		put(st.statusSep, " · ")
	}
	put(st.connStyle(m.conn.state), conn)
	if showSynced {
		put(st.statusSep, " · ")
		put(st.statusMuted, synced)
	}
	if notice != "" {
		put(st.status, "  ")
		put(st.noticeStyle(m.notice.kind), notice)
		if link != "" {
			put(st.status, " ")
			b.WriteString(sanitize.WrapHyperlink(m.notice.link, st.statusLink.Render(link)))
			used += mode.Width(link)
		}
	}
	if showNewer {
		put(st.status, "  ")
		put(st.statusNewer, newer)
	}
	if showFilter {
		put(st.status, "  ")
		put(st.statusFilter, filter)
	}
	if showCounts {
		if gap := w - used - mode.Width(counts) - 1; gap > 0 {
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

// confirmView asks the delete-up-to question: how many messages go, and
// that the search and filters do not limit it, in the words that fit.
func (m *inbox) confirmView(w int) string {
	st := m.st
	num := "#" + itoa(m.confirmNum)
	if m.confirmDev != "" {
		num += " (of " + m.confirmDev + ")"
	}
	var n string
	switch m.confirmCount {
	case -1:
		n = "counting…"
	case -2:
		n = "every message"
	default:
		n = plural(m.confirmCount, "message", "messages")
	}
	var choices []string
	if m.filter.Search != "" || m.filtered() {
		choices = []string{
			"delete " + num + " and everything older: " + n + ", hidden ones too (the search and filters do not limit it), here and on Pushover?",
			"delete " + num + " and older: " + n + ", hidden ones too (filters do not limit it), here and on Pushover?",
			"delete " + num + " and older: " + n + " (filters do not limit it), here and on Pushover?",
			"delete " + num + " and older (" + n + ", filters aside) everywhere?",
			"delete " + num + " and older: " + n + ", filters aside?",
			"delete " + n + ", filters aside?",
		}
	} else {
		choices = []string{
			"delete " + num + " and everything older: " + n + ", here and on Pushover?",
			"delete " + num + " and older: " + n + ", here and on Pushover?",
			"delete " + num + " and older (" + n + ") everywhere?",
			"delete " + num + " and older: " + n + "?",
			"delete " + n + " up to " + num + "?",
		}
	}
	q := choices[len(choices)-1]
	for _, c := range choices {
		if m.mode.Width(c)+5 <= w {
			q = c
			break
		}
	}
	q = m.mode.Truncate(q, max(w-5, 1), "…")
	return st.confirm.Render(q) + " " + st.confirmKey.Render("y/n")
}

// matchText is the count of matches of the search and filters, "" while
// it is unknown.
func (m *inbox) matchText() string {
	if m.matches < 0 || (m.filter.Search == "" && !m.filtered()) {
		return ""
	}
	return plural(m.matches, "match", "matches")
}

// fill pads a rendered string to w cells in style s.
func (m *inbox) fill(rendered string, w int, s lipgloss.Style) string {
	if n := w - m.mode.Width(rendered); n > 0 {
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
	case connReplaced:
		return "stopped: another login stored"
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
	return " (" + m.mode.Truncate(trimPkg(m.conn.err), 40, "…") + ")"
}

// filterText describes the search and filters in force, and how many
// messages match them.
func (m *inbox) filterText() string {
	var parts []string
	f := m.filter
	if f.Search != "" && m.focus != focusSearch {
		parts = append(parts, "/"+m.mode.Line(f.Search))
	}
	if f.App != "" {
		parts = append(parts, "app: "+m.mode.Line(f.App))
	}
	if f.MinPriority != nil {
		parts = append(parts, "priority ≥ "+strconv.Itoa(*f.MinPriority))
	}
	if f.Unread {
		parts = append(parts, "unread only")
	}
	if len(parts) > 0 {
		if c := m.matchText(); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " · ")
}
