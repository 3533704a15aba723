package cli

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	stdsync "sync"
	"time"

	"github.com/spf13/cobra"

	"pobox/cache"
	"pobox/sandbox"
	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
	"pobox/themes"
	"pobox/ui"
)

func newDemoCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "try pobox on a built-in sandbox: no account, no network",
		Long: "Try pobox with no account and no network: the inbox on a built-in\n" +
			"Pushover sandbox seeded with sample messages (an unacknowledged emergency\n" +
			"among them), and a publisher adding one every few seconds. It reads and\n" +
			"writes none of your files: everything lives in a temporary directory,\n" +
			"removed at exit, unless --dir names one to keep.",
		Example: "  pobox demo",
		Args:    noArgs,
	}
	f := cmd.Flags()
	n := f.Int("messages", 200, "seed `N` sample messages")
	every := f.Duration("every", 5*time.Second, "publish a new sample message at this `interval` (0: never)")
	keep := f.String("dir", "", "keep the demo's cache, login and log in `DIR` (laid out like the XDG directories)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		theme, _ := cmd.Flags().GetString("theme")
		return runDemo(cmd.Context(), a, *n, *every, firstSet(theme, os.Getenv("POBOX_THEME")), *keep)
	}
	return cmd
}

// runDemo runs the real client stack (session, sync, cache, UI) against an
// in-process sandbox seeded with sample messages, in a private directory.
func runDemo(ctx context.Context, a *app, n int, every time.Duration, theme, keep string) error {
	if n < 0 || every < 0 {
		return usageError("--messages and --every cannot be negative")
	}
	// No config directory: a theme file in it would be one of the user's
	// files (a path given with --theme is the user's choice).
	th, err := themes.Load(theme, "")
	if err != nil {
		return err
	}
	if err := needTerminal(a); err != nil {
		return err
	}
	styles := newStyles(th)

	dir := keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "pobox-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := ensurePrivateDir(dir); err != nil {
		return err
	}
	cfg := demoConfig(dir)
	log, closeLog, err := openLog(cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer closeLog.Close()

	d, err := startDemo(ctx, cfg, n, log)
	if err != nil {
		return err
	}
	defer d.close()

	pubCtx, stopPub := context.WithCancel(ctx)
	var pub stdsync.WaitGroup
	defer pub.Wait()
	defer stopPub()
	if every > 0 {
		pub.Go(func() { publishSamples(pubCtx, d.srv, d.acct, every, log) })
	}

	sanitize.SetWidthMode(sanitize.Auto) // per code point inside tmux and screen
	width := sanitize.CurrentWidthMode()
	return ui.Run(ctx, ui.Options{
		DB: d.db, Engine: d.en, Styles: styles, Title: "pobox demo", Width: &width,
		BellInterval: ui.DefaultBellInterval, Opener: systemOpener(),
	})
}

// demo is the stack the demo runs: a sandbox, and pobox's own client,
// cache and engine logged in to it.
type demo struct {
	srv    *sandbox.Server
	acct   sandbox.Demo
	client *session.Client
	db     *cache.DB
	en     *inboxsync.Engine
}

// startDemo starts a sandbox seeded with n sample messages, logs in to it
// and registers a device as `pobox login` would, and starts the engine on
// the cache at cfg.CachePath.
func startDemo(ctx context.Context, cfg *config, n int, log *slog.Logger) (_ *demo, err error) {
	d := &demo{}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if d.srv, err = sandbox.New(sandbox.Options{AppLimit: max(10000, 2*n)}); err != nil {
		return nil, err
	}
	d.acct = d.srv.AddDemo()
	if d.client, err = session.New(d.srv.APIURL(), session.Options{Version: version, Logger: log}); err != nil {
		return nil, err
	}
	login, err := d.client.Login(ctx, d.acct.Email, d.acct.Password, "")
	if err != nil {
		return nil, fmt.Errorf("demo: log in to the sandbox: %w", err)
	}
	devID, err := d.client.RegisterDevice(ctx, login.Secret, "pobox-demo")
	if err != nil {
		return nil, fmt.Errorf("demo: register with the sandbox: %w", err)
	}
	stored := &session.Stored{
		UserKey: login.UserKey, Secret: login.Secret, DeviceID: devID, DeviceName: "pobox-demo",
		APIURL: d.srv.APIURL(), WSURL: d.srv.WSURL(), Created: time.Now().UTC(),
	}
	if err := session.Save(cfg.SessionPath, stored); err != nil {
		return nil, err
	}
	// Seeded after the device exists, so that all of them wait in its queue.
	if err := d.srv.Seed(d.acct.User, d.acct.Token, n, rand.New(rand.NewPCG(1, 2))); err != nil {
		return nil, err
	}
	if d.db, err = openCache(ctx, cfg); err != nil {
		return nil, err
	}
	if d.en, err = newEngine(cfg, d.db, stored, d.client, log, nil); err != nil {
		return nil, err
	}
	d.en.Start(ctx)
	return d, nil
}

// close stops the demo's stack, the engine before the cache it writes.
func (d *demo) close() {
	if d.en != nil {
		d.en.Close()
	}
	if d.db != nil {
		d.db.Close()
	}
	if d.client != nil {
		d.client.CloseIdleConnections()
	}
	if d.srv != nil {
		d.srv.Close()
	}
}

// demoConfig lays the demo's files out under dir as pobox lays them out
// under the XDG directories, so that `XDG_CONFIG_HOME=DIR/config
// XDG_DATA_HOME=DIR/data XDG_STATE_HOME=DIR/state pobox` opens a kept demo.
func demoConfig(dir string) *config {
	c := &config{
		ServerDelete: serverDeleteAfterSync,
		ConfigDir:    filepath.Join(dir, "config", "pobox"),
		DataDir:      filepath.Join(dir, "data", "pobox"),
		StateDir:     filepath.Join(dir, "state", "pobox"),
	}
	c.SessionPath = filepath.Join(c.ConfigDir, session.FileName)
	c.CachePath = filepath.Join(c.DataDir, "cache.db")
	c.LogPath = filepath.Join(c.StateDir, "pobox.log")
	c.LockPath = filepath.Join(c.StateDir, "pobox.lock")
	return c
}

// publishSamples publishes a random sample message every interval until
// ctx ends, as a script on a server would.
func publishSamples(ctx context.Context, srv *sandbox.Server, acct sandbox.Demo, every time.Duration, log *slog.Logger) {
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := srv.PublishSample(acct.User, acct.Token, r); err != nil {
				log.Warn("demo publisher", "err", err)
			}
		}
	}
}
