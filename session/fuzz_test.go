package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzDecodeMessages: a reply that is a JSON object whose messages are a
// list (or absent) is never refused, whatever its messages hold: one odd
// message must not stop every later sync. Nothing handed over has an
// out-of-range priority, and batches respect their size.
func FuzzDecodeMessages(f *testing.F) {
	for _, s := range []string{
		`{"messages":[{"id":12,"id_str":"12","umid":502550228871720147,"title":"Backup finished","message":"took 16 minutes","app":"Backups","aid":435443636951759403,"date":1631773887,"priority":0,"acked":0}],"status":1,"request":"r"}`,
		`{"messages":[{"id":"7","priority":"high","date":[1],"html":{"x":1}},3,null,"s",[1]],"status":1}`,
		`{"status":1,"messages":null}`,
		`{"messages":[{"id":1e3,"id_str":" 9007199254740993 ","priority":-9}],"status":1,"user":{"a":[1,{"b":2}]}}`,
		`{"messages":[{"id":1}`,
		`[1,2]`,
	} {
		f.Add([]byte(s), 2)
	}
	f.Fuzz(func(t *testing.T, body []byte, n int) {
		n = 1 + (n%50+50)%50
		var got int
		_, err := decodeMessages(bytes.NewReader(body), n, func(b []Message) error {
			if len(b) == 0 || len(b) > n {
				t.Fatalf("batch of %d with n = %d", len(b), n)
			}
			for _, m := range b {
				if m.Priority < -2 || m.Priority > 2 {
					t.Fatalf("priority %d out of range", m.Priority)
				}
				if strings.ContainsAny(m.Problem, "\x1b\x00") {
					t.Fatalf("problem text %q carries control bytes", m.Problem)
				}
			}
			got += len(b)
			return nil
		})
		if err != nil && wellFormed(body) {
			t.Fatalf("a well-formed reply was refused: %v\n%s", err, body)
		}
		if err != nil && !errors.Is(err, errMalformed) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("unexpected error class: %v", err)
		}
	})
}

// wellFormed reports a JSON object whose "messages" key, if any, holds a
// list or null.
func wellFormed(body []byte) bool {
	var top map[string]json.RawMessage
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || !json.Valid(body) || json.Unmarshal(body, &top) != nil {
		return false
	}
	ms, ok := top["messages"]
	if !ok {
		return true
	}
	ms = bytes.TrimSpace(ms)
	return bytes.Equal(ms, []byte("null")) || (len(ms) > 0 && ms[0] == '[')
}
