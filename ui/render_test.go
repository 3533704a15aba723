package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
)

// hostile messages: escape sequences of every family, bidi overrides,
// controls, wide and combining text, and sheer length.
func hostile() []cache.Message {
	ms := []cache.Message{
		{Title: "\x1b]2;pwned title\x07Window title", Message: "OSC 2 with BEL \x1b]0;pwned\x1b\\ and ST", App: "\x1b[31mRed\x1b[0mApp"},
		{Title: "CSI \x1b[2J\x1b[H clear and \x9b31m 8-bit", Message: "\x1bP1$qm\x1b\\ DCS \x1b_APC\x1b\\ \x1b^PM\x1b\\ \x1bXSOS\x1b\\", App: "Esc"},
		{Title: "\u202eevil.exe\u202c txt.gnp", Message: "bidi \u2066isolate\u2069 \u200fmark zero\u200bwidth", App: "Bidi"},
		{Title: "tab\tand\rcarriage\x00nul\x7fdel", Message: "line1\r\nline2\rline3\x08backspace", App: "Ctl"},
		{Title: strings.Repeat("全角テキスト", 40), Message: strings.Repeat("👩‍👩‍👧‍👦🇩🇪e\u0301 ", 200), App: strings.Repeat("應用程式", 10)},
		{Title: strings.Repeat("A", 5000), Message: strings.Repeat("x", 10000), App: strings.Repeat("B", 300),
			URL: "javascript:alert(1)", URLTitle: "\x1b]8;;https://evil.example\x1b\\click"},
		{Title: "link", Message: `<a href="javascript:alert(1)">js</a> <a href="https://ok.example/a;b">ok</a> <font color="red\x1b[31m">x</font>`,
			App: "HTML", HTML: true, URL: "https://ok.example/\x1b]2;x\x07", URLTitle: "ok"},
		{Title: "mono", Message: "col1\tcol2\x1b[31m\n" + strings.Repeat("wide 表 ", 50), App: "Mono", Monospace: true},
	}
	for i := range ms {
		ms[i].ID = int64(i + 1)
		ms[i].UMID = ms[i].ID
		ms[i].AID = 1
		ms[i].Date = testNow.Unix() - int64(len(ms)-i)*60
	}
	return ms
}

// TestHostileText renders every hostile message, in the list and in the
// detail pane, at several sizes: no escape sequence reaches the screen
// except pobox's own OSC 8 links (the profile is Ascii), no line is wider
// than the terminal and no bidi override survives.
func TestHostileText(t *testing.T) {
	db := openDB(t)
	ingest(t, db, hostile()...)
	for _, size := range [][2]int{{120, 40}, {200, 50}, {60, 20}, {40, 10}} {
		w, h := size[0], size[1]
		opts, _ := testOptions(t, db)
		d := newDriver(t, opts, w, h)
		for i := 0; i < len(hostile()); i++ {
			for _, k := range []string{"", "<enter>", "<pgdown><pgdown>", "<esc>"} {
				d.press(k)
				v := d.view()
				checkScreen(t, v, w, h)
				for _, bad := range []string{"pwned", "\u202e", "\u2066", "\u200f", "\u200b", "evil.example"} {
					if strings.Contains(v, bad) {
						t.Fatalf("%dx%d: %q on screen:\n%s", w, h, bad, v)
					}
				}
				for _, l := range osc8.FindAllString(v, -1) {
					if !strings.HasPrefix(l, "\x1b]8;;https://ok.example/") && l != "\x1b]8;;\x1b\\" {
						t.Fatalf("unexpected link %q", l)
					}
				}
			}
			d.press("j")
		}
	}
}

// TestRowWidth: every row is exactly the pane's width, whatever the text.
func TestRowWidth(t *testing.T) {
	r := newRowRenderer(newStyles(asciiStyles()), sanitize.Grapheme)
	r.now = testNow
	for _, m := range append(hostile(), sample(true)...) {
		for w := 1; w <= 130; w++ {
			for _, sel := range []uint8{selNone, selFocused, selBlurred} {
				row := r.row(&m, w, sel)
				if got := sanitize.Width(row); got != w {
					t.Fatalf("row of #%d at width %d (sel %d) is %d cells: %q", m.ID, w, sel, got, row)
				}
			}
		}
	}
}

// TestDetailWidth: every line of the detail pane is exactly its width.
func TestDetailWidth(t *testing.T) {
	br := newBodyRenderer(newStyles(asciiStyles()), sanitize.Grapheme)
	for _, m := range append(hostile(), sample(true)...) {
		for _, w := range []int{1, 2, 3, 10, 33, 80, 150} {
			lines := br.message(nil, &m, w, testNow, true)
			for i, bl := range lines {
				l := bl.text
				if got := sanitize.Width(osc8.ReplaceAllString(l, "")); got != w {
					t.Fatalf("#%d at width %d: line %d is %d cells: %q", m.ID, w, i, got, l)
				}
			}
		}
	}
}

// TestPriorityRowStyles: every priority has a row style of its own in
// colour: -2 (lowest) does not look like -1.
func TestPriorityRowStyles(t *testing.T) {
	r := newRowRenderer(newStyles(trueColorStyles()), sanitize.Grapheme)
	r.now = testNow
	seen := map[string]int{}
	for p := -2; p <= 1; p++ {
		m := cache.Message{Key: int64(p + 10), Title: "same title", Message: "same body", App: "App", Date: testNow.Unix(), Priority: p}
		row := r.row(&m, 80, selNone)
		if q, dup := seen[row]; dup {
			t.Errorf("priority %d renders like priority %d: %q", p, q, row)
		}
		seen[row] = p
	}
}

// TestDetailPaneComponent: the reading pane works on its own, as a
// component: sized, given a message, it shows its lines at its size;
// keys and the wheel scroll it; / n N find in it; its help names its
// keys.
func TestDetailPaneComponent(t *testing.T) {
	var c component = func() *detailPane {
		d := newDetailPane(newStyles(asciiStyles()), sanitize.Codepoint, fixedNow)
		return &d
	}()
	d := c.(*detailPane)
	c.SetSize(40, 8)
	d.empty = "nothing"
	if v := c.View(); !strings.HasPrefix(v, "nothing") {
		t.Fatalf("empty pane: %q", v)
	}
	var body strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&body, "line %d\n", i)
	}
	d.set(cache.Message{Key: 1, ID: 1, Title: "Long", App: "Tests", Message: body.String(), Date: testNow.Unix()}, true)
	if got := strings.Count(c.View(), "\n") + 1; got != 8 {
		t.Fatalf("%d lines at height 8", got)
	}
	c.Update(keys("j")[0])
	c.Update(tea.MouseMsg{Button: tea.MouseButtonWheelDown})
	if v := c.View(); !strings.Contains(v, "lines 3–9 of 36") {
		t.Fatalf("j and the wheel did not scroll two lines:\n%s", v)
	}
	for _, k := range keys("/line 2<enter>n") {
		c.Update(k)
	}
	if v := c.View(); !strings.Contains(v, "/line 2 2/11 matches") {
		t.Fatalf("find in the pane:\n%s", v)
	}
	for _, l := range strings.Split(c.View(), "\n") {
		if w := sanitize.Codepoint.Width(l); w != 40 {
			t.Fatalf("a line is %d cells wide, want 40: %q", w, l)
		}
	}
	if len(c.ShortHelp()) == 0 || len(c.FullHelp()) == 0 {
		t.Fatal("the pane names no keys")
	}
}
