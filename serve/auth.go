package serve

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// authorizedKeys is the parsed authorized_keys file: the keys that may
// log in, and what was wrong with the lines that were skipped.
type authorizedKeys struct {
	keys     []gossh.PublicKey
	problems []string // one sentence a skipped line, for the log and the start
}

// loadAuthorizedKeys reads an OpenSSH authorized_keys file. A missing file
// is no keys (nobody gets in), not an error. Lines with options
// (from=, command=, cert-authority, ...) are skipped: pobox serve honours
// none of them, and ignoring a restriction would let in more than the
// line says. A file that others may write is refused whole, as sshd's
// StrictModes does.
func loadAuthorizedKeys(path string) (authorizedKeys, error) {
	var ak authorizedKeys
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ak, nil
	}
	if err != nil {
		return ak, fmt.Errorf("read %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return ak, fmt.Errorf("%s may be written by other users (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ak, fmt.Errorf("read %s: %w", path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 16<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, opts, _, err := gossh.ParseAuthorizedKey([]byte(line))
		switch {
		case err != nil:
			ak.problems = append(ak.problems, fmt.Sprintf("%s line %d is not a public key (%v): skipped", path, n, err))
		case len(opts) > 0:
			ak.problems = append(ak.problems, fmt.Sprintf("%s line %d has options (%s), which pobox serve does not support: skipped",
				path, n, strings.Join(opts, ",")))
		default:
			ak.keys = append(ak.keys, key)
		}
	}
	if err := sc.Err(); err != nil {
		return ak, fmt.Errorf("read %s: %w", path, err)
	}
	return ak, nil
}

// allows reports whether key is one of the authorised keys.
func (ak authorizedKeys) allows(key gossh.PublicKey) bool {
	if key == nil {
		return false
	}
	b := key.Marshal()
	ok := false
	for _, k := range ak.keys {
		// Compare every key, in constant time, as ssh.KeysEqual does.
		if subtle.ConstantTimeCompare(b, k.Marshal()) == 1 {
			ok = true
		}
	}
	return ok
}

// fingerprint is a key's SHA256 fingerprint as ssh-keygen -l prints it,
// or "" for no key.
func fingerprint(key gossh.PublicKey) string {
	if key == nil {
		return ""
	}
	return gossh.FingerprintSHA256(key)
}
