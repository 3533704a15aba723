package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/ui"
)

// configEnv points every XDG directory and POBOX_* variable of this test at
// a temporary directory and returns it.
func configEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", filepath.Join(dir, "home"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	for _, v := range []string{"POBOX_API_URL", "POBOX_WS_URL", "POBOX_CONFIG", "POBOX_THEME", "POBOX_TOKEN", "POBOX_USER"} {
		t.Setenv(v, "")
	}
	return dir
}

func writeConfig(t *testing.T, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, "config", "pobox", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parseTest runs parseConfig as a verb would, with global flags given
// before the verb (global) and after it (args).
func parseTest(t *testing.T, global, args []string) (*config, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	root := newRootCmd(a)
	var cfg *config
	var err error
	root.AddCommand(&cobra.Command{Use: "test", RunE: func(cmd *cobra.Command, args []string) error {
		cfg, err = parseConfig(a, cmd)
		return nil
	}})
	root.SetArgs(append(append(append([]string(nil), global...), "test"), args...))
	if xerr := root.Execute(); xerr != nil {
		return nil, errOut.String(), xerr
	}
	return cfg, errOut.String(), err
}

func TestConfigDefaults(t *testing.T) {
	dir := configEnv(t)
	cfg, warn, err := parseTest(t, nil, nil)
	if err != nil || warn != "" {
		t.Fatalf("err %v, warnings %q", err, warn)
	}
	want := &config{
		APIURL: "https://api.pushover.net", WSURL: "wss://client.pushover.net/push",
		ServerDelete: "after-sync", BellInterval: 30 * time.Second,
		Width: sanitize.Auto, Notify: ui.NotifyAuto, NotifyPriority: 1,
		ConfigDir:   filepath.Join(dir, "config", "pobox"),
		DataDir:     filepath.Join(dir, "data", "pobox"),
		StateDir:    filepath.Join(dir, "state", "pobox"),
		SessionPath: filepath.Join(dir, "config", "pobox", "session.json"),
		CachePath:   filepath.Join(dir, "data", "pobox", "cache.db"),
		LogPath:     filepath.Join(dir, "state", "pobox", "pobox.log"),
		LockPath:    filepath.Join(dir, "state", "pobox", "pobox.lock"),
	}
	cfg.source = nil
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestConfigXDGFallback(t *testing.T) {
	dir := configEnv(t)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_DATA_HOME", "relative/ignored") // the XDG spec: only absolute paths count
	t.Setenv("XDG_STATE_HOME", "")
	cfg, _, err := parseTest(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	for got, want := range map[string]string{
		cfg.ConfigDir: filepath.Join(home, ".config", "pobox"),
		cfg.DataDir:   filepath.Join(home, ".local", "share", "pobox"),
		cfg.StateDir:  filepath.Join(home, ".local", "state", "pobox"),
	} {
		if got != want {
			t.Errorf("dir %s, want %s", got, want)
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	const file = `
api_url = "https://file.example"
ws_url = "wss://file.example/push"
theme = "mono"
server_delete = "manual"
bell_interval = "off"
token = "filetoken"
user = "fileuser"
device_name = "desk"
width = "codepoint"
notify = "osc9"
notify_priority = 2
`
	tests := []struct {
		name         string
		env          map[string]string
		global, args []string
		api, ws      string
		token, theme string
	}{
		{"File", nil, nil, nil, "https://file.example", "wss://file.example/push", "filetoken", "mono"},
		{"EnvBeatsFile", map[string]string{"POBOX_API_URL": "https://env.example", "POBOX_WS_URL": "wss://env.example/push",
			"POBOX_TOKEN": "envtoken", "POBOX_THEME": "high-contrast"}, nil, nil,
			"https://env.example", "wss://env.example/push", "envtoken", "high-contrast"},
		{"FlagAfterVerbBeatsEnv", map[string]string{"POBOX_API_URL": "https://env.example"}, nil,
			[]string{"--api-url", "http://127.0.0.1:9", "--ws-url=ws://[::1]:9/push"},
			"http://127.0.0.1:9", "ws://[::1]:9/push", "filetoken", "mono"},
		{"FlagBeforeVerbBeatsEnv", map[string]string{"POBOX_API_URL": "https://env.example"},
			[]string{"--api-url", "https://before.example"}, nil, "https://before.example", "wss://file.example/push", "filetoken", "mono"},
		{"FlagHidesBadEnv", map[string]string{"POBOX_API_URL": "http://not-loopback.example"}, nil,
			[]string{"--api-url", "https://flag.example"}, "https://flag.example", "wss://file.example/push", "filetoken", "mono"},
		{"AfterBeatsBefore", nil, []string{"--api-url=https://before.example"}, []string{"--api-url", "https://after.example"},
			"https://after.example", "wss://file.example/push", "filetoken", "mono"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configEnv(t)
			path := writeConfig(t, dir, file)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, warn, err := parseTest(t, tt.global, tt.args)
			if err != nil || warn != "" {
				t.Fatalf("err %v, warnings %q", err, warn)
			}
			if cfg.APIURL != tt.api || cfg.WSURL != tt.ws || cfg.Token != tt.token || cfg.Theme != tt.theme {
				t.Errorf("api %q ws %q token %q theme %q; want %q %q %q %q",
					cfg.APIURL, cfg.WSURL, cfg.Token, cfg.Theme, tt.api, tt.ws, tt.token, tt.theme)
			}
			if cfg.File != path || cfg.ServerDelete != "manual" || cfg.BellInterval != 0 || cfg.User != "fileuser" || cfg.DeviceName != "desk" ||
				cfg.Width != sanitize.Codepoint || cfg.Notify != ui.NotifyOSC9 || cfg.NotifyPriority != 2 {
				t.Errorf("file settings lost: %+v", cfg)
			}
		})
	}
}

func TestConfigFileChoice(t *testing.T) {
	dir := configEnv(t)
	writeConfig(t, dir, `theme = "default-file"`)
	other := filepath.Join(dir, "other.toml")
	os.WriteFile(other, []byte(`theme = "other-file"`), 0o600)

	cfg, _, err := parseTest(t, nil, []string{"--config", other})
	if err != nil || cfg.Theme != "other-file" || cfg.File != other {
		t.Errorf("--config: %+v, %v", cfg, err)
	}
	t.Setenv("POBOX_CONFIG", other)
	if cfg, _, err = parseTest(t, nil, nil); err != nil || cfg.Theme != "other-file" {
		t.Errorf("POBOX_CONFIG: %+v, %v", cfg, err)
	}
	if _, _, err = parseTest(t, nil, []string{"--config", filepath.Join(dir, "missing.toml")}); err == nil ||
		!strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("a named config file that is missing: %v", err)
	}
}

func TestConfigUnknownKeys(t *testing.T) {
	dir := configEnv(t)
	path := writeConfig(t, dir, "colour = \"red\"\ntheme = \"mono\"\n[ui]\nfoo = 1\n")
	cfg, warn, err := parseTest(t, nil, nil)
	if err != nil || cfg.Theme != "mono" {
		t.Fatalf("%+v, %v", cfg, err)
	}
	for _, key := range []string{`unknown key "colour"`, `unknown key "ui.foo"`, path} {
		if !strings.Contains(warn, key) {
			t.Errorf("warnings %q lack %q", warn, key)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		args       []string
		want       string // in the error
	}{
		{"TOMLSyntax", "theme = \n", nil, nil, "config.toml"},
		{"WrongType", "theme = 3\n", nil, nil, "theme"},
		{"ServerDelete", `server_delete = "sometimes"`, nil, nil, `config.toml: server_delete`},
		{"BellInterval", `bell_interval = "soon"`, nil, nil, "bell_interval"},
		{"Width", `width = "pixels"`, nil, nil, "config.toml: width"},
		{"Notify", `notify = "email"`, nil, nil, "config.toml: notify"},
		{"NotifyPriority", `notify_priority = 5`, nil, nil, "notify_priority is 5"},
		{"DeviceName", `device_name = "my laptop"`, nil, nil, "device_name"},
		{"FileAPIURL", `api_url = "http://api.example.com"`, nil, nil, "config.toml: api_url"},
		{"EnvAPIURL", "", map[string]string{"POBOX_API_URL": "http://10.1.2.3"}, nil, "POBOX_API_URL"},
		{"EnvWSURL", "", map[string]string{"POBOX_WS_URL": "https://x.example"}, nil, "POBOX_WS_URL"},
		{"FlagAPIURL", "", nil, []string{"--api-url", "ftp://x"}, "--api-url"},
		{"FlagWithoutValue", "", nil, []string{"--api-url"}, "flag needs an argument"},
		{"HookWithoutCommand", "[[hooks]]\napp = \"x\"\n", nil, nil, "hooks[0]: command is missing"},
		{"HookPriority", "[[hooks]]\ncommand = \"true\"\nmin_priority = 3\n", nil, nil, "min_priority is 3"},
		{"HookTimeout", "[[hooks]]\ncommand = \"true\"\ntimeout = \"soon\"\n", nil, nil, "timeout \"soon\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configEnv(t)
			if tt.file != "" {
				writeConfig(t, dir, tt.file)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, _, err := parseTest(t, nil, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestConfigHelpListsGlobalFlags(t *testing.T) {
	configEnv(t)
	for _, args := range [][]string{{"--help"}, {"list", "--help"}} {
		var out bytes.Buffer
		if code := run(context.Background(), &app{stdin: strings.NewReader(""), stdout: &out, stderr: &out}, args); code != 0 {
			t.Fatalf("%q: exit %d", args, code)
		}
		for _, f := range []string{"--api-url", "--ws-url", "--config", "--theme", "POBOX_API_URL"} {
			if !strings.Contains(out.String(), f) {
				t.Errorf("%q lacks %s:\n%s", args, f, out.String())
			}
		}
	}
}

func TestConfigHooks(t *testing.T) {
	dir := configEnv(t)
	writeConfig(t, dir, `
[[hooks]]
command = "notify-send \"$POBOX_TITLE\""

[[hooks]]
app = "backup"
min_priority = 1
search = "failed"
command = "page-me"
timeout = "5s"
`)
	cfg, warn, err := parseTest(t, nil, nil)
	if err != nil || warn != "" {
		t.Fatalf("err %v, warnings %q", err, warn)
	}
	if len(cfg.Hooks) != 2 {
		t.Fatalf("hooks %+v", cfg.Hooks)
	}
	h0, h1 := cfg.Hooks[0], cfg.Hooks[1]
	if h0.Command != `notify-send "$POBOX_TITLE"` || h0.Timeout != 0 || h0.Filter.Filter != (cache.Filter{}) || h0.Name != "hooks[0]" {
		t.Errorf("hooks[0] = %+v", h0)
	}
	if h1.Command != "page-me" || h1.Timeout != 5*time.Second || h1.Filter.App != "backup" || h1.Filter.Search != "failed" ||
		h1.Filter.MinPriority == nil || *h1.Filter.MinPriority != 1 {
		t.Errorf("hooks[1] = %+v", h1)
	}
}

func TestParseBellInterval(t *testing.T) {
	tests := []struct {
		in   any
		want time.Duration
		ok   bool
	}{
		{"30s", 30 * time.Second, true}, {"2m", 2 * time.Minute, true}, {"off", 0, true}, {"OFF", 0, true},
		{"0", 0, true}, {false, 0, true}, {true, 30 * time.Second, true}, {int64(45), 45 * time.Second, true},
		{"soon", 0, false}, {"-5s", 0, false}, {int64(-1), 0, false}, {1.5, 0, false},
	}
	for _, tt := range tests {
		got, err := parseBellInterval(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseBellInterval(%#v) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
