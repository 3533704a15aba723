package ui

import (
	"strings"
	"testing"

	"pobox/cache"
	inboxsync "pobox/sync"
)

// Reads run off the update loop and their results may come late and out of
// order. These tests hold the results (driver.hold) and deliver them in
// the order a slow machine might.

// TestLateReadsOutOfOrder: g and G both start a read of the whole window;
// when g's result comes first and G's after it, the selection is where
// the last key put it.
func TestLateReadsOutOfOrder(t *testing.T) {
	const n = 3000
	db := openDB(t)
	ingest(t, db, numbered(n)...)
	d := cacheOnly(t, db, 100, 20)
	m := d.inbox()
	d.press(strings.Repeat("j", 500)) // the window holds neither end now
	if m.list.atTop || m.list.atBottom {
		t.Fatalf("the window still holds an end (top %v, bottom %v)", m.list.atTop, m.list.atBottom)
	}
	d.hold = true
	d.press("G")
	d.press("g")
	if len(d.held) != 2 {
		t.Fatalf("%d reads held, want G's and g's", len(d.held))
	}
	d.deliver(1, 0) // g's, then G's
	d.settle()
	if got := m.list.selectedID(); got != n {
		t.Fatalf("after G then g the selection is #%d, want the newest #%d", got, n)
	}

	// g while G's read runs, with the newest rows still in the window.
	d.hold = true
	d.press("G")
	d.press("g")
	d.settle()
	if got := m.list.selectedID(); got != n {
		t.Fatalf("after G then g at the top the selection is #%d, want the newest #%d", got, n)
	}

	// And the other way round, from the top.
	d.press(strings.Repeat("j", 500))
	d.hold = true
	d.press("g")
	d.press("G")
	d.deliver(1, 0)
	d.settle()
	if got := m.list.selectedID(); got != 1 {
		t.Fatalf("after g then G the selection is #%d, want the oldest #1", got)
	}
}

// TestLateSearchResults: the results of a search come back in the reverse
// order of the keys typed, the last one first: the list shows the matches
// of what the field says, and so does the count.
func TestLateSearchResults(t *testing.T) {
	db := openDB(t)
	ms := numbered(60)
	for i := range ms {
		switch {
		case i%10 == 0:
			ms[i].Title = "zebra crossing"
		case i%3 == 0:
			ms[i].Title = "zeal and zest"
		}
	}
	ingest(t, db, ms...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 30)
	m := d.inbox()
	d.hold = true
	d.press("/zebra<enter>")
	if len(d.held) < 5 {
		t.Fatalf("%d reads held, want one a key", len(d.held))
	}
	d.settle() // the newest first
	checkOnly := func(word string, want int) {
		t.Helper()
		if len(m.list.rows) != want {
			t.Fatalf("%d rows for %q, want %d", len(m.list.rows), word, want)
		}
		for _, r := range m.list.rows {
			if !strings.Contains(r.Title, word) {
				t.Fatalf("row %q does not match %q", r.Title, word)
			}
		}
		if !strings.Contains(d.view(), itoa(int64(want))+" matches") {
			t.Fatalf("the screen does not say %d matches:\n%s", want, d.view())
		}
	}
	checkOnly("zebra", 6)

	// The search is cleared before its results come: they never show.
	d.hold = true
	d.press("/<backspace><backspace><backspace><backspace>al") // "zeal"
	d.press("<esc>")
	d.settle()
	if m.filter.Search != "" || m.list.rows[0].Title != "message 60" || m.list.rows[1].Title != "message 59" {
		t.Fatalf("after esc the list starts with %q, %q under search %q, want every message", m.list.rows[0].Title, m.list.rows[1].Title, m.filter.Search)
	}
	if strings.Contains(d.view(), "matches") {
		t.Fatalf("a count of matches stayed on screen after esc:\n%s", d.view())
	}
}

// TestKeysDuringReload: presses made while a reload (a new message) is
// being read count: the selection stays on the message they reached, on
// the line they put it, and the new message shows on top.
func TestKeysDuringReload(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(500)...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 100, 20)
	m := d.inbox()
	d.press("jj")

	d.hold = true
	ingest(t, db, cache.Message{ID: 501, UMID: 501, AID: 1, App: "Load", Title: "fresh", Date: testNow.Unix()})
	d.send(eventMsg{inboxsync.RowsChanged{}})
	d.press("jjj") // within the window: no read
	line := m.list.cursor - m.list.offset
	d.settle()
	if got := m.list.selectedID(); got != 495 {
		t.Fatalf("after jj, a reload and jjj the selection is #%d, want #495", got)
	}
	if got := m.list.cursor - m.list.offset; got != line+1 {
		t.Errorf("the selection moved from line %d to line %d, want %d (below the new message)", line, got, line+1)
	}
	if m.list.rows[m.list.offset].ID != 501 {
		t.Errorf("top of the view is #%d, want the new #501", m.list.rows[m.list.offset].ID)
	}

	// Scrolled away from the top: the selection stays on its line.
	d.press(strings.Repeat("j", 100)) // #395
	d.hold = true
	ingest(t, db, cache.Message{ID: 502, UMID: 502, AID: 1, App: "Load", Title: "fresher", Date: testNow.Unix()})
	d.send(eventMsg{inboxsync.RowsChanged{}})
	d.press("kkkkk")
	line = m.list.cursor - m.list.offset
	d.settle()
	if got := m.list.selectedID(); got != 400 {
		t.Fatalf("after a reload and kkkkk the selection is #%d, want #400", got)
	}
	if got := m.list.cursor - m.list.offset; got != line {
		t.Errorf("the selection moved from line %d to line %d", line, got)
	}

	// Presses past the window's end during a reload: the reload does not
	// hold the new selection, which is read again; no press is lost.
	d.hold = true
	ingest(t, db, cache.Message{ID: 503, UMID: 503, AID: 1, App: "Load", Title: "freshest", Date: testNow.Unix()})
	d.send(eventMsg{inboxsync.RowsChanged{}})
	d.press(strings.Repeat("j", 200))
	d.settle()
	if got := m.list.selectedID(); got != 200 {
		t.Fatalf("after 200 more presses during a reload the selection is #%d, want #200", got)
	}
}
