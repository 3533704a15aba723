//go:build linux

package ui

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pobox/internal/ptytest"
)

// tmuxSession is a private tmux server (its own socket, no config file)
// with one session, main, running a command: the terminal that counts
// widths per code point, as the inbox meets it over SSH.
type tmuxSession struct {
	tb   testing.TB
	sock string
	raw  string // the pane's raw output (pipe-pane), when piped
}

// startTmux starts a tmux server running args (with env) in a w x h
// session, with allow-passthrough on; it skips the test without tmux.
func startTmux(tb testing.TB, w, h int, args, env []string) *tmuxSession {
	tb.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		tb.Skip("tmux is not installed (apt-get install -y tmux)")
	}
	dir, err := os.MkdirTemp("", "pobox-tmux-") // short: a socket path has a limit
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	s := &tmuxSession{tb: tb, sock: filepath.Join(dir, "sock"), raw: filepath.Join(dir, "raw")}
	cmd := []string{"-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}
	for _, kv := range env {
		cmd = append(cmd, "-e", kv)
	}
	cmd = append(cmd, strings.Join(args, " "))
	s.run(cmd...)
	tb.Cleanup(func() { _, _ = s.tmux("kill-server") })
	s.run("set-option", "-g", "allow-passthrough", "on")
	s.run("pipe-pane", "-O", "-t", "main", "cat >> "+s.raw)
	return s
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	c := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...)
	c.Env = append(os.Environ(), "TMUX=") // never the tmux this test may run in
	out, err := c.CombinedOutput()
	return string(out), err
}

func (s *tmuxSession) run(args ...string) string {
	s.tb.Helper()
	out, err := s.tmux(args...)
	if err != nil {
		s.tb.Fatalf("tmux %q: %v: %s", args, err, out)
	}
	return out
}

// screen is the pane as tmux draws it, one string a line.
func (s *tmuxSession) screen() []string {
	s.tb.Helper()
	return strings.Split(strings.TrimSuffix(s.run("capture-pane", "-p", "-t", "main"), "\n"), "\n")
}

// waitScreen polls the pane until cond holds, and returns it.
func (s *tmuxSession) waitScreen(what string, cond func([]string) bool) []string {
	s.tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		lines := s.screen()
		if cond(lines) {
			return lines
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("tmux: %s: not on screen after 20s:\n%s", what, strings.Join(lines, "\n"))
		}
		<-tick.C
	}
}

// waitRaw waits until the pane's raw output (what the program wrote)
// holds text.
func (s *tmuxSession) waitRaw(what, text string) {
	s.tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		raw, err := os.ReadFile(s.raw)
		if err == nil && bytes.Contains(raw, []byte(text)) {
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("tmux: %s: not in the pane's output after 20s:\n%q", what, raw[max(len(raw)-600, 0):])
		}
		<-tick.C
	}
}

// shows is a condition: every text somewhere on the screen.
func shows(texts ...string) func([]string) bool {
	return func(lines []string) bool {
		all := strings.Join(lines, "\n")
		for _, t := range texts {
			if !strings.Contains(all, t) {
				return false
			}
		}
		return true
	}
}

// sendBytes writes bytes to the pane in one write, as an SSH client
// delivers two quick presses.
func (s *tmuxSession) sendBytes(b ...byte) {
	s.tb.Helper()
	args := []string{"send-keys", "-t", "main", "-H"}
	for _, c := range b {
		args = append(args, strconv.FormatInt(int64(c), 16))
	}
	s.run(args...)
}

// type_ types text literally.
func (s *tmuxSession) type_(text string) {
	s.tb.Helper()
	s.run("send-keys", "-t", "main", "-l", text)
}

// tmuxInbox runs the inbox in tmux at w x h on a new sandbox.
func tmuxInbox(t *testing.T, w, h int, notify string) (*ptySandbox, *tmuxSession) {
	t.Helper()
	sb := newPTYSandbox(t)
	s := startTmux(t, w, h, sb.childArgs(), sb.childEnv(notify))
	// Synced too: what the first sync downloads is the backlog, which
	// never alerts, and a message published before it ends may be in it.
	s.waitScreen("the inbox, connected and synced", shows("connected", "synced"))
	return sb, s
}

// TestTmuxEmojiScreen: three titles that tmux draws wider than a
// grapheme-counting program thinks (ZWJ sequences, flags, skin tones,
// stacked marks), found with / (the third arrives while the search is
// in force): exactly those rows in the list and their count, the banner
// on the first line, the status bar and the help below, nothing wrapped.
func TestTmuxEmojiScreen(t *testing.T) {
	const w, h = 200, 50
	sb, s := tmuxInbox(t, w, h, "bell")
	hc := &http.Client{}
	party := extras()[4:7]
	sb.publish(hc, "Reactor overheating", "core at 900 K", 2)
	for _, m := range party[:2] {
		sb.publish(hc, m.Title, m.Message, 0)
	}
	sb.publish(hc, "Plain one", "nothing odd", 0)
	s.waitScreen("every message", shows("4 total", "Plain one"))
	s.type_("/party")
	s.sendBytes('\r')
	s.waitScreen("the search", shows("/party · 2 matches"))
	sb.publish(hc, party[2].Title, party[2].Message, 0)
	lines := s.waitScreen("the search with the third", shows("/party · 3 matches", "5 total"))
	if len(lines) != h {
		t.Fatalf("%d lines on the %d-line pane:\n%s", len(lines), h, strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(lines[0], "!! 1 emergency needs acknowledging") {
		t.Errorf("the banner is not on the first line: %q", lines[0])
	}
	lw := w * 11 / 20
	for i := 1; i <= 3; i++ {
		if !strings.Contains(lines[i], "Party") {
			t.Errorf("list row %d is not a Party message: %q", i, lines[i])
		}
	}
	for i := 4; i < h-2; i++ {
		if left := []rune(lines[i]); len(left) > 0 && strings.TrimSpace(string(left[:min(len(left), lw-10)])) != "" {
			t.Errorf("line %d of the list is not empty (a row wrapped?): %q", i, lines[i])
		}
	}
	if !strings.Contains(lines[h-2], "/party · 3 matches") || !strings.Contains(lines[h-2], "total") {
		t.Errorf("the status bar is not the second last line: %q", lines[h-2])
	}
	if !strings.Contains(lines[h-1], "? help") {
		t.Errorf("the help is not the last line: %q", lines[h-1])
	}
}

// TestTmuxEscJ: enter opens a message; esc and j written together (as an
// SSH client sends two quick presses: Bubble Tea reads alt+j) go back to
// the list and one row down.
func TestTmuxEscJ(t *testing.T) {
	sb, s := tmuxInbox(t, 120, 40, "bell")
	hc := &http.Client{}
	for _, title := range []string{"first", "second", "third"} {
		sb.publish(hc, "message "+title, "body", 0)
	}
	s.waitScreen("three messages", shows("3 total", "message first"))
	s.sendBytes('\r')
	s.waitScreen("the reading pane", shows("esc/q back"))
	s.sendBytes(0x1b, 'j')
	lines := s.waitScreen("the list, one row down", func(lines []string) bool {
		return shows("j/k move")(lines) && len(lines) > 1 && strings.HasPrefix(lines[1], ">")
	})
	if !strings.Contains(lines[1], "message second") {
		t.Errorf("the selection is not on the second row:\n%s", strings.Join(lines[:4], "\n"))
	}
}

// TestTmuxIdleArrivals: sixty messages published one by one to an idle
// inbox: the newest is on screen within a second of the last, and none
// became read.
func TestTmuxIdleArrivals(t *testing.T) {
	sb, s := tmuxInbox(t, 200, 50, "bell")
	hc := &http.Client{}
	for i := 1; i <= 60; i++ {
		sb.publish(hc, "arrival "+strconv.Itoa(i), "body", 0)
	}
	last := time.Now()
	lines := s.waitScreen("the newest", shows("arrival 60", "60 unread · 60 total"))
	if d := time.Since(last); d > time.Second {
		t.Errorf("the newest showed %v after the last publish", d)
	}
	if !strings.Contains(lines[0], "arrival 60") {
		t.Errorf("the newest is not on top: %q", lines[0])
	}
}

// TestTmuxNotification: inside tmux a priority 1 message sends an OSC 9
// notification through tmux's passthrough: wrapped in the pane's raw
// output, and unwrapped on the terminal the tmux client runs in.
//
// tmux 3.3 drops a passthrough sequence that reaches a client it is about
// to redraw (one that reads slowly, as this harness does on a loaded
// machine): pobox's sequence must be in the pane's output every time,
// and one of three must reach the outer terminal.
func TestTmuxNotification(t *testing.T) {
	sb, s := tmuxInbox(t, 120, 40, "osc9")
	outer := ptytest.Start(t, ptytest.Options{Args: []string{"tmux", "-S", s.sock, "attach", "-t", "main"}, Width: 120, Height: 40})
	outer.WaitFor(0, "connected", 20*time.Second)
	hc := &http.Client{}
	for i := 1; i <= 3; i++ {
		title := "Disk alarm " + strconv.Itoa(i)
		seq := "\x1b]9;Bench: " + title + ": sda is 99% full\a"
		off := outer.Offset()
		sb.publish(hc, title, "sda is 99% full", 1)
		s.waitScreen("the message", shows(title))
		s.waitRaw("the notification through the passthrough", "\x1bPtmux;"+strings.ReplaceAll(seq, "\x1b", "\x1b\x1b")+"\x1b\\")
		if _, ok := outer.Arrives(off, seq, 5*time.Second); ok {
			return
		}
		t.Logf("notification %d did not reach the outer terminal", i)
	}
	t.Fatalf("no notification reached the terminal tmux runs in; it wrote:\n%q", outer.Tail())
}
