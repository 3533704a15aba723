package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	inboxsync "pobox/sync"
)

func newDaemonCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "keep the cache current without a UI",
		Long: "Keep the message cache current without a UI, until SIGINT or SIGTERM: hold\n" +
			"the Pushover websocket (or follow the pobox that holds it, and take over\n" +
			"when it exits), download, store and delete, and replay queued actions.\n" +
			"Logs go to $XDG_STATE_HOME/pobox/pobox.log.",
		Example: "  pobox daemon --debug &",
		Args:    noArgs,
	}
	debug := cmd.Flags().Bool("debug", false, "also log every HTTP request (secrets redacted)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		return runDaemon(cmd.Context(), a, cfg, *debug)
	}
	return cmd
}

func runDaemon(ctx context.Context, a *app, cfg *config, debug bool) error {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	for {
		again, err := daemonRun(ctx, a, cfg, level)
		if !again {
			return err
		}
	}
}

// daemonRun runs the daemon on the stored login until it stops; again
// says that `pobox login` replaced that login, so that the daemon starts
// over with the one stored now.
func daemonRun(ctx context.Context, a *app, cfg *config, level slog.Level) (again bool, _ error) {
	st, err := openStack(ctx, cfg, level)
	if err != nil {
		return false, err
	}
	defer st.close()
	log, en := st.log, st.en

	log.Info("daemon started", "device", st.login.DeviceName, "cache", cfg.CachePath)
	fmt.Fprintf(a.stderr, "pobox daemon: keeping %s current for device %q (log: %s)\n",
		cfg.CachePath, st.login.DeviceName, cfg.LogPath)
	st.start(ctx)
	for {
		select {
		case <-ctx.Done():
			log.Info("daemon stopping", "why", context.Cause(ctx))
			return false, nil
		case ev, ok := <-en.Events():
			if !ok {
				return false, nil
			}
			logEvent(log, ev)
			if end, ok := ev.(inboxsync.SessionEnded); ok {
				if end.Reason == inboxsync.EndReplaced {
					log.Info("the stored login changed: starting again with it", "was", st.login.DeviceName)
					return true, nil
				}
				return false, sessionEnded(end)
			}
		}
	}
}

// logEvent writes to the log what the engine does not log itself: what was
// stored, actions, and a follower's view of the holder's connection.
func logEvent(log *slog.Logger, ev inboxsync.Event) {
	switch ev := ev.(type) {
	case inboxsync.Connected:
		if !ev.Holder {
			log.Info("following the pobox that holds the connection")
		}
	case inboxsync.Disconnected:
		if !ev.Holder {
			log.Info("the pobox holding the connection is disconnected", "err", ev.Err)
		}
	case inboxsync.Synced:
		if len(ev.New) > 0 {
			log.Info("stored", "new", len(ev.New), "max_priority", ev.MaxPriority, "backlog", ev.Backlog)
		}
	case inboxsync.ActionDone:
		log.Info("action done", "action", ev.Action.Kind, "receipt", ev.Action.Receipt, "upto", ev.Action.UpTo)
	case inboxsync.ActionFailed:
		log.Warn("action failed", "action", ev.Action.Kind, "queued", ev.Queued, "err", ev.Err)
	}
}
