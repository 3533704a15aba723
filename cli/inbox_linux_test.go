package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pobox/cache"
	"pobox/internal/ptytest"
	"pobox/sandbox"
	"pobox/session"
	inboxsync "pobox/sync"
)

// The tests of `pobox` itself, the inbox with no verb, as a person starts
// it: this test binary runs as pobox (TestMain, inboxChildEnv) on a
// pseudo-terminal, against a sandbox, with its files in a temporary
// directory.

// inboxEnv is a sandbox with the demo account and the directories of one
// user.
type inboxEnv struct {
	t    *testing.T
	srv  *sandbox.Server
	demo sandbox.Demo
	dir  string
}

func newInboxEnv(t *testing.T) *inboxEnv {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &inboxEnv{t: t, srv: srv, demo: srv.AddDemo(), dir: t.TempDir()}
}

func (e *inboxEnv) sessionPath() string {
	return filepath.Join(e.dir, "config", "pobox", session.FileName)
}

// login stores a login for device name as `pobox login` would.
func (e *inboxEnv) login(name string) *session.Stored {
	e.t.Helper()
	dev, secret, err := e.srv.AddDevice(e.demo.User, name)
	if err != nil {
		e.t.Fatal(err)
	}
	st := &session.Stored{UserKey: e.demo.User, Secret: session.Secret(secret), DeviceID: dev, DeviceName: name,
		APIURL: e.srv.APIURL(), WSURL: e.srv.WSURL(), Created: time.Now()}
	if err := session.Save(e.sessionPath(), st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// start runs `pobox` on a 120x40 terminal with env added; it inherits
// none of the POBOX_ settings of the user running the tests.
func (e *inboxEnv) start(env ...string) *ptytest.Term {
	e.t.Helper()
	base := []string{inboxChildEnv + "=1", "HOME=" + filepath.Join(e.dir, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(e.dir, "config"), "XDG_DATA_HOME=" + filepath.Join(e.dir, "data"),
		"XDG_STATE_HOME=" + filepath.Join(e.dir, "state"),
		"POBOX_API_URL=" + e.srv.APIURL(), "POBOX_WS_URL=" + e.srv.WSURL(), "POBOX_DEVICE=", "POBOX_CONFIG="}
	return ptytest.Start(e.t, ptytest.Options{Args: []string{os.Args[0]}, Env: append(base, env...), Width: 120, Height: 40,
		Unset: []string{"POBOX_"}})
}

func (e *inboxEnv) publish(title string, prio int) {
	e.t.Helper()
	m := sandbox.Message{Token: e.demo.Token, User: e.demo.User, Title: title, Message: "body of " + title, Priority: prio}
	if prio == 2 {
		m.Retry, m.Expire = 60, 3600
	}
	if _, err := e.srv.Publish(m); err != nil {
		e.t.Fatal(err)
	}
}

// TestInboxLogsInAndRings: with no login stored, pobox opens the login
// screen; logging in there saves session.json (private), and the inbox
// follows on the new device. A new emergency rings the terminal's bell;
// an interrupt (the context cancelled) ends pobox with status 0 and gives
// the terminal back.
func TestInboxLogsInAndRings(t *testing.T) {
	e := newInboxEnv(t)
	p := e.start()
	p.WaitFor(0, "Log in to Pushover", 20*time.Second)
	p.Type(e.demo.Email + "\r")
	p.Type(e.demo.Password + "\r")
	p.Type("\r") // on the device name: log in
	p.WaitFor(0, "connected", 20*time.Second)
	// The first download is the backlog, which never rings: what is
	// published next is news.
	p.WaitFor(0, "synced ", 20*time.Second)
	st, err := session.Load(e.sessionPath())
	if err != nil {
		t.Fatalf("no login stored after the login screen: %v", err)
	}
	if fi, err := os.Stat(e.sessionPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file: %v, %v; want mode 0600", fi, err)
	}
	if !slices.ContainsFunc(e.srv.Devices(e.demo.User), func(d sandbox.Device) bool { return d.ID == st.DeviceID }) {
		t.Fatalf("the stored device %s is not registered", st.DeviceID)
	}

	off := p.Offset()
	e.publish("Reactor overheating", 2)
	p.WaitFor(off, "Reactor overheating", 10*time.Second)
	p.WaitUntil("the bell", 10*time.Second, func(out []byte) bool { return bells(out[off:]) > 0 })

	off = p.Offset()
	if err := p.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatalf("pobox ended with %v after an interrupt, want status 0", err)
	}
	if !bytes.Contains(p.Output()[off:], []byte("\x1b[?1049l")) {
		t.Error("the alternate screen was not left")
	}
}

// TestInboxLogInAgain: when the server ends the session, L closes the
// engine, then the cache, and opens the login screen; after logging in
// again this pobox holds the connection (the old engine let go of it) and
// the new cache stores what arrives.
func TestInboxLogInAgain(t *testing.T) {
	e := newInboxEnv(t)
	old := e.login("laptop")
	if err := os.WriteFile(filepath.Join(e.dir, "config", "pobox", "config.toml"), []byte("device_name = \"desk\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := e.start()
	p.WaitFor(0, "connected", 20*time.Second)
	e.srv.SendFrame(old.DeviceID, []byte("E"))
	p.WaitFor(0, "press L to log in again", 10*time.Second)
	off := p.Offset()
	p.Type("L")
	p.WaitFor(off, "Log in to Pushover", 10*time.Second)
	p.Type(e.demo.Email + "\r")
	p.Type(e.demo.Password + "\r")
	p.Type("\r") // on the device name (the configured one): log in
	p.WaitFor(off, "connected", 20*time.Second)
	st, err := session.Load(e.sessionPath())
	if err != nil || st.DeviceID == old.DeviceID || st.DeviceName != "desk" {
		t.Fatalf("stored login %+v, %v; want the new device desk", st, err)
	}
	off = p.Offset()
	e.publish("After the new login", 0)
	p.WaitFor(off, "After the new login", 10*time.Second)
	if bytes.Contains(p.Output()[off:], []byte("following another pobox")) {
		t.Fatal("the new engine follows: the old one still holds the connection")
	}
	p.Type("q")
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatalf("pobox ended with %v after q", err)
	}
	logb, err := os.ReadFile(filepath.Join(e.dir, "state", "pobox", "pobox.log"))
	if err != nil {
		t.Fatal(err)
	}
	// The engines stop before their caches close: nothing fails on the
	// way (an engine writing to a closed cache warns).
	for _, l := range strings.Split(string(logb), "\n") {
		if (strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")) && !strings.Contains(l, `msg="session ended"`) {
			t.Errorf("the log shows a failure around the new login: %s", l)
		}
	}
}

// TestInboxUsesStoredLogin: when `pobox login` stores another device's
// login while the inbox runs, the inbox stops using the old one and says
// so; L starts it again on the stored login (no login screen, no third
// device), which then holds the connection and shows what arrives.
func TestInboxUsesStoredLogin(t *testing.T) {
	e := newInboxEnv(t)
	old := e.login("laptop")
	p := e.start()
	p.WaitFor(0, "connected", 20*time.Second)
	p.WaitFor(0, "synced ", 20*time.Second)

	desk := e.login("desk")
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(e.dir, "data", "pobox", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = inboxsync.SetLogin(ctx, db, desk.DeviceID) // as pobox login does
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	p.WaitFor(0, "press L to use it here", 10*time.Second)
	off := p.Offset()
	p.Type("L")
	p.WaitFor(off, "connected", 20*time.Second)
	if bytes.Contains(p.Output()[off:], []byte("Log in to Pushover")) {
		t.Fatal("L opened the login screen instead of using the stored login")
	}
	off = p.Offset()
	e.publish("To the desk", 0)
	p.WaitFor(off, "To the desk", 10*time.Second)
	for _, d := range e.srv.Devices(e.demo.User) {
		if d.ID == old.DeviceID && d.Online || d.ID != old.DeviceID && d.ID != desk.DeviceID {
			t.Errorf("device %s (%s): online %v; want only desk in use", d.Name, d.ID, d.Online)
		}
	}
	p.Type("q")
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatalf("pobox ended with %v after q", err)
	}
}

// TestInboxThemeAndNoColor: the theme's colours reach the terminal
// (POBOX_THEME), and under NO_COLOR none does, while the selection keeps
// its reverse video.
func TestInboxThemeAndNoColor(t *testing.T) {
	// sgr returns the first SGR sequence in out with a parameter that
	// want accepts.
	sgrs := regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	sgr := func(out []byte, want func(n int) bool) string {
		for _, m := range sgrs.FindAllSubmatch(out, -1) {
			for _, p := range strings.Split(string(m[1]), ";") {
				if n, err := strconv.Atoi(p); err == nil && want(n) {
					return string(m[0])
				}
			}
		}
		return ""
	}
	colour := func(n int) bool { return n >= 30 && n <= 38 || n >= 40 && n <= 48 || n >= 90 && n <= 107 }
	reverse := func(n int) bool { return n == 7 }
	// The "connected" of the status bar in each theme's colour for a
	// dark background (the harness answers that it is dark).
	for _, c := range []struct{ theme, ok string }{
		{"", "\x1b[38;2;95;215;135m"},               // default: #5fd787
		{"high-contrast", "\x1b[38;2;135;255;135m"}, // #87ff87
	} {
		t.Run("theme "+c.theme, func(t *testing.T) {
			e := newInboxEnv(t)
			e.login("laptop")
			e.publish("Coloured", 1)
			p := e.start("POBOX_THEME=" + c.theme)
			p.WaitFor(0, "connected", 20*time.Second)
			p.WaitFor(0, c.ok, 10*time.Second)
		})
	}
	t.Run("NO_COLOR", func(t *testing.T) {
		e := newInboxEnv(t)
		e.login("laptop")
		e.publish("Colourless", 1)
		p := e.start("NO_COLOR=1")
		p.WaitFor(0, "Colourless", 20*time.Second)
		p.WaitFor(0, "connected", 20*time.Second)
		p.Type("q")
		if err := p.Wait(10 * time.Second); err != nil {
			t.Fatal(err)
		}
		if s := sgr(p.Output(), colour); s != "" {
			t.Fatalf("colour under NO_COLOR: %q", s)
		}
		if sgr(p.Output(), reverse) == "" {
			t.Fatal("no reverse video for the selection under NO_COLOR")
		}
	})
}

// bells counts the BEL characters outside OSC strings (which a BEL may
// end, as a window title's does).
func bells(out []byte) int {
	n := 0
	for i := 0; i < len(out); i++ {
		switch {
		case out[i] == 0x1b && i+1 < len(out) && out[i+1] == ']':
			for i += 2; i < len(out) && out[i] != 0x07 && !(out[i] == 0x1b && i+1 < len(out) && out[i+1] == '\\'); i++ {
			}
		case out[i] == 0x07:
			n++
		}
	}
	return n
}
