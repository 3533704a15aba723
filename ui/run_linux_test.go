package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
	"pobox/internal/ptytest"
	"pobox/session"
	inboxsync "pobox/sync"
)

// runUI runs Run in the background on opts, on a 120x40 pseudo-terminal
// whose output goes to out; it returns the terminal's keyboard and Run's
// result.
func runUI(t *testing.T, ctx context.Context, opts Options, out *syncBuffer) (io.Writer, <-chan error) {
	t.Helper()
	master, slave := ptytest.Open(t)
	ptytest.SetSize(t, master, 120, 40)
	go func() { _, _ = io.Copy(out, master) }() // ends when the terminal closes
	// Only the terminal's end is closed: Run may return (its context
	// ended) while Bubble Tea's input reader still holds the slave, which
	// then reads an error and stops.
	t.Cleanup(func() { master.Close() })
	opts.Output = slave
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts, tea.WithInput(slave)) }()
	return master, done
}

func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s")
		return nil
	}
}

// TestRun: Run draws on Options.Output, reads its keys from the input
// given (a terminal here), ends without an error when its context is cancelled or q is
// pressed, and returns ErrLogInAgain for L after the session ended.
func TestRun(t *testing.T) {
	db := openDB(t)
	ingest(t, db, sample(false)...)
	newOpts := func() (Options, *fakeEngine) {
		en := newFakeEngine(t, db, true)
		return Options{DB: db, Engine: en, Styles: asciiStyles(), Now: fixedNow, Title: "pobox", Getenv: noEnv,
			Login: &LoginOptions{Client: &session.Client{}, Start: func(context.Context, session.Stored) (*cache.DB, Engine, error) {
				return nil, nil, errors.New("not in this test")
			}}}, en
	}

	t.Run("ContextCancelled", func(t *testing.T) {
		out := &syncBuffer{}
		opts, _ := newOpts()
		ctx, cancel := context.WithCancel(context.Background())
		_, done := runUI(t, ctx, opts, out)
		waitOutput(t, out, "Build 1432 passed")
		cancel()
		if err := waitRun(t, done); err != nil {
			t.Fatalf("Run = %v after the context ended, want nil", err)
		}
		waitOutput(t, out, "\x1b[?1049l") // the alternate screen is left
	})
	t.Run("Quit", func(t *testing.T) {
		out := &syncBuffer{}
		opts, _ := newOpts()
		keys, done := runUI(t, context.Background(), opts, out)
		waitOutput(t, out, "Build 1432 passed")
		io.WriteString(keys, "q")
		if err := waitRun(t, done); err != nil {
			t.Fatalf("Run = %v after q, want nil", err)
		}
	})
	t.Run("LogInAgain", func(t *testing.T) {
		out := &syncBuffer{}
		opts, en := newOpts()
		keys, done := runUI(t, context.Background(), opts, out)
		waitOutput(t, out, "Build 1432 passed")
		en.events <- inboxsync.SessionEnded{Reason: inboxsync.EndLoggedOut, Text: "logged out"}
		waitOutput(t, out, "press L")
		io.WriteString(keys, "L")
		if err := waitRun(t, done); !errors.Is(err, ErrLogInAgain) {
			t.Fatalf("Run = %v after L, want ErrLogInAgain", err)
		}
	})
}

// waitOutput waits until out holds text.
func waitOutput(t *testing.T, out *syncBuffer, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), text); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%q not drawn within 10 s", text)
		}
	}
}
