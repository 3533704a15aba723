package session

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDecodeMessages(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		n       int
		batches []int // sizes handed to fn
		status  int64
		err     error // errors.Is target; nil = success
	}{
		{"StatusAfterMessages", `{"messages":[{"id":1},{"id":2},{"id":3}],"status":1,"request":"r"}`, 2, []int{2, 1}, 1, nil},
		{"StatusFirst", `{"status":1,"messages":[{"id":1}],"user":{"a":[1,{"b":2}]}}`, 10, []int{1}, 1, nil},
		{"Empty", `{"messages":[],"status":1}`, 10, nil, 1, nil},
		{"Null", `{"messages":null,"status":1}`, 10, nil, 1, nil},
		{"NoMessagesKey", `{"status":0,"errors":["secret is invalid"]}`, 10, nil, 0, nil},
		{"ExactBatches", `{"messages":[{"id":1},{"id":2}],"status":1}`, 1, []int{1, 1}, 1, nil},
		{"NotAnObject", `[1,2]`, 10, nil, 0, errMalformed},
		{"MessagesNotAList", `{"messages":{"id":1},"status":1}`, 10, nil, 0, errMalformed},
		{"BadField", `{"messages":[{"id":{}}],"status":1}`, 10, []int{1}, 1, nil},
		{"NotAMessage", `{"messages":[7,{"id":1},"x",[2]],"status":1}`, 10, []int{1}, 1, nil},
		{"CutOff", `{"messages":[{"id":1},{"id":2`, 1, []int{1}, 0, io.ErrUnexpectedEOF},
		{"CutAfterList", `{"messages":[{"id":1}]`, 10, nil, 0, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			rep, err := decodeMessages(strings.NewReader(tt.body), tt.n, func(b []Message) error {
				got = append(got, len(b))
				return nil
			})
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				return
			}
			if int64(rep.Status) != tt.status {
				t.Errorf("status %d, want %d", rep.Status, tt.status)
			}
			if len(got) != len(tt.batches) {
				t.Fatalf("batches %v, want %v", got, tt.batches)
			}
			for i := range got {
				if got[i] != tt.batches[i] {
					t.Fatalf("batches %v, want %v", got, tt.batches)
				}
			}
		})
	}
}

func TestDownloadEachStopsOnCallerError(t *testing.T) {
	calls := 0
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		io.WriteString(w, `{"messages":[{"id":1},{"id":2},{"id":3}],"status":1,"request":"x"}`)
	}))
	stop := errors.New("disk full")
	seen := 0
	err := c.DownloadEach(t.Context(), testSecret, "dev", 1, func(b []Message) error {
		seen += len(b)
		return stop
	})
	if !errors.Is(err, stop) || seen != 1 || calls != 1 {
		t.Fatalf("err %v after %d messages and %d requests; want the caller's error after 1, no retry", err, seen, calls)
	}
}

func TestDownloadRetriesACutOffReply(t *testing.T) {
	calls := 0
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"messages":[{"id":1},`) // then the connection ends
			return
		}
		io.WriteString(w, `{"messages":[{"id":1},{"id":2}],"status":1}`)
	}))
	msgs, err := c.Download(t.Context(), testSecret, "dev")
	if err != nil || len(msgs) != 2 || calls != 2 {
		t.Fatalf("got %d messages, %v, after %d requests; want 2 after a retry", len(msgs), err, calls)
	}
}

// TestDecodeKeepsWhatCanBeRead: a field of the wrong type must not stop the
// download (and with it every later one): the message keeps what could be
// read and says what could not.
func TestDecodeKeepsWhatCanBeRead(t *testing.T) {
	body := `{"messages":[{"id":5,"title":"disk","priority":"high","date":[1],"acked":{"x":1}},` +
		`{"id":{},"id_str":"6","title":"six"},{"id":7,"priority":9}],"status":1}`
	var got []Message
	if _, err := decodeMessages(strings.NewReader(body), 10, func(b []Message) error {
		got = append(got, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d messages, want 3", len(got))
	}
	if m := got[0]; m.ID != 5 || m.Title != "disk" || m.Priority != 0 ||
		!strings.Contains(m.Problem, "date") || !strings.Contains(m.Problem, "priority") || !strings.Contains(m.Problem, "acked") {
		t.Errorf("first = %+v, want id 5 kept and a problem naming date, priority, acked", m)
	}
	if m := got[1]; m.ID != 6 || m.Problem != "" {
		t.Errorf("second = %+v, want the id from id_str and no problem", m)
	}
	if m := got[2]; m.Priority != 2 || !strings.Contains(m.Problem, "priority") {
		t.Errorf("third = %+v, want priority bounded to 2 and reported", m)
	}
}

// TestDecodeOddCommonFields: status, request or errors of an unexpected
// type, ahead of the messages, do not stop them from being handed over
// (found by FuzzDecodeMessages).
func TestDecodeOddCommonFields(t *testing.T) {
	for _, head := range []string{`"status":[]`, `"request":5`, `"errors":{"a":[{}]}`, `"status":{"x":1}`} {
		body := `{` + head + `,"messages":[{"id":1},{"id":2}]}`
		n := 0
		if _, err := decodeMessages(strings.NewReader(body), 10, func(b []Message) error {
			n += len(b)
			return nil
		}); err != nil || n != 2 {
			t.Errorf("%s: %d messages handed over, %v; want 2", body, n, err)
		}
	}
}

// TestDownloadTimeoutIsAStall: a download that keeps sending finishes
// however long it takes; one that stops sending is cut off after the
// timeout, and a stream that delivered messages is not retried.
func TestDownloadTimeoutIsAStall(t *testing.T) {
	const timeout = 300 * time.Millisecond
	newClient := func(h http.HandlerFunc) *Client {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		c, err := New(srv.URL, Options{Version: "test", Retry: fastRetry, Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	t.Run("slow but steady finishes", func(t *testing.T) {
		c := newClient(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"messages":[`)
			// Four times the timeout in all, never silent for long.
			for i := 1; i <= 12; i++ {
				if i > 1 {
					io.WriteString(w, ",")
				}
				fmt.Fprintf(w, `{"id":%d}`, i)
				w.(http.Flusher).Flush()
				time.Sleep(timeout / 3)
			}
			io.WriteString(w, `],"status":1}`)
		})
		n := 0
		err := c.DownloadEach(t.Context(), testSecret, "dev", 2, func(b []Message) error {
			n += len(b)
			return nil
		})
		if err != nil || n != 12 {
			t.Fatalf("got %d messages, %v; want all 12", n, err)
		}
	})
	t.Run("a stall is cut off and not retried after delivery", func(t *testing.T) {
		calls := 0
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		c := newClient(func(w http.ResponseWriter, r *http.Request) {
			calls++
			io.WriteString(w, `{"messages":[{"id":1},{"id":2},`)
			w.(http.Flusher).Flush()
			select { // then nothing
			case <-release:
			case <-r.Context().Done():
			}
		})
		n := 0
		start := time.Now()
		err := c.DownloadEach(t.Context(), testSecret, "dev", 1, func(b []Message) error {
			n += len(b)
			return nil
		})
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "stalled") {
			t.Fatalf("err = %v, want a stalled download", err)
		}
		if n != 2 || calls != 1 {
			t.Errorf("delivered %d in %d requests; want 2 in 1 (no retry after delivery)", n, calls)
		}
		if el := time.Since(start); el > 10*timeout {
			t.Errorf("took %v to notice the stall", el)
		}
	})
}
