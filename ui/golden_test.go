package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
)

// markSomeRead marks the older half of the sample read, as a used inbox is.
func markSomeRead(tb testing.TB, db *cache.DB, ms []cache.Message) {
	tb.Helper()
	for _, m := range ms[:len(ms)/2] {
		if err := db.SetRead(context.Background(), keyOf(tb, db, m.ID), true); err != nil {
			tb.Fatal(err)
		}
	}
}

// extras are the messages of the new screens, stored after the sample
// (ids from 2000): three whose titles break terminals that count widths
// unlike pobox (emoji sequences, flags, skin tones, stacked marks), all
// found by "party"; a link whose text names another host; an emergency
// whose paging ended; a long log; a message with a field that could not
// be read.
func extras() []cache.Message {
	at := func(d time.Duration) int64 { return testNow.Add(-d).Unix() }
	var log strings.Builder
	for i := 1; i <= 60; i++ {
		if i%7 == 0 {
			fmt.Fprintf(&log, "%02d error: disk full on /var\n", i)
		} else {
			fmt.Fprintf(&log, "%02d ok: backup step done\n", i)
		}
	}
	ms := []cache.Message{
		{Title: "Old outage", Message: "Paged for hours, nobody answered.", App: "Monitoring", Date: at(5 * time.Hour),
			Priority: 2, Receipt: "rcpt-old"},
		{Title: "Server log", Message: log.String(), App: "Backups", Date: at(70 * time.Minute), Monospace: true},
		{Title: "Odd fields", Message: "The sender's priority was not a number.", App: "Legacy", Date: at(65 * time.Minute),
			Problem: "priority: not a number"},
		{Title: "Your bank", App: "Bank", Date: at(50 * time.Minute), HTML: true,
			Message: `<p>Log in at <a href="https://evil.example/">https://bank.example/login</a> today.</p><ul><li>quick</li><li>safe</li></ul>`,
			URL:     "https://bank.example/help", URLTitle: "Help"},
		{Title: "Party 👨‍👩‍👧‍👦 family 👍🏽👋🏿 tones", Message: "ZWJ sequences and skin tones 👩🏽‍💻", App: "Emoji", Date: at(30 * time.Minute)},
		{Title: "Party 🇩🇪🇫🇷🇯🇵 flags ❤️ heart", Message: "regional indicators 🇦 alone", App: "Emoji", Date: at(20 * time.Minute)},
		{Title: "Party Z̷̢̛̖a̸̡̛̗l̶̢̛̘g̵̡̛̙ơ̴̢̚ text", Message: "stacked marks e\u0301\u0302\u0303\u0304\u0305\u0306 नमस्ते", App: "Emoji", Date: at(15 * time.Minute)},
	}
	for i := range ms {
		ms[i].ID = int64(2000 + i)
		ms[i].UMID = ms[i].ID
		ms[i].AID = 1
	}
	return ms
}

// goldenCase is one screen to compare: a cache, then key presses.
type goldenCase struct {
	name      string
	emergency bool            // the sample with emergencies
	empty     bool            // no messages at all
	extra     bool            // the extras too
	more      []cache.Message // stored after the sample, before the start
	keys      string          // pressed after the first screen
	setup     func(t *testing.T, d *driver, db *cache.DB)
	want      string // text the screen must show (guards against an empty golden)
	wide      bool   // also at 200x50
}

var goldenCases = []goldenCase{
	{name: "empty", empty: true, want: "No messages yet", wide: true},
	{name: "list_detail", want: "Build 1432 passed", wide: true},
	{name: "emergency_banner", emergency: true, keys: "jjj", want: "!! 1 emergency", wide: true},
	{name: "search_results", keys: "/door<enter>", want: "/door", wide: true},
	{name: "filter_picker", keys: "f", want: "Show messages of", wide: true},
	{name: "priority_filtered", keys: "pjjj<enter>", want: "priority ≥ 1", wide: true},
	{name: "help", keys: "?", want: "Keys", wide: true},
	{name: "confirm_delete_upto", keys: "jjD", want: "older", wide: true},
	{name: "detail", emergency: true, keys: "jjj<enter>", want: "priority emergency"},
	{name: "back", emergency: true, keys: "jjj<enter><esc>", want: ">"},
	{name: "search_typing", keys: "/monitor", want: "match"},
	{name: "confirm_filtered", extra: true, emergency: true, keys: "ujjD", want: "filter"},
	{name: "links_picker", extra: true, emergency: true, keys: "/bank<enter>o", want: "evil.example"},
	{name: "host_hint", extra: true, emergency: true, keys: "/bank<enter><enter>", want: "[evil.example]"},
	{name: "copy_picker", emergency: true, keys: "jjjy", want: "the receipt"},
	{name: "detail_scroll", extra: true, keys: "/server<enter><enter>jjjjj", want: "lines 6"},
	{name: "detail_find", extra: true, keys: "/server<enter><enter>/error<enter>n", want: "2/8 matches"},
	{name: "emoji_search", extra: true, emergency: true, keys: "/party<enter>", want: "3 matches"},
	{name: "expired", extra: true, emergency: true, keys: "/outage<enter><enter>", want: "expired"},
	{name: "problem", extra: true, keys: "/odd<enter><enter>", want: "could not be read"},
	{name: "ack_queued", emergency: true, keys: "a", want: "queued",
		setup: func(t *testing.T, d *driver, db *cache.DB) {
			d.send(eventMsg{inboxsync.Disconnected{Err: errors.New("network is unreachable"), RetryAt: testNow.Add(9 * time.Second)}})
		}},
	{name: "newer_waiting", more: numbered(60), keys: "G", want: "↑ 3 new: g"},
	{name: "muted", emergency: true, keys: "m", want: "bell muted"},
	{name: "help_scrolled", emergency: true, keys: "?jjjjjjjjjjjjjjjjjjjj", want: "Keys"},
}

var goldenModes = []struct {
	name string
	mode sanitize.WidthMode
}{{"grapheme", sanitize.Grapheme}, {"codepoint", sanitize.Codepoint}}

// TestGolden compares whole screens at 120x40 and at 60x20 (the panes
// stacked), in both width modes, and the first screens at 200x50, with
// the files in testdata/TestGolden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		for _, mode := range goldenModes {
			for _, size := range [][2]int{{120, 40}, {60, 20}, {200, 50}} {
				if size[0] == 200 && (!c.wide || mode.mode != sanitize.Grapheme) {
					continue
				}
				t.Run(fmt.Sprintf("%s_%dx%d_%s", c.name, size[0], size[1], mode.name), func(t *testing.T) {
					runGolden(t, c, size[0], size[1], mode.mode)
				})
			}
		}
	}
}

// TestGoldenTiny: at 40x10 the help line goes first, and nothing breaks.
func TestGoldenTiny(t *testing.T) {
	for _, mode := range goldenModes {
		t.Run(mode.name, func(t *testing.T) {
			runGolden(t, goldenCase{name: "tiny", emergency: true, keys: "jj", want: "unread"}, 40, 10, mode.mode)
		})
	}
}

func runGolden(t *testing.T, c goldenCase, w, h int, mode sanitize.WidthMode) {
	t.Helper()
	db := openDB(t)
	if !c.empty {
		ms := sample(c.emergency)
		if c.extra {
			ms = append(ms, extras()...)
		}
		ingest(t, db, ms...)
		markSomeRead(t, db, ms)
		if len(c.more) > 0 {
			ingest(t, db, c.more...)
		}
		if err := db.SetState(context.Background(), cache.StateLastSync, testNow.Add(-2*time.Minute).Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}
	opts, _ := testOptions(t, db)
	opts.Width = &mode
	opts.Output = &syncBuffer{} // the bell, copies
	d := newDriver(t, opts, w, h)
	d.send(eventMsg{inboxsync.Connected{At: testNow, Holder: true}})
	if c.setup != nil {
		c.setup(t, d, db)
	}
	d.press(c.keys)
	if c.name == "newer_waiting" { // three arrive while the person is at the bottom
		ms := numbered(63)[60:]
		for i := range ms {
			ms[i].ID += 1000 // after the others
		}
		ingest(t, db, ms...)
		d.send(eventMsg{inboxsync.Synced{At: testNow, New: []int64{1, 2, 3}, MaxPriority: 0}})
	}
	v := d.view()
	if !contains(v, c.want) {
		t.Fatalf("screen lacks %q:\n%s", c.want, v)
	}
	checkScreenMode(t, v, w, h, mode)
	golden.RequireEqual(t, []byte(v))
}

// TestGoldenLogin: the login screen, first as it opens, then after the
// server asked for a two-factor code.
func TestGoldenLogin(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {200, 50}, {60, 20}} {
		for _, step := range []string{"form", "twofa"} {
			t.Run(fmt.Sprintf("%s_%dx%d", step, size[0], size[1]), func(t *testing.T) {
				client, err := session.New("http://127.0.0.1:1", session.Options{Version: "test"})
				if err != nil {
					t.Fatal(err)
				}
				opts := Options{Styles: asciiStyles(), Now: fixedNow, tick: noTick, Getenv: noEnv, Login: &LoginOptions{
					Client: client, DeviceName: "laptop",
					Start: func(context.Context, session.Stored) (*cache.DB, Engine, error) {
						return nil, nil, errors.New("not in this test")
					},
				}}
				d := newDriver(t, opts, size[0], size[1])
				d.send(keys("you@example.com")...)
				d.press("<tab>")
				d.send(keys("hunter2")...)
				if step == "twofa" {
					d.send(loginResultMsg{err: &session.TwoFactorError{}})
				}
				v := d.view()
				if strings.Contains(v, "hunter2") {
					t.Fatal("the password is on screen")
				}
				checkScreen(t, v, size[0], size[1])
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}
