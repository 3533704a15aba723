package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
	"pobox/themes"
	"pobox/ui"
)

// runInbox is `pobox` with no verb: the inbox, or the login screen first
// when no login is stored.
func runInbox(ctx context.Context, a *app, cmd *cobra.Command) error {
	cfg, err := parseConfig(a, cmd)
	if err != nil {
		return err
	}
	th, err := themes.Load(cfg.Theme, cfg.ConfigDir)
	if err != nil {
		return err
	}
	if err := needTerminal(a); err != nil {
		return err
	}
	styles := newStyles(th)
	log, closeLog, err := openLog(cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer closeLog.Close()

	// Widths as the terminal counts them (per code point inside tmux and
	// screen), for every view, before anything is measured.
	sanitize.SetWidthMode(cfg.Width)
	width := cfg.Width.Resolve(os.Getenv)
	prio := cfg.NotifyPriority
	opts := ui.Options{
		Styles:         styles,
		Title:          "pobox",
		Width:          &width,
		BellInterval:   uiBell(cfg.BellInterval),
		Notify:         cfg.Notify,
		NotifyPriority: &prio,
		Opener:         systemOpener(),
	}
	var running struct {
		db     *cache.DB
		en     *inboxsync.Engine
		hooks  *hookRunner
		client *session.Client // of the stored login, not the login screen's
	}
	stop := func() {
		// The engine first: it writes to the cache and feeds the hooks.
		if running.en != nil {
			running.en.Close()
		}
		running.hooks.Close()
		if running.db != nil {
			running.db.Close()
		}
		if running.client != nil {
			running.client.CloseIdleConnections()
		}
		running.db, running.en, running.hooks, running.client = nil, nil, nil, nil
	}
	defer stop()
	start := func(login *session.Stored, client *session.Client) (*cache.DB, ui.Engine, error) {
		db, err := openCache(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		// The inbox runs the [[hooks]] when it holds the websocket.
		hooks := newConfigHooks(cfg, db, log)
		en, err := newEngine(cfg, db, login, client, log, hooks)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		hooks.Start(ctx)
		en.Start(ctx)
		running.db, running.en, running.hooks = db, en, hooks
		return db, en, nil
	}

	// The login screen: first when no login is stored, and again when the
	// server refuses the stored one and the user presses L.
	loginClient, err := session.New(cfg.APIURL, session.Options{Version: version, Logger: log})
	if err != nil {
		return err
	}
	defer loginClient.CloseIdleConnections()
	opts.Login = &ui.LoginOptions{
		Client:     loginClient,
		DeviceName: defaultDeviceName(cfg),
		WSURL:      cfg.WSURL,
		// Called from the UI after a successful login.
		Start: func(_ context.Context, st session.Stored) (*cache.DB, ui.Engine, error) {
			if err := session.Save(cfg.SessionPath, &st); err != nil {
				return nil, nil, err
			}
			return start(&st, loginClient)
		},
	}

	// startStored starts on the stored login; with none, the UI opens
	// the login screen.
	startStored := func() error {
		login, client, err := loadLogin(cfg, log)
		switch {
		case errors.Is(err, session.ErrNoSession):
			return nil
		case err != nil:
			return err
		}
		running.client = client
		opts.DB, opts.Engine, err = start(login, client)
		return err
	}
	if err := startStored(); err != nil {
		return err
	}
	for {
		err := ui.Run(ctx, opts)
		replaced := errors.Is(err, ui.ErrLoginReplaced)
		if !replaced && !errors.Is(err, ui.ErrLogInAgain) {
			return err
		}
		stop()
		opts.DB, opts.Engine = nil, nil
		if replaced { // the login `pobox login` stored meanwhile
			if err := startStored(); err != nil {
				return err
			}
		}
	}
}

// needTerminal refuses to draw the inbox into a pipe or a file.
func needTerminal(a *app) error {
	in, ok1 := a.stdin.(*os.File)
	out, ok2 := a.stdout.(*os.File)
	if ok1 && ok2 && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd())) {
		return nil
	}
	return errors.New("the inbox needs a terminal; in scripts use `pobox list`, `pobox sync` or `pobox daemon`")
}

// newStyles builds the theme's styles for standard output, asking the
// terminal for its background before the UI starts.
func newStyles(th themes.Theme) *themes.Styles {
	st := themes.NewStyles(th, themes.NewRenderer(os.Stdout))
	return &st
}

// uiBell converts the configured bell interval (0 = off) to the UI's
// convention (negative = off).
func uiBell(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// defaultDeviceName is the configured device name, or the host name made
// valid.
func defaultDeviceName(cfg *config) string {
	if cfg.DeviceName != "" {
		return cfg.DeviceName
	}
	host, _ := os.Hostname()
	return session.DeviceNameFrom(host)
}

// systemOpener returns the command that opens a URL in a browser, or nil
// where there is none to reach: over SSH without a display the UI shows
// the link to click instead.
func systemOpener() func(string) error {
	var name string
	switch {
	case runtime.GOOS == "darwin" && os.Getenv("SSH_CONNECTION") == "":
		name = "open"
	case os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "":
		name = "xdg-open"
	default:
		return nil
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil
	}
	return func(url string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// The URL is one argument, never a shell word; the UI passes only
		// http and https URLs. Output would scribble over the screen.
		if err := exec.CommandContext(ctx, path, url).Run(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
}
