package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"pobox/sandbox"
	"pobox/session"
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
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, global: global}
	fs := newFlagSet(a, "test", "test", "pobox test")
	cfg, err := parseConfig(a, fs, args)
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
		{"AfterBeatsBefore", nil, []string{"--api-url=https://before.example"}, []string{"-api-url", "https://after.example"},
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
			if cfg.File != path || cfg.ServerDelete != "manual" || cfg.BellInterval != 0 || cfg.User != "fileuser" || cfg.DeviceName != "desk" {
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
		{"DeviceName", `device_name = "my laptop"`, nil, nil, "device_name"},
		{"FileAPIURL", `api_url = "http://api.example.com"`, nil, nil, "config.toml: api_url"},
		{"EnvAPIURL", "", map[string]string{"POBOX_API_URL": "http://10.1.2.3"}, nil, "POBOX_API_URL"},
		{"EnvWSURL", "", map[string]string{"POBOX_WS_URL": "https://x.example"}, nil, "POBOX_WS_URL"},
		{"FlagAPIURL", "", nil, []string{"--api-url", "ftp://x"}, "--api-url"},
		{"FlagWithoutValue", "", nil, []string{"--api-url"}, "flag needs an argument"},
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
	var out bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &out}
	_, err := parseConfig(a, newFlagSet(a, "test", "test", "pobox test"), []string{"--help"})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v", err)
	}
	for _, f := range []string{"-api-url", "-ws-url", "-config", "POBOX_API_URL"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("--help lacks %s:\n%s", f, out.String())
		}
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

func TestSplitGlobalFlags(t *testing.T) {
	tests := []struct {
		args         []string
		global, rest []string
		err          bool
	}{
		{[]string{"send", "x"}, nil, []string{"send", "x"}, false},
		{[]string{"--api-url", "U", "send", "x"}, []string{"--api-url", "U"}, []string{"send", "x"}, false},
		{[]string{"-ws-url=W", "--config", "C", "login"}, []string{"-ws-url=W", "--config", "C"}, []string{"login"}, false},
		{[]string{"--api-url", "U"}, []string{"--api-url", "U"}, nil, false},
		{[]string{"--help"}, nil, []string{"--help"}, false},
		{[]string{"--title", "T", "send"}, nil, []string{"--title", "T", "send"}, false},
		{[]string{"--api-url"}, nil, nil, true},
	}
	for _, tt := range tests {
		global, rest, err := splitGlobalFlags(tt.args)
		if (err != nil) != tt.err || !slices.Equal(global, tt.global) || !slices.Equal(rest, tt.rest) {
			t.Errorf("splitGlobalFlags(%q) = %q, %q, %v; want %q, %q, err=%v", tt.args, global, rest, err, tt.global, tt.rest, tt.err)
		}
	}
}

// The command-line tests: testdata/script/*.txtar run `pobox` (this test
// binary, registered below) against a sandbox started for each script.
// Every script gets these variables:
//
//	POBOX_API_URL, POBOX_WS_URL   the sandbox
//	SANDBOX_EMAIL, SANDBOX_PASSWORD, SANDBOX_TOKEN, SANDBOX_USER   its demo account and app
//	SANDBOX_2FA_EMAIL, SANDBOX_2FA_CODE   an account with two-factor (same password)
//	HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME   under $WORK
//
// and these commands: `mode PATH PERM`, `secret` (sets $SECRET from the
// stored session), `nosecret DIR...` (no file but session.json holds
// $SECRET) and `devices` (the demo account's device names on the server).
func TestMain(m *testing.M) {
	// No test may read from a real terminal, even when run from one.
	openTerminal = func(*app) (terminal, func()) { return nil, nil }
	testscript.Main(m, map[string]func(){"pobox": main})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join("testdata", "script"),
		Setup: scriptSetup,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mode": cmdMode, "secret": cmdSecret, "nosecret": cmdNoSecret, "devices": cmdDevices,
			"queue": cmdQueue, "capture": cmdCapture, "waitfile": cmdWaitFile, "receipt": cmdReceipt, "online": cmdOnline,
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
		if !errors.Is(err, fs.ErrNotExist) {
			ts.Check(err)
		}
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
