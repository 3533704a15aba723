package sandbox

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawPost sends a chunked POST without a Content-Type, as some third-party
// Open Clients do, one chunk per part, and returns the status and body.
func (e *env) rawPost(path string, chunks ...string) (int, string) {
	e.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.s.APIURL(), "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(testTimeout))
	var req strings.Builder
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: sandbox\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", path)
	for _, c := range chunks {
		fmt.Fprintf(&req, "%x\r\n%s\r\n", len(c), c)
	}
	req.WriteString("0\r\n\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestDeleteUpToNumberWithWhitespace: message=N with whitespace around N,
// in a chunked body without a Content-Type, deletes up to N.
func TestDeleteUpToNumberWithWhitespace(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string // SECRET stands for the device's secret
		code   int
	}{
		{"TrailingNewline", []string{"secret=SECRET&message=2\n"}, 200},
		{"Spaces", []string{"secret=SECRET&message= 2 "}, 200},
		{"TabsAndCRLF", []string{"message=\t2\r\n&secret=SECRET"}, 200},
		{"SplitChunks", []string{"secret=SECRET&mess", "age=2", "\n"}, 200},
		{"ErrInnerSpace", []string{"secret=SECRET&message=2 1"}, 400},
		{"ErrBlank", []string{"secret=SECRET&message= \n"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			d := e.newDevice("me@example.com", "a")
			token := e.s.AddApp("app")
			for range 3 {
				e.publish(Message{Token: token, User: d.user, Message: "m"})
			}
			chunks := make([]string, len(tt.chunks))
			for i, c := range tt.chunks {
				chunks[i] = strings.ReplaceAll(c, "SECRET", d.secret)
			}
			code, raw := e.rawPost("/1/devices/"+d.id+"/update_highest_message.json", chunks...)
			if code != tt.code {
				t.Fatalf("HTTP %d, want %d: %s", code, tt.code, raw)
			}
			want := 1
			if code != 200 {
				want = 3
			}
			if dev, _ := e.s.Device(d.id); len(dev.Queue) != want {
				t.Errorf("%d messages left, want %d", len(dev.Queue), want)
			}
		})
	}
}

// TestPublishNumbersWithWhitespace: every numeric publisher parameter
// accepts whitespace around its value.
func TestPublishNumbersWithWhitespace(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	token := e.s.AddApp("app")
	tests := []struct {
		name  string
		extra string
		code  int
		check func(ClientMessage) bool
	}{
		{"Priority", "&priority= 1 ", 200, func(m ClientMessage) bool { return m.Priority == 1 }},
		{"Emergency", "&priority=2\n&retry=\t30\n&expire= 60\r\n", 200, func(m ClientMessage) bool { return m.Receipt != "" }},
		{"Timestamp", "&timestamp= 1700000000\n", 200, func(m ClientMessage) bool { return m.Date == 1700000000 }},
		{"HTML", "&html=1\n", 200, func(m ClientMessage) bool { return m.HTML == 1 }},
		{"Monospace", "&monospace= 1 ", 200, func(m ClientMessage) bool { return m.Monospace == 1 }},
		{"TTL", "&ttl= 3600\n", 200, func(m ClientMessage) bool { return true }},
		{"ErrPriority", "&priority=1 1", 400, nil},
		{"ErrHTML", "&html=yes ", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.s.Device(d.id)
			code, raw := e.rawPost("/1/messages.json", "token="+token+"&user="+d.user+"&message=hi", tt.extra)
			if code != tt.code {
				t.Fatalf("HTTP %d, want %d: %s", code, tt.code, raw)
			}
			if code != 200 {
				return
			}
			dev, _ := e.s.Device(d.id)
			if len(dev.Queue) != len(before.Queue)+1 || !tt.check(dev.Queue[len(dev.Queue)-1]) {
				t.Errorf("queued %+v", dev.Queue[len(dev.Queue)-1])
			}
		})
	}
}
