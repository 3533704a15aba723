package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"pobox/sandbox"
	"pobox/session"
)

// cmdExits runs a program as exec does and checks its exit status:
// exits CODE PROGRAM ARGS... A plain `! exec` accepts any failure, even
// the race detector's exit status 66; this names the one expected. Its
// output is there for stdout and stderr to check, as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		got = exit.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
	if strings.Contains(ts.ReadFile("stderr"), "WARNING: DATA RACE") {
		ts.Fatalf("a data race")
	}
}

// cmdCapture sets an environment variable from the last command's output:
// capture NAME REGEXP takes the first group of REGEXP in stdout.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: capture NAME REGEXP")
	}
	m := regexp.MustCompile(args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("%q does not match the output", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// cmdWaitFile waits (10 s at most) until a file matches a regular
// expression: waitfile PATH REGEXP. For output written by a command
// running in the background.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: waitfile PATH REGEXP")
	}
	re := regexp.MustCompile(args[1])
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(ts.MkAbs(args[0]))
		if re.Match(b) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s does not match %q after 10 s; it holds:\n%s", args[0], args[1], b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cmdReceipt checks the sandbox's view of a receipt: receipt R acked, or
// ! receipt R acked.
func cmdReceipt(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || args[1] != "acked" {
		ts.Fatalf("usage: [!] receipt RECEIPT acked")
	}
	r, ok := ts.Value(sandboxKey{}).(*sandbox.Server).Receipt(args[0])
	if !ok {
		ts.Fatalf("the sandbox has no receipt %s", args[0])
	}
	if r.Acknowledged == neg {
		ts.Fatalf("receipt %s: acknowledged=%v", args[0], r.Acknowledged)
	}
}

// cmdOnline waits (10 s at most) until the logged-in device holds a live
// websocket on the sandbox: a pobox in the background is up.
func cmdOnline(ts *testscript.TestScript, neg bool, args []string) {
	st, err := session.Load(filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "pobox", session.FileName))
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts.Check(ts.Value(sandboxKey{}).(*sandbox.Server).WaitOnline(ctx, st.DeviceID))
}

// cmdPublish publishes messages as the demo app, straight into the
// sandbox: publish N [TITLE [MESSAGE]]. TITLE and MESSAGE may be Go
// string literals ("\x1b[31m"), so that a script can send what no
// shell word holds; with N > 1 each message gets its number appended.
func cmdPublish(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 3 {
		ts.Fatalf("usage: publish N [TITLE [MESSAGE]]")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	text := func(i int, def string) string {
		if len(args) <= i {
			return def
		}
		if s, err := strconv.Unquote(args[i]); err == nil {
			return s
		}
		return args[i]
	}
	title, msg := text(1, "note"), text(2, "message")
	srv := ts.Value(sandboxKey{}).(*sandbox.Server)
	for i := 1; i <= n; i++ {
		m := sandbox.Message{Token: ts.Getenv("SANDBOX_TOKEN"), User: ts.Getenv("SANDBOX_USER"), Title: title, Message: msg}
		if n > 1 {
			m.Message = fmt.Sprintf("%s %d", msg, i)
		}
		_, err := srv.Publish(m)
		ts.Check(err)
	}
}

// cmdFail makes the sandbox fail the next N requests to an endpoint:
// fail ENDPOINT N STATUS (N 0 cancels).
func cmdFail(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: fail ENDPOINT N STATUS")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	status, err := strconv.Atoi(args[2])
	ts.Check(err)
	ts.Value(sandboxKey{}).(*sandbox.Server).FailNext(args[0], n, status)
}
