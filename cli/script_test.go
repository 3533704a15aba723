package cli

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"pobox/sandbox"
	"pobox/session"
)

// inboxChildEnv makes the test binary run `pobox` with its arguments (the
// inbox tests on a terminal, inbox_linux_test.go).
const inboxChildEnv = "POBOX_INBOX_CHILD"

// The command-line tests: testdata/script/*.txtar run `pobox` (this test
// binary, registered below) against a sandbox started for each script.
// Every script gets these variables:
//
//	POBOX_API_URL, POBOX_WS_URL   the sandbox
//	SANDBOX_EMAIL, SANDBOX_PASSWORD, SANDBOX_TOKEN, SANDBOX_USER   its demo account and app
//	SANDBOX_2FA_EMAIL, SANDBOX_2FA_CODE   an account with two-factor (same password)
//	HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME   under $WORK
//
// and these commands: `exits CODE PROGRAM ARGS...` (runs it, as exec
// does, and checks its exit status), `mode PATH PERM`, `secret` (sets
// $SECRET from the stored session), `nosecret DIR...` (no file but
// session.json holds $SECRET; each DIR must exist) and `devices` (the demo
// account's device names on the server); script_cmds_test.go has more,
// and serve_script_test.go `sshkey` and `sshc` for pobox serve.
func TestMain(m *testing.M) {
	if os.Getenv(inboxChildEnv) != "" {
		os.Exit(Execute())
	}
	// No test may read from a real terminal, even when run from one.
	openTerminal = func(*app) (terminal, func()) { return nil, nil }
	testscript.Main(m, map[string]func(){"pobox": func() { os.Exit(Execute()) }})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join("testdata", "script"),
		Setup: scriptSetup,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits, "publish": cmdPublish, "fail": cmdFail, "mode": cmdMode, "secret": cmdSecret, "nosecret": cmdNoSecret, "devices": cmdDevices,
			"queue": cmdQueue, "capture": cmdCapture, "waitfile": cmdWaitFile, "receipt": cmdReceipt, "online": cmdOnline,
			"sshkey": cmdSSHKey, "sshc": cmdSSHC,
		},
	})
}

type sandboxKey struct{}

// twoFACode is the two-factor code of the scripts' 2FA account.
const twoFACode = "424242"

func scriptSetup(e *testscript.Env) error {
	srv, err := sandbox.New(sandbox.Options{FirstID: 1<<53 + 1})
	if err != nil {
		return err
	}
	e.Defer(func() { srv.Close() })
	demo := srv.AddDemo()
	srv.AddAccount(sandbox.Account{Email: "2fa@pobox.example", Password: demo.Password, TwoFA: twoFACode})
	e.Values[sandboxKey{}] = srv
	for k, v := range map[string]string{
		"POBOX_API_URL": srv.APIURL(), "POBOX_WS_URL": srv.WSURL(),
		"SANDBOX_EMAIL": demo.Email, "SANDBOX_PASSWORD": demo.Password,
		"SANDBOX_TOKEN": demo.Token, "SANDBOX_USER": demo.User,
		"SANDBOX_2FA_EMAIL": "2fa@pobox.example", "SANDBOX_2FA_CODE": twoFACode,
		"HOME":            filepath.Join(e.WorkDir, "home"),
		"XDG_CONFIG_HOME": filepath.Join(e.WorkDir, "config"),
		"XDG_DATA_HOME":   filepath.Join(e.WorkDir, "data"),
		"XDG_STATE_HOME":  filepath.Join(e.WorkDir, "state"),
	} {
		e.Setenv(k, v)
	}
	return nil
}

// cmdMode checks a file's permission bits: mode PATH 0600.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode PATH PERM")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	if got := fi.Mode().Perm(); (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s: mode %04o, want %s%s", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}

// cmdSecret sets $SECRET from the stored session.
func cmdSecret(ts *testscript.TestScript, neg bool, args []string) {
	st, err := session.Load(filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "pobox", session.FileName))
	ts.Check(err)
	ts.Setenv("SECRET", st.Secret.Reveal())
}

// cmdNoSecret fails if any file under the directories, other than the
// session file itself, contains $SECRET.
func cmdNoSecret(ts *testscript.TestScript, neg bool, args []string) {
	secret := ts.Getenv("SECRET")
	if secret == "" {
		ts.Fatalf("run `secret` first")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: nosecret DIR...")
	}
	for _, dir := range args {
		err := filepath.WalkDir(ts.MkAbs(dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == session.FileName {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(secret)) {
				ts.Fatalf("%s contains the secret", path)
			}
			return nil
		})
		// A missing directory is a failure: the check would pass vacuously.
		ts.Check(err)
	}
}

// cmdDevices prints the demo account's device names on the server.
func cmdDevices(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value(sandboxKey{}).(*sandbox.Server)
	for _, d := range srv.Devices(ts.Getenv("SANDBOX_USER")) {
		fmt.Fprintln(ts.Stdout(), d.Name)
	}
}

// cmdQueue checks how many messages the sandbox holds for the logged-in
// device: queue N, or queue -wait N to wait (10 s at most) until it does.
func cmdQueue(ts *testscript.TestScript, neg bool, args []string) {
	wait := len(args) == 2 && args[0] == "-wait"
	if wait {
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: queue [-wait] N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	st, err := session.Load(filepath.Join(ts.Getenv("XDG_CONFIG_HOME"), "pobox", session.FileName))
	ts.Check(err)
	srv := ts.Value(sandboxKey{}).(*sandbox.Server)
	queued := func() int {
		d, _ := srv.Device(st.DeviceID)
		return len(d.Queue)
	}
	if wait {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Wait(ctx, func() bool { return (queued() == want) != neg })
	}
	if got := queued(); (got == want) == neg {
		ts.Fatalf("the sandbox holds %d messages for the device (want %s%d)", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}
