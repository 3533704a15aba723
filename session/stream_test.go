package session

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
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
		{"BadField", `{"messages":[{"id":{}}],"status":1}`, 10, nil, 0, errMalformed},
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
