package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	charmlog "github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"pobox/sandbox"
	"pobox/sanitize"
	"pobox/session"
)

// servedEnv is `pobox serve` running in this process on a sandbox, with
// one authorised key.
type servedEnv struct {
	t      *testing.T
	srv    *sandbox.Server
	demo   sandbox.Demo
	addr   string
	host   string // the host key's fingerprint, as printed
	signer gossh.Signer
	stderr *lockedBuffer
	logs   string // the log file
	stop   func() int
}

func startServe(t *testing.T) *servedEnv {
	t.Helper()
	dir := configEnv(t)
	srv, err := sandbox.New(sandbox.Options{KeepAlive: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	demo := srv.AddDemo()
	devID, secret, err := srv.AddDevice(demo.User, "servebox")
	if err != nil {
		t.Fatal(err)
	}
	if err := session.Save(filepath.Join(dir, "config", "pobox", session.FileName), &session.Stored{
		UserKey: demo.User, Secret: session.Secret(secret), DeviceID: devID, DeviceName: "servebox",
		APIURL: srv.APIURL(), WSURL: srv.WSURL(),
	}); err != nil {
		t.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "pobox", "authorized_keys"),
		gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}

	e := &servedEnv{t: t, srv: srv, demo: demo, signer: signer, stderr: &lockedBuffer{},
		logs: filepath.Join(dir, "state", "pobox", "pobox.log")}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &app{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: e.stderr},
			[]string{"serve", "--listen", "127.0.0.1:0"})
	}()
	code := -1
	e.stop = func() int {
		if cancel != nil {
			cancel()
			cancel = nil
			select {
			case code = <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("pobox serve did not stop")
			}
		}
		return code
	}
	t.Cleanup(func() { e.stop() })

	listening := regexp.MustCompile(`listening on (\S+)`)
	hostKey := regexp.MustCompile(`host key (SHA256:\S+)`)
	waitServed(t, "pobox serve to start", func() bool {
		return listening.MatchString(e.stderr.String()) && strings.Contains(e.stderr.String(), "may log in")
	}, done)
	e.addr = listening.FindStringSubmatch(e.stderr.String())[1]
	e.host = hostKey.FindStringSubmatch(e.stderr.String())[1]
	return e
}

// waitFor polls cond for 10 s; done, when it yields, means the server
// exited early.
func waitServed(t *testing.T, what string, cond func() bool, done <-chan int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		select {
		case code := <-done:
			t.Fatalf("pobox serve exited with %d while waiting for %s", code, what)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *servedEnv) dial() *gossh.Client {
	e.t.Helper()
	c, err := gossh.Dial("tcp", e.addr, &gossh.ClientConfig{
		User: "me", Auth: []gossh.AuthMethod{gossh.PublicKeys(e.signer)},
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if gossh.FingerprintSHA256(key) != e.host {
				return errors.New("not the host key pobox serve printed")
			}
			return nil
		},
		Timeout: 5 * time.Second,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// ssh runs a command line; width > 0 asks for a terminal that wide.
func (e *servedEnv) ssh(c *gossh.Client, cmd string, width int) (int, string, string) {
	e.t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		e.t.Fatal(err)
	}
	defer sess.Close()
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	if width > 0 {
		if err := sess.RequestPty("xterm", 24, width, gossh.TerminalModes{}); err != nil {
			e.t.Fatal(err)
		}
	}
	ran := make(chan error, 1)
	go func() { ran <- sess.Run(cmd) }()
	select {
	case err = <-ran:
	case <-time.After(10 * time.Second):
		sess.Close()
		e.t.Fatalf("%s: still running after 10s", cmd)
	}
	var ee *gossh.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitStatus()
	case err != nil:
		e.t.Fatalf("%s: %v", cmd, err)
	}
	return code, out.String(), errOut.String()
}

func (e *servedEnv) publish(title string, prio int) sandbox.Published {
	e.t.Helper()
	m := sandbox.Message{Token: e.demo.Token, User: e.demo.User, Title: title, Message: "body of " + title, Priority: prio}
	if prio == 2 {
		m.Retry, m.Expire = 30, 3600
	}
	p, err := e.srv.Publish(m)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestServe: pobox serve as a client uses it without a terminal: the
// verbs run on the server's cache and engine, anything else is refused.
func TestServe(t *testing.T) {
	e := startServe(t)
	c := e.dial()
	// One process draws for many terminals: the mode that fits them all.
	if m := sanitize.CurrentWidthMode(); m != sanitize.Codepoint {
		t.Errorf("width mode %v, want codepoint", m)
	}
	e.publish("Disk almost full on nas-1", 1)
	p := e.publish("Database down", 2)
	waitServed(t, "both messages stored", func() bool {
		_, out, _ := e.ssh(c, "list --json", 0)
		return strings.Count(out, "\n") == 2
	}, nil)

	t.Run("list --json", func(t *testing.T) {
		code, out, _ := e.ssh(c, "list --json", 0)
		var titles []string
		for sc := bufio.NewScanner(strings.NewReader(out)); sc.Scan(); {
			var m struct{ Title string }
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			titles = append(titles, m.Title)
		}
		if code != 0 || strings.Join(titles, "|") != "Database down|Disk almost full on nas-1" {
			t.Fatalf("exit %d, titles %q", code, titles)
		}
	})
	t.Run("list fits the client's terminal", func(t *testing.T) {
		const width = 45
		code, out, _ := e.ssh(c, "list --search disk", width)
		lines := strings.Split(strings.TrimRight(out, "\r\n"), "\n")
		if code != 0 || len(lines) != 2 || !strings.Contains(lines[1], "Disk") {
			t.Fatalf("exit %d, output %q", code, out)
		}
		for _, l := range lines {
			if w := len([]rune(strings.TrimRight(l, "\r"))); w > width {
				t.Errorf("line %q is %d wide in a %d-column terminal", l, w, width)
			}
		}
	})
	t.Run("status", func(t *testing.T) {
		code, out, _ := e.ssh(c, "status --json", 0)
		var rep struct {
			LoggedIn bool `json:"logged_in"`
			Held     bool
			Device   string
			Messages int
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
			t.Fatalf("exit %d, %q: %v", code, out, err)
		}
		if !rep.LoggedIn || !rep.Held || rep.Device != "servebox" || rep.Messages != 2 {
			t.Errorf("status %+v", rep)
		}
	})
	t.Run("ack", func(t *testing.T) {
		// The engine's own replay carries the acknowledgement out before
		// ack's Flush looks: ack must still report it.
		servedAckBeforeFlush = func(ctx context.Context, st *stack) {
			for {
				if items, err := st.db.Outbox(ctx); err != nil || len(items) == 0 {
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
		defer func() { servedAckBeforeFlush = nil }()
		code, out, stderr := e.ssh(c, "ack "+p.Receipt, 0)
		if code != 0 || !strings.Contains(out, "done on Pushover") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
		}
		if r, ok := e.srv.Receipt(p.Receipt); !ok || !r.Acknowledged {
			t.Errorf("the sandbox has receipt %+v", r)
		}
		if code, _, stderr := e.ssh(c, "ack nosuchreceipt000000000000000", 0); code != ExitRefused {
			t.Errorf("a bad receipt: exit %d (%s), want %d", code, stderr, ExitRefused)
		}
		p2 := e.publish("Power out", 2)
		waitServed(t, "the second emergency stored", func() bool {
			_, out, _ := e.ssh(c, "list --json --unacked", 0)
			return strings.Contains(out, "Power out")
		}, nil)
		if code, out, stderr := e.ssh(c, "ack --all", 0); code != 0 || !strings.Contains(out, "acknowledge "+p2.Receipt+": done on Pushover") {
			t.Errorf("ack --all: exit %d, stdout %q, stderr %q", code, out, stderr)
		}
		if code, out, _ := e.ssh(c, "ack --all", 0); code != 0 || !strings.Contains(out, "No emergency waits") {
			t.Errorf("ack --all again: exit %d, stdout %q", code, out)
		}
	})
	for _, c2 := range []struct {
		name, cmd string
		code      int
		stderr    string
	}{
		{"ErrExec", "watch --exec id", ExitUsage, "unknown flag: --exec"},
		{"ErrGlobalFlag", "--api-url http://127.0.0.1:1 list", ExitUsage, "is not a command here"},
		{"ErrOtherVerb", "logout --purge", ExitUsage, `"logout" is not a command here`},
		{"ErrArgs", "list extra", ExitUsage, "list takes no arguments"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			code, _, stderr := e.ssh(c, c2.cmd, 0)
			if code != c2.code || !strings.Contains(stderr, c2.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, c2.code, c2.stderr)
			}
		})
	}
	t.Run("watch streams until the client leaves", func(t *testing.T) {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := sess.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.Start("watch"); err != nil {
			t.Fatal(err)
		}
		// The session is logged before the watch listens to the engine,
		// and nothing says when it does: publish until it prints.
		lines := make(chan string, 1)
		go func() {
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				line += err.Error()
			}
			lines <- line
		}()
		var line string
		deadline := time.After(10 * time.Second)
		for i := 1; line == ""; i++ {
			e.publish("Watched "+strconv.Itoa(i), 0)
			select {
			case line = <-lines:
			case <-time.After(100 * time.Millisecond):
			case <-deadline:
				t.Fatal("watch printed nothing within 10 s")
			}
		}
		if !strings.Contains(line, `"title":"Watched `) {
			t.Fatalf("watch printed %q", line)
		}
		// The session closes, the connection stays: the watch ends.
		sess.Close()
		waitServed(t, "the watch to end with its session", func() bool {
			b, _ := os.ReadFile(e.logs)
			return strings.Contains(string(b), `how="the client disconnected"`)
		}, nil)
	})

	// One websocket for all of it.
	pushes := 0
	for _, r := range e.srv.Requests() {
		if r.Path == "/push" {
			pushes++
		}
	}
	if pushes != 1 {
		t.Errorf("%d websocket connections to the sandbox, want 1", pushes)
	}
	// What wish reports through charmbracelet/log lands in the log.
	charmlog.Error("app exit with error", "error", "probe-from-wish")
	if code := e.stop(); code != ExitOK {
		t.Errorf("pobox serve exited with %d, want 0; stderr:\n%s", code, e.stderr.String())
	}
	b, err := os.ReadFile(e.logs)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	for _, want := range []string{"ssh session ", "key=SHA256:", `how="exit 0"`, "serve stopped", "probe-from-wish"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	for _, secret := range []string{"body of", "Database down"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds message text %q", secret)
		}
	}
}

// TestServeNobody: without authorized_keys pobox serve says that nobody
// can log in.
func TestServeNobody(t *testing.T) {
	e := startServeNoKeys(t)
	if !strings.Contains(e, "nobody can log in yet: add a public key to") {
		t.Errorf("stderr %q", e)
	}
}

func startServeNoKeys(t *testing.T) string {
	t.Helper()
	dir := configEnv(t)
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	demo := srv.AddDemo()
	devID, secret, err := srv.AddDevice(demo.User, "servebox")
	if err != nil {
		t.Fatal(err)
	}
	if err := session.Save(filepath.Join(dir, "config", "pobox", session.FileName), &session.Stored{
		UserKey: demo.User, Secret: session.Secret(secret), DeviceID: devID, DeviceName: "servebox",
		APIURL: srv.APIURL(), WSURL: srv.WSURL(),
	}); err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &app{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: stderr},
			[]string{"serve", "--listen", "127.0.0.1:0"})
	}()
	waitServed(t, "the start", func() bool { return strings.Contains(stderr.String(), "log in") }, done)
	cancel()
	if code := <-done; code != ExitOK {
		t.Errorf("exit %d", code)
	}
	return stderr.String()
}

// TestServeNotLoggedIn: pobox serve needs a login, and says how.
func TestServeNotLoggedIn(t *testing.T) {
	configEnv(t)
	var out, errOut bytes.Buffer
	code := run(context.Background(), &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut},
		[]string{"serve", "--listen", "127.0.0.1:0"})
	if code != ExitNotLoggedIn || !strings.Contains(errOut.String(), "pobox login") {
		t.Errorf("exit %d, stderr %q; want %d and a hint", code, errOut.String(), ExitNotLoggedIn)
	}
}

func TestServeConfig(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       serveSettings
		err        string
	}{
		{name: "OK defaults", file: ``, want: serveSettings{}},
		{name: "OK all", file: "[serve]\nlisten = \"0.0.0.0:2200\"\nmax_sessions = 4\nidle_timeout = \"30m\"\n",
			want: serveSettings{Listen: "0.0.0.0:2200", MaxSessions: 4, IdleTimeout: 30 * time.Minute}},
		{name: "ErrSessions", file: "[serve]\nmax_sessions = 0\n", err: "serve.max_sessions is 0"},
		{name: "ErrIdle", file: "[serve]\nidle_timeout = \"soon\"\n", err: `serve.idle_timeout "soon" is not a positive duration`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := configEnv(t)
			writeConfig(t, dir, c.file)
			cfg, _, err := parseTest(t, nil, nil)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Serve != c.want {
				t.Errorf("got %+v, want %+v", cfg.Serve, c.want)
			}
		})
	}
}
