package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"pobox/cache"
)

// syncBuffer is a bytes.Buffer safe for the runner's goroutine and the test.
type syncBuffer struct {
	mu stdsync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHookRunnerOrderTimeoutAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	out := &syncBuffer{}
	var logBuf syncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	h := &hook{Name: "test", Command: `read -r line; echo "$POBOX_ID|$POBOX_TITLE|$POBOX_APP|$POBOX_RECEIPT|${line%%,*}"; [ "$POBOX_ID" != 1 ] || sleep 30`,
		Timeout: 300 * time.Millisecond, Stdout: out, Stderr: out}
	var failures []int64
	var mu stdsync.Mutex
	r := newHookRunner(log, nil, []*hook{h})
	r.warn = func(_ *hook, m cache.Message, err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, m.ID)
	}
	r.Start(context.Background())

	start := time.Now()
	r.Announce(context.Background(), []cache.Message{
		{Key: 1, ID: 1, Title: "hangs", App: "a"},
		{Key: 2, ID: 2, Title: "evil\x1b]0;x\x07\nline", App: "b\tc", Receipt: "R2"},
	})
	r.Announce(context.Background(), []cache.Message{{Key: 3, ID: 3, Title: "three"}})
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Announce blocked for %v", d)
	}
	waitFor(t, "three hooks", func() bool { return strings.Count(out.String(), "\n") == 3 })
	r.Close()

	want := "1|hangs|a||{\"key\":1\n2|evil line|b c|R2|{\"key\":2\n3|three|||{\"key\":3\n"
	if out.String() != want {
		t.Errorf("hook output\n%q\nwant\n%q", out.String(), want)
	}
	if len(failures) != 1 || failures[0] != 1 {
		t.Errorf("failures %v, want [1]", failures)
	}
	if !strings.Contains(logBuf.String(), "timed out after 300ms") || strings.Contains(logBuf.String(), "sleep 30") {
		t.Errorf("log:\n%s", logBuf.String())
	}
	_ = dir
}

func TestHookRunnerCloseKillsTheHook(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &hook{Name: "slow", Command: "touch " + marker + "; sleep 30 | cat", Stdout: io.Discard, Stderr: io.Discard}
	r := newHookRunner(log, nil, []*hook{h})
	r.Start(context.Background())
	r.Announce(context.Background(), []cache.Message{{ID: 1}, {ID: 2}})
	waitFor(t, "the hook to start", func() bool { _, err := os.Stat(marker); return err == nil })
	start := time.Now()
	r.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v: the hook (and its pipe) was not killed", d)
	}
}

func TestHookRunnerNil(t *testing.T) {
	var r *hookRunner // no [[hooks]]
	r.Start(context.Background())
	r.Announce(context.Background(), []cache.Message{{ID: 1}})
	r.Close()
}

func TestHookRunnerQueueIsBounded(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := newHookRunner(log, nil, []*hook{{Name: "x", Command: "true"}})
	ms := make([]cache.Message, maxHookQueue+5)
	r.Announce(context.Background(), ms) // not started: nothing runs
	if len(r.queue) != maxHookQueue || r.dropped != 5 {
		t.Errorf("queue %d, dropped %d", len(r.queue), r.dropped)
	}
}

func TestHookEnvHasNoControlCharacters(t *testing.T) {
	m := cache.Message{ID: 7, Priority: -1, App: "a\x00b", Title: "t\x1b[2Jx\r\ny\u202e", URL: "https://e.x/\x07", Receipt: "r"}
	for _, kv := range hookEnv(m) {
		for _, r := range kv {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x202e {
				t.Errorf("%q holds %U", kv, r)
			}
		}
	}
}
