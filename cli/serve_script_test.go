package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	gossh "golang.org/x/crypto/ssh"
)

// cmdSSHKey makes an ed25519 key pair for sshc: sshkey NAME writes
// NAME.key and NAME.pub (the authorized_keys line).
func cmdSSHKey(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: sshkey NAME")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	ts.Check(err)
	block, err := gossh.MarshalPrivateKey(priv, "")
	ts.Check(err)
	signer, err := gossh.NewSignerFromKey(priv)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".key"), pem.EncodeToMemory(block), 0o600))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".pub"), gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644))
}

var serveStarted = regexp.MustCompile(`msg="serve started" addr=(\S+)`)

// cmdSSHC runs a command on the pobox serve whose start the log records
// last, as the holder of a key made by sshkey: sshc NAME ARGS... Its
// output becomes the script's stdout and stderr; it fails on a non-zero
// exit status or a refused login (! sshc expects one of them). The host
// key must be the one in the state directory.
func cmdSSHC(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: sshc NAME ARGS...")
	}
	log, err := os.ReadFile(filepath.Join(ts.Getenv("XDG_STATE_HOME"), "pobox", "pobox.log"))
	ts.Check(err)
	m := serveStarted.FindAllSubmatch(log, -1)
	if len(m) == 0 {
		ts.Fatalf("no pobox serve has started")
	}
	addr := string(m[len(m)-1][1])
	hostPub, err := os.ReadFile(filepath.Join(ts.Getenv("XDG_STATE_HOME"), "pobox", hostKeyFile+".pub"))
	ts.Check(err)
	hostKey, _, _, _, err := gossh.ParseAuthorizedKey(hostPub)
	ts.Check(err)
	keyPEM, err := os.ReadFile(ts.MkAbs(args[0] + ".key"))
	ts.Check(err)
	signer, err := gossh.ParsePrivateKey(keyPEM)
	ts.Check(err)

	fail := func(format string, a ...any) {
		if !neg {
			ts.Fatalf(format, a...)
		}
		ts.Logf(format, a...)
	}
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "me", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(hostKey), Timeout: 10 * time.Second,
	})
	if err != nil {
		fmt.Fprintln(ts.Stderr(), err)
		fail("%v", err)
		return
	}
	defer c.Close()
	sess, err := c.NewSession()
	ts.Check(err)
	defer sess.Close()
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	quoted := make([]string, len(args)-1)
	for i, a := range args[1:] {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	ran := make(chan error, 1)
	go func() { ran <- sess.Run(strings.Join(quoted, " ")) }()
	select {
	case err = <-ran:
	case <-time.After(30 * time.Second):
		ts.Fatalf("sshc %s: still running after 30s", strings.Join(args[1:], " "))
	}
	_, _ = ts.Stdout().Write(out.Bytes())
	_, _ = ts.Stderr().Write(errOut.Bytes())
	var ee *gossh.ExitError
	switch {
	case err == nil:
		if neg {
			ts.Fatalf("sshc %s: exit 0, want a failure", strings.Join(args[1:], " "))
		}
	case errors.As(err, &ee):
		fail("sshc %s: exit %d", strings.Join(args[1:], " "), ee.ExitStatus())
	default:
		ts.Fatalf("sshc %s: %v", strings.Join(args[1:], " "), err)
	}
}
