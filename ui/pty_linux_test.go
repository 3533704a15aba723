//go:build linux

package ui

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"pobox/cache"
	"pobox/internal/ptytest"
	"pobox/sandbox"
	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
	"pobox/themes"
)

// The pty tests run the inbox as a terminal program runs: this test
// binary again (TestPTYChild), on a pseudo-terminal (ptytest), drawing
// into it through Bubble Tea's renderer.

// ptySandbox is a sandbox with an account, an app and a device whose
// login is stored in dir, for an inbox started as a child (TestPTYChild).
type ptySandbox struct {
	tb    testing.TB
	srv   *sandbox.Server
	user  string
	token string
	dev   string // the device's id
	dir   string
}

func newPTYSandbox(tb testing.TB) *ptySandbox {
	tb.Helper()
	srv, err := sandbox.New(sandbox.Options{KeepAlive: time.Hour, AppLimit: 1 << 30})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	sb := &ptySandbox{tb: tb, srv: srv, dir: tb.TempDir()}
	sb.user = srv.AddAccount(sandbox.Account{Email: "pty@example.com", Password: "pw"})
	sb.token = srv.AddApp("Bench")
	devID, secret, err := srv.AddDevice(sb.user, "pobox")
	if err != nil {
		tb.Fatal(err)
	}
	sb.dev = devID
	login := &session.Stored{UserKey: sb.user, Secret: session.Secret(secret), DeviceID: devID, DeviceName: "pobox",
		APIURL: srv.APIURL(), WSURL: srv.WSURL(), Created: time.Now()}
	if err := session.Save(filepath.Join(sb.dir, "session.json"), login); err != nil {
		tb.Fatal(err)
	}
	return sb
}

// childArgs is the command line of the inbox child on the sandbox;
// childEnv its environment variables (notify: the notify setting).
func (sb *ptySandbox) childArgs() []string { return []string{os.Args[0], "-test.run=^TestPTYChild$"} }

func (sb *ptySandbox) childEnv(notify string) []string {
	return []string{"POBOX_PTY_CHILD=" + sb.dir, "POBOX_PTY_NOTIFY=" + notify}
}

// waitIdle waits until the inbox has downloaded, stored and deleted on
// the server everything published so far: its sync is over.
func (sb *ptySandbox) waitIdle() {
	sb.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sb.srv.Wait(ctx, func() bool { n, ok := sb.srv.QueueLen(sb.dev); return ok && n == 0 }); err != nil {
		sb.tb.Fatalf("the inbox did not empty its queue on the server: %v", err)
	}
}

// publish publishes a message with the publisher API, as a script would.
func (sb *ptySandbox) publish(hc *http.Client, title, body string, prio int) {
	sb.tb.Helper()
	form := url.Values{"token": {sb.token}, "user": {sb.user}, "title": {title}, "message": {body},
		"priority": {fmt.Sprint(prio)}}
	if prio == 2 {
		form.Set("retry", "60")
		form.Set("expire", "3600")
	}
	resp, err := hc.PostForm(sb.srv.APIURL()+"/1/messages.json", form)
	if err != nil {
		sb.tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		sb.tb.Fatalf("publish: HTTP %d", resp.StatusCode)
	}
}

// startPTYInbox starts a sandbox and runs the inbox on a w x h pty.
func startPTYInbox(tb testing.TB, w, h int) (*ptySandbox, *ptytest.Term) {
	tb.Helper()
	sb := newPTYSandbox(tb)
	return sb, ptytest.Start(tb, ptytest.Options{Args: sb.childArgs(), Env: sb.childEnv(""), Width: w, Height: h, Quit: "q"})
}

// TestPTYChild is the inbox the pty harness runs; it does nothing in a
// normal run.
func TestPTYChild(t *testing.T) {
	dir := os.Getenv("POBOX_PTY_CHILD")
	if dir == "" {
		t.Skip("run by the pty harness")
	}
	login, err := session.Load(filepath.Join(dir, "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := session.New(login.APIURL, session.Options{Version: "test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(dir, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	en, err := inboxsync.New(inboxsync.Config{DB: db, Client: client, Login: *login,
		LockPath: filepath.Join(dir, "pobox.lock"), Watchdog: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	en.Start(ctx)
	defer en.Close()
	// As cli does it: the renderer asks the terminal for its background
	// before the program starts.
	// As cli does it: widths as this terminal counts them (per code
	// point in tmux), and the renderer asks the terminal for its
	// background before the program starts.
	sanitize.SetWidthMode(sanitize.Auto)
	st := themes.NewStyles(themes.Default(), themes.NewRenderer(os.Stdout))
	opts := Options{DB: db, Engine: en, Styles: &st, Title: "pobox", Notify: NotifyMode(os.Getenv("POBOX_PTY_NOTIFY"))}
	if err := Run(ctx, opts); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestPTYPublishToScreen: on a real terminal, messages published to an
// idle inbox reach the screen, the newest on top, and the harness
// answered the terminal queries.
func TestPTYPublishToScreen(t *testing.T) {
	sb, p := startPTYInbox(t, 120, 40)
	p.WaitFor(0, "connected", 20*time.Second)
	hc := &http.Client{}
	for i := range 3 {
		off := p.Offset()
		sb.publish(hc, fmt.Sprintf("pty message %d", i), "published by the pty test", 0)
		p.WaitFor(off, fmt.Sprintf("pty message %d", i), 10*time.Second)
	}
	if q := p.Queries(); q["\x1b]11;?"] == 0 || q["\x1b[6n"] == 0 {
		t.Errorf("the inbox asked nothing of the terminal (%v): the harness answers both queries", q)
	}
}

// BenchmarkPublishToScreen measures, on a pseudo-terminal at 200x50,
// the time from publishing a message with the publisher API to its
// title's bytes reaching the terminal, through the running inbox (engine,
// cache, Bubble Tea's renderer), for a message that finds the inbox idle
// (the sync of the one before is over, as between two alerts of a real
// day). Budget: p50 < 6 ms, p99 < 15 ms.
func BenchmarkPublishToScreen(b *testing.B) {
	sb, p := startPTYInbox(b, 200, 50)
	p.WaitFor(0, "connected", 20*time.Second)
	hc := &http.Client{}
	// A few messages first: the first ones after the start meet cold
	// paths (connections, statements, the first reloads), and a run of
	// one iteration (CI's) would measure only them.
	for i := range 5 {
		title := fmt.Sprintf("warm-up %d", i)
		off := p.Offset()
		sb.publish(hc, title, "warming up", 0)
		p.WaitFor(off, title, 10*time.Second)
		sb.waitIdle()
	}
	lat := make([]time.Duration, 0, b.N)
	// Publishing the next message as soon as the last one showed would
	// lock the publishes to the renderer's frame clock, and measure the
	// same point of the frame every time; a random pause of up to two
	// frames makes them arrive at any point of it, as real ones do.
	rnd := rand.New(rand.NewPCG(1, 2))
	pause := time.NewTimer(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sb.waitIdle()
		pause.Reset(time.Duration(rnd.Int64N(int64(2 * time.Second / FPS))))
		<-pause.C
		b.StartTimer()
		title := fmt.Sprintf("bench %06d", i)
		off := p.Offset()
		start := time.Now()
		sb.publish(hc, title, "published by the benchmark", 0)
		lat = append(lat, p.WaitFor(off, title, 10*time.Second).Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
