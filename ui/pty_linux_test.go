//go:build linux

package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"pobox/cache"
	"pobox/sandbox"
	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
	"pobox/themes"
)

// The pty harness runs the inbox as a terminal program runs: this test
// binary again, as a child in a new session whose controlling terminal
// is a pseudo-terminal, drawing into it through Bubble Tea's renderer.
// The parent reads what reaches the terminal and answers the queries a
// terminal program sends at start (OSC 11, the background colour, and
// CSI 6n, the cursor position: termenv's, through lipgloss).

// openPTY opens a pseudo-terminal pair.
func openPTY(tb testing.TB) (master, slave *os.File) {
	tb.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Skipf("no pseudo-terminals here: %v", err)
	}
	var n uint32
	if err := ioctl(m, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		tb.Fatal(err)
	}
	var unlock int32
	if err := ioctl(m, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		tb.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return m, s
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// setWinsize gives the terminal w x h cells.
func setWinsize(tb testing.TB, f *os.File, w, h int) {
	tb.Helper()
	ws := struct{ row, col, x, y uint16 }{uint16(h), uint16(w), 0, 0}
	if err := ioctl(f, syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		tb.Fatal(err)
	}
}

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

// ptyTerm is a command running on a pseudo-terminal: the harness reads
// what reaches the terminal and answers the terminal's queries.
type ptyTerm struct {
	tb     testing.TB
	master *os.File
	cmd    *exec.Cmd
	done   chan error
	quit   string // typed to end the command

	mu      sync.Mutex
	out     []byte
	scanned int           // out is searched for queries from here
	more    chan struct{} // signalled (not closed) on each read
	queries map[string]int
}

// startPTY runs args on a w x h pty in a new session whose controlling
// terminal it is, with the environment cleaned of any outer terminal's
// and env added.
func startPTY(tb testing.TB, w, h int, args, env []string) *ptyTerm {
	tb.Helper()
	p := &ptyTerm{tb: tb, more: make(chan struct{}, 1), queries: map[string]int{}, done: make(chan error, 1), quit: "q"}
	master, slave := openPTY(tb)
	p.master = master
	setWinsize(tb, master, w, h)
	p.cmd = exec.Command(args[0], args[1:]...)
	base := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		// CI: termenv takes any terminal for a pipe when CI is set,
		// and asks it nothing; the child must meet a terminal as a user's.
		for _, k := range []string{"CI=", "TMUX=", "TMUX_PANE=", "STY=", "TERM=", "COLORTERM=", "NO_COLOR=", "TERM_PROGRAM=",
			"KITTY_WINDOW_ID=", "WT_SESSION=", "LC_TERMINAL=", "ITERM_SESSION_ID=", "WEZTERM_PANE=", "VTE_VERSION="} {
			if strings.HasPrefix(kv, k) {
				return true
			}
		}
		return false
	})
	p.cmd.Env = append(append(base, "TERM=xterm-256color", "COLORTERM=truecolor"), env...)
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = slave, slave, slave
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	slave.Close() // the child holds it
	go p.read()
	go func() { p.done <- p.cmd.Wait() }()
	tb.Cleanup(p.stop)
	return p
}

// startPTYInbox starts a sandbox and runs the inbox on a w x h pty.
func startPTYInbox(tb testing.TB, w, h int) (*ptySandbox, *ptyTerm) {
	tb.Helper()
	sb := newPTYSandbox(tb)
	return sb, startPTY(tb, w, h, sb.childArgs(), sb.childEnv(""))
}

// read copies what reaches the terminal and answers its queries.
func (p *ptyTerm) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.out = append(p.out, buf[:n]...)
			p.answerQueries()
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return // EIO once the child closed the terminal
		}
	}
}

// termAnswers are the queries the harness answers, as a dark xterm does.
var termAnswers = []struct{ query, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"}, // a dark background
	{"\x1b[6n", "\x1b[1;1R"},                          // the cursor is home
}

// answerQueries answers each query in p.out once, in order; a query cut
// between two reads is answered after the second. (Counting the queries
// in an overlap of the reads answered some twice, and the extra answer
// reached the program as keys.)
func (p *ptyTerm) answerQueries() {
	longest := 0
	for {
		at, which := -1, 0
		for i, a := range termAnswers {
			longest = max(longest, len(a.query))
			if j := bytes.Index(p.out[p.scanned:], []byte(a.query)); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			break
		}
		a := termAnswers[which]
		_, _ = p.master.WriteString(a.answer)
		p.queries[a.query]++
		p.scanned += at + len(a.query)
	}
	p.scanned = max(p.scanned, len(p.out)-longest+1)
}

// offset is how much output arrived so far.
func (p *ptyTerm) offset() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}

// waitFor waits until text arrives at or after offset from, and returns
// when it saw it.
func (p *ptyTerm) waitFor(from int, text string, timeout time.Duration) time.Time {
	p.tb.Helper()
	at, ok := p.arrives(from, text, timeout)
	if !ok {
		p.tb.Fatalf("%q did not reach the terminal in %v; it wrote:\n%q", text, timeout, p.tail())
	}
	return at
}

// arrives is waitFor that reports a timeout instead of failing.
func (p *ptyTerm) arrives(from int, text string, timeout time.Duration) (time.Time, bool) {
	p.tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		at := max(from-len(text), 0)
		found := bytes.Contains(p.out[min(at, len(p.out)):], []byte(text))
		p.mu.Unlock()
		if found {
			return time.Now(), true
		}
		select {
		case <-p.more:
		case err := <-p.done:
			p.tb.Fatalf("the inbox ended (%v) before %q reached the terminal; it wrote:\n%q", err, text, p.tail())
		case <-deadline.C:
			return time.Time{}, false
		}
	}
}

func (p *ptyTerm) tail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.out[max(len(p.out)-2000, 0):])
}

// stop quits the command (q) and waits for it.
func (p *ptyTerm) stop() {
	wait := 10 * time.Second
	if p.quit == "" {
		wait = 0 // nothing to type: end it
	}
	_, _ = p.master.WriteString(p.quit)
	select {
	case <-p.done:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.master.Close()
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
	p.waitFor(0, "connected", 20*time.Second)
	hc := &http.Client{}
	for i := range 3 {
		off := p.offset()
		sb.publish(hc, fmt.Sprintf("pty message %d", i), "published by the pty test", 0)
		p.waitFor(off, fmt.Sprintf("pty message %d", i), 10*time.Second)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queries["\x1b]11;?"] == 0 || p.queries["\x1b[6n"] == 0 {
		t.Errorf("the inbox asked nothing of the terminal (%v): the harness answers both queries", p.queries)
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
	p.waitFor(0, "connected", 20*time.Second)
	hc := &http.Client{}
	// A few messages first: the first ones after the start meet cold
	// paths (connections, statements, the first reloads), and a run of
	// one iteration (CI's) would measure only them.
	for i := range 5 {
		title := fmt.Sprintf("warm-up %d", i)
		off := p.offset()
		sb.publish(hc, title, "warming up", 0)
		p.waitFor(off, title, 10*time.Second)
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
		off := p.offset()
		start := time.Now()
		sb.publish(hc, title, "published by the benchmark", 0)
		lat = append(lat, p.waitFor(off, title, 10*time.Second).Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
