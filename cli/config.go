package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/session"
	"pobox/ui"
)

// Defaults of the settings a user can change.
const (
	defaultAPIURL       = session.DefaultAPIURL
	defaultWSURL        = "wss://client.pushover.net/push"
	defaultBellInterval = 30 * time.Second
	defaultNotifyPrio   = 1

	serverDeleteAfterSync = "after-sync" // delete on Pushover once stored (Pushover's advice)
	serverDeleteManual    = "manual"     // only when the user presses D
)

// config is pobox's resolved configuration. Each setting comes from, in
// order of precedence: a flag, the environment, the config file, the
// default. Verbs get it from parseConfig.
type config struct {
	APIURL       string        // REST base URL
	WSURL        string        // websocket URL
	Theme        string        // theme name or file; "" = the built-in default
	ServerDelete string        // serverDeleteAfterSync or serverDeleteManual
	BellInterval time.Duration // emergency bell repeat; 0 = bell off
	Token        string        // publisher app token for `pobox send`
	User         string        // publisher user/group key for `pobox send`
	DeviceName   string        // device name `pobox login` proposes; "" = host name
	Hooks        []*hook       // [[hooks]]: commands the websocket's holder runs for new messages
	Serve        serveSettings // [serve]: pobox serve's listen address and limits
	// Width is how the terminal counts cells: auto (tmux and screen per
	// code point), grapheme or codepoint.
	Width sanitize.WidthMode
	// Notify is how new messages raise a desktop notification through
	// the terminal; NotifyPriority the lowest priority that does.
	Notify         ui.NotifyMode
	NotifyPriority int

	File        string // the config file that was read; "" if none
	ConfigDir   string // $XDG_CONFIG_HOME/pobox: config.toml, session.json
	DataDir     string // $XDG_DATA_HOME/pobox: the cache database
	StateDir    string // $XDG_STATE_HOME/pobox: log and lock files
	SessionPath string // ConfigDir/session.json
	CachePath   string // DataDir/cache.db
	LogPath     string // StateDir/pobox.log
	LockPath    string // StateDir/pobox.lock

	source map[*string]string // where a setting came from, for error messages
}

// fileConfig is config.toml. Keys not listed here are reported as unknown.
type fileConfig struct {
	APIURL       string       `toml:"api_url"`
	WSURL        string       `toml:"ws_url"`
	Theme        string       `toml:"theme"`
	ServerDelete string       `toml:"server_delete"`
	BellInterval any          `toml:"bell_interval"` // "30s", "off", false, or seconds
	Token        string       `toml:"token"`
	User         string       `toml:"user"`
	DeviceName   string       `toml:"device_name"`
	Width        string       `toml:"width"`           // auto, grapheme, codepoint
	Notify       string       `toml:"notify"`          // auto, osc9, osc777, osc99, bell, off
	NotifyPrio   *int         `toml:"notify_priority"` // -2..2
	Hooks        []hookConfig `toml:"hooks"`
	Serve        serveFile    `toml:"serve"`
}

// hookConfig is one [[hooks]] table: the command, and which messages.
type hookConfig struct {
	App         string `toml:"app"`          // exactly this app name
	MinPriority *int   `toml:"min_priority"` // -2..2
	Search      string `toml:"search"`       // every word, as pobox list --search
	Command     string `toml:"command"`      // run with sh -c, the message as JSON on stdin
	Timeout     string `toml:"timeout"`      // a duration; default 30s
}

// globalFlagNames are the root's persistent flags that settle the
// configuration; they work before and after the verb.
var globalFlagNames = []string{"api-url", "ws-url", "config", "theme"}

// parseConfig resolves the configuration of a verb from the global flags
// given on its command line, the environment and the config file.
func parseConfig(a *app, cmd *cobra.Command) (*config, error) {
	set := map[string]string{}
	for _, name := range globalFlagNames {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			set[name] = f.Value.String()
		}
	}
	return resolveConfig(a, set)
}

// resolveConfig merges flags (set: name -> value of the flags given),
// environment, config file and defaults, and checks the result.
func resolveConfig(a *app, set map[string]string) (*config, error) {
	c := &config{
		APIURL: defaultAPIURL, WSURL: defaultWSURL,
		ServerDelete: serverDeleteAfterSync, BellInterval: defaultBellInterval,
		Width: sanitize.Auto, Notify: ui.NotifyAuto, NotifyPriority: defaultNotifyPrio,
		source: map[*string]string{},
	}
	var err error
	if c.ConfigDir, err = xdgDir("XDG_CONFIG_HOME", ".config"); err != nil {
		return nil, err
	}
	if c.DataDir, err = xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share")); err != nil {
		return nil, err
	}
	if c.StateDir, err = xdgDir("XDG_STATE_HOME", filepath.Join(".local", "state")); err != nil {
		return nil, err
	}
	c.SessionPath = filepath.Join(c.ConfigDir, session.FileName)
	c.CachePath = filepath.Join(c.DataDir, "cache.db")
	c.LogPath = filepath.Join(c.StateDir, "pobox.log")
	c.LockPath = filepath.Join(c.StateDir, "pobox.lock")

	// The config file: --config, POBOX_CONFIG, or the default (optional).
	path, explicit := set["config"], true
	if path == "" {
		path = os.Getenv("POBOX_CONFIG")
	}
	if path == "" {
		path, explicit = filepath.Join(c.ConfigDir, "config.toml"), false
	}
	if err := c.readFile(a, path, explicit); err != nil {
		return nil, err
	}

	// Environment beats the file; flags beat both.
	for _, e := range []struct {
		env  string
		dst  *string
		flag string
	}{
		{"POBOX_API_URL", &c.APIURL, "api-url"},
		{"POBOX_WS_URL", &c.WSURL, "ws-url"},
		{"POBOX_THEME", &c.Theme, "theme"},
		{"POBOX_TOKEN", &c.Token, ""},
		{"POBOX_USER", &c.User, ""},
	} {
		if v := os.Getenv(e.env); v != "" {
			*e.dst, c.source[e.dst] = v, e.env
		}
		if v, ok := set[e.flag]; ok && e.flag != "" {
			*e.dst, c.source[e.dst] = v, "--"+e.flag
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// readFile applies the config file at path. A missing file is an error only
// when the user named it.
func (c *config) readFile(a *app, path string, explicit bool) error {
	var f fileConfig
	md, err := toml.DecodeFile(path, &f)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config file %s: %w: fix the file or point --config elsewhere", path, err)
	}
	c.File = path
	undecoded := md.Undecoded()
	keys := make([]string, 0, len(undecoded))
	for _, k := range undecoded {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(a.stderr, "pobox: warning: %s: unknown key %q ignored\n", path, k)
	}
	src := func(key string) string { return path + ": " + key }
	for _, s := range []struct {
		key, v string
		dst    *string
	}{
		{"api_url", f.APIURL, &c.APIURL}, {"ws_url", f.WSURL, &c.WSURL}, {"theme", f.Theme, &c.Theme},
		{"server_delete", f.ServerDelete, &c.ServerDelete}, {"token", f.Token, &c.Token},
		{"user", f.User, &c.User}, {"device_name", f.DeviceName, &c.DeviceName},
	} {
		if md.IsDefined(s.key) {
			*s.dst, c.source[s.dst] = s.v, src(s.key)
		}
	}
	for i, hc := range f.Hooks {
		h, err := hc.hook(i)
		if err != nil {
			return fmt.Errorf("%s: %w", src(fmt.Sprintf("hooks[%d]", i)), err)
		}
		c.Hooks = append(c.Hooks, h)
	}
	if err := c.Serve.read(md, f.Serve, src); err != nil {
		return err
	}
	if md.IsDefined("width") {
		m, err := sanitize.ParseWidthMode(f.Width)
		if err != nil {
			return fmt.Errorf("%s: %w", src("width"), err)
		}
		c.Width = m
	}
	if md.IsDefined("notify") {
		m, err := ui.ParseNotifyMode(f.Notify)
		if err != nil {
			return fmt.Errorf("%s: %w", src("notify"), err)
		}
		c.Notify = m
	}
	if md.IsDefined("notify_priority") {
		if p := *f.NotifyPrio; p < -2 || p > 2 {
			return fmt.Errorf("%s is %d: use -2 to 2", src("notify_priority"), p)
		}
		c.NotifyPriority = *f.NotifyPrio
	}
	if md.IsDefined("bell_interval") {
		d, err := parseBellInterval(f.BellInterval)
		if err != nil {
			return fmt.Errorf("%s: %w", src("bell_interval"), err)
		}
		c.BellInterval = d
	}
	return nil
}

// hook checks one [[hooks]] table (the i-th) and returns its hook.
func (hc hookConfig) hook(i int) (*hook, error) {
	h := &hook{Name: fmt.Sprintf("hooks[%d]", i), Command: strings.TrimSpace(hc.Command)}
	if h.Command == "" {
		return nil, errors.New(`command is missing: command = "notify-send \"$POBOX_TITLE\""`)
	}
	h.Filter.App, h.Filter.Search = hc.App, hc.Search
	if hc.MinPriority != nil {
		if p := *hc.MinPriority; p < -2 || p > 2 {
			return nil, fmt.Errorf("min_priority is %d: use -2 to 2", p)
		}
		h.Filter.MinPriority = cache.AtLeast(*hc.MinPriority)
	}
	if hc.Timeout != "" {
		d, err := time.ParseDuration(hc.Timeout)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("timeout %q is not a positive duration such as \"30s\"", hc.Timeout)
		}
		h.Timeout = d
	}
	return h, nil
}

// parseBellInterval accepts a duration ("30s", "2m"), "off" or false (no
// bell), or a number of seconds.
func parseBellInterval(v any) (time.Duration, error) {
	switch v := v.(type) {
	case bool:
		if !v {
			return 0, nil
		}
		return defaultBellInterval, nil
	case int64:
		if v >= 0 {
			return time.Duration(v) * time.Second, nil
		}
	case string:
		if s := strings.TrimSpace(strings.ToLower(v)); s == "off" || s == "none" || s == "0" {
			return 0, nil
		}
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil && d >= 0 {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%v is not a bell interval: use a duration such as \"30s\", or \"off\"", v)
}

// check validates the final settings; an error names where the bad value
// came from (a flag, a variable or a config file key).
func (c *config) check() error {
	from := func(field *string, name string) string {
		if s := c.source[field]; s != "" {
			return s
		}
		return name
	}
	if err := session.CheckAPIURL(c.APIURL); err != nil {
		return fmt.Errorf("%s: %w", from(&c.APIURL, "api_url"), err)
	}
	if err := session.CheckWSURL(c.WSURL); err != nil {
		return fmt.Errorf("%s: %w", from(&c.WSURL, "ws_url"), err)
	}
	if c.ServerDelete != serverDeleteAfterSync && c.ServerDelete != serverDeleteManual {
		return fmt.Errorf("%s is %q: use %q or %q", from(&c.ServerDelete, "server_delete"), c.ServerDelete,
			serverDeleteAfterSync, serverDeleteManual)
	}
	if c.DeviceName != "" {
		if err := session.CheckDeviceName(c.DeviceName); err != nil {
			return fmt.Errorf("%s: %w", from(&c.DeviceName, "device_name"), err)
		}
	}
	return nil
}

// client returns a REST client for the configured API URL.
func (c *config) client() (*session.Client, error) {
	return session.New(c.APIURL, session.Options{Version: version})
}

// xdgDir returns $env/pobox, or ~/fallback/pobox when env is unset or not
// an absolute path (the XDG spec says to ignore relative ones).
func xdgDir(env, fallback string) (string, error) {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pobox"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory (%w): set %s", err, env)
	}
	return filepath.Join(home, fallback, "pobox"), nil
}

// ensurePrivateDir creates dir (and parents) readable only by the user.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}
