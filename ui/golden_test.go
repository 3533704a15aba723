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

// goldenCase is one screen to compare: a cache, then key presses.
type goldenCase struct {
	name      string
	emergency bool   // the sample with emergencies
	empty     bool   // no messages at all
	keys      string // pressed after the first screen
	want      string // text the screen must show (guards against an empty golden)
}

var goldenCases = []goldenCase{
	{name: "empty", empty: true, want: "No messages yet"},
	{name: "list_detail", want: "CI · #"},
	{name: "emergency_banner", emergency: true, keys: "jjj", want: "1 emergency needs acknowledging"},
	{name: "search_results", keys: "/door<enter>", want: "/door"},
	{name: "filter_picker", keys: "f", want: "Show messages of"},
	{name: "priority_filtered", keys: "pjjj<enter>", want: "priority ≥ 1"},
	{name: "help", keys: "?", want: "delete up to, everywhere"},
	{name: "confirm_delete_upto", keys: "jjD", want: "and everything older, here and on Pushover? y/n"},
}

// TestGolden compares whole screens at 120x40 and 200x50 with the files in
// testdata/TestGolden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {200, 50}} {
		for _, c := range goldenCases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				runGolden(t, c, size[0], size[1])
			})
		}
	}
}

// TestGoldenStacked covers the stacked layout under 80 columns: the list,
// then the detail after enter, then the list again after esc.
func TestGoldenStacked(t *testing.T) {
	for _, c := range []goldenCase{
		{name: "list_60x20", emergency: true, want: "emergency"},
		{name: "detail_60x20", emergency: true, keys: "jjj<enter>", want: "priority emergency"},
		{name: "back_60x20", emergency: true, keys: "jjj<enter><esc>", want: ">"},
		{name: "tiny_40x10", emergency: true, keys: "jj", want: "unread"},
		// Every binding shows: the groups wrap instead of being cut.
		{name: "help_60x20", emergency: true, keys: "?", want: "q quit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, h := 60, 20
			if c.name == "tiny_40x10" {
				w, h = 40, 10
			}
			runGolden(t, c, w, h)
		})
	}
}

func runGolden(t *testing.T, c goldenCase, w, h int) {
	t.Helper()
	db := openDB(t)
	if !c.empty {
		ms := sample(c.emergency)
		ingest(t, db, ms...)
		markSomeRead(t, db, ms)
		if err := db.SetState(context.Background(), cache.StateLastSync, testNow.Add(-2*time.Minute).Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
	}
	opts, _ := testOptions(t, db)
	d := newDriver(t, opts, w, h)
	d.send(eventMsg{inboxsync.Connected{At: testNow, Holder: true}})
	d.press(c.keys)
	v := d.view()
	if !contains(v, c.want) {
		t.Fatalf("screen lacks %q:\n%s", c.want, v)
	}
	checkScreen(t, v, w, h)
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
				opts := Options{Styles: asciiStyles(), Now: fixedNow, tick: noTick, Login: &LoginOptions{
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
