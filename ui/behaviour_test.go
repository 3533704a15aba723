package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	inboxsync "pobox/sync"
)

// arrive stores n more numbered messages after the others and reports
// them as a sync would.
func arrive(tb testing.TB, d *driver, db *cache.DB, from, n int) []int64 {
	tb.Helper()
	ms := numbered(from + n - 1)[from-1:]
	for i := range ms {
		ms[i].Date = testNow.Unix()
	}
	stored, err := db.Ingest(context.Background(), cache.Batch{Device: 1, Messages: ms})
	if err != nil {
		tb.Fatal(err)
	}
	var keys []int64
	for _, m := range stored {
		keys = append(keys, m.Key)
	}
	d.send(eventMsg{inboxsync.Synced{At: testNow, New: keys, MaxPriority: 0}})
	return keys
}

// TestIdleInboxFollowsArrivals: with the selection on the newest message,
// arrivals take the selection and stay in sight, and none becomes read;
// scrolled away, the place is kept and the status bar counts the newer
// messages, until g.
func TestIdleInboxFollowsArrivals(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(100)...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 20)
	m := d.inbox()
	arrive(t, d, db, 101, 60)
	if sel, _ := m.list.selected(); sel.ID != 160 || m.list.offset != 0 {
		t.Fatalf("after 60 arrivals the selection is #%d at offset %d, want #160 on top", sel.ID, m.list.offset)
	}
	if !strings.Contains(d.view(), "message 160") {
		t.Fatalf("the newest is not on screen:\n%s", d.view())
	}
	if c, _ := db.Counts(context.Background()); c.Unread != 160 {
		t.Fatalf("%d unread, want 160: nothing that arrives while nobody types becomes read", c.Unread)
	}

	d.press("jjjjjjjjjjjjjjjjjjjjjjjjj") // 25 down: the top is off screen
	place := m.list.selectedID()
	arrive(t, d, db, 161, 3)
	if m.list.selectedID() != place {
		t.Fatalf("the selection moved from %d to %d with arrivals", place, m.list.selectedID())
	}
	if v := d.view(); !strings.Contains(lastLines(v, 2), "↑ 3 new: g") {
		t.Fatalf("no count of the newer messages:\n%s", lastLines(v, 2))
	}
	d.press("g")
	if sel, _ := m.list.selected(); sel.ID != 163 || strings.Contains(d.view(), "new: g") {
		t.Fatalf("g: selection #%d, want #163 and no count", sel.ID)
	}
}

// TestReadNeedsAKeyPress: the first screen, arrivals and filters never
// read anything; a move of the person's, in the reading pane, does after
// the debounce; in the stacked layout only opening reads; nothing is
// read while the terminal is away.
func TestReadNeedsAKeyPress(t *testing.T) {
	for _, c := range []struct {
		name  string
		w     int
		keys  string
		blur  bool
		reads int // messages read after the timers fire
	}{
		{"first screen", 120, "", false, 0},
		{"stacked first screen", 60, "", false, 0},
		{"unread filter", 120, "u", false, 0},
		{"search", 120, "/door<enter>", false, 0},
		{"a move beside the pane", 120, "j", false, 1},
		{"a move in the stacked list", 60, "j", false, 0},
		{"opened in the stacked layout", 60, "j<enter>", false, 1},
		{"terminal away", 120, "j", true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newActionEnv(t, c.w, 40, nil)
			if c.blur {
				e.send(tea.BlurMsg{})
			}
			e.press(c.keys)
			for _, s := range take[settledMsg](e.timers) {
				e.send(s)
			}
			cnt, _ := e.db.Counts(context.Background())
			if got := 13 - cnt.Unread; got != c.reads {
				t.Fatalf("%d messages read, want %d", got, c.reads)
			}
		})
	}
}

// TestFocusReturns: a selection made while the terminal was away is read
// once it has focus again and the selection rests.
func TestFocusReturns(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	e.send(tea.BlurMsg{})
	e.press("j")
	for _, s := range take[settledMsg](e.timers) {
		e.send(s)
	}
	e.send(tea.FocusMsg{})
	settled := take[settledMsg](e.timers)
	if len(settled) != 1 {
		t.Fatalf("%d debounce timers after focus came back, want 1", len(settled))
	}
	e.send(settled[0])
	if c, _ := e.db.Counts(context.Background()); c.Unread != 12 {
		t.Fatalf("%d unread, want 12", c.Unread)
	}
}

// TestUnreadFilterKeepsItsResults: under u, a message read there stays
// in the list (read) until the filter changes, so that the selection does
// not move on by itself and read the next one.
func TestUnreadFilterKeepsItsResults(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	e.press("u")
	n := len(m.list.rows)
	e.press("j")
	for _, s := range take[settledMsg](e.timers) {
		e.send(s)
	}
	read, _ := m.list.selected()
	if !read.Read || len(m.list.rows) != n {
		t.Fatalf("after reading under u: %d rows (want %d), selection read %v", len(m.list.rows), n, read.Read)
	}
	e.send(eventMsg{inboxsync.RowsChanged{}}) // a reload keeps it too
	if m.list.indexOf(read.Key) < 0 || m.list.selectedID() != read.Key {
		t.Fatal("the read message left the unread filter's results on a reload")
	}
	if got := take[settledMsg](e.timers); len(got) != 0 {
		t.Fatalf("%d more debounce timers: the selection moved by itself", len(got))
	}
	e.press("uu") // the filter again: now it is gone
	if m.list.indexOf(read.Key) >= 0 {
		t.Fatal("the read message is still in a fresh unread filter")
	}
}

// TestKeptRowsAcrossPages: read rows stay in the unread filter's results
// however far the list scrolls away and back (the window reads them
// again by key).
func TestKeptRowsAcrossPages(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(2000)...)
	opts, _ := testOptions(t, db)
	tm := &timers{}
	opts.tick = tm.tick
	d := newDriver(t, opts, 120, 20)
	m := d.inbox()
	d.press("u")
	var read []int64
	for i := 0; i < 5; i++ {
		d.press("j")
		read = append(read, m.list.selectedID()) // what the debounce reads
		for _, s := range take[settledMsg](tm) {
			d.send(s)
		}
	}
	d.press("G")
	d.press("g")
	for _, k := range read {
		if m.list.indexOf(k) < 0 {
			t.Fatalf("#%d, read under the filter, is gone after G and g", k)
		}
	}
	d.press("G")
	var ids []int64
	for i := 0; i < 2100; i++ {
		ids = append(ids, m.list.selectedID())
		d.send(tea.KeyMsg{Type: tea.KeyUp})
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) != 2000 {
		t.Fatalf("scrolling back up visits %d messages, want all 2000", len(ids))
	}
}

// TestAltKeys: esc and a key read together arrive as an alt-key; outside
// a text field it is esc, then the key. In the search field the field's
// own alt-keys (word motions) still work.
func TestAltKeys(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	e.press("<enter>")
	if m.focus != focusDetail {
		t.Fatal("enter does not open the message")
	}
	e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}, Alt: true})
	if m.focus != focusList || m.list.cursor != 1 {
		t.Fatalf("esc j as alt+j: focus %d cursor %d, want the list, one row down", m.focus, m.list.cursor)
	}
	e.press("<enter>/db")
	e.send(tea.KeyMsg{Type: tea.KeyEsc, Alt: true}) // esc esc: the find, then the pane
	if m.focus != focusList || m.detail.query != "" {
		t.Fatalf("esc esc as alt+esc: focus %d find %q, want the list", m.focus, m.detail.query)
	}
	e.press("/door bell")
	e.send(tea.KeyMsg{Type: tea.KeyBackspace, Alt: true}) // the field's delete-word
	if m.focus != focusSearch || m.search.Value() != "door " {
		t.Fatalf("alt+backspace in the search: %q (focus %d), want the last word deleted", m.search.Value(), m.focus)
	}
	e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'j'}, Alt: true}) // esc clears the search, j moves
	if m.focus != focusList || m.filter.Search != "" {
		t.Fatalf("alt+j in the search: focus %d search %q, want the search cleared", m.focus, m.filter.Search)
	}
}

// TestCtrlCQuitsEverywhere: ctrl+c quits from every mode, the pickers
// and the delete question included.
func TestCtrlCQuitsEverywhere(t *testing.T) {
	for _, keys := range []string{"", "<enter>", "<enter>/x", "/x", "f", "p", "?", "D", "o", "y"} {
		t.Run(keys, func(t *testing.T) {
			e := newActionEnv(t, 120, 40, nil)
			e.selectTitle(t, "Deploy finished")
			e.press(keys)
			e.send(tea.KeyMsg{Type: tea.KeyCtrlC})
			if !e.quit {
				t.Fatalf("ctrl+c after %q does not quit (focus %d)", keys, e.inbox().focus)
			}
		})
	}
}

// TestQClosesThePaneFirst: in the reading pane q (and esc) go back to
// the list; in the list q quits.
func TestQClosesThePaneFirst(t *testing.T) {
	e := newActionEnv(t, 60, 20, nil)
	e.press("<enter>q")
	if e.quit || e.inbox().focus != focusList {
		t.Fatal("q in the reading pane did not go back to the list")
	}
	e.press("q")
	if !e.quit {
		t.Fatal("q in the list does not quit")
	}
}

// TestNextAndPreviousMessage: J and K move through messages from the
// reading pane without leaving it.
func TestNextAndPreviousMessage(t *testing.T) {
	e := newActionEnv(t, 60, 20, nil)
	m := e.inbox()
	e.press("<enter>JJK")
	if m.focus != focusDetail || m.list.cursor != 1 {
		t.Fatalf("focus %d cursor %d, want the reading pane on the second message", m.focus, m.list.cursor)
	}
	if !strings.Contains(e.view(), "Power restored") {
		t.Fatalf("the pane does not show the second message:\n%s", e.view())
	}
}

// TestFindInMessage: / in the reading pane finds text in the message,
// n and N step through the matches, esc clears the find before it closes
// the pane.
func TestFindInMessage(t *testing.T) {
	db := openDB(t)
	ingest(t, db, extras()...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 20)
	m := d.inbox()
	d.press("/server<enter><enter>/ERROR<enter>")
	if len(m.detail.matches) != 8 || !strings.Contains(d.view(), "1/8 matches") {
		t.Fatalf("%d matches, want 8 (case ignored):\n%s", len(m.detail.matches), d.view())
	}
	d.press("nnN")
	if m.detail.cur != 1 || !strings.Contains(d.view(), "2/8 matches") {
		t.Fatalf("after n n N the current match is %d, want 1", m.detail.cur)
	}
	d.press("N<up>")
	if m.detail.cur != 0 {
		t.Fatalf("N from the second: %d", m.detail.cur)
	}
	d.press("NN")
	if m.detail.cur != 6 {
		t.Fatalf("N wraps to the last: %d", m.detail.cur)
	}
	line := m.detail.matches[m.detail.cur].line
	if line < m.detail.top || line >= m.detail.top+m.detail.contentHeight() {
		t.Fatalf("the current match (line %d) is not in view (top %d)", line, m.detail.top)
	}
	d.press("<esc>")
	if m.focus != focusDetail || m.detail.query != "" {
		t.Fatal("esc did not clear the find first")
	}
	d.press("<esc>")
	if m.focus != focusList {
		t.Fatal("the second esc did not close the pane")
	}
}

// TestScrollPosition: a message longer than the pane shows where the view
// is; ctrl+d and ctrl+u move half a page.
func TestScrollPosition(t *testing.T) {
	db := openDB(t)
	ingest(t, db, extras()...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 20)
	m := d.inbox()
	d.press("/server<enter><enter>")
	if !strings.Contains(d.view(), "lines 1–17 of 65 (26%)") {
		t.Fatalf("no scroll position:\n%s", d.view())
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlD})
	if m.detail.top != 8 || !strings.Contains(d.view(), "lines 9–25 of 65") {
		t.Fatalf("ctrl+d: top %d, want 8", m.detail.top)
	}
	d.press("G")
	if !strings.Contains(d.view(), "of 65 (100%)") {
		t.Fatalf("G: %s", lastLines(d.view(), 3))
	}
}

// TestHostHint: a link whose text names another host shows the real one
// beside it, once, after its last fragment.
func TestHostHint(t *testing.T) {
	db := openDB(t)
	ingest(t, db, cache.Message{ID: 1, UMID: 1, AID: 1, App: "Bank", Title: "Your bank", Date: testNow.Unix(), HTML: true,
		Message: `<a href="https://evil.example/"><b>https://bank.</b>example/login</a> and <a href="https://ok.example/">https://ok.example/</a>`})
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 20)
	v := d.view()
	if strings.Count(v, "[evil.example]") != 1 || strings.Contains(v, "[ok.example]") {
		t.Fatalf("host hints:\n%s", v)
	}
	if !strings.Contains(v, "example/login\x1b]8;;\x1b\\ [evil.example]") {
		t.Fatalf("the hint does not follow the link:\n%q", v)
	}
}

// TestMarkUnreadAndAll: U marks the selection unread (or read), M every
// message shown read; n goes to the next unread.
func TestMarkUnreadAndAll(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	ctx := context.Background()
	m := e.inbox()
	e.press("<enter><esc>")
	sel, _ := m.list.selected()
	if got, _ := e.db.Get(ctx, sel.Key); !got.Read {
		t.Fatal("not read after enter")
	}
	e.press("U")
	if got, _ := e.db.Get(ctx, sel.Key); got.Read {
		t.Fatal("U does not mark unread")
	}
	e.press("jjn") // from the third, the next unread is the fourth
	if m.list.cursor != 3 {
		t.Fatalf("n went to row %d, want 3", m.list.cursor)
	}
	e.press("M")
	if c, _ := e.db.Counts(ctx); c.Unread != 0 {
		t.Fatalf("%d unread after M", c.Unread)
	}
	if !strings.Contains(e.view(), "marked 13 messages read") && !strings.Contains(e.view(), "marked 12 messages read") {
		t.Fatalf("no notice:\n%s", lastLines(e.view(), 2))
	}
	if m.keys.NextUnread.Enabled() {
		t.Fatal("n offered with nothing unread")
	}
}

// TestJumpToEmergency: e goes to the emergency the banner names, clearing
// a filter that hides it.
func TestJumpToEmergency(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	e.press("/door<enter>e")
	sel, _ := m.list.selected()
	if sel.Title != "Database down" || m.filter.Search != "" {
		t.Fatalf("e selects %q under search %q, want the emergency and no search", sel.Title, m.filter.Search)
	}
}

// TestDeleteUpToUnderFilter: under a search the question says how many go
// and that the search does not limit it.
func TestDeleteUpToUnderFilter(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	e.press("/cpu<enter>D")
	v := lastLines(e.view(), 2)
	if !strings.Contains(v, "delete #1008 and older: 9 messages, hidden ones too (filters do not limit it), here and on Pushover? y/n") {
		t.Fatalf("question:\n%s", v)
	}
	for _, w := range []int{80, 60, 40} {
		e.send(tea.WindowSizeMsg{Width: w, Height: 20})
		if v := lastLines(e.view(), 2); !strings.Contains(v, "9") || !strings.Contains(v, "filter") {
			t.Errorf("at %d columns the question lacks the count or the filter: %q", w, v)
		}
	}
}

// TestExpiredEmergency: an emergency whose paging ended shows as expired
// and not acknowledged, does not hold the banner, and does not ring.
func TestExpiredEmergency(t *testing.T) {
	db := openDB(t)
	old := cache.Message{ID: 1, UMID: 1, AID: 1, App: "Mon", Title: "Old outage", Priority: 2, Receipt: "r-old",
		Date: testNow.Add(-4 * time.Hour).Unix()}
	ingest(t, db, old)
	opts, _ := testOptions(t, db)
	bell := &syncBuffer{}
	opts.Output = bell
	tm := &timers{}
	opts.tick = tm.tick
	d := newDriver(t, opts, 120, 20)
	m := d.inbox()
	if m.bannerShown() || m.needAck() != 0 {
		t.Fatal("an expired emergency holds the banner")
	}
	if v := d.view(); !strings.Contains(v, "expired, not acknowledged") || !strings.Contains(v, "✗") {
		t.Fatalf("not shown as expired:\n%s", v)
	}
	if len(take[bellMsg](tm)) != 0 || bell.String() != "" {
		t.Fatal("the bell rings for an expired emergency")
	}

	// One that still pages, until its three hours are up.
	now := testNow
	opts.Now = func() time.Time { return now }
	db2 := openDB(t)
	fresh := old
	fresh.Date = testNow.Add(-2 * time.Hour).Unix()
	ingest(t, db2, fresh)
	opts.DB, opts.Engine = db2, newFakeEngine(t, db2, false)
	d = newDriver(t, opts, 120, 20)
	bells := take[bellMsg](tm)
	if !d.inbox().bannerShown() || len(bells) != 1 {
		t.Fatalf("a paging emergency: banner %v, %d bell timers", d.inbox().bannerShown(), len(bells))
	}
	now = testNow.Add(time.Hour + time.Minute)
	d.send(bells[0])
	if d.inbox().bannerShown() || strings.Contains(bell.String(), "\a") || len(take[bellMsg](tm)) != 0 {
		t.Fatal("the bell goes on after the paging ended")
	}
}

// TestMute: m silences the bell until a new emergency arrives: Pushover's
// repeats of the one paging (new copies, the same receipt, every retry
// seconds) do not lift it; another emergency rings at once, and m
// silences both.
func TestMute(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	rings := func() int { return strings.Count(e.bell.String(), "\a") }
	lastBell := func() bellMsg {
		t.Helper()
		bells := take[bellMsg](e.timers)
		if len(bells) == 0 {
			t.Fatal("the bell's repeat is not running")
		}
		return bells[len(bells)-1]
	}
	emergency := func(id int64, title, receipt string) {
		t.Helper()
		stored, err := e.db.Ingest(context.Background(), cache.Batch{Device: 1, Messages: []cache.Message{{
			ID: id, UMID: id, AID: 1, Title: title, Message: "paging", App: "Monitoring",
			Date: testNow.Add(-time.Minute).Unix(), Priority: 2, Receipt: receipt}}})
		if err != nil || len(stored) != 1 {
			t.Fatalf("stored %d: %v", len(stored), err)
		}
		e.send(eventMsg{inboxsync.Synced{At: testNow, New: []int64{stored[0].Key}, MaxPriority: 2, Emergency: true,
			Emergencies: []inboxsync.Emergency{{Key: stored[0].Key, Receipt: receipt}}}})
	}
	bell := lastBell()
	e.press("m")
	e.send(bell)
	if rings() != 0 {
		t.Fatal("the bell rang while muted")
	}
	if !strings.Contains(e.view(), "(bell muted)") {
		t.Fatal("the banner does not say the bell is muted")
	}
	emergency(1100, "Database down", "rcpt-db-down") // Pushover's repeat
	e.send(lastBell())
	if rings() != 0 || !strings.Contains(e.view(), "(bell muted)") {
		t.Fatalf("a repeat of the muted emergency lifted the mute (%d rings):\n%s", rings(), e.view())
	}
	emergency(1101, "Pump failure", "rcpt-pump")
	if rings() != 1 {
		t.Fatalf("another emergency under the mute rang %d times, want once at once", rings())
	}
	if v := e.view(); strings.Contains(v, "(bell muted)") || !strings.Contains(v, "2 emergencies need") {
		t.Fatalf("the banner after another emergency:\n%s", v)
	}
	e.send(lastBell())
	if rings() != 2 {
		t.Fatal("the repeat does not ring for the emergency nobody muted")
	}
	e.press("m")
	e.send(lastBell())
	if rings() != 2 || !m.muted {
		t.Fatal("m does not silence every emergency that pages")
	}
	e.press("m")
	e.send(lastBell())
	if rings() != 3 {
		t.Fatal("m again does not let the bell ring")
	}
}

// TestQueuedAcknowledgement: an acknowledgement made offline waits in
// the outbox, and the banner says Pushover keeps paging until it is sent.
func TestQueuedAcknowledgement(t *testing.T) {
	e := newActionEnv(t, 60, 20, nil)
	e.send(eventMsg{inboxsync.Disconnected{RetryAt: testNow.Add(5 * time.Second)}})
	e.press("a")
	if v := e.view(); !strings.HasPrefix(v, "!! acknowledgement queued, not sent: Pushover ke") {
		t.Fatalf("banner:\n%s", v)
	}
	e.send(eventMsg{inboxsync.ActionDone{Action: inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: "rcpt-db-down"}}})
	e.send(eventMsg{inboxsync.Connected{Holder: true}})
	if strings.Contains(e.view(), "queued") {
		t.Fatal("the banner stays after the acknowledgement went")
	}
}

// TestBannerHintAt60: at 60 columns the banner keeps its key hint.
func TestBannerHintAt60(t *testing.T) {
	e := newActionEnv(t, 60, 20, nil)
	first := strings.Split(e.view(), "\n")[0]
	if !strings.HasSuffix(first, "a ack · A all · m mute · e show") {
		t.Fatalf("banner at 60 columns: %q", first)
	}
}

// TestMatchCountFollowsChanges: the count of matches of a search or
// filter in force follows what changes under it: arrivals, a deletion,
// messages read under the unread filter (they stay in its results).
func TestMatchCountFollowsChanges(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(30)...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 20)
	m := d.inbox()
	status := func() string { return lastLines(d.view(), 2) }
	d.press("/message<enter>")
	if !strings.Contains(status(), "/message · 30 matches") {
		t.Fatalf("status after the search:\n%s", status())
	}
	arrive(t, d, db, 31, 5)
	if !strings.Contains(status(), "/message · 35 matches") {
		t.Fatalf("status after 5 arrivals:\n%s", status())
	}
	d.press("d")
	if !strings.Contains(status(), "/message · 34 matches") {
		t.Fatalf("status after a deletion:\n%s", status())
	}
	d.press("<esc>u")
	if !strings.Contains(status(), "unread only · 34 matches") {
		t.Fatalf("status under u:\n%s", status())
	}
	d.press("M")
	if !strings.Contains(status(), "unread only · 34 matches") || m.status.counts.Unread != 0 {
		t.Fatalf("status after M (%d unread): what was read stays in the results:\n%s", m.status.counts.Unread, status())
	}
	arrive(t, d, db, 36, 2)
	if !strings.Contains(status(), "unread only · 36 matches") {
		t.Fatalf("status after 2 more arrivals under u:\n%s", status())
	}
}

// collect runs cmd and returns the messages it produced, without
// delivering them.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}
