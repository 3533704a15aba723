package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	inboxsync "pobox/sync"
)

// numbered returns n plain messages with ids 1..n (newest is n).
func numbered(n int) []cache.Message {
	ms := make([]cache.Message, n)
	for i := range ms {
		id := int64(i + 1)
		ms[i] = cache.Message{ID: id, UMID: id, AID: 1, App: "Load", Title: fmt.Sprintf("message %d", id),
			Message: "body", Date: testNow.Unix() - int64(n-i)*60}
	}
	return ms
}

// cacheOnly is a driver on a cache without an engine.
func cacheOnly(tb testing.TB, db *cache.DB, w, h int) *driver {
	return newDriver(tb, Options{DB: db, Styles: asciiStyles(), Now: fixedNow, tick: noTick}, w, h)
}

// TestScrollWholeCache walks through 3,000 messages one key at a time and
// back with pages: every id is visited in order, and the window never
// holds more than a few screens.
func TestScrollWholeCache(t *testing.T) {
	const n = 3000
	db := openDB(t)
	ingest(t, db, numbered(n)...)
	d := cacheOnly(t, db, 120, 30)
	m := d.inbox()
	biggest := 0
	for want := int64(n); want >= 1; want-- {
		if got := m.list.selectedID(); got != want {
			t.Fatalf("after %d presses the selection is #%d, want #%d", n-want, got, want)
		}
		biggest = max(biggest, len(m.list.rows))
		d.press("j")
	}
	if m.list.selectedID() != 1 {
		t.Fatalf("past the end the selection is #%d, want #1", m.list.selectedID())
	}
	if biggest > m.list.maxRows()+m.list.chunk() {
		t.Errorf("window grew to %d rows (max %d)", biggest, m.list.maxRows())
	}
	for i := 0; i < 200; i++ {
		d.send(tea.KeyMsg{Type: tea.KeyPgUp})
	}
	if m.list.selectedID() != n {
		t.Fatalf("paging up to the top selects #%d, want #%d", m.list.selectedID(), n)
	}
	d.press("G")
	if m.list.selectedID() != 1 {
		t.Errorf("G selects #%d, want #1", m.list.selectedID())
	}
	d.press("g")
	if m.list.selectedID() != n {
		t.Errorf("g selects #%d, want #%d", m.list.selectedID(), n)
	}
	checkScreen(t, d.view(), 120, 30)
}

// TestMultiRuneKeys: a key message holding several runes, as SSH delivers
// fast typing, counts as one press a rune; none is lost, even when the
// moves run past the window while its extension is being read.
func TestMultiRuneKeys(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(2000)...)
	for _, c := range []struct {
		name   string
		runes  string
		want   int64  // the selection after
		search string // the search field's text after
	}{
		{"jjj", "jjj", 1997, ""},
		{"jjjk", "jjjk", 1998, ""},
		{"500 j past the window", strings.Repeat("j", 500), 1500, ""},
		{"after / the rest is search text", "j/message 19", 0, "message 19"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := cacheOnly(t, db, 100, 20)
			d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(c.runes)})
			m := d.inbox()
			if c.search != "" {
				if m.focus != focusSearch || m.filter.Search != c.search {
					t.Fatalf("search %q (focus %d), want %q typed into the search field", m.filter.Search, m.focus, c.search)
				}
				return
			}
			if got := m.list.selectedID(); got != c.want {
				t.Fatalf("selection #%d, want #%d", got, c.want)
			}
		})
	}
}

// TestPendingMovesWaitForRows: presses that arrive while the window's
// extension is still being read are replayed when it arrives.
func TestPendingMovesWaitForRows(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(1000)...)
	d := cacheOnly(t, db, 100, 20)
	m := d.inbox()
	var held []tea.Cmd // the reads, as if still running
	for i := 0; i < 300; i++ {
		_, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyDown})
		held = append(held, cmd)
	}
	if m.list.pending == 0 {
		t.Fatal("no moves waiting although the window ended")
	}
	for _, c := range held {
		d.run(c)
	}
	if got := m.list.selectedID(); got != 700 {
		t.Fatalf("selection #%d after 300 downs, want #700", got)
	}
}

// TestReloadKeepsSelection: a change (RowsChanged) reloads the window
// around the selection and keeps it on the same message and line; when
// the top of the list is in view, new messages show there.
func TestReloadKeepsSelection(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	ingest(t, db, numbered(500)...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 100, 20)
	m := d.inbox()

	d.press("jj")
	ingest(t, db, cache.Message{ID: 501, UMID: 501, AID: 1, App: "Load", Title: "fresh", Date: testNow.Unix()})
	d.send(eventMsg{inboxsync.RowsChanged{}})
	if m.list.selectedID() != 498 {
		t.Fatalf("selection moved to #%d, want #498", m.list.selectedID())
	}
	if m.list.rows[m.list.offset].ID != 501 {
		t.Fatalf("top of the view is #%d, want the new #501", m.list.rows[m.list.offset].ID)
	}

	d.press(strings.Repeat("j", 100))
	row := m.list.cursor - m.list.offset
	ingest(t, db, cache.Message{ID: 502, UMID: 502, AID: 1, App: "Load", Title: "fresher", Date: testNow.Unix()})
	d.send(eventMsg{inboxsync.RowsChanged{}})
	if m.list.selectedID() != 398 || m.list.cursor-m.list.offset != row {
		t.Fatalf("selection #%d on line %d, want #398 on line %d", m.list.selectedID(), m.list.cursor-m.list.offset, row)
	}

	// Another process deletes the selected message: the next older takes
	// its place.
	if err := db.Delete(ctx, keyOf(t, db, 398)); err != nil {
		t.Fatal(err)
	}
	d.send(eventMsg{inboxsync.RowsChanged{}})
	if m.list.selectedID() != 397 {
		t.Fatalf("after the delete the selection is #%d, want #397", m.list.selectedID())
	}
}
