package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"pobox/cache"
	"pobox/sanitize"
	inboxsync "pobox/sync"
	"pobox/themes"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

// testNow is the fixed clock of every test.
var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// noTick stops every timer, so that views do not change while a golden
// is taken (no read debounce, no notice expiry, no bell).
func noTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// asciiStyles are the default theme's styles for an Ascii renderer.
func asciiStyles() *themes.Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	s := themes.NewStyles(themes.Default(), r)
	return &s
}

// testDevice is the device the tests' messages belong to.
const testDevice = "uitestdevice000000000000000000000000000000"

// openDB opens an empty cache in a temporary directory, with the test
// device as its first (number 1).
func openDB(tb testing.TB) *cache.DB {
	tb.Helper()
	db, err := cache.Open(context.Background(), filepath.Join(tb.TempDir(), "cache.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.UseDevice(context.Background(), testDevice, "pobox"); err != nil {
		tb.Fatal(err)
	}
	return db
}

// ingest stores ms for the test device.
func ingest(tb testing.TB, db *cache.DB, ms ...cache.Message) {
	tb.Helper()
	if _, err := db.Ingest(context.Background(), cache.Batch{Device: 1, Messages: ms}); err != nil {
		tb.Fatal(err)
	}
}

// keyOf returns the cache key of the test device's message with this id.
func keyOf(tb testing.TB, db *cache.DB, id int64) int64 {
	tb.Helper()
	m, err := db.Find(context.Background(), 1, id)
	if err != nil {
		tb.Fatal(err)
	}
	return m.Key
}

// sample returns deterministic messages of every kind, newest last: apps,
// priorities, HTML, URLs, monospace, unicode, long text. With emergency
// one unacknowledged emergency is among them.
func sample(emergency bool) []cache.Message {
	at := func(d time.Duration) int64 { return testNow.Add(-d).Unix() }
	ms := []cache.Message{
		{Title: "Old archive note", Message: "Archived more than a year ago.", App: "Archive", Date: at(400 * 24 * time.Hour), Read: true},
		{Title: "Weekly report", Message: "All 12 services healthy. Median latency 41 ms.", App: "Monitoring", Date: at(20 * 24 * time.Hour), Read: true},
		{Title: "", Message: "Backup of /srv finished in 3m12s (4.1 GiB).", App: "Backups", Date: at(3 * 24 * time.Hour), Priority: -1, Read: true},
		{Title: "Quiet nightly", Message: "Nothing to report.", App: "Cron", Date: at(30 * time.Hour), Priority: -2, Read: true},
		{Title: "Deploy finished", Message: "web-7 is live: https://example.com/deploys/7 (took 94 s).", App: "Deploys", Date: at(5 * time.Hour),
			URL: "https://example.com/deploys/7", URLTitle: "Deploy #7"},
		{Title: "Table", Message: "host    load  mem\nweb-1   0.42  61%\nweb-2   3.10  97%", App: "Monitoring", Date: at(3 * time.Hour), Monospace: true},
		{Title: "Formatted", Message: `<b>Disk</b> on <i>db-1</i> is <font color="#ff0000">92%</font> full. <a href="https://example.com/db-1">Open dashboard</a>`,
			App: "Monitoring", Date: at(2 * time.Hour), HTML: true},
		{Title: "Grüße aus Köln 🎉", Message: "日本語のメッセージ、絵文字 👩‍👩‍👧 と結合文字 é.", App: "Home", Date: at(90 * time.Minute)},
		{Title: "CPU high on web-2", Message: "Load average 3.1 for 10 minutes.", App: "Monitoring", Date: at(40 * time.Minute), Priority: 1},
		{Title: "Door opened", Message: "Front door opened while nobody is home.", App: "Home", Date: at(12 * time.Minute)},
		{Title: "Build 1432 passed", Message: strings.Repeat("All tests passed. ", 20), App: "CI", Date: at(3 * time.Minute)},
	}
	if emergency {
		ms = append(ms,
			cache.Message{Title: "Database down", Message: "Primary db-1 is not answering. Failover did not start.", App: "Monitoring",
				Date: at(25 * time.Minute), Priority: 2, Receipt: "rcpt-db-down"},
			cache.Message{Title: "Power restored", Message: "UPS back on mains.", App: "Home", Date: at(8 * time.Minute),
				Priority: 2, Receipt: "rcpt-power", Acked: true})
	}
	// Ids follow dates, as Pushover's do.
	sortByDate(ms)
	for i := range ms {
		ms[i].ID = int64(1000 + i)
		ms[i].UMID = ms[i].ID
		ms[i].AID = 1
	}
	return ms
}

func sortByDate(ms []cache.Message) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Date < ms[j-1].Date; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// fakeEngine is an Engine whose events the test sends; its actions act on
// the cache as the real engine's do, and are recorded.
type fakeEngine struct {
	db     *cache.DB
	events chan inboxsync.Event
	mu     sync.Mutex
	calls  []string
	closed sync.Once
}

// newFakeEngine returns a fake engine; with events its Events channel is
// real (for a running program), else nil and the test calls Update with
// eventMsg itself.
func newFakeEngine(tb testing.TB, db *cache.DB, events bool) *fakeEngine {
	e := &fakeEngine{db: db}
	if events {
		e.events = make(chan inboxsync.Event, 16)
		tb.Cleanup(e.close)
	}
	return e
}

func (e *fakeEngine) close() { e.closed.Do(func() { close(e.events) }) }

func (e *fakeEngine) record(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, s)
}

func (e *fakeEngine) Calls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

func (e *fakeEngine) Events() <-chan inboxsync.Event { return e.events }
func (e *fakeEngine) SyncNow()                       { e.record("sync") }

func (e *fakeEngine) Acknowledge(ctx context.Context, receipt string) error {
	e.record("ack " + receipt)
	_, err := e.db.EnqueueAck(ctx, 1, receipt)
	return err
}

func (e *fakeEngine) AcknowledgeAll(ctx context.Context) (int, error) {
	e.record("ack all")
	ms, err := e.db.Older(ctx, cache.Filter{Unacked: true}, 0, cache.MaxLimit)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		if _, err := e.db.EnqueueAck(ctx, 1, m.Receipt); err != nil {
			return 0, err
		}
	}
	return len(ms), nil
}

func (e *fakeEngine) DeleteUpTo(ctx context.Context, key int64) (cache.Deleted, error) {
	e.record(fmt.Sprintf("delete up to %d", key))
	return e.db.DeleteUpTo(ctx, key, 1)
}

// testOptions are Options for a test: fixed clock, Ascii styles, no
// timers, a fake engine.
func testOptions(tb testing.TB, db *cache.DB) (Options, *fakeEngine) {
	en := newFakeEngine(tb, db, false)
	return Options{DB: db, Engine: en, Styles: asciiStyles(), Now: fixedNow, Title: "pobox", tick: noTick, Getenv: noEnv}, en
}

// noEnv is an environment without any variable: no multiplexer, no
// terminal to notify through (the bell).
func noEnv(string) string { return "" }

// keys turns a string into key messages, one a rune ("jjj" is three), with
// names in angle brackets for special keys: "<down><enter>".
func keys(s string) []tea.Msg {
	var out []tea.Msg
	for s != "" {
		if strings.HasPrefix(s, "<") {
			if i := strings.IndexByte(s, '>'); i > 0 {
				out = append(out, namedKey(s[1:i]))
				s = s[i+1:]
				continue
			}
		}
		r := []rune(s)[0]
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		s = s[len(string(r)):]
	}
	return out
}

func namedKey(name string) tea.KeyMsg {
	switch name {
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	panic("unknown key " + name)
}

// driver runs a model synchronously: every Cmd runs at once, depth first,
// and its message goes back into Update. With the fake engine's events
// off and timers stopped, nothing blocks, so a view is fully determined
// by the messages sent.
type driver struct {
	tb   testing.TB
	m    *Model
	quit bool

	// hold keeps the messages that Cmds return instead of delivering
	// them, as if the reads were still running: each Cmd runs at once
	// (it reads the cache as it is now) and its result waits in held
	// until deliver hands it over, in whatever order the test says.
	hold bool
	held []tea.Msg

	// painted, when paint is set, is the view after the latest Update:
	// what a program's renderer shows, which changes only when a
	// message comes (a key, a read, a timer).
	paint   bool
	painted string
}

func newDriver(tb testing.TB, opts Options, w, h int) *driver {
	tb.Helper()
	d := &driver{tb: tb, m: New(opts).(*Model)}
	d.run(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// send delivers msgs one by one, running what each returns.
func (d *driver) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		_, cmd := d.m.Update(msg)
		if d.paint {
			d.painted = d.m.View()
		}
		d.run(cmd)
	}
}

// press sends key presses written as for keys.
func (d *driver) press(s string) { d.send(keys(s)...) }

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	default:
		if d.hold {
			d.held = append(d.held, msg)
			return
		}
		d.send(msg)
	}
}

// deliver hands over the held results at indexes i (of held as it is
// now), in that order; what they start is held in turn while hold is set.
func (d *driver) deliver(i ...int) {
	d.tb.Helper()
	msgs := make([]tea.Msg, len(i))
	for k, j := range i {
		msgs[k] = d.held[j]
		d.held[j] = nil
	}
	d.held = slices.DeleteFunc(d.held, func(m tea.Msg) bool { return m == nil })
	d.send(msgs...)
}

// settle stops holding and delivers every held result, newest first
// (what they start runs at once).
func (d *driver) settle() {
	d.hold = false
	msgs := d.held
	d.held = nil
	slices.Reverse(msgs)
	d.send(msgs...)
}

func (d *driver) view() string { return d.m.View() }

// inbox is the driver's inbox screen.
func (d *driver) inbox() *inbox {
	d.tb.Helper()
	if d.m.inbox == nil {
		d.tb.Fatal("no inbox on screen")
	}
	return d.m.inbox
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// osc8 matches the OSC 8 hyperlinks the UI emits on purpose.
var osc8 = regexp.MustCompile("\x1b\\]8;;[!-~]*\x1b\\\\")

// checkScreenMode is checkScreen, and no line is wider than w as a
// terminal of the width mode counts it (tmux, per code point).
func checkScreenMode(tb testing.TB, v string, w, h int, mode sanitize.WidthMode) {
	tb.Helper()
	checkScreen(tb, v, w, h)
	for i, l := range strings.Split(v, "\n") {
		if n := mode.Width(l); n > w {
			tb.Errorf("line %d is %d cells wide in %s mode, more than %d: %q", i, n, mode, w, l)
		}
	}
}

// checkScreen checks a rendered screen: h lines, none wider than w, and
// (with the Ascii profile) no escape sequence but pobox's own OSC 8 links.
func checkScreen(tb testing.TB, v string, w, h int) {
	tb.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		tb.Errorf("screen has %d lines, want %d:\n%s", len(lines), h, v)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			tb.Errorf("line %d is %d cells wide, more than %d: %q", i, n, w, l)
		}
	}
	if i := strings.IndexByte(osc8.ReplaceAllString(v, ""), 0x1b); i >= 0 {
		s := osc8.ReplaceAllString(v, "")
		tb.Errorf("escape sequence on screen: %q", s[i:min(i+20, len(s))])
	}
	for _, r := range osc8.ReplaceAllString(v, "") {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			tb.Errorf("control character %U on screen", r)
		}
	}
}
