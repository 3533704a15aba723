package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/session"
	inboxsync "pobox/sync"
)

// clock is a controlled clock: Options.Now reads it, and the timers the
// model starts (Options.tick) fire when advance moves the clock past
// their time, in the order they are due, each with the clock at its time.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []clockTimer
}

type clockTimer struct {
	at time.Time
	fn func(time.Time) tea.Msg
}

func newClock() *clock { return &clock{now: testNow} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, clockTimer{c.now.Add(d), fn})
	return nil
}

// next removes and returns the earliest timer due by end.
func (c *clock) next(end time.Time) (clockTimer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := -1
	for j, t := range c.timers {
		if !t.at.After(end) && (i < 0 || t.at.Before(c.timers[i].at)) {
			i = j
		}
	}
	if i < 0 {
		return clockTimer{}, false
	}
	t := c.timers[i]
	c.timers = append(c.timers[:i], c.timers[i+1:]...)
	c.now = t.at
	return t, true
}

// maxFired bounds the timers one advance fires: the model's repeat at
// most once a second (the countdown), and tests advance by hours of
// 30 s bells and minute ticks.
const maxFired = 2000

// advance moves the clock on by, firing the timers due on the way into d
// (and those they start, when due too).
func (c *clock) advance(d *driver, by time.Duration) {
	d.tb.Helper()
	c.mu.Lock()
	end := c.now.Add(by)
	c.mu.Unlock()
	for fired := 0; ; fired++ {
		t, ok := c.next(end)
		if !ok {
			break
		}
		if fired == maxFired {
			d.tb.Fatalf("more than %d timers fired within %v: a timer repeats far too often", maxFired, by)
		}
		d.send(t.fn(t.at))
	}
	c.mu.Lock()
	c.now = end
	c.mu.Unlock()
}

// clockEnv is an action env (the emergency sample, a bell buffer) on a
// controlled clock, whose screen is what a program would have painted.
func clockEnv(t *testing.T, change func(*Options)) (*actionEnv, *clock) {
	t.Helper()
	c := newClock()
	e := newActionEnv(t, 120, 40, func(o *Options) {
		o.Now = c.Now
		o.tick = c.tick
		if change != nil {
			change(o)
		}
	})
	e.paint = true
	e.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	return e, c
}

func (e *actionEnv) rings() int { return strings.Count(e.bell.String(), "\a") }

// TestBellInterval: the bell repeats at Options.BellInterval while an
// emergency needs someone, not sooner, and stops once it is acknowledged.
func TestBellInterval(t *testing.T) {
	e, c := clockEnv(t, func(o *Options) { o.BellInterval = 45 * time.Second })
	if e.rings() != 0 {
		t.Fatalf("%d rings at start-up: the emergency waited before pobox started", e.rings())
	}
	c.advance(e.driver, 44*time.Second)
	if n := e.rings(); n != 0 {
		t.Fatalf("%d rings within the first 44 s of a 45 s interval", n)
	}
	c.advance(e.driver, time.Second)
	if n := e.rings(); n != 1 {
		t.Fatalf("%d rings at 45 s, want 1", n)
	}
	c.advance(e.driver, 10*45*time.Second)
	if n := e.rings(); n != 11 {
		t.Fatalf("%d rings after 11 intervals, want 11", n)
	}
	e.press("A")
	c.advance(e.driver, time.Hour)
	if n := e.rings(); n != 11 {
		t.Fatalf("the bell rang %d more times after A", n-11)
	}
}

// TestBellStopsWhenPagingEnds: an emergency nobody acknowledges stops
// paging when Pushover stops (maxPaging after its date): the banner goes
// and the bell stops, by the clock alone.
func TestBellStopsWhenPagingEnds(t *testing.T) {
	e, c := clockEnv(t, nil)
	if !strings.Contains(e.painted, "Database down") || !e.inbox().bannerShown() {
		t.Fatal("no banner for the waiting emergency")
	}
	// The sample's emergency is 25 minutes old: it pages 2h35m more.
	c.advance(e.driver, 2*time.Hour+34*time.Minute)
	before := e.rings()
	if before == 0 || !e.inbox().bannerShown() {
		t.Fatalf("%d rings, banner %v before the paging ends", before, e.inbox().bannerShown())
	}
	c.advance(e.driver, 2*time.Minute)
	if e.inbox().bannerShown() {
		t.Fatal("the banner stays after the emergency stopped paging")
	}
	after := e.rings()
	c.advance(e.driver, time.Hour)
	if n := e.rings(); n != after {
		t.Fatalf("the bell rang %d times after the paging ended", n-after)
	}
}

// TestNoticeExpiry: a result stays 5 s, an error 15 s; the notice that the
// session ended stays until the session is back, whatever timers of
// earlier notices fire and whatever keys are pressed.
func TestNoticeExpiry(t *testing.T) {
	e, c := clockEnv(t, func(o *Options) {
		o.Login = &LoginOptions{Client: &session.Client{}, Start: func(context.Context, session.Stored) (*cache.DB, Engine, error) {
			return nil, nil, errors.New("not in this test")
		}}
	})
	e.send(eventMsg{inboxsync.ActionDone{Action: inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: "rcpt-db-down"}}})
	if !strings.Contains(e.painted, "acknowledged") {
		t.Fatalf("no notice for the acknowledgement:\n%s", e.painted)
	}
	c.advance(e.driver, 4900*time.Millisecond)
	if !strings.Contains(e.painted, "acknowledged") {
		t.Fatal("the notice went before 5 s")
	}
	c.advance(e.driver, 100*time.Millisecond)
	if strings.Contains(e.painted, "acknowledged") {
		t.Fatal("the notice stays after 5 s")
	}

	e.send(eventMsg{inboxsync.SyncFailed{Err: errors.New("server said no")}})
	c.advance(e.driver, 14*time.Second)
	if !strings.Contains(e.painted, "server said no") {
		t.Fatal("the error went before 15 s")
	}
	c.advance(e.driver, time.Second)
	if strings.Contains(e.painted, "server said no") {
		t.Fatal("the error stays after 15 s")
	}

	// An error's timer is still running when the session ends.
	e.send(eventMsg{inboxsync.SyncFailed{Err: errors.New("server said no")}})
	e.send(eventMsg{inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut, Text: "the server ended the session"}})
	const sticky = "the server ended the session — or press L to log in again here"
	if !strings.Contains(e.painted, sticky) {
		t.Fatalf("no %q on screen:\n%s", sticky, e.painted)
	}
	c.advance(e.driver, time.Hour)
	e.press("jk")
	if !strings.Contains(e.painted, sticky) {
		t.Fatalf("the session's end went from the status bar:\n%s", e.painted)
	}
	// An ended engine never connects again: a late state (a follower's
	// look at the link) must not wipe the notice either.
	e.send(eventMsg{inboxsync.Connected{Holder: true}})
	if !strings.Contains(e.painted, sticky) {
		t.Fatal("a late connection state wiped the session's end")
	}
}

// TestReconnectCountdown: "reconnecting in Ns" counts down each second,
// by the clock, and the ticks stop when it reaches the time.
func TestReconnectCountdown(t *testing.T) {
	e, c := clockEnv(t, nil)
	e.send(eventMsg{inboxsync.Disconnected{Err: errors.New("gone"), RetryAt: c.Now().Add(5 * time.Second)}})
	for s := 5; s >= 0; s-- {
		if want := "reconnecting in " + itoa(int64(s)) + "s"; !strings.Contains(e.painted, want) {
			t.Fatalf("no %q on screen:\n%s", want, e.painted)
		}
		c.advance(e.driver, time.Second)
	}
	for _, tm := range c.timers {
		if _, ok := tm.fn(tm.at).(retryTickMsg); ok {
			t.Fatal("the countdown still ticks after it reached the time")
		}
	}
}

// TestRelativeTimesAge: the list's time column ages by the clock, painted
// once a minute with nothing else happening.
func TestRelativeTimesAge(t *testing.T) {
	c := newClock()
	db := openDB(t)
	ingest(t, db, cache.Message{ID: 1, UMID: 1, AID: 1, App: "CI", Title: "built", Date: testNow.Add(-3 * time.Minute).Unix()})
	opts, _ := testOptions(t, db)
	opts.Now, opts.tick = c.Now, c.tick
	d := newDriver(t, opts, 100, 20)
	d.paint = true
	d.send(tea.WindowSizeMsg{Width: 100, Height: 20})
	row := regexp.MustCompile(`(\S+) +CI +built`)
	label := func() string {
		t.Helper()
		m := row.FindStringSubmatch(d.painted)
		if m == nil {
			t.Fatalf("no row on screen:\n%s", d.painted)
		}
		return m[1]
	}
	for _, want := range []string{"3m", "4m", "5m"} {
		if got := label(); got != want {
			t.Fatalf("time column %q, want %q", got, want)
		}
		c.advance(d, time.Minute)
	}
	c.advance(d, 55*time.Minute)
	if got := label(); got != "1h" {
		t.Fatalf("time column %q an hour on, want 1h", got)
	}
}
