package session

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testStored() *Stored {
	return &Stored{UserKey: testUser, Secret: testSecret, DeviceID: "dev1", DeviceName: "laptop",
		APIURL: "http://127.0.0.1:1", WSURL: "ws://127.0.0.1:1/push", Created: time.Unix(1700000000, 0).UTC()}
}

func TestSaveLoadRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "pobox")
	path := filepath.Join(dir, FileName)
	want := testStored()
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	for p, mode := range map[string]fs.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %04o, want %04o", p, fi.Mode().Perm(), mode)
		}
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *want {
		t.Errorf("Load = %+v, want %+v", got, want)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(strings.ToLower(string(raw)), "password") {
		t.Errorf("session file mentions a password: %s", raw)
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrNoSession) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load after Remove: %v, want ErrNoSession", err)
	}
	if err := Remove(path); !errors.Is(err, ErrNoSession) {
		t.Errorf("second Remove: %v, want ErrNoSession", err)
	}
}

func TestSaveTightensDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pobox")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Save(filepath.Join(dir, FileName), testStored()); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %04o, want 0700", fi.Mode().Perm())
	}
}

func TestLoadRefusesReadableFile(t *testing.T) {
	for _, mode := range []fs.FileMode{0o644, 0o640, 0o604, 0o660} {
		dir := filepath.Join(t.TempDir(), "with space")
		path := filepath.Join(dir, FileName)
		if err := Save(path, testStored()); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		var pe *PermissionError
		if !errors.As(err, &pe) {
			t.Fatalf("mode %04o: err %v, want *PermissionError", mode, err)
		}
		wantFix := "chmod 600 '" + path + "'"
		if pe.Fix != wantFix || !strings.Contains(err.Error(), wantFix) {
			t.Errorf("fix %q, message %q; want %q", pe.Fix, err, wantFix)
		}
		if strings.Contains(err.Error(), testSecret.Reveal()) {
			t.Errorf("message shows the secret")
		}
	}
}

func TestLoadDamaged(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage":    testSecret.Reveal() + "{not json",
		"incomplete": `{"user_key":"u"}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), "pobox login") || strings.Contains(err.Error(), testSecret.Reveal()) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// TestSaveIsAtomic checks that while the new file is written the old one is
// untouched, that the temporary file is private, and that a failure leaves
// the old login and no temporary file behind.
func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	old := testStored()
	if err := Save(path, old); err != nil {
		t.Fatal(err)
	}
	next := testStored()
	next.DeviceName = "desktop"
	failure := errors.New("disk full")
	t.Cleanup(func() { beforeRename = func(string) error { return nil } })

	beforeRename = func(tmp string) error {
		if filepath.Dir(tmp) != dir {
			t.Errorf("temporary file %s is not beside the session file", tmp)
		}
		if fi, err := os.Stat(tmp); err != nil {
			t.Errorf("temporary file: %v", err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("temporary file mode %v, want 0600", fi.Mode().Perm())
		}
		if got, err := Load(path); err != nil || got.DeviceName != "laptop" {
			t.Errorf("old file during the write: %+v, %v", got, err)
		}
		return failure
	}
	if err := Save(path, next); !errors.Is(err, failure) {
		t.Fatalf("Save = %v, want the injected failure", err)
	}
	if got, err := Load(path); err != nil || got.DeviceName != "laptop" {
		t.Errorf("after a failed save: %+v, %v; want the old login", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only %s", len(entries), FileName)
	}

	beforeRename = func(string) error { return nil }
	if err := Save(path, next); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(path); err != nil || got.DeviceName != "desktop" {
		t.Errorf("after a good save: %+v, %v", got, err)
	}
}
