package ui

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/session"
	inboxsync "pobox/sync"
)

// timers records the timers a model starts instead of running them, so
// that a test can fire the one it wants, whenever it wants: for what
// happens, not when (a clock, in clock_test.go, checks when).
type timers struct {
	mu   sync.Mutex
	msgs []tea.Msg
	durs []time.Duration // each timer's duration, in order
}

func (tm *timers) tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.msgs = append(tm.msgs, fn(testNow.Add(d)))
	tm.durs = append(tm.durs, d)
	return nil
}

// take removes and returns the recorded timer messages of type T.
func take[T tea.Msg](tm *timers) []T {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var out []T
	kept := tm.msgs[:0]
	for _, m := range tm.msgs {
		if v, ok := m.(T); ok {
			out = append(out, v)
		} else {
			kept = append(kept, m)
		}
	}
	tm.msgs = kept
	return out
}

// syncBuffer is a bytes.Buffer safe for the Cmd goroutines of a program.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// actionEnv is a driver on the emergency sample with a fake engine, a
// bell buffer and recorded timers.
type actionEnv struct {
	*driver
	db     *cache.DB
	en     *fakeEngine
	bell   *syncBuffer
	timers *timers
	opened []string
}

func newActionEnv(t *testing.T, w, h int, change func(*Options)) *actionEnv {
	t.Helper()
	db := openDB(t)
	ingest(t, db, sample(true)...)
	opts, en := testOptions(t, db)
	e := &actionEnv{db: db, en: en, bell: &syncBuffer{}, timers: &timers{}}
	opts.Output = e.bell
	opts.tick = e.timers.tick
	if change != nil {
		change(&opts)
	}
	e.driver = newDriver(t, opts, w, h)
	return e
}

// selectTitle moves the cursor to the message with this title.
func (e *actionEnv) selectTitle(t *testing.T, title string) cache.Message {
	t.Helper()
	m := e.inbox()
	for i := 0; i < 50; i++ {
		if sel, ok := m.list.selected(); ok && sel.Title == title {
			return sel
		}
		e.press("j")
	}
	t.Fatalf("no message %q in the list", title)
	return cache.Message{}
}

// TestAcknowledge: a on the selected emergency asks the engine to
// acknowledge its receipt, and the screen shows it on its way. What the
// real engine then does (the sandbox records the acknowledgement, the
// screen confirms it) is TestFlowAcknowledge's.
func TestAcknowledge(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	if !m.bannerShown() {
		t.Fatal("no banner with an unacknowledged emergency")
	}
	sel := e.selectTitle(t, "Database down")
	if !m.keys.Ack.Enabled() {
		t.Fatal("a is disabled on an unacknowledged emergency")
	}
	e.press("a")
	if got := e.en.Calls(); !slices.Contains(got, "ack "+sel.Receipt) {
		t.Fatalf("engine calls %q, want an acknowledgement of %s", got, sel.Receipt)
	}
	if m.bannerShown() {
		t.Fatal("the banner stays although the acknowledgement is on its way")
	}
	v := e.view()
	if !strings.Contains(v, "acknowledging…") || strings.Contains(v, "needs acknowledging") {
		t.Fatalf("screen does not show the pending acknowledgement:\n%s", v)
	}
	if now, _ := m.list.selected(); !now.AckPending {
		t.Fatal("the row is not pending after the reload")
	}
}

// TestAcknowledgeFromAnyRow: with the banner up, a on a row that is no
// emergency acknowledges the emergency the banner names.
func TestAcknowledgeFromAnyRow(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	e.selectTitle(t, "Door opened")
	if !m.keys.Ack.Enabled() {
		t.Fatal("a is disabled while the banner asks for it")
	}
	oldest := m.oldestNeed()
	if oldest == nil {
		t.Fatal("the banner names no emergency")
	}
	e.press("a")
	if got := e.en.Calls(); !slices.Contains(got, "ack "+oldest.Receipt) {
		t.Fatalf("engine calls %q, want an acknowledgement of %s", got, oldest.Receipt)
	}
	if m.bannerShown() {
		t.Fatal("the banner stays after a")
	}
	if m.keys.Ack.Enabled() {
		t.Fatal("a is still enabled with nothing left to acknowledge")
	}
	e.press("a") // nothing left: no second call
	if n := len(e.en.Calls()); n != 1 {
		t.Fatalf("engine calls %q, want one", e.en.Calls())
	}
}

func TestAcknowledgeAll(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	e.press("A")
	if got := e.en.Calls(); !slices.Contains(got, "ack all") {
		t.Fatalf("engine calls %q, want ack all", got)
	}
	if e.inbox().bannerShown() {
		t.Fatal("banner still shown after A")
	}
}

func TestDeleteHere(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	sel := e.selectTitle(t, "Door opened")
	e.press("d")
	if _, err := e.db.Get(context.Background(), sel.Key); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("message still in the cache after d: %v", err)
	}
	m := e.inbox()
	if m.list.indexOf(sel.Key) >= 0 {
		t.Fatal("deleted message still in the list")
	}
	if got, _ := m.list.selected(); got.Title != "Database down" {
		t.Fatalf("after d the selection is %q, want the next older", got.Title)
	}
	if !strings.Contains(e.view(), "deleted #"+itoa(sel.ID)+" here") {
		t.Fatalf("no notice:\n%s", e.view())
	}
}

func TestDeleteUpTo(t *testing.T) {
	for _, c := range []struct {
		name, answer string
		deleted      bool
	}{
		{"yes", "y", true},
		{"no", "n", false},
		{"esc", "<esc>", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newActionEnv(t, 120, 40, nil)
			sel := e.selectTitle(t, "CPU high on web-2")
			e.press("D")
			if !strings.Contains(e.view(), "delete #"+itoa(sel.ID)+" and everything older: 9 messages, here and on Pushover? y/n") {
				t.Fatalf("no question:\n%s", e.view())
			}
			e.press(c.answer)
			calls := e.en.Calls()
			if got := slices.Contains(calls, "delete up to "+itoa(sel.Key)); got != c.deleted {
				t.Fatalf("engine calls %q", calls)
			}
			c2, err := e.db.Counts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 4, false: 13}[c.deleted]; c2.Total != want {
				t.Fatalf("%d messages left, want %d", c2.Total, want)
			}
			if c.deleted && !strings.Contains(e.view(), "deleted 9 messages here, #"+itoa(sel.ID)+" and older; on Pushover up to #"+itoa(sel.ID)) {
				t.Fatalf("no notice:\n%s", e.view())
			}
		})
	}
}

// TestLinks: o lists the links of the message, the URL field first; enter
// (or the number) opens one, y copies it.
func TestLinks(t *testing.T) {
	var opened []string
	e := newActionEnv(t, 120, 40, func(o *Options) {
		o.Opener = func(u string) error { opened = append(opened, u); return nil }
	})
	e.selectTitle(t, "Door opened")
	if e.inbox().keys.Links.Enabled() {
		t.Fatal("o enabled on a message without links")
	}
	e.selectTitle(t, "Deploy finished")
	e.press("o")
	if v := e.view(); !strings.Contains(v, "1. Deploy #7 [example.com]") {
		t.Fatalf("no links picker:\n%s", v)
	}
	e.press("<enter>")
	if !slices.Equal(opened, []string{"https://example.com/deploys/7"}) {
		t.Fatalf("opened %q", opened)
	}
	e.press("g")
	e.selectTitle(t, "Formatted")
	e.press("o1")
	if !slices.Equal(opened, []string{"https://example.com/deploys/7", "https://example.com/db-1"}) {
		t.Fatalf("opened %q", opened)
	}
	e.press("oy")
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("https://example.com/db-1")) + "\a"
	if got := e.bell.String(); got != want {
		t.Fatalf("OSC 52 written %q, want %q", got, want)
	}

	// One plain link too is listed first, not opened at once: where it
	// goes shows before anything opens.
	opened = nil
	e.press("g")
	stored, err := e.db.Ingest(context.Background(), cache.Batch{Device: 1, Messages: []cache.Message{{ID: 2000, UMID: 2000, AID: 1,
		Title: "Status page", Message: "see it", App: "Ops", Date: testNow.Unix(), URL: "https://status.example.org/"}}})
	if err != nil || len(stored) != 1 {
		t.Fatal(stored, err)
	}
	e.send(eventMsg{inboxsync.Synced{At: testNow, New: []int64{stored[0].Key}}})
	e.selectTitle(t, "Status page")
	e.press("o")
	if v := e.view(); len(opened) > 0 || !strings.Contains(v, "1. https://status.example.org/") {
		t.Fatalf("o on one link opened %q; the screen:\n%s", opened, v)
	}
	e.press("<enter>")
	if !slices.Equal(opened, []string{"https://status.example.org/"}) {
		t.Fatalf("opened %q", opened)
	}

	// Without an opener the link is shown to click.
	e = newActionEnv(t, 120, 40, nil)
	e.selectTitle(t, "Deploy finished")
	e.press("o<enter>")
	if v := e.view(); !strings.Contains(v, "\x1b]8;;https://example.com/deploys/7\x1b\\") {
		t.Fatalf("no link on screen:\n%q", v[len(v)-400:])
	}
}

// TestCopy: y offers the body, the URL, the id and the receipt; the
// notice says where the text went, not that it was copied (tmux may keep
// it).
func TestCopy(t *testing.T) {
	for _, c := range []struct {
		title, keys, want, what string
	}{
		{"Door opened", "yb", "Front door opened while nobody is home.", "the message"},
		{"Door opened", "y<enter>", "Front door opened while nobody is home.", "the message"},
		{"Deploy finished", "yu", "https://example.com/deploys/7", "the URL"},
		{"Database down", "yr", "rcpt-db-down", "the receipt"},
		{"Database down", "yi", "1009", "the id"},
	} {
		t.Run(c.keys+" "+c.title, func(t *testing.T) {
			e := newActionEnv(t, 120, 40, nil)
			e.selectTitle(t, c.title)
			e.press(c.keys)
			want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(c.want)) + "\a"
			if got := e.bell.String(); got != want {
				t.Fatalf("OSC 52 written %q, want %q", got, want)
			}
			if v := e.view(); !strings.Contains(v, "sent "+c.what) || !strings.Contains(v, "to the terminal clipboard (OSC 52)") {
				t.Fatalf("notice:\n%s", lastLines(v, 2))
			}
		})
	}
}

func TestSyncNow(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	e.press("r")
	if !slices.Contains(e.en.Calls(), "sync") {
		t.Fatalf("engine calls %q", e.en.Calls())
	}
}

// TestMarkRead: a message is marked read when the selection rests on it,
// not while scrolling past.
func TestMarkRead(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	ctx := context.Background()
	if got := take[settledMsg](e.timers); len(got) != 0 {
		t.Fatalf("%d debounce timers before any key: the first selection is nobody's", len(got))
	}
	e.press("jjj")
	settled := take[settledMsg](e.timers)
	if len(settled) != 3 { // three moves
		t.Fatalf("%d debounce timers, want 3", len(settled))
	}
	for _, s := range settled[:2] {
		e.send(s) // stale: the selection moved on
	}
	c, _ := e.db.Counts(ctx)
	if c.Unread != 13 {
		t.Fatalf("%d unread after scrolling, want 13: nothing is read while scrolling", c.Unread)
	}
	e.send(settled[2])
	sel, _ := e.inbox().list.selected()
	got, err := e.db.Get(ctx, sel.Key)
	if err != nil || !got.Read {
		t.Fatalf("selected message not read after resting on it: %v %+v", err, got.Read)
	}
	e.press("j<enter>")
	sel, _ = e.inbox().list.selected()
	if got, _ := e.db.Get(ctx, sel.Key); !got.Read {
		t.Fatal("enter does not mark read at once")
	}
}

func TestBell(t *testing.T) {
	newID := []int64{2000}
	for _, c := range []struct {
		name     string
		ev       inboxsync.Synced
		interval time.Duration
		rings    int
		repeat   bool
	}{
		{"emergency rings and repeats", inboxsync.Synced{New: newID, MaxPriority: 2, Emergency: true}, 0, 1, true},
		{"high rings once", inboxsync.Synced{New: newID, MaxPriority: 1}, 0, 1, false},
		{"normal is silent", inboxsync.Synced{New: newID, MaxPriority: 0}, 0, 0, false},
		{"quiet is silent", inboxsync.Synced{New: newID, MaxPriority: -1}, 0, 0, false},
		{"backlog is silent", inboxsync.Synced{New: newID, MaxPriority: 2, Emergency: true, Backlog: true}, 0, 0, false},
		{"bell off", inboxsync.Synced{New: newID, MaxPriority: 2, Emergency: true}, -1, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newActionEnv(t, 120, 40, func(o *Options) { o.BellInterval = c.interval })
			take[bellMsg](e.timers) // the start-up repeat for the waiting emergency
			e.send(eventMsg{c.ev})
			if got := strings.Count(e.bell.String(), "\a"); got != c.rings {
				t.Fatalf("%d rings, want %d", got, c.rings)
			}
			timers := take[bellMsg](e.timers)
			if (len(timers) > 0) != c.repeat {
				t.Fatalf("repeat timers %v, want repeat %v", timers, c.repeat)
			}
			if !c.repeat {
				return
			}
			e.send(timers[0])
			if got := strings.Count(e.bell.String(), "\a"); got != 2 {
				t.Fatalf("%d rings after the repeat, want 2", got)
			}
			e.press("A")
			for _, tm := range take[bellMsg](e.timers) {
				e.send(tm)
			}
			if got := strings.Count(e.bell.String(), "\a"); got != 2 {
				t.Fatalf("the bell rang after every emergency was acknowledged (%d rings)", got)
			}
			if len(take[bellMsg](e.timers)) != 0 {
				t.Fatal("the repeat goes on after every emergency was acknowledged")
			}
		})
	}
}

// TestConnectionStates: the status bar follows the engine's events.
func TestConnectionStates(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	for _, c := range []struct {
		ev   inboxsync.Event
		want string
	}{
		{inboxsync.Connected{At: testNow, Holder: true}, "connected"},
		{inboxsync.Connected{At: testNow, Holder: false}, "following another pobox"},
		{inboxsync.Disconnected{Err: errors.New("read: connection reset"), RetryAt: testNow.Add(7 * time.Second)}, "reconnecting in 7s"},
		{inboxsync.Disconnected{Err: errors.New("offline")}, "offline"},
		{inboxsync.Synced{At: testNow.Add(-3 * time.Minute)}, "synced 3m ago"},
		{inboxsync.SyncFailed{Err: errors.New("server error 503")}, "sync failed: server error 503 (press r to try again)"},
		{inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut, Text: "log in again with `pobox login`"}, "logged out"},
		{inboxsync.SessionEnded{Reason: inboxsync.EndReplaced, Text: "another login"}, "stopped: another login stored"},
	} {
		e.send(eventMsg{c.ev})
		if v := e.view(); !strings.Contains(v, c.want) {
			t.Errorf("after %T the status bar lacks %q:\n%s", c.ev, c.want, lastLines(v, 2))
		}
	}
}

// TestSyncingShownWhenSlow: a sync shows as "syncing…" only once it has
// run for syncShowAfter (most take milliseconds: it would flicker), and
// its start does not even make the View again.
func TestSyncingShownWhenSlow(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil)
	m := e.inbox()
	e.send(eventMsg{inboxsync.Synced{At: testNow.Add(-3 * time.Minute)}})
	before := e.view()
	e.send(eventMsg{inboxsync.Syncing{}})
	if after := e.view(); unsafe.StringData(after) != unsafe.StringData(before) {
		t.Fatalf("the start of a sync made the View again (it changes nothing):\n%s", lastLines(after, 2))
	}
	slow := take[syncSlowMsg](e.timers)
	if len(slow) != 1 || e.timers.durs[len(e.timers.durs)-1] != syncShowAfter {
		t.Fatalf("%d timers for a slow sync", len(slow))
	}
	e.send(slow[0])
	if v := lastLines(e.view(), 2); !strings.Contains(v, "syncing…") {
		t.Fatalf("a slow sync does not show:\n%s", v)
	}
	e.send(eventMsg{inboxsync.Synced{At: testNow}})
	if v := lastLines(e.view(), 2); strings.Contains(v, "syncing…") || !strings.Contains(v, "synced just now") {
		t.Fatalf("after the sync:\n%s", v)
	}
	// A quick sync: over before its timer fires, it never shows, and
	// "synced just now" stays: no new View either.
	before = e.view()
	e.send(eventMsg{inboxsync.Syncing{}})
	slow = take[syncSlowMsg](e.timers)
	reload := m.Update(eventMsg{inboxsync.Synced{At: testNow}})
	if unsafe.StringData(e.view()) != unsafe.StringData(before) {
		t.Fatal("a quick sync that changes nothing on the screen made the View again")
	}
	e.run(reload)
	e.send(slow[0])
	if m.syncing || strings.Contains(e.view(), "syncing…") {
		t.Fatal("a sync that ended shows as running")
	}
	// The status bar's words change: a new View, before the read.
	m.Update(eventMsg{inboxsync.Synced{At: testNow.Add(-2 * time.Minute)}})
	if v := lastLines(e.view(), 2); !strings.Contains(v, "synced 2m ago") {
		t.Fatalf("the status bar did not follow the sync:\n%s", v)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[max(len(l)-n, 0):], "\n")
}

// TestLogInAgain: after the server refuses the login, L (offered only
// then, and only with a login screen to go to) ends the UI so that the
// caller opens the login screen.
func TestLogInAgain(t *testing.T) {
	e := newActionEnv(t, 120, 40, func(o *Options) {
		o.Login = &LoginOptions{Client: &session.Client{}, Start: func(context.Context, session.Stored) (*cache.DB, Engine, error) {
			return nil, nil, errors.New("not called here")
		}}
	})
	m := e.inbox()
	if m.keys.LogIn.Enabled() {
		t.Fatal("L is offered while the login works")
	}
	e.press("L")
	if e.quit {
		t.Fatal("L ended the UI while the login works")
	}
	e.send(eventMsg{inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut, Text: "refused"}})
	if !m.keys.LogIn.Enabled() || !strings.Contains(e.view(), "press L to log in again") {
		t.Fatalf("L not offered after the login was refused:\n%s", e.view())
	}
	e.press("L")
	if !e.quit || !m.logInAgain {
		t.Fatal("L did not end the UI for a new login")
	}
}

// TestUseStoredLogin: after `pobox login` stored another device's login
// (the engine ends with EndReplaced), L ends the UI so that the caller
// starts again on that login (ErrLoginReplaced), not on the login screen;
// after a refused login it is the login screen (ErrLogInAgain).
func TestUseStoredLogin(t *testing.T) {
	for _, c := range []struct {
		reason inboxsync.EndReason
		offer  string
		want   error
	}{
		{inboxsync.EndReplaced, "press L to use it here", ErrLoginReplaced},
		{inboxsync.EndLoggedOut, "press L to log in again here", ErrLogInAgain},
		{inboxsync.EndElsewhere, "press L to log in again here", ErrLogInAgain},
	} {
		e := newActionEnv(t, 120, 40, func(o *Options) {
			o.Login = &LoginOptions{Client: &session.Client{}, Start: func(context.Context, session.Stored) (*cache.DB, Engine, error) {
				return nil, nil, errors.New("not called here")
			}}
		})
		e.send(eventMsg{inboxsync.SessionEnded{Reason: c.reason, Text: "ended"}})
		e.send(eventMsg{inboxsync.Connected{At: testNow}}) // late: it must change nothing
		if !strings.Contains(e.view(), c.offer) {
			t.Errorf("reason %d: %q not offered:\n%s", c.reason, c.offer, lastLines(e.view(), 2))
		}
		if err := askedFor(e.m); err != nil {
			t.Errorf("reason %d: before L the caller is asked for %v", c.reason, err)
		}
		e.press("L")
		if err := askedFor(e.m); !e.quit || err != c.want {
			t.Errorf("reason %d: L asks the caller for %v (quit %v), want %v", c.reason, err, e.quit, c.want)
		}
	}
}

func TestLogInAgainNeedsALoginScreen(t *testing.T) {
	e := newActionEnv(t, 120, 40, nil) // no Login options
	e.send(eventMsg{inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut, Text: "refused"}})
	if e.inbox().keys.LogIn.Enabled() || strings.Contains(e.view(), "press L") {
		t.Fatal("L offered with no login screen to go to")
	}
}
