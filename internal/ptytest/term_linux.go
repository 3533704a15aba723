//go:build linux

package ptytest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Options say what Start runs and on what terminal.
type Options struct {
	Args          []string // the command and its arguments
	Width, Height int      // the terminal's size in cells
	// Env is added to the environment the child inherits, after the
	// cleaning.
	Env []string
	// Unset lists more prefixes ("NAME=" for one variable, "APP_" for a
	// family) of inherited variables to remove, such as the settings of
	// the program under test.
	Unset []string
	// Quit is typed to end the command when the test ends; with none,
	// the command gets SIGTERM. Either way it is killed after 10 s.
	Quit string
}

// outerTerminal are the prefixes of the variables removed from the
// child's environment: the outer terminal's, which would change what the
// child thinks it runs in, and CI (termenv takes any terminal for a pipe
// when CI is set, and asks it nothing).
var outerTerminal = []string{"CI=", "TMUX=", "TMUX_PANE=", "STY=", "TERM=", "COLORTERM=", "NO_COLOR=", "TERM_PROGRAM=",
	"KITTY_WINDOW_ID=", "WT_SESSION=", "LC_TERMINAL=", "ITERM_SESSION_ID=", "WEZTERM_PANE=", "VTE_VERSION="}

// answers are the queries the harness answers, as a dark xterm does.
var answers = []struct{ query, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"}, // OSC 11: a dark background
	{"\x1b[6n", "\x1b[1;1R"},                          // CSI 6n: the cursor is home
}

// Term is a command running on a pseudo-terminal, in a new session whose
// controlling terminal it is. It keeps everything that reaches the
// terminal and answers the terminal's queries.
type Term struct {
	tb     testing.TB
	master *os.File
	cmd    *exec.Cmd
	quit   string
	exited chan struct{} // closed when the command ended and its output was read, after err is set
	err    error         // how it ended
	// drained is closed when the reader stops: the terminal closed, so
	// everything the command wrote is in out.
	drained chan struct{}

	mu      sync.Mutex
	out     []byte
	scanned int           // out is searched for queries from here
	more    chan struct{} // signalled (not closed) after each read
	queries map[string]int
}

// Start runs o.Args on a pseudo-terminal of o.Width x o.Height cells. The
// command is stopped, and the terminal closed, when the test ends.
func Start(tb testing.TB, o Options) *Term {
	tb.Helper()
	master, slave := Open(tb)
	p := &Term{tb: tb, master: master, quit: o.Quit, exited: make(chan struct{}), drained: make(chan struct{}),
		more: make(chan struct{}, 1), queries: map[string]int{}}
	SetSize(tb, master, o.Width, o.Height)
	drop := append(slices.Clip(outerTerminal), o.Unset...)
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return slices.ContainsFunc(drop, func(prefix string) bool { return strings.HasPrefix(kv, prefix) })
	})
	p.cmd = exec.Command(o.Args[0], o.Args[1:]...)
	p.cmd.Env = append(append(env, "TERM=xterm-256color", "COLORTERM=truecolor"), o.Env...)
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = slave, slave, slave
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := p.cmd.Start(); err != nil {
		master.Close()
		slave.Close()
		tb.Fatal(err)
	}
	slave.Close() // the child holds it
	go p.read()
	go func() {
		err := p.cmd.Wait()
		// The command's last output can still be on its way to the
		// reader: a wait that sees the end must see that output too. A
		// process the command left behind may hold the terminal open, so
		// the reader is given a while, not for ever.
		select {
		case <-p.drained:
		case <-time.After(2 * time.Second):
		}
		p.err = err
		close(p.exited)
	}()
	tb.Cleanup(p.stop)
	return p
}

// read keeps what reaches the terminal and answers its queries; it ends
// when the terminal closes (EIO once no process holds the child's end).
func (p *Term) read() {
	defer close(p.drained)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.out = append(p.out, buf[:n]...)
			p.answerQueries()
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// answerQueries answers each query in p.out once, in the order asked. A
// query cut between two reads is answered after the second: the scan
// stops short of the end by less than the longest query, and resumes
// after what it answered (counting the queries in an overlap of two reads
// instead answered some twice, and the extra answer reached the program
// as keys).
func (p *Term) answerQueries() {
	longest := 0
	for {
		at, which := -1, 0
		for i, a := range answers {
			longest = max(longest, len(a.query))
			if j := bytes.Index(p.out[p.scanned:], []byte(a.query)); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			break
		}
		a := answers[which]
		_, _ = p.master.WriteString(a.answer)
		p.queries[a.query]++
		p.scanned += at + len(a.query)
	}
	p.scanned = max(p.scanned, len(p.out)-longest+1)
}

// Queries returns how many times each query was asked, and answered, so
// far.
func (p *Term) Queries() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.queries)
}

// Output returns a copy of everything that reached the terminal so far.
func (p *Term) Output() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.out)
}

// Offset is how many bytes reached the terminal so far: what a wait
// searches from.
func (p *Term) Offset() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}

// Tail is the end of what reached the terminal, for a failure's message.
func (p *Term) Tail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.out[max(len(p.out)-3000, 0):])
}

// Type types s one key (rune) at a time, as a person does: keys written
// together can reach the program as one key event.
func (p *Term) Type(s string) {
	p.tb.Helper()
	for _, r := range s {
		if _, err := p.master.WriteString(string(r)); err != nil {
			p.tb.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Signal sends sig to the command.
func (p *Term) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// WaitFor waits until text reaches the terminal, ending after offset from
// (a text cut by the offset counts), and returns when it saw it; it fails
// the test after timeout.
func (p *Term) WaitFor(from int, text string, timeout time.Duration) time.Time {
	p.tb.Helper()
	at, ok := p.Arrives(from, text, timeout)
	if !ok {
		p.tb.Fatalf("%q did not reach the terminal in %v; it wrote:\n%q", text, timeout, p.Tail())
	}
	return at
}

// Arrives is WaitFor that reports a timeout instead of failing.
func (p *Term) Arrives(from int, text string, timeout time.Duration) (time.Time, bool) {
	p.tb.Helper()
	want := []byte(text)
	return p.until(fmt.Sprintf("%q", text), timeout, func(out []byte) bool {
		return bytes.Contains(out[max(min(from, len(out))-len(want)+1, 0):], want)
	})
}

// WaitUntil waits until cond holds for everything that reached the
// terminal; it fails the test, naming what, after timeout. cond runs
// with the terminal's reader held: it must not keep or change out.
func (p *Term) WaitUntil(what string, timeout time.Duration, cond func(out []byte) bool) time.Time {
	p.tb.Helper()
	at, ok := p.until(what, timeout, cond)
	if !ok {
		p.tb.Fatalf("%s did not reach the terminal in %v; it wrote:\n%q", what, timeout, p.Tail())
	}
	return at
}

// until waits until cond holds, and returns when it saw it, or false
// after timeout; it fails the test if the command ends first. cond sees
// the output itself, not a copy: the benchmarks' latency is measured
// through here.
func (p *Term) until(what string, timeout time.Duration, cond func(out []byte) bool) (time.Time, bool) {
	p.tb.Helper()
	holds := func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return cond(p.out)
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !holds() {
		select {
		case <-p.more:
		case <-p.exited:
			if holds() { // its last output came with its end
				return time.Now(), true
			}
			p.tb.Fatalf("the command ended (%v) before %s reached the terminal; it wrote:\n%q", p.err, what, p.Tail())
		case <-deadline.C:
			return time.Time{}, false
		}
	}
	return time.Now(), true
}

// Wait waits up to timeout for the command to end and returns how it
// ended: nil for status 0.
func (p *Term) Wait(timeout time.Duration) error {
	select {
	case <-p.exited: // first, for a timeout of 0
		return p.err
	default:
	}
	select {
	case <-p.exited:
		return p.err
	case <-time.After(timeout):
		return errors.New("ptytest: the command still runs")
	}
}

// stop ends the command if it still runs (Options.Quit, or SIGTERM, then
// a kill after 10 s) and closes the terminal.
func (p *Term) stop() {
	select {
	case <-p.exited:
	default:
		if p.quit != "" {
			_, _ = p.master.WriteString(p.quit)
		} else {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.master.Close() // ends read
}

// Open opens a pseudo-terminal pair; it skips the test where there are
// none.
func Open(tb testing.TB) (master, slave *os.File) {
	tb.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Skipf("no pseudo-terminals here: %v", err)
	}
	var n uint32
	if err := ioctl(m, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		tb.Fatal(err)
	}
	var unlock int32
	if err := ioctl(m, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		tb.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return m, s
}

// SetSize gives the terminal of master w x h cells.
func SetSize(tb testing.TB, master *os.File, w, h int) {
	tb.Helper()
	ws := struct{ row, col, x, y uint16 }{uint16(h), uint16(w), 0, 0}
	if err := ioctl(master, syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		tb.Fatal(err)
	}
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}
