package ui

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/sanitize"
	inboxsync "pobox/sync"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestDetectNotifyMode(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want NotifyMode
	}{
		{nil, NotifyBell},
		{[]string{"TERM", "xterm-256color"}, NotifyBell},
		{[]string{"TERM_PROGRAM", "iTerm.app"}, NotifyOSC9},
		{[]string{"LC_TERMINAL", "iTerm2", "TERM", "screen-256color"}, NotifyOSC9}, // iTerm2 over SSH, in tmux
		{[]string{"TERM_PROGRAM", "WezTerm"}, NotifyOSC9},
		{[]string{"TERM_PROGRAM", "ghostty"}, NotifyOSC9},
		{[]string{"WT_SESSION", "abc"}, NotifyOSC9},
		{[]string{"KITTY_WINDOW_ID", "1", "TERM_PROGRAM", "tmux"}, NotifyOSC99},
		{[]string{"TERM", "xterm-kitty"}, NotifyOSC99},
		{[]string{"TERM", "foot"}, NotifyOSC777},
	} {
		if got := DetectNotifyMode(env(c.env...)); got != c.want {
			t.Errorf("%q: %s, want %s", c.env, got, c.want)
		}
	}
}

func TestDetectMux(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want multiplexer
	}{
		{nil, muxNone},
		{[]string{"TERM", "xterm"}, muxNone},
		{[]string{"TMUX", "/tmp/tmux-0/default,1,0"}, muxTmux},
		{[]string{"TERM", "tmux-256color"}, muxTmux},
		{[]string{"TERM", "screen-256color"}, muxTmux}, // over SSH only TERM tells
		{[]string{"STY", "1.pts-0.host", "TERM", "screen"}, muxScreen},
	} {
		if got := detectMux(env(c.env...)); got != c.want {
			t.Errorf("%q: %d, want %d", c.env, got, c.want)
		}
	}
}

// TestNotificationSequences: each mode's sequence, wrapped for tmux
// (inner ESCs doubled) and screen, with hostile text made inert.
func TestNotificationSequences(t *testing.T) {
	for _, c := range []struct {
		mode  NotifyMode
		env   []string
		title string
		want  string
	}{
		{NotifyOSC9, nil, "Backups: failed", "\x1b]9;Backups: failed: disk full\a"},
		{NotifyOSC9, nil, "2 disks: failed", "\x1b]9;pobox: 2 disks: failed: disk full\a"},
		{NotifyOSC777, nil, "Backups; nightly", "\x1b]777;notify;Backups, nightly;disk full\a"},
		{NotifyOSC99, nil, "Backups", "\x1b]99;i=pobox7:d=0:p=title;Backups\a\x1b]99;i=pobox7:p=body;disk full\a"},
		{NotifyBell, nil, "Backups", "\a"},
		{NotifyOff, nil, "Backups", ""},
		{NotifyOSC9, []string{"TMUX", "x"}, "Backups", "\x1bPtmux;\x1b\x1b]9;Backups: disk full\a\x1b\\"},
		{NotifyOSC9, []string{"STY", "x"}, "Backups", "\x1bP\x1b]9;Backups: disk full\a\x1b\\"},
		{NotifyBell, []string{"STY", "x"}, "Backups", "\a"},
		{NotifyOff, []string{"TMUX", "x"}, "Backups", ""},
		{NotifyOSC9, nil, "evil\x1b]0;owned\a\x9c\u009c\x1b\\ title", "\x1b]9;evil title: disk full\a"},
	} {
		n := newNotifier(c.mode, 1, env(c.env...), sanitize.Grapheme)
		if got := n.notification(c.title, "disk\x07 full", 7); got != c.want {
			t.Errorf("%s %q %q: %q, want %q", c.mode, c.env, c.title, got, c.want)
		}
	}
	long := newNotifier(NotifyOSC9, 1, env(), sanitize.Grapheme).notification(strings.Repeat("t", 500), strings.Repeat("b", 5000), 1)
	if len(long) > 300 {
		t.Errorf("a notification of %d bytes: the text is not bounded", len(long))
	}
	// GNU screen passes at most 768 bytes of a DCS string: text of many
	// bytes a cell (4 here; marks on letters make more) is cut shorter
	// there, and the sequence keeps its end.
	wide := strings.Repeat("𝐀", 300)
	for _, mode := range []NotifyMode{NotifyOSC9, NotifyOSC777, NotifyOSC99} {
		seq := newNotifier(mode, 1, env("STY", "x"), sanitize.Grapheme).notification(wide, wide, 1)
		inner := strings.TrimSuffix(strings.TrimPrefix(seq, "\x1bP"), "\x1b\\")
		if len(inner) > 767 || !strings.HasSuffix(inner, "\a") || !strings.Contains(inner, "𝐀𝐀𝐀") {
			t.Errorf("%s inside screen: %d bytes passed through (at most 767), ending %q", mode, len(inner), inner[max(len(inner)-10, 0):])
		}
	}
}

// TestCopySequence: OSC 52 as it is, inside tmux also through the
// passthrough, inside screen wrapped for it.
func TestCopySequence(t *testing.T) {
	plain := "\x1b]52;c;aGk=\a"
	for _, c := range []struct {
		env  []string
		want string
	}{
		{nil, plain},
		{[]string{"TMUX", "x"}, plain + "\x1bPtmux;\x1b\x1b]52;c;aGk=\a\x1b\\"},
		{[]string{"STY", "x"}, "\x1bP\x1b]52;c;aGk=\a\x1b\\"},
	} {
		if got := newNotifier(NotifyAuto, 1, env(c.env...), sanitize.Grapheme).copySeq("hi"); got != c.want {
			t.Errorf("%q: %q, want %q", c.env, got, c.want)
		}
	}
}

// oscs matches OSC strings, ended by BEL.
var oscs = regexp.MustCompile("\x1b\\][^\a]*\a")

// TestAlerts: what a download rings or notifies, by mode and priority.
func TestAlerts(t *testing.T) {
	for _, c := range []struct {
		name   string
		notify NotifyMode
		prio   int   // notify_priority
		id     int64 // of the new message
		ev     inboxsync.Synced
		want   string // in the output; "" nothing
	}{
		{"osc9 high", NotifyOSC9, 1, 1008, inboxsync.Synced{MaxPriority: 1}, "\x1b]9;Monitoring: CPU high on web-2: Load average"},
		{"osc9 normal", NotifyOSC9, 1, 1004, inboxsync.Synced{MaxPriority: 0}, ""},
		{"osc9 normal asked", NotifyOSC9, 0, 1004, inboxsync.Synced{MaxPriority: 0}, "\x1b]9;Deploys: Deploy finished: web-7"},
		{"osc9 backlog", NotifyOSC9, -2, 1008, inboxsync.Synced{MaxPriority: 1, Backlog: true}, ""},
		{"bell high", NotifyBell, 1, 1008, inboxsync.Synced{MaxPriority: 1}, "\a"},
		{"off high rings", NotifyOff, 1, 1008, inboxsync.Synced{MaxPriority: 1}, "\a"},
		{"off quiet", NotifyOff, -2, 1002, inboxsync.Synced{MaxPriority: -1}, ""},
		{"bell quiet asked", NotifyBell, -1, 1002, inboxsync.Synced{MaxPriority: -1}, "\a"},
		{"osc9 emergency rings too", NotifyOSC9, 1, 1008, inboxsync.Synced{MaxPriority: 2, Emergency: true}, "\a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openDB(t)
			ms := sample(false)
			ingest(t, db, ms...)
			opts, _ := testOptions(t, db)
			out := &syncBuffer{}
			opts.Output, opts.Notify, opts.NotifyPriority = out, c.notify, &c.prio
			d := newDriver(t, opts, 120, 40)
			c.ev.New = []int64{keyOf(t, db, c.id)}
			d.send(eventMsg{c.ev})
			got := out.String()
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Fatalf("wrote %q, want %q", got, c.want)
			}
			bells := strings.Count(oscs.ReplaceAllString(got, ""), "\a")
			if want := map[bool]int{true: 1}[c.want == "\a"]; bells != want {
				t.Fatalf("%d bells (%q), want %d", bells, got, want)
			}
		})
	}
}

// recorder records each write the program makes, and signals it.
type recorder struct {
	mu     sync.Mutex
	writes []string
	more   chan struct{}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.writes = append(r.writes, string(p))
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

// TestSequencesBetweenFrames runs the program (NewProgram) and checks
// that the bell, the copies and the notifications each went out as one
// write of their own, never inside one of the renderer's frames, and that
// the frame of new messages was painted at once.
func TestSequencesBetweenFrames(t *testing.T) {
	db := openDB(t)
	ingest(t, db, sample(true)...)
	en := newFakeEngine(t, db, true)
	out := &recorder{more: make(chan struct{}, 1)}
	in, inW := io.Pipe()
	defer inW.Close()
	prio := 1
	opts := Options{DB: db, Engine: en, Styles: asciiStyles(), Now: fixedNow, Title: "pobox", Output: out,
		Getenv: env("TMUX", "x"), Notify: NotifyOSC9, NotifyPriority: &prio}
	p, err := NewProgram(context.Background(), opts, tea.WithInput(in))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	wait := func(what string, cond func([]string) bool) {
		t.Helper()
		deadline := time.NewTimer(10 * time.Second)
		defer deadline.Stop()
		for !cond(out.all()) {
			select {
			case <-out.more:
			case <-deadline.C:
				t.Fatalf("%s: not written", what)
			}
		}
	}
	has := func(s string) func([]string) bool {
		return func(ws []string) bool { return strings.Contains(strings.Join(ws, ""), s) }
	}
	wait("the first frame", has("Build 1432 passed"))
	ingest(t, db, cache.Message{ID: 5000, UMID: 5000, AID: 1, App: "Alarm", Title: "Fire in hall", Message: "evacuate",
		Date: testNow.Unix(), Priority: 2, Receipt: "rcpt-fire"})
	en.events <- inboxsync.Synced{At: testNow, New: []int64{keyOf(t, db, 5000)}, MaxPriority: 2, Emergency: true}
	wait("the notification", has("\x1b]9;Alarm: Fire in hall"))
	p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("yb")})
	wait("the copy", has("\x1b]52;c;"))
	p.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, w := range out.all() {
		seq := w == "\a" || strings.HasPrefix(w, "\x1b]") || strings.HasPrefix(w, "\x1bP")
		frame := strings.Contains(w, "pobox · ") || strings.Contains(w, "\x1b[H")
		if seq && frame {
			t.Errorf("a sequence and a frame in one write: %q", w[:min(len(w), 200)])
		}
		if !seq && (strings.Contains(w, "\x1b]9;") || strings.Contains(w, "\x1b]52;") || strings.Contains(w, "\x1bPtmux;") ||
			strings.Contains(w, "\a")) {
			t.Errorf("a sequence inside a frame: %q", w[:min(len(w), 200)])
		}
	}
}

// frames is a program output that records the frames painted at once.
type frames struct {
	syncBuffer
	painted []string
	count   uint64
}

func (f *frames) frameCount() uint64 { return f.count }
func (f *frames) writeFrame(view string, seen uint64, width int) bool {
	f.painted = append(f.painted, view)
	return true
}

// TestEagerFrame: the frame that shows new messages is painted at once,
// with every line marked to differ from the renderer's last frame; a
// reload without new messages paints nothing.
func TestEagerFrame(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(5)...)
	opts, _ := testOptions(t, db)
	out := &frames{}
	opts.Output = out
	d := newDriver(t, opts, 80, 10)
	d.send(eventMsg{inboxsync.RowsChanged{}})
	if len(out.painted) != 0 {
		t.Fatal("a frame painted at once without new messages")
	}
	arrive(t, d, db, 6, 1)
	if len(out.painted) != 1 || !strings.Contains(out.painted[0], "message 6") {
		t.Fatalf("painted %q", out.painted)
	}
	for i, l := range strings.Split(out.painted[0], "\n") {
		if !strings.HasSuffix(l, parityMark) {
			t.Fatalf("line %d of the eager frame lacks the parity mark: %q", i, l)
		}
	}
	if v := d.view(); v != out.painted[0] {
		t.Fatal("the renderer's next frame differs from the one painted")
	}
	arrive(t, d, db, 7, 1)
	if len(out.painted) != 2 || strings.Contains(out.painted[1], parityMark) {
		t.Fatal("the parity did not flip back")
	}
}

// TestEagerFrameYields: the frame is not painted when the renderer wrote
// since it was made (the renderer's is newer).
func TestEagerFrameYields(t *testing.T) {
	var out strings.Builder
	tw := newTermWriter(&out).(*termWriter)
	seen := tw.frameCount()
	_, _ = tw.Write([]byte("renderer"))
	if tw.writeFrame("old frame", seen, 10) {
		t.Fatal("painted over a newer frame")
	}
	if !tw.writeFrame("new\nline", tw.frameCount(), 10) || !strings.HasSuffix(out.String(), "\x1b[Hnew\x1b[K\r\nline\x1b[K\x1b[2;H") {
		t.Fatalf("wrote %q", out.String())
	}
	if msg := writeSeq(tw, "\a", nil)(); msg != nil || tw.frameCount() != 1 {
		t.Fatal("a sequence counted as a frame: a bell would hold back the next eager frame")
	}
}

// TestArrivalsReadAtOnce: the read that shows what a sync stored starts
// at once: alone, not batched with the next receive from the engine
// (Bubble Tea would start a batch only after painting the frame), and
// not behind a reload on its way, whose answer is then dropped; the
// receive follows when the read is back. A jump the person asked for is
// not superseded.
func TestArrivalsReadAtOnce(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(30)...)
	opts, quiet := testOptions(t, db) // an engine without events: nothing to receive
	d := newDriver(t, opts, 80, 10)
	m := d.inbox()
	stale := m.Update(eventMsg{inboxsync.RowsChanged{}})().(loadedMsg) // read before the sync stored #31
	ingest(t, db, numbered(31)[30:]...)
	cmd := m.Update(eventMsg{inboxsync.Synced{At: testNow, New: []int64{31}}})
	if cmd == nil {
		t.Fatal("the read of new messages waits for the reload on its way")
	}
	m.Update(cmd().(loadedMsg))
	m.Update(stale)
	if !strings.Contains(m.View(), "message 31") {
		t.Fatalf("the new message is not shown, or the superseded reload's answer was applied:\n%s", m.View())
	}

	// With an engine that reports events: the read goes out alone, and
	// the next receive follows its answer.
	en := newFakeEngine(t, db, true)
	m.engine = en
	ingest(t, db, numbered(32)[31:]...)
	loaded, ok := m.Update(eventMsg{inboxsync.Synced{At: testNow, New: []int64{32}}})().(loadedMsg)
	if !ok {
		t.Fatal("the read of new messages is batched with other commands")
	}
	en.events <- inboxsync.Syncing{}
	received := false
	for _, msg := range collect(m.Update(loaded)) {
		if ev, ok := msg.(eventMsg); ok {
			_, received = ev.ev.(inboxsync.Syncing)
		}
	}
	if !received {
		t.Fatal("no receive from the engine after the read came back")
	}

	// A jump on its way (G) is not superseded by new messages.
	m.engine = quiet
	jump := m.Update(keys("G")[0])
	ingest(t, db, numbered(33)[32:]...)
	if cmd := m.Update(eventMsg{inboxsync.Synced{At: testNow, New: []int64{33}}}); cmd != nil {
		t.Fatal("new messages superseded the jump to the oldest")
	}
	m.Update(jump().(loadedMsg))
	if sel, _ := m.list.selected(); sel.ID != 1 {
		t.Fatalf("after G the selection is #%d, want #1", sel.ID)
	}
}

// TestEagerFrameGoesAlone: the frame that shows new messages goes out as
// the only command of its Update (a batch would wait for the event
// loop); the others, the next receive from the engine among them, follow
// once it is out.
func TestEagerFrameGoesAlone(t *testing.T) {
	db := openDB(t)
	ingest(t, db, numbered(5)...)
	opts, _ := testOptions(t, db)
	opts.Output = &frames{}
	d := newDriver(t, opts, 80, 10)
	m := d.inbox()
	en := newFakeEngine(t, db, true)
	m.engine = en
	ingest(t, db, numbered(6)[5:]...)
	loaded := m.Update(eventMsg{inboxsync.Synced{At: testNow, New: []int64{6}}})().(loadedMsg)
	painted, ok := m.Update(loaded)().(framePaintedMsg)
	if !ok {
		t.Fatal("the eager frame is batched with other commands")
	}
	en.events <- inboxsync.Syncing{}
	received := false
	view := m.View()
	for _, msg := range collect(m.Update(painted)) {
		if ev, ok := msg.(eventMsg); ok {
			_, received = ev.ev.(inboxsync.Syncing)
		}
	}
	if !received {
		t.Fatal("the commands held for the frame did not follow it")
	}
	if unsafe.StringData(m.View()) != unsafe.StringData(view) {
		t.Fatal("the frame being out made the View again (it changes nothing)")
	}
}

// count is how many times s was written.
func (r *recorder) count(s string) (n int) {
	for _, w := range r.all() {
		n += strings.Count(w, s)
	}
	return n
}

// viewModel shows two lines once it knows the terminal's size; a viewMsg
// changes them and paints them at once through the termWriter, as the
// inbox's eager frame does.
type viewModel struct {
	view string
	tw   *termWriter
}

type viewMsg string

func (v *viewModel) Init() tea.Cmd { return nil }
func (v *viewModel) View() string  { return v.view }
func (v *viewModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.WindowSizeMsg); ok {
		v.view = "first line\nsecond line"
	}
	if s, ok := msg.(viewMsg); ok {
		v.view = string(s)
		seen := v.tw.frameCount()
		return v, func() tea.Msg { v.tw.writeFrame(string(s), seen, 40); return nil }
	}
	return v, nil
}

// TestRendererSkipsTheEagerFrame: Bubble Tea's renderer, flushing the
// frame an eager write already put on the screen, writes the same bytes,
// and the termWriter does not send them again: a new message costs the
// terminal one frame, not two.
func TestRendererSkipsTheEagerFrame(t *testing.T) {
	rec := &recorder{}
	tw := newTermWriter(rec).(*termWriter)
	m := &viewModel{tw: tw}
	p := tea.NewProgram(m, tea.WithOutput(tw), tea.WithInput(nil), tea.WithAltScreen(), tea.WithFPS(FPS),
		tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	waitWrites := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10s; writes %q", what, rec.all())
			}
			time.Sleep(time.Millisecond)
		}
	}
	p.Send(tea.WindowSizeMsg{Width: 40, Height: 2}) // as a terminal reports it
	waitWrites("the first frame", func() bool { return rec.count("second line") > 0 })
	// Every line differs from the renderer's last frame, as the parity
	// mark makes them.
	next := "new message" + parityMark + "\nsecond line" + parityMark
	seen := tw.frameCount()
	p.Send(viewMsg(next))
	waitWrites("the renderer's flush after the eager frame", func() bool { return tw.frameCount() > seen })
	if n := rec.count("new message"); n != 1 {
		t.Errorf("the frame reached the terminal %d times, want once: %q", n, rec.all())
	}
	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
