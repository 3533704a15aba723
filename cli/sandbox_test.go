package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects standard error while the sandbox writes its log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSandbox runs `pobox sandbox args...` until the test ends and returns
// a reader of its standard output, its standard error, and a stop function
// returning the exit status.
func startSandbox(t *testing.T, args ...string) (*bufio.Reader, *lockedBuffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errOut := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, &app{stdin: strings.NewReader(""), stdout: pw, stderr: errOut}, append([]string{"sandbox"}, args...))
		pw.Close()
		done <- code
	}()
	out := bufio.NewReader(pr)
	var once sync.Once
	code := 0
	stop := func() int {
		once.Do(func() {
			cancel()
			go io.Copy(io.Discard, pr) // never block the banner's writes
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Error("pobox sandbox did not stop on cancel")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return out, errOut, stop
}

func TestSandboxJSON(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	out, errOut, stop := startSandbox(t, "--addr", "127.0.0.1:0", "--json", "--seed", "3", "--state", state)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the JSON line: %v (stderr %q)", err, errOut.String())
	}
	var info sandboxInfo
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("not one JSON object: %q", line)
	}
	if !strings.HasPrefix(info.APIURL, "http://127.0.0.1:") || info.WSURL != "ws"+strings.TrimPrefix(info.APIURL, "http")+"/push" ||
		info.Email == "" || info.Password == "" || len(info.Token) != 30 || len(info.User) != 30 {
		t.Fatalf("info %+v", info)
	}
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	post := func(path string, form url.Values) int {
		resp, err := hc.PostForm(info.APIURL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/1/users/login.json", url.Values{"email": {info.Email}, "password": {info.Password}}); code != 200 {
		t.Errorf("login: HTTP %d", code)
	}
	if code := post("/1/messages.json", url.Values{"token": {info.Token}, "user": {info.User}, "message": {"hi"}}); code != 200 {
		t.Errorf("publish: HTTP %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	log := errOut.String()
	if !strings.Contains(log, "POST /1/users/login.json 200") || strings.Contains(log, info.Password) {
		t.Errorf("request log:\n%s", log)
	}

	// Restarted on the same state file: the same demo keys.
	out2, _, stop2 := startSandbox(t, "--addr", "127.0.0.1:0", "--json", "--state", state)
	line2, err := out2.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var info2 sandboxInfo
	json.Unmarshal([]byte(line2), &info2)
	if info2.User != info.User || info2.Token != info.Token {
		t.Errorf("after restart %+v, want the keys of %+v", info2, info)
	}
	stop2()
}

func TestSandboxBanner(t *testing.T) {
	out, _, stop := startSandbox(t, "--addr", "127.0.0.1:0", "--keepalive", "1s")
	var banner strings.Builder
	for !strings.Contains(banner.String(), "Requests are logged") {
		l, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("banner so far %q: %v", banner.String(), err)
		}
		banner.WriteString(l)
	}
	for _, want := range []string{"API URL        http://127.0.0.1:", "websocket URL  ws://127.0.0.1:", "export POBOX_API_URL=http://",
		"export POBOX_WS_URL=ws://", "export POBOX_TOKEN=", "export POBOX_USER=", "password       "} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, banner.String())
		}
	}
	stop()
}

func TestSandboxFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"Help", []string{"sandbox", "--help"}, 0, "Example:"},
		{"ExtraArg", []string{"sandbox", "x"}, 2, "takes no arguments"},
		{"NegativeSeed", []string{"sandbox", "--seed", "-1"}, 2, "--seed"},
		{"BadKeepAlive", []string{"sandbox", "--keepalive", "0s"}, 2, "--keepalive"},
		{"BadAddr", []string{"sandbox", "--addr", "256.0.0.1:1"}, 1, "choose another --addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}, tt.args)
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.want) {
				t.Errorf("exit %d, want %d; output %q %q", code, tt.code, out.String(), errOut.String())
			}
		})
	}
}

func TestSandboxTwoFactor(t *testing.T) {
	out, errOut, stop := startSandbox(t, "--addr", "127.0.0.1:0", "--json", "--twofa", "135790")
	defer stop()
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the JSON line: %v (stderr %q)", err, errOut.String())
	}
	var info sandboxInfo
	if err := json.Unmarshal([]byte(line), &info); err != nil || info.TwoFA != "135790" {
		t.Fatalf("info %q, %v", line, err)
	}
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	for _, tc := range []struct {
		twofa string
		want  int
	}{{"", http.StatusPreconditionFailed}, {"000000", http.StatusPreconditionFailed}, {"135790", http.StatusOK}} {
		form := url.Values{"email": {info.Email}, "password": {info.Password}}
		if tc.twofa != "" {
			form.Set("twofa", tc.twofa)
		}
		resp, err := hc.PostForm(info.APIURL+"/1/users/login.json", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("login with code %q: HTTP %d, want %d", tc.twofa, resp.StatusCode, tc.want)
		}
	}
}
