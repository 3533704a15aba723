package ui

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"pobox/themes"
)

// TestFilters: u, f and p narrow the list; esc clears the search first,
// then the filters.
func TestFilters(t *testing.T) {
	db := openDB(t)
	ms := sample(true)
	ingest(t, db, ms...)
	markSomeRead(t, db, ms)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 40)
	m := d.inbox()
	titles := func() []string {
		var out []string
		for _, r := range m.list.rows {
			out = append(out, r.Title)
		}
		return out
	}
	all := len(m.list.rows)

	d.press("u")
	if !m.filter.Unread || len(m.list.rows) != 7 {
		t.Fatalf("unread only: %d rows %q, want 7", len(m.list.rows), titles())
	}
	d.press("u")

	d.press("f") // every app, Archive, Backups, CI, Cron, Deploys, Home, ...
	if m.focus != focusPicker {
		t.Fatal("f opens no picker")
	}
	d.press("jjjjjj<enter>")
	if m.filter.App != "Home" {
		t.Fatalf("app filter %q, want Home", m.filter.App)
	}
	for _, r := range m.list.rows {
		if r.App != "Home" {
			t.Fatalf("row of app %q under the Home filter", r.App)
		}
	}

	d.press("/door")
	d.press("<enter>")
	if got := titles(); !slices.Equal(got, []string{"Door opened"}) {
		t.Fatalf("search rows %q", got)
	}
	d.press("<esc>")
	if m.filter.Search != "" || m.filter.App != "Home" {
		t.Fatalf("first esc: search %q app %q, want the search cleared only", m.filter.Search, m.filter.App)
	}
	d.press("p")
	d.press("jjj<enter>") // high and above
	if m.filter.MinPriority == nil || *m.filter.MinPriority != 1 {
		t.Fatalf("priority filter %v", m.filter.MinPriority)
	}
	d.press("<esc>")
	if m.filtered() || len(m.list.rows) != all {
		t.Fatalf("second esc leaves filters %+v and %d rows, want none and %d", m.filter, len(m.list.rows), all)
	}
	if m.keys.Back.Enabled() {
		t.Fatal("esc is enabled with nothing to clear")
	}
}

// TestHelp: the short help shows only keys that work now, and always
// "? help" and "q quit" at the end, at any width; the full help lists
// every binding (the mouse too), those that do nothing now dimmed.
func TestHelp(t *testing.T) {
	db := openDB(t)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 40) // an empty inbox: nothing to act on
	m := d.inbox()
	for _, b := range m.ShortHelp() {
		if b.Enabled() && slices.ContainsFunc([]key.Binding{m.keys.Delete, m.keys.Ack, m.keys.Open, m.keys.Copy, m.keys.Links},
			func(k key.Binding) bool { return k.Help() == b.Help() }) {
			t.Errorf("%q is enabled in an empty inbox", b.Help().Key)
		}
	}
	for _, w := range []int{200, 120, 80, 60, 40, 24} {
		d.send(tea.WindowSizeMsg{Width: w, Height: 20})
		last := lastLines(d.view(), 1)
		if !strings.HasSuffix(strings.TrimRight(last, " "), "? help • q quit") {
			t.Errorf("at %d columns the short help does not end with help and quit: %q", w, last)
		}
	}
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.press("?")
	v := d.view()
	for _, g := range m.FullHelp() {
		for _, b := range g {
			if h := b.Help(); !contains(v, h.Key) || !contains(v, h.Desc) {
				t.Errorf("full help lacks %q %q:\n%s", h.Key, h.Desc, v)
			}
		}
	}
	// Every key of every binding is named in its help, not only the
	// first (space pages too, home goes to the top).
	shown := map[string]string{"up": "↑", "down": "↓", "pgdown": "pgdn", " ": "space"}
	for _, g := range m.FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				name := k
				if s, ok := shown[k]; ok {
					name = s
				}
				if h := b.Help().Key; h != name && !slices.Contains(strings.Split(h, "/"), name) {
					t.Errorf("the help of %q does not name the key %q", b.Help().Key, name)
				}
			}
		}
	}
	for _, want := range []string{"wheel", "click", "tab", "o", "links", "y", "copy", "esc", "L", "log in again"} {
		if !contains(v, want) {
			t.Errorf("full help lacks %q", want)
		}
	}

	// Dimmed, in colour: a dead key renders unlike a live one.
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	th := themes.NewStyles(themes.Default(), r)
	opts.Styles = &th
	d = newDriver(t, opts, 120, 40)
	d.press("?")
	lines := strings.Join(d.inbox().fullHelpLines(120), "\n")
	if dead, live := sgrBefore(lines, "delete here"), sgrBefore(lines, "search"); !strings.HasPrefix(dead, "\x1b[2;") ||
		strings.HasPrefix(live, "\x1b[2;") {
		t.Errorf("dead keys not dimmed: %q before a dead key, %q before a live one", dead, live)
	}
}

// sgrBefore returns the SGR sequence right before the first s in text.
func sgrBefore(text, s string) string {
	i := strings.Index(text, s)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(text[:i], "\x1b[")
	if j < 0 {
		return ""
	}
	return text[j:i]
}

// TestMouse: the wheel moves the selection, a click selects a row.
func TestMouse(t *testing.T) {
	db := openDB(t)
	ingest(t, db, sample(false)...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 40)
	m := d.inbox()
	d.send(tea.MouseMsg{X: 5, Y: 3, Button: tea.MouseButtonWheelDown})
	d.send(tea.MouseMsg{X: 5, Y: 3, Button: tea.MouseButtonWheelDown})
	if m.list.cursor != 2 {
		t.Fatalf("two wheel steps: cursor %d, want 2", m.list.cursor)
	}
	d.send(tea.MouseMsg{X: 5, Y: 6, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.list.cursor != 6 {
		t.Fatalf("click on line 6: cursor %d, want 6", m.list.cursor)
	}
	d.send(tea.MouseMsg{X: 100, Y: 6, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if m.focus != focusDetail {
		t.Fatal("a click in the detail pane does not focus it")
	}
	d.send(tea.MouseMsg{X: 5, Y: 39, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress}) // the help line
	if m.list.cursor != 6 {
		t.Fatal("a click outside the list moved the selection")
	}
}

// TestResize: any size, down to a single cell, renders without panic and
// without a line wider than the terminal.
func TestResize(t *testing.T) {
	db := openDB(t)
	ingest(t, db, append(sample(true), hostile()...)...)
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, 120, 40)
	for _, s := range [][2]int{{200, 50}, {79, 24}, {80, 24}, {40, 10}, {20, 5}, {10, 3}, {1, 1}, {3, 2}, {120, 40}} {
		for _, k := range []string{"", "j", "<enter>", "?", "<esc>", "f", "<esc>", "/x", "<esc>"} {
			d.send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
			d.press(k)
			v := d.view()
			if s[0] >= 10 {
				checkScreen(t, v, s[0], s[1])
			}
		}
	}
}
