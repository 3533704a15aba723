//go:build linux

package ptytest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// childEnv makes this test binary a child that does what its value names
// (see child) instead of running the tests.
const childEnv = "PTYTEST_CHILD"

func TestMain(m *testing.M) {
	if what := os.Getenv(childEnv); what != "" {
		os.Exit(child(what))
	}
	os.Exit(m.Run())
}

// child runs on the harness's terminal, in raw mode (keys as they come,
// no echo): "queries" asks both queries, the first split across two
// writes, and prints the answers; "env" prints its terminal variables and
// ends with status 3; "quit" ends with status 0 on the first key.
func child(what string) int {
	var tio syscall.Termios
	if err := ioctl(os.Stdin, syscall.TCGETS, unsafe.Pointer(&tio)); err != nil {
		return 1
	}
	tio.Lflag &^= syscall.ICANON | syscall.ECHO
	tio.Cc[syscall.VMIN], tio.Cc[syscall.VTIME] = 1, 0
	if err := ioctl(os.Stdin, syscall.TCSETS, unsafe.Pointer(&tio)); err != nil {
		return 1
	}
	switch what {
	case "queries":
		os.Stdout.WriteString("\x1b]1")
		time.Sleep(50 * time.Millisecond) // most likely a read of its own
		os.Stdout.WriteString("1;?\x1b\\\x1b[6n")
		var got []byte
		buf := make([]byte, 256)
		for !bytes.HasSuffix(got, []byte("R")) {
			n, err := os.Stdin.Read(buf)
			if err != nil {
				return 1
			}
			got = append(got, buf[:n]...)
		}
		fmt.Printf("answers %q\n", got)
		return 0
	case "env":
		fmt.Printf("CI=%q TMUX=%q TERM=%q PTYTEST_APP_SETTING=%q\n",
			os.Getenv("CI"), os.Getenv("TMUX"), os.Getenv("TERM"), os.Getenv("PTYTEST_APP_SETTING"))
		return 3
	case "quit":
		fmt.Println("ready")
		_, _ = os.Stdin.Read(make([]byte, 1))
		return 0
	}
	return 1
}

func startChild(t *testing.T, what string, o Options) *Term {
	o.Args = []string{os.Args[0], "-test.run=^$"}
	o.Env = append(o.Env, childEnv+"="+what)
	o.Width, o.Height = 80, 24
	return Start(t, o)
}

// TestAnswersEachQueryOnce: both queries are answered, once each, the
// one split between two reads too.
func TestAnswersEachQueryOnce(t *testing.T) {
	p := startChild(t, "queries", Options{})
	p.WaitFor(0, fmt.Sprintf("answers %q", answers[0].answer+answers[1].answer), 10*time.Second)
	if err := p.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if q := p.Queries(); len(q) != 2 || q["\x1b]11;?"] != 1 || q["\x1b[6n"] != 1 {
		t.Errorf("queries answered %v, want each once", q)
	}
}

// TestCleansEnvironment: the child sees none of the outer terminal's
// variables, nor CI nor those Unset names, and Wait returns its status.
func TestCleansEnvironment(t *testing.T) {
	t.Setenv("CI", "true")
	t.Setenv("TMUX", "/tmp/tmux-0/default,1,0")
	t.Setenv("PTYTEST_APP_SETTING", "outer")
	p := startChild(t, "env", Options{Unset: []string{"PTYTEST_APP_"}})
	p.WaitFor(0, `CI="" TMUX="" TERM="xterm-256color" PTYTEST_APP_SETTING=""`, 10*time.Second)
	var exit *exec.ExitError
	if err := p.Wait(10 * time.Second); !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Wait = %v, want exit status 3", err)
	}
}

// TestStop: at the end of a test the command gets Options.Quit typed,
// or SIGTERM without one.
func TestStop(t *testing.T) {
	for _, c := range []struct{ quit, want string }{{"x", "<nil>"}, {"", "signal: terminated"}} {
		p := startChild(t, "quit", Options{Quit: c.quit})
		p.WaitFor(0, "ready", 10*time.Second)
		p.stop()
		if err := p.Wait(0); fmt.Sprint(err) != c.want {
			t.Errorf("Quit %q: the command ended with %v, want %s", c.quit, err, c.want)
		}
	}
}
