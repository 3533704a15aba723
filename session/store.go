package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileName is the session file's name inside pobox's config directory.
const FileName = "session.json"

// Stored is the login kept on disk between runs. The password is never
// part of it.
type Stored struct {
	Email      string    `json:"email,omitempty"` // the account's e-mail, for `pobox status`
	UserKey    string    `json:"user_key"`
	Secret     Secret    `json:"secret"`
	DeviceID   string    `json:"device_id"`
	DeviceName string    `json:"device_name"`
	APIURL     string    `json:"api_url"`
	WSURL      string    `json:"ws_url"`
	Created    time.Time `json:"created"`
}

// ErrNoSession reports that no login is stored; it matches fs.ErrNotExist
// too.
var ErrNoSession error = noSession{}

type noSession struct{}

func (noSession) Error() string        { return "session: not logged in: run `pobox login` first" }
func (noSession) Is(target error) bool { return target == fs.ErrNotExist }

// PermissionError reports a session file (or its directory) that other
// users could read; Fix is the command that repairs it.
type PermissionError struct {
	Path string
	Mode fs.FileMode
	Fix  string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("session: %s can be read by other users (mode %04o), so pobox will not use it: fix it with `%s`",
		e.Path, e.Mode.Perm(), e.Fix)
}

// Load reads the session file at path. A missing file gives ErrNoSession;
// a file that group or others can access gives a *PermissionError naming
// the chmod that fixes it.
func Load(path string) (*Stored, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("session: read the stored login: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("session: read the stored login: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, &PermissionError{Path: path, Mode: fi.Mode(), Fix: "chmod 600 " + shellQuote(path)}
	}
	var s Stored
	dec := json.NewDecoder(f)
	if err := dec.Decode(&s); err != nil {
		// The decoder's message may quote file content: do not include it.
		return nil, fmt.Errorf("session: %s is damaged: log in again with `pobox login`", path)
	}
	if s.UserKey == "" || s.Secret == "" || s.DeviceID == "" {
		return nil, fmt.Errorf("session: %s is incomplete: log in again with `pobox login`", path)
	}
	return &s, nil
}

// beforeRename lets tests observe Save between writing the temporary file
// and renaming it.
var beforeRename = func(tmp string) error { return nil }

// Save writes s to path atomically: a private temporary file in the same
// directory, synced, then renamed over the old file, so a crash leaves
// either the old login or the new one. The directory is made 0700 and the
// file 0600.
func Save(path string, s *Stored) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("session: make %s private: %w", dir, err)
		}
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".session-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	if err := beforeRename(tmp.Name()); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("session: save the login: %w", err)
	}
	done = true
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable; failure only weakens crash safety.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Remove deletes the session file. A missing file gives ErrNoSession.
func Remove(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNoSession
	}
	if err != nil {
		return fmt.Errorf("session: forget the login: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// shellQuote quotes p for a POSIX shell when it needs it.
func shellQuote(p string) string {
	if p != "" && strings.IndexFunc(p, func(r rune) bool {
		return !(nameRune(r) || strings.ContainsRune("/.,:+=@%", r))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
