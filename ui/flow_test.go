package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"pobox/cache"
	"pobox/sandbox"
	"pobox/session"
	inboxsync "pobox/sync"
)

// flowEnv is a sandbox with one account, app and device, a cache and a
// running engine, as sync's tests build them.
type flowEnv struct {
	t      *testing.T
	srv    *sandbox.Server
	user   string
	token  string
	login  session.Stored
	client *session.Client
	dir    string
	db     *cache.DB
	en     *inboxsync.Engine
}

func newFlowEnv(t *testing.T, serverDelete string) *flowEnv {
	t.Helper()
	return newFlowEnvOn(t, serverDelete, sandbox.Options{})
}

// newFlowEnvOn is newFlowEnv on a sandbox with opts (the keep-alive, the
// first id and the smallest retry are the env's).
func newFlowEnvOn(t *testing.T, serverDelete string, opts sandbox.Options) *flowEnv {
	t.Helper()
	opts.KeepAlive, opts.FirstID, opts.MinRetry = 50*time.Millisecond, 1<<53+1, 1
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	user := srv.AddAccount(sandbox.Account{Email: "a@example.com", Password: "pw"})
	token := srv.AddApp("Tests")
	devID, secret, err := srv.AddDevice(user, "pobox")
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t, srv)
	e := &flowEnv{t: t, srv: srv, user: user, token: token, client: client, dir: t.TempDir(),
		login: session.Stored{UserKey: user, Secret: session.Secret(secret), DeviceID: devID,
			DeviceName: "pobox", APIURL: srv.APIURL(), WSURL: srv.WSURL()}}
	e.db, e.en = e.start(e.login, serverDelete)
	return e
}

func newClient(t *testing.T, srv *sandbox.Server) *session.Client {
	t.Helper()
	client, err := session.New(srv.APIURL(), session.Options{Version: "test", Timeout: 5 * time.Second,
		Retry: session.Backoff{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	return client
}

// start opens the cache and starts an engine for login, both closed when
// the test ends.
func (e *flowEnv) start(login session.Stored, serverDelete string) (*cache.DB, *inboxsync.Engine) {
	e.t.Helper()
	db, err := cache.Open(context.Background(), filepath.Join(e.dir, login.DeviceID+".db"))
	if err != nil {
		e.t.Fatal(err)
	}
	en, err := inboxsync.New(inboxsync.Config{
		DB: db, Client: e.client, Login: login, ServerDelete: serverDelete,
		LockPath: filepath.Join(e.dir, login.DeviceID+".lock"),
		Watchdog: 2 * time.Second, DialTimeout: 2 * time.Second,
		BackoffMin: 5 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
		PollInterval: 10 * time.Millisecond, LockRetry: 20 * time.Millisecond, RetryActions: 10 * time.Millisecond,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	en.Start(context.Background())
	e.t.Cleanup(func() { en.Close(); db.Close() }) // cleanups run last-in first-out: engine before cache
	return db, en
}

func (e *flowEnv) publish(title string, prio int) sandbox.Published {
	e.t.Helper()
	m := sandbox.Message{Token: e.token, User: e.user, Title: title, Message: "body of " + title, Priority: prio}
	if prio == 2 {
		m.Retry, m.Expire = 30, 3600
	}
	p, err := e.srv.Publish(m)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// waitServer waits until cond holds on the sandbox.
func (e *flowEnv) waitServer(what string, cond func() bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Wait(ctx, cond); err != nil {
		e.t.Fatalf("sandbox: %s: %v", what, err)
	}
}

// program runs the UI on the env's cache and engine.
func (e *flowEnv) program(w, h int) *teatest.TestModel {
	e.t.Helper()
	opts := Options{DB: e.db, Engine: e.en, Styles: asciiStyles(), Title: "pobox", Output: &syncBuffer{}}
	return teatest.NewTestModel(e.t, New(opts), teatest.WithInitialTermSize(w, h))
}

// waitScreen waits until the program's output shows every text.
func waitScreen(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// finish quits the program and returns its final inbox.
func finish(t *testing.T, tm *teatest.TestModel) *inbox {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if m.inbox == nil {
		t.Fatal("the program ended outside the inbox")
	}
	return m.inbox
}

// TestFlowAcknowledge: `a` on an emergency makes the sandbox record the
// acknowledgement, and the banner goes.
func TestFlowAcknowledge(t *testing.T) {
	e := newFlowEnv(t, "")
	tm := e.program(120, 40)
	waitScreen(t, tm, "connected")
	p := e.publish("Reactor overheating", 2)
	waitScreen(t, tm, "Reactor overheating", "1 emergency needs acknowledging")
	tm.Send(keys("a")[0])
	e.waitServer("receipt acknowledged", func() bool {
		r, ok := e.srv.Receipt(p.Receipt)
		return ok && r.Acknowledged
	})
	waitScreen(t, tm, "acknowledged")
	m := finish(t, tm)
	if m.bannerShown() {
		t.Error("the banner is still shown after the acknowledgement")
	}
	if r, _ := e.srv.Receipt(p.Receipt); r.AcknowledgedByDevice != "pobox" {
		t.Errorf("acknowledged by device %q, want pobox", r.AcknowledgedByDevice)
	}
}

// TestFlowDeleteUpTo: `D` `y` on a message advances the sandbox's delete
// watermark to its id, and the older messages go from the cache too.
func TestFlowDeleteUpTo(t *testing.T) {
	e := newFlowEnv(t, inboxsync.DeleteManual)
	for _, s := range []string{"one", "two", "three", "four", "five"} {
		e.publish("message "+s, 0)
	}
	tm := e.program(120, 40)
	waitScreen(t, tm, "message one", "message five", "5 total")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jj")})
	waitScreen(t, tm, "Tests · #9007199254740995") // the detail of the third
	tm.Send(keys("D")[0])
	waitScreen(t, tm, "and everything older: 3 messages, here and on Pushover? y/n")
	tm.Send(keys("y")[0])
	want := int64(1<<53 + 1 + 2) // the third message
	e.waitServer("delete watermark", func() bool {
		d, ok := e.srv.Device(e.login.DeviceID)
		return ok && d.HighestDeleted == want
	})
	waitScreen(t, tm, "on Pushover up to #"+itoa(want))
	finish(t, tm)
	c, err := e.db.Counts(context.Background())
	if err != nil || c.Total != 2 {
		t.Fatalf("%d messages left in the cache (%v), want 2", c.Total, err)
	}
}

// TestFlowPublishedAppears: a message published while the UI runs shows
// without a key press.
func TestFlowPublishedAppears(t *testing.T) {
	e := newFlowEnv(t, "")
	tm := e.program(120, 40)
	waitScreen(t, tm, "connected", "0 total")
	e.publish("Hello from the sandbox", 0)
	waitScreen(t, tm, "Hello from the sandbox", "1 total")
	m := finish(t, tm)
	if sel, ok := m.list.selected(); !ok || sel.Title != "Hello from the sandbox" {
		t.Fatalf("selection %+v", sel)
	}
}

// TestFlowMultiRune: in a running program, one key message "jjj" moves
// three rows.
func TestFlowMultiRune(t *testing.T) {
	db := openDB(t)
	ingest(t, db, sample(false)...)
	en := newFakeEngine(t, db, true)
	opts := Options{DB: db, Engine: en, Styles: asciiStyles(), Now: fixedNow, tick: noTick}
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(120, 40))
	waitScreen(t, tm, "CI · #1010")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	waitScreen(t, tm, "Home · #1007")
	m := finish(t, tm)
	if m.list.cursor != 3 {
		t.Fatalf("cursor on row %d after jjj, want 3", m.list.cursor)
	}
}

// TestFlowLogin logs in through the login screen against the sandbox: the
// server asks for a two-factor code, the device name is taken and the
// suggestion is accepted, then the inbox opens on the new device.
func TestFlowLogin(t *testing.T) {
	e := newFlowEnv(t, "")
	srv := e.srv
	user := srv.AddAccount(sandbox.Account{Email: "two@example.com", Password: "s3cret", TwoFA: "424242"})
	if _, _, err := srv.AddDevice(user, "laptop"); err != nil {
		t.Fatal(err)
	}
	var started []session.Stored
	opts := Options{Styles: asciiStyles(), Title: "pobox", Login: &LoginOptions{
		Client: e.client, DeviceName: "laptop", WSURL: srv.WSURL(),
		Start: func(ctx context.Context, login session.Stored) (*cache.DB, Engine, error) {
			started = append(started, login)
			db, en := e.start(login, "")
			return db, en, nil
		},
	}}
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(120, 40))
	waitScreen(t, tm, "Log in to Pushover")
	tm.Type("two@example.com")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("s3cret")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // on the device name: log in
	waitScreen(t, tm, "Two-factor code", "authenticator")
	tm.Type("424242")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, "is already taken", "laptop-2")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // accept the suggestion
	waitScreen(t, tm, "connected", "0 total")
	if _, err := srv.Publish(sandbox.Message{Token: e.token, User: user, Title: "Welcome aboard", Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, tm, "Welcome aboard")
	finish(t, tm)
	if len(started) != 1 || started[0].DeviceName != "laptop-2" || started[0].UserKey != user || started[0].Secret == "" {
		t.Fatalf("Start called with %+v", started)
	}
	var names []string
	for _, d := range srv.Devices(user) {
		names = append(names, d.Name)
	}
	if !slices.Contains(names, "laptop-2") {
		t.Fatalf("devices %q, want laptop-2 registered", names)
	}
	if strings.Contains(started[0].Secret.Reveal(), "s3cret") {
		t.Fatal("the password leaked into the stored login")
	}
}

// TestProgramGolden runs the real program (teatest) on the sample cache
// and compares its final screen: the same screen a person sees.
func TestProgramGolden(t *testing.T) {
	db := openDB(t)
	ms := sample(true)
	ingest(t, db, ms...)
	markSomeRead(t, db, ms)
	en := newFakeEngine(t, db, true)
	opts := Options{DB: db, Engine: en, Styles: asciiStyles(), Now: fixedNow, Title: "pobox", tick: noTick}
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(120, 40))
	en.events <- inboxsync.Connected{At: testNow, Holder: true}
	waitScreen(t, tm, "CI · #", "connected")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	waitScreen(t, tm, "NOT ACKNOWLEDGED")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	v := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
	checkScreen(t, v, 120, 40)
	golden.RequireEqual(t, []byte(v))
}

// TestFlowTwoUIs: two pobox UIs on one cache (one holds the websocket,
// the other follows) stay in step: an acknowledgement made in one shows
// in the other.
func TestFlowTwoUIs(t *testing.T) {
	e := newFlowEnv(t, "")
	// The first engine holds the websocket before the second starts, so
	// that the roles are known.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.WaitOnline(ctx, e.login.DeviceID); err != nil {
		t.Fatal(err)
	}
	db2, en2 := e.start(e.login, "") // a second process on the same cache
	a := e.program(120, 40)
	b := teatest.NewTestModel(t, New(Options{DB: db2, Engine: en2, Styles: asciiStyles(), Output: &syncBuffer{}}),
		teatest.WithInitialTermSize(120, 40))
	waitScreen(t, a, "connected")
	waitScreen(t, b, "following another pobox")
	p := e.publish("Pump failure", 2)
	waitScreen(t, a, "Pump failure", "1 emergency needs acknowledging")
	waitScreen(t, b, "Pump failure", "1 emergency needs acknowledging")
	a.Send(keys("a")[0])
	e.waitServer("receipt acknowledged", func() bool {
		r, ok := e.srv.Receipt(p.Receipt)
		return ok && r.Acknowledged
	})
	waitScreen(t, b, "✓") // the follower's row shows the acknowledgement
	mb := finish(t, b)
	if mb.bannerShown() {
		t.Error("the follower still shows the banner")
	}
	finish(t, a)
}

// realTimers are tea.Tick, recorded: the timers run for real, and the
// test can see which the model started.
type realTimers struct {
	mu      sync.Mutex
	settles int // read debounces started
}

func (r *realTimers) tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if _, ok := fn(time.Now()).(settledMsg); ok {
		r.mu.Lock()
		r.settles++
		r.mu.Unlock()
	}
	return tea.Tick(d, fn)
}

func (r *realTimers) settled() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.settles
}

// programWith runs the UI on the env's cache and engine with real,
// recorded timers.
func (e *flowEnv) programWith(w, h int, rt *realTimers) *teatest.TestModel {
	e.t.Helper()
	opts := Options{DB: e.db, Engine: e.en, Styles: asciiStyles(), Title: "pobox", Output: &syncBuffer{}, Getenv: noEnv, tick: rt.tick}
	return teatest.NewTestModel(e.t, New(opts), teatest.WithInitialTermSize(w, h))
}

// TestFlowIdleArrivals, with real timers: messages arriving while nobody
// types take the selection (the newest stays on screen) and start no read
// debounce, so none becomes read.
func TestFlowIdleArrivals(t *testing.T) {
	e := newFlowEnv(t, "")
	rt := &realTimers{}
	tm := e.programWith(120, 20, rt)
	waitScreen(t, tm, "connected", "0 total")
	e.publish("idle 1", 0)
	waitScreen(t, tm, "idle 1", "1 total") // then more, in other syncs
	for i := 2; i <= 30; i++ {
		e.publish("idle "+strconv.Itoa(i), 0)
	}
	waitScreen(t, tm, "idle 30", "30 unread · 30 total")
	if n := rt.settled(); n != 0 {
		t.Fatalf("%d read debounces started with nobody typing", n)
	}
	m := finish(t, tm)
	if sel, _ := m.list.selected(); sel.Title != "idle 30" || m.list.offset != 0 {
		t.Fatalf("selection %q at offset %d, want the newest on top", sel.Title, m.list.offset)
	}
	if c, _ := e.db.Counts(context.Background()); c.Unread != 30 {
		t.Fatalf("%d unread, want 30", c.Unread)
	}
}

// TestFlowUnreadFilter, with real timers: u reads nothing by itself; a
// message the person moves to is read after the debounce and stays in
// the filter's results, selected, so nothing else is read after it.
func TestFlowUnreadFilter(t *testing.T) {
	e := newFlowEnv(t, "")
	for i := 1; i <= 5; i++ {
		e.publish("unread "+strconv.Itoa(i), 0)
	}
	rt := &realTimers{}
	tm := e.programWith(120, 20, rt)
	waitScreen(t, tm, "unread 5", "5 unread · 5 total")
	tm.Send(keys("u")[0])
	waitScreen(t, tm, "unread only · 5 matches")
	if n := rt.settled(); n != 0 {
		t.Fatalf("u started %d read debounces", n)
	}
	tm.Send(keys("j")[0])
	waitScreen(t, tm, "4 unread · 5 total") // after the real 300 ms
	m := finish(t, tm)
	if sel, _ := m.list.selected(); sel.Title != "unread 4" || !sel.Read || len(m.list.rows) != 5 {
		t.Fatalf("selection %q read %v among %d rows, want the read one kept, selected, among 5", sel.Title, sel.Read, len(m.list.rows))
	}
	if n := rt.settled(); n != 1 {
		t.Fatalf("%d read debounces, want the one for j", n)
	}
	if c, _ := e.db.Counts(context.Background()); c.Unread != 4 {
		t.Fatalf("%d unread, want 4", c.Unread)
	}
}

// TestFlowEmergencyRepeats: Pushover repeats an emergency as new messages
// with its receipt, each replacing the one before in the cache. The
// selection stays on the emergency through the repeats (so that d deletes
// it, not its neighbour), and a repeat neither rings at once nor restarts
// the bell's repeat: the bell rang once, for the new emergency.
func TestFlowEmergencyRepeats(t *testing.T) {
	const unit = 20 * time.Millisecond // a repeat every 30 "seconds": 600 ms
	e := newFlowEnvOn(t, "", sandbox.Options{RetryUnit: unit})
	bell := &syncBuffer{}
	opts := Options{DB: e.db, Engine: e.en, Styles: asciiStyles(), Title: "pobox", Output: bell, Getenv: noEnv,
		BellInterval: time.Hour}
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(120, 40))
	waitScreen(t, tm, "connected", "0 total")
	e.publish("Coffee ready", 0)
	waitScreen(t, tm, "Coffee ready", "1 total")
	p := e.publish("Pump failure", 2)
	waitScreen(t, tm, "Pump failure", "1 emergency needs acknowledging")
	tm.Send(keys("<enter>")[0]) // read it: the selection no longer follows the newest
	waitScreen(t, tm, "esc/q back")

	// Two repeats after that: the detail shows the copy of the second.
	deliveries := func() int { r, _ := e.srv.Receipt(p.Receipt); return r.Deliveries }
	want := int64(1<<53+1) + int64(deliveries()+2) // Coffee has the first id, each delivery the next
	ids := regexp.MustCompile(`Tests · #(\d+)`)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, m := range ids.FindAllSubmatch(b, -1) {
			if id, _ := strconv.ParseInt(string(m[1]), 10, 64); id >= want {
				return true
			}
		}
		return false
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	tm.Send(keys("d")[0])
	waitScreen(t, tm, "deleted #")
	finish(t, tm)
	if coffee, err := e.db.Find(context.Background(), 1, 1<<53+1); err != nil || coffee.Title != "Coffee ready" {
		t.Fatalf("d deleted the emergency's neighbour: %+v, %v", coffee, err)
	}
	if n := strings.Count(bell.String(), "\a"); n != 1 {
		t.Fatalf("the bell rang %d times over %d deliveries, want once, for the new emergency", n, deliveries())
	}
}
