package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"pobox/sandbox"
	"pobox/session"
)

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
