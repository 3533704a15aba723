package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testTimeout bounds every wait of a test; nothing waits by sleeping.
const testTimeout = 10 * time.Second

// env is a sandbox and an HTTP client for one test.
type env struct {
	t  testing.TB
	s  *Server
	hc *http.Client
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tr := &http.Transport{}
	e := &env{t: t, s: s, hc: &http.Client{Transport: tr, Timeout: testTimeout}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// reply is a decoded JSON answer.
type reply struct {
	code   int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request; form goes in the query for GET and as a form body
// for POST.
func (e *env) do(method, path string, form url.Values) reply {
	e.t.Helper()
	var body io.Reader
	u := e.s.APIURL() + path
	if method == http.MethodGet {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) reply {
	e.t.Helper()
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := reply{code: resp.StatusCode, header: resp.Header, raw: string(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r.body); err != nil {
		e.t.Fatalf("%s %s: HTTP %d, body is not JSON: %q", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return r
}

var requestID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// check asserts the HTTP status, the envelope (status 1/0, a request id) and
// the exact set of keys of the body.
func (r reply) check(t testing.TB, code int, keys ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("HTTP %d, want %d: %s", r.code, code, r.raw)
	}
	want := json.Number("1")
	if code >= 400 {
		want = "0"
	}
	if r.body["status"] != want {
		t.Errorf("status = %v, want %v: %s", r.body["status"], want, r.raw)
	}
	if id, _ := r.body["request"].(string); !requestID.MatchString(id) {
		t.Errorf("request = %q, not a UUID-like id", id)
	}
	got := make([]string, 0, len(r.body))
	for k := range r.body {
		got = append(got, k)
	}
	keys = append(keys, "status", "request")
	sort.Strings(got)
	sort.Strings(keys)
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Errorf("keys %v, want %v: %s", got, keys, r.raw)
	}
}

// errs returns the errors array of a reply.
func (r reply) errs() []string {
	a, _ := r.body["errors"].([]any)
	out := make([]string, len(a))
	for i, v := range a {
		out[i], _ = v.(string)
	}
	return out
}

func (r reply) str(k string) string { s, _ := r.body[k].(string); return s }

// login logs in and returns the user key and secret.
func (e *env) login(email, password string) (user, secret string) {
	e.t.Helper()
	r := e.do("POST", "/1/users/login.json", url.Values{"email": {email}, "password": {password}})
	r.check(e.t, 200, "id", "secret")
	return r.str("id"), r.str("secret")
}

// register registers a device and returns its id.
func (e *env) register(secret, name string) string {
	e.t.Helper()
	r := e.do("POST", "/1/devices.json", url.Values{"secret": {secret}, "name": {name}, "os": {"O"}})
	r.check(e.t, 200, "id")
	return r.str("id")
}

// device is a logged-in, registered device.
type testDevice struct {
	user, secret, id string
}

// newDevice adds an account (or reuses it) and logs in a new device.
func (e *env) newDevice(email, name string) testDevice {
	e.t.Helper()
	e.s.AddAccount(Account{Email: email, Password: "pw-" + email})
	user, secret := e.login(email, "pw-"+email)
	return testDevice{user: user, secret: secret, id: e.register(secret, name)}
}

// download returns the device's messages as raw JSON objects.
func (e *env) download(d testDevice) []map[string]any {
	e.t.Helper()
	r := e.do("GET", "/1/messages.json", url.Values{"secret": {d.secret}, "device_id": {d.id}})
	r.check(e.t, 200, "messages", "user", "device")
	var out []map[string]any
	for _, m := range r.body["messages"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func (e *env) publish(m Message) Published {
	e.t.Helper()
	p, err := e.s.Publish(m)
	if err != nil {
		e.t.Fatalf("Publish: %v", err)
	}
	return p
}

// dial opens the websocket and sends the login line.
func (e *env) dial(device, secret string, newline bool) *websocket.Conn {
	e.t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(e.s.WSURL(), nil)
	if err != nil {
		e.t.Fatalf("dial %s: %v", e.s.WSURL(), err)
	}
	resp.Body.Close()
	e.t.Cleanup(func() { c.Close() })
	line := "login:" + device + ":" + secret
	if newline {
		line += "\n"
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(line)); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// online dials and waits until the server has accepted the login.
func (e *env) online(d testDevice) *websocket.Conn {
	e.t.Helper()
	n := len(e.s.WebsocketLogins())
	c := e.dial(d.id, d.secret, true)
	if err := e.s.WaitLogins(ctxT(e.t), n+1); err != nil {
		e.t.Fatalf("no websocket login: %v", err)
	}
	if l := e.s.WebsocketLogins()[n]; !l.OK || l.DeviceID != d.id {
		e.t.Fatalf("websocket login %+v", l)
	}
	return c
}

// nextFrame reads frames until one is not a keep-alive (unless want is '#')
// and returns its payload.
func nextFrame(t testing.TB, c *websocket.Conn, want byte) byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	for {
		typ, p, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for frame %q: %v", want, err)
		}
		if typ != websocket.BinaryMessage || len(p) != 1 {
			t.Fatalf("frame type %d payload %q, want one byte in a binary frame", typ, p)
		}
		if p[0] == '#' && want != '#' {
			continue
		}
		return p[0]
	}
}
