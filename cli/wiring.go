package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"pobox/cache"
	"pobox/session"
	inboxsync "pobox/sync"
)

// openCache opens (creating it if needed) the message cache. When a login
// is stored, its device is recorded in the cache at once: the messages of a
// cache from before devices were recorded belong to it.
func openCache(ctx context.Context, cfg *config) (*cache.DB, error) {
	db, err := cache.Open(ctx, cfg.CachePath)
	if err != nil {
		return nil, err
	}
	if _, err := currentDevice(ctx, cfg, db); err != nil && !errors.Is(err, session.ErrNoSession) {
		db.Close()
		return nil, err
	}
	return db, nil
}

// currentDevice returns the cache's device of the stored login, or (with
// no login stored) the device used last, and session.ErrNoSession when
// there is neither. The stored login is recorded as the cache's: a pobox
// still running on an earlier one stops (inboxsync.SetLogin).
func currentDevice(ctx context.Context, cfg *config, db *cache.DB) (cache.Device, error) {
	login, err := session.Load(cfg.SessionPath)
	if err == nil {
		d, err := db.UseDevice(ctx, login.DeviceID, login.DeviceName)
		if err != nil {
			return d, err
		}
		return d, inboxsync.SetLogin(ctx, db, login.DeviceID)
	}
	if !errors.Is(err, session.ErrNoSession) {
		return cache.Device{}, err
	}
	devs, derr := db.Devices(ctx)
	if derr != nil {
		return cache.Device{}, derr
	}
	if len(devs) == 0 {
		return cache.Device{}, err
	}
	return devs[len(devs)-1], nil
}

// loadLogin reads the stored login and a REST client for the server it
// belongs to: a secret is only good on the server that issued it, so the
// stored URLs win over the configured ones.
func loadLogin(cfg *config, log *slog.Logger) (*session.Stored, *session.Client, error) {
	return loadLoginRetry(cfg, log, session.Backoff{})
}

// loadLoginRetry is loadLogin with a retry policy for the client (the
// zero Backoff: the client's default).
func loadLoginRetry(cfg *config, log *slog.Logger, retry session.Backoff) (*session.Stored, *session.Client, error) {
	login, err := session.Load(cfg.SessionPath)
	if err != nil {
		return nil, nil, err
	}
	if login.APIURL == "" {
		login.APIURL = cfg.APIURL
	}
	if login.WSURL == "" {
		login.WSURL = cfg.WSURL
	}
	client, err := session.New(login.APIURL, session.Options{Version: version, Logger: log, Retry: retry})
	if err != nil {
		return nil, nil, err
	}
	return login, client, nil
}

// newEngine returns a sync engine for the cache and login, not started.
// hooks (nil: none) receives the messages newly stored, in the holder only.
func newEngine(cfg *config, db *cache.DB, login *session.Stored, client *session.Client, log *slog.Logger, hooks *hookRunner) (*inboxsync.Engine, error) {
	var announce func(context.Context, []cache.Message)
	if hooks != nil {
		announce = hooks.Announce
	}
	return inboxsync.New(inboxsync.Config{
		Announce: announce,
		DB:       db, Client: client, Login: *login,
		LockPath:     cfg.LockPath,
		ServerDelete: cfg.ServerDelete,
		UserAgent:    "pobox/" + version,
		Logger:       log,
	})
}

// maxLog is the size past which openLog starts a new log file.
const maxLog = 8 << 20

// openLog opens pobox's log file (append, 0600) in the state directory.
// Secrets never reach it: session.Secret logs as [redacted] and the REST
// client redacts URLs and errors.
func openLog(cfg *config, level slog.Level) (*slog.Logger, io.Closer, error) {
	if err := ensurePrivateDir(filepath.Dir(cfg.LogPath)); err != nil {
		return nil, nil, err
	}
	// A daemon runs for months: start afresh past maxLog, keeping one old
	// file (a failed rename only means a longer log).
	if fi, err := os.Stat(cfg.LogPath); err == nil && fi.Size() > maxLog {
		_ = os.Rename(cfg.LogPath, cfg.LogPath+".1")
	}
	f, err := os.OpenFile(cfg.LogPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open the log: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})), f, nil
}

// stack is what the verbs that talk to Pushover share: the log, the stored
// login and its client, the cache, and an engine that is not started yet.
type stack struct {
	log    *slog.Logger
	login  *session.Stored
	client *session.Client
	db     *cache.DB
	en     *inboxsync.Engine
	hooks  *hookRunner // the [[hooks]] of config.toml; nil when there are none
	undo   []func()    // in the order to run them
}

// openStack opens everything a verb needs to sync or act, or nothing.
func openStack(ctx context.Context, cfg *config, level slog.Level) (*stack, error) {
	return openStackRetry(ctx, cfg, level, session.Backoff{})
}

// onceNow is the retry policy of the verbs that act and exit (ack,
// delete): one attempt, then the action waits in the outbox and the exit
// status says so, rather than the user waiting through a minute of
// retries.
var onceNow = session.Backoff{Attempts: 1}

// openStackRetry is openStack with a retry policy for the REST client.
func openStackRetry(ctx context.Context, cfg *config, level slog.Level, retry session.Backoff) (_ *stack, err error) {
	s := &stack{}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	var logFile io.Closer
	if s.log, logFile, err = openLog(cfg, level); err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { logFile.Close() })
	if s.login, s.client, err = loadLoginRetry(cfg, s.log, retry); err != nil {
		return nil, err
	}
	s.undo = append([]func(){s.client.CloseIdleConnections}, s.undo...)
	if s.db, err = openCache(ctx, cfg); err != nil {
		return nil, err
	}
	s.undo = append([]func(){func() { s.db.Close() }}, s.undo...)
	s.hooks = newConfigHooks(cfg, s.db, s.log)
	if s.en, err = newEngine(cfg, s.db, s.login, s.client, s.log, s.hooks); err != nil {
		return nil, err
	}
	// The engine first: it writes to the cache; then the hooks it feeds.
	s.undo = append([]func(){func() { s.en.Close() }, s.hooks.Close}, s.undo...)
	return s, nil
}

// start starts the hooks, then the engine that feeds them.
func (s *stack) start(ctx context.Context) {
	s.hooks.Start(ctx)
	s.en.Start(ctx)
}

// close releases what openStack opened, the engine first.
func (s *stack) close() {
	for _, f := range s.undo {
		f()
	}
}
