package serve

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestControlFilter(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "ID  TITLE\n1   héllo 日本\tx\n", "ID  TITLE\n1   héllo 日本\tx\n"},
		{"CSI whole", "a\x1b[2Jb\x1b[38;5;1mc", "abc"},
		{"OSC with BEL", "a\x1b]52;c;ZXZpbA==\x07b", "ab"},
		{"OSC with ST", "a\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"other ESC", "a\x1bcb\x1b7c", "abc"},
		{"C0 and DEL", "a\x07\x08\rb\x7fc\x00", "abc"},
		{"C1", "a\u009b2Jb\u0085c", "a2Jbc"},
		{"latin-1 kept", "é\u00a0ü", "é\u00a0ü"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Whole, and a byte a write: the state crosses writes.
			for _, step := range []int{len(c.in), 1} {
				var out bytes.Buffer
				f := newControlFilter(&out)
				for i := 0; i < len(c.in); i += step {
					n, err := f.Write([]byte(c.in[i:min(i+step, len(c.in))]))
					if err != nil || n != min(step, len(c.in)-i) {
						t.Fatalf("Write = %d, %v", n, err)
					}
				}
				if out.String() != c.want {
					t.Errorf("step %d: %q, want %q", step, out.String(), c.want)
				}
			}
		})
	}
}

func TestFilterEnv(t *testing.T) {
	env := []string{"TERM=xterm", "COLORTERM=truecolor", "NO_COLOR=1", "LANG=C.UTF-8", "LD_PRELOAD=/tmp/x.so",
		"PATH=/tmp", "LANG=de_DE.UTF-8", "POBOX_API_URL=http://evil", "broken"}
	for _, c := range []struct {
		name   string
		hasPty bool
		want   []string
	}{
		{"no pty", false, []string{"TERM=xterm", "COLORTERM=truecolor", "NO_COLOR=1", "LANG=C.UTF-8"}},
		// With a pty TERM comes from the pty request, not from SetEnv.
		{"pty", true, []string{"COLORTERM=truecolor", "NO_COLOR=1", "LANG=C.UTF-8"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := filterEnv(env, c.hasPty); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestLoadAuthorizedKeys(t *testing.T) {
	a, b := newSigner(t), newSigner(t)
	line := func(s gossh.Signer) string {
		return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	}
	for _, c := range []struct {
		name     string
		content  string
		mode     os.FileMode
		allowA   bool
		allowB   bool
		problems int
		err      string
	}{
		{name: "OK", content: line(a) + " me@laptop\n", mode: 0o600, allowA: true},
		{name: "OK comments and blanks", content: "# keys\n\n  " + line(b) + "\n", mode: 0o644, allowB: true},
		{name: "ErrOptions skipped", content: `from="10.0.0.1" ` + line(a) + "\n" + line(b) + "\n", mode: 0o600, allowB: true, problems: 1},
		{name: "ErrCommand skipped", content: `command="/bin/sh" ` + line(a) + "\n", mode: 0o600, problems: 1},
		{name: "ErrGarbage skipped", content: "ssh-ed25519 AAAAnotakey\n" + line(a) + "\n", mode: 0o600, allowA: true, problems: 1},
		{name: "ErrWritableByOthers", content: line(a) + "\n", mode: 0o666, err: "chmod 600"},
		{name: "ErrWritableByGroup", content: line(a) + "\n", mode: 0o620, err: "chmod 600"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "authorized_keys")
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, c.mode); err != nil {
				t.Fatal(err)
			}
			ak, err := loadAuthorizedKeys(path)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				if ak.allows(a.PublicKey()) {
					t.Fatal("a refused file let a key in")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ak.allows(a.PublicKey()) != c.allowA || ak.allows(b.PublicKey()) != c.allowB || len(ak.problems) != c.problems {
				t.Errorf("allows a %v b %v, problems %q; want %v %v and %d",
					ak.allows(a.PublicKey()), ak.allows(b.PublicKey()), ak.problems, c.allowA, c.allowB, c.problems)
			}
		})
	}
	ak, err := loadAuthorizedKeys(filepath.Join(t.TempDir(), "none"))
	if err != nil || len(ak.keys) != 0 || ak.allows(a.PublicKey()) || ak.allows(nil) {
		t.Errorf("a missing file: %v, %d keys; want no error and nobody", err, len(ak.keys))
	}
}
