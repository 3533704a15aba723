package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConfigFile: whatever config.toml holds, reading it never panics; it
// is either accepted with settings that pass the checks, or refused with an
// error that names the file. Every value read is then one pobox can use.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"",
		`api_url = "https://api.pushover.net"` + "\n" + `theme = "mono"` + "\n" + `bell_interval = "off"`,
		`bell_interval = 45`,
		`bell_interval = false`,
		`server_delete = "manual"`,
		"[[hooks]]\napp = \"Backups\"\nmin_priority = 1\ncommand = \"true\"\ntimeout = \"2s\"",
		"[[hooks]]\ncommand = \"\"",
		"unknown = 1\n[table]\nx = [1, 2]",
		"api_url = 7",
		"bell_interval = \"-3s\"",
		"ws_url = \"ws://example.com/push\"",
		"= broken",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
		t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
		t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
		for _, env := range []string{"POBOX_CONFIG", "POBOX_API_URL", "POBOX_WS_URL", "POBOX_THEME", "POBOX_TOKEN", "POBOX_USER"} {
			t.Setenv(env, "")
		}
		var stderr bytes.Buffer
		c, err := resolveConfig(&app{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr}, map[string]string{"config": path})
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the error does not name the file: %v", err)
			}
			return
		}
		if err := c.check(); err != nil {
			t.Fatalf("accepted settings fail their own check: %v", err)
		}
		if c.BellInterval < 0 {
			t.Fatalf("bell interval %v", c.BellInterval)
		}
		for _, h := range c.Hooks {
			if h == nil {
				t.Fatal("nil hook accepted")
			}
		}
	})
}
